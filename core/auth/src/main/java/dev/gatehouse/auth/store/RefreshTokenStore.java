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
import java.util.Objects;
import java.util.Optional;

/**
 * Refresh tokens, stored by hash, grouped in families (one family per login: a session). Every
 * change that adds a token to a family happens in a transaction that first locks the family's row,
 * so a rotation and a concurrent revocation of the family are serialised: once {@link #revokeFamily}
 * returns, no token of that family can be added or accepted again. A family never has more than
 * one unspent token: the first of the family, then the child of each rotation. Implementations are
 * thread-safe.
 */
public interface RefreshTokenStore {
    /**
     * Stores a new family (a session: its id, user, creation, end and what is shown of it) with
     * its first token, in one transaction. {@code session.lastUsedAt()} is its creation time and
     * {@code session.revokedAt()} is {@code null}.
     */
    void createFamily(Session session, RefreshTokenRecord first);

    /** A refresh token and the session (family) it belongs to. */
    record TokenInSession(RefreshTokenRecord token, Session session) {
        public TokenInSession {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(session, "session");
        }
    }

    /**
     * The token with this hash ({@link #findByHash}) and its session ({@link #findSession}), read
     * together: what a refresh needs. A store should read both in one query.
     */
    default Optional<TokenInSession> findWithSession(String tokenHash) {
        return findByHash(tokenHash).flatMap(t -> findSession(t.familyId()).map(s -> new TokenInSession(t, s)));
    }

    /** The session (family) with this id, ended or not; empty once purged. */
    Optional<Session> findSession(String familyId);

    /**
     * The user's sessions that are not ended and not past their end at {@code now}, the most
     * recently used first, at most {@code limit}.
     */
    List<Session> listSessions(String userId, Instant now, int limit);

    /**
     * Ends one session of a user.
     *
     * @return {@code false} (nothing written) when the user has no such session, or it was ended already
     */
    boolean revokeSession(String userId, String familyId, Instant revokedAt);

    /** Ends every session of a user but {@code keptFamilyId}; returns how many were ended now. */
    int revokeOtherSessions(String userId, String keptFamilyId, Instant revokedAt);

    /**
     * The token with this hash. Its {@link RefreshTokenRecord#revokedAt()} is set when the token
     * or its family was revoked.
     */
    Optional<RefreshTokenRecord> findByHash(String tokenHash);

    /**
     * Spends {@code parentHash} and stores {@code child} (same family) in one transaction, with
     * the family row locked: the parent's {@code used_at} is set only if it was unused and
     * unrevoked and the family is not revoked; the family's last use becomes {@code usedAt}. When
     * {@code successorSeal} is given, it is stored for the parent in the same transaction ({@link #findSeal}).
     *
     * @param successorSeal the child's token sealed under a key only the parent's token gives, or
     *                      {@code null} (no reuse grace)
     * @return {@code true} for exactly one caller per parent however many race; {@code false}
     *         (nothing written) otherwise
     */
    boolean rotate(String parentHash, Instant usedAt, RefreshTokenRecord child, String successorSeal);

    /**
     * The seal stored by the rotation that spent {@code parentHash}, unless it has been purged
     * ({@link #deleteSealsBefore}).
     */
    Optional<String> findSeal(String parentHash);

    /** Revokes a family; returns {@code true} if it was not revoked before. */
    boolean revokeFamily(String familyId, Instant revokedAt);

    /** Revokes every family of a user; returns how many were revoked now. */
    int revokeAllOfUser(String userId, Instant revokedAt);

    /** Deletes families (and their tokens) whose absolute expiry is before {@code cutoff}; returns how many. */
    int deleteExpired(Instant cutoff);

    /** Deletes the seals stored before {@code cutoff} (past the reuse grace they can serve nothing); returns how many. */
    int deleteSealsBefore(Instant cutoff);
}
