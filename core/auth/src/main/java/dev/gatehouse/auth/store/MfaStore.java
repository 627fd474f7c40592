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
 * The second factor's state: a user's TOTP enrolment (its secret sealed, never in clear), their
 * recovery codes (hashed), and the short-lived challenges between the two steps of a login. Every
 * write that must happen once (a TOTP step, a recovery code, a challenge) is one conditional
 * update, so that concurrent requests on any number of nodes cannot use the same one twice.
 */
public interface MfaStore {
    /**
     * A user's TOTP enrolment.
     *
     * @param sealedSecret the shared secret, sealed (encrypted and authenticated) by the service
     * @param confirmedAt  when a first valid code confirmed it, or {@code null} while it is pending
     * @param lastUsedStep the latest TOTP time step accepted for the user; a code of this step or an
     *                     earlier one is never accepted again
     */
    record Totp(String userId, String sealedSecret, Instant createdAt, Instant confirmedAt, long lastUsedStep) {
        public Totp {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(sealedSecret, "sealedSecret");
            Objects.requireNonNull(createdAt, "createdAt");
        }

        public boolean confirmed() {
            return confirmedAt != null;
        }

        /** Leaves the sealed secret out. */
        @Override
        public String toString() {
            return "Totp{user=" + userId + ", confirmed=" + confirmedAt + ", lastUsedStep=" + lastUsedStep + "}";
        }
    }

    /**
     * The first step of a login that needs a second factor. Only the hash of its token is stored.
     *
     * @param failures wrong codes presented with it so far
     * @param usedAt   when it completed a login, or {@code null}
     */
    record Challenge(String tokenHash, String userId, Instant createdAt, Instant expiresAt, int failures, Instant usedAt) {
        public Challenge {
            Objects.requireNonNull(tokenHash, "tokenHash");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        /** Leaves the hash out. */
        @Override
        public String toString() {
            return "Challenge{user=" + userId + ", expires=" + expiresAt + ", failures=" + failures + ", used=" + usedAt + "}";
        }
    }

    /** The user's enrolment, pending or confirmed. */
    Optional<Totp> findTotp(String userId);

    /**
     * Begins an enrolment: stores a pending one, replacing an earlier pending one.
     *
     * @return {@code false} (nothing written) when the user has a confirmed enrolment, or no longer exists
     */
    boolean beginTotp(String userId, String sealedSecret, Instant now);

    /**
     * Confirms the pending enrolment whose secret is {@code sealedSecret}, records {@code step} as
     * used, and replaces the user's recovery codes with {@code recoveryCodeHashes}, in one transaction.
     *
     * @return {@code false} (nothing written) when there is no such pending enrolment (confirmed
     *         meanwhile, replaced by another, removed)
     */
    boolean confirmTotp(String userId, String sealedSecret, long step, List<String> recoveryCodeHashes, Instant now);

    /**
     * Records that the code of {@code step} was accepted: only when the enrolment is confirmed and
     * {@code step} is later than its last used step.
     *
     * @return {@code true} for exactly one caller per step however many race
     */
    boolean useTotpStep(String userId, long step);

    /**
     * Spends a recovery code of a user with a confirmed enrolment.
     *
     * @return {@code true} for exactly one caller per code however many race; {@code false} for an
     *         unknown or spent code
     */
    boolean useRecoveryCode(String userId, String codeHash, Instant now);

    /** How many unspent recovery codes the user has. */
    int unusedRecoveryCodes(String userId);

    /**
     * Replaces all of the user's recovery codes (spent or not) with new ones, in one transaction.
     *
     * @return {@code false} (nothing written) when the user has no confirmed enrolment
     */
    boolean replaceRecoveryCodes(String userId, List<String> codeHashes, Instant now);

    /**
     * Removes the user's enrolment (pending or confirmed), recovery codes and open challenges, in one transaction.
     *
     * @return {@code false} when there was no enrolment
     */
    boolean removeTotp(String userId);

    /** Stores a new challenge. */
    void createChallenge(Challenge challenge);

    /** The challenge with this token hash, used or not, expired or not. */
    Optional<Challenge> findChallenge(String tokenHash);

    /**
     * Counts a wrong code against an unused challenge; once it has {@code maxFailures}, it is spent.
     *
     * @return {@code false} when the challenge is unknown, used, or spent by this failure or earlier
     */
    boolean failChallenge(String tokenHash, int maxFailures, Instant now);

    /**
     * Spends a challenge that is unused, unexpired and below {@code maxFailures}: the second step of
     * its login succeeded.
     *
     * @return {@code true} for exactly one caller per challenge however many race
     */
    boolean useChallenge(String tokenHash, int maxFailures, Instant now);

    /** Deletes challenges that expired before {@code cutoff}; returns how many. */
    int deleteChallengesBefore(Instant cutoff);
}
