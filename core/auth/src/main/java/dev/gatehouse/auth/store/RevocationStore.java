/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.auth.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What verification must refuse although the signature and the claims are fine, in three kinds:
 * <ul>
 *   <li>single access tokens, by {@code jti} (logout of a token that names no session), kept until
 *       the token could no longer pass verification in any case;</li>
 *   <li>sessions: refresh-token families revoked by logout, by reuse detection or by logout
 *       everywhere; every access token issued in a revoked session is refused;</li>
 *   <li>token generations: per user, the lowest generation still accepted (logout everywhere, a
 *       change of roles, account deletion); every access token of an older one is refused.</li>
 * </ul>
 * Read in bulk by each node's revocation cache, never per request. Implementations are thread-safe.
 *
 * <p>A store that numbers its changes ({@link #latestChange()} not empty) lets each node read only
 * what changed since its last read ({@link #changesAfter}); the whole live set
 * ({@link #revokedTokens}, {@link #revokedSessions}, {@link #userGenerations}) is then read only at
 * start and at each reconciliation. A store that does not is read whole at every refresh.
 */
public interface RevocationStore {
    /** Refuses the token with this id until {@code until}. Idempotent; a later time replaces an earlier one. */
    void revokeToken(String jti, Instant until);

    /**
     * Refuses every access token of the user whose generation is below {@code generation}, as of
     * {@code at}. A higher generation replaces a lower one (and the later time is kept); a lower
     * one changes nothing.
     */
    void refuseGenerationsBelow(String userId, int generation, Instant at);

    /** Every revoked token id still in force at {@code now}, with the time it stops mattering. */
    Map<String, Instant> revokedTokens(Instant now);

    /**
     * The sessions (refresh-token family ids) revoked after {@code since}, with the time each was
     * revoked. Older revocations cannot matter: every access token of such a session has expired.
     */
    Map<String, Instant> revokedSessions(Instant since);

    /**
     * Per user, the lowest token generation still accepted, for the users whose generation cut-off
     * was recorded after {@code since} (older ones cannot matter: their tokens have expired).
     */
    Map<String, Integer> userGenerations(Instant since);

    /**
     * The highest number of a change in the store, {@code 0} when there is none, or empty when the
     * store does not number its changes (the default; then {@link #changesAfter} is not supported).
     */
    default OptionalLong latestChange() {
        return OptionalLong.empty();
    }

    /**
     * Every change numbered above {@code after} that is committed now, in no particular order,
     * expired ones included: a reader learns from the numbers it sees which ones it has not seen
     * yet. Numbers are not dense: a number may never show up (a rolled-back write, a change made
     * again), and one may show up late (a write that took its number before another and committed
     * after it).
     *
     * @throws UnsupportedOperationException when {@link #latestChange()} is empty
     */
    default List<RevocationChange> changesAfter(long after) {
        throw new UnsupportedOperationException("this revocation store does not number its changes");
    }

    /**
     * Deletes entries that can no longer matter: token revocations in force until before
     * {@code tokensUntilBefore}, generation cut-offs recorded before {@code generationsBefore}.
     *
     * @return how many were deleted
     */
    int purge(Instant tokensUntilBefore, Instant generationsBefore);
}
