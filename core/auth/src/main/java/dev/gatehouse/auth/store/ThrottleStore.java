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

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Login throttling state, persisted so that it holds across restarts and nodes. Two buckets limit
 * failed logins: one per account and client network, and one per account for all clients
 * together. Each is a GCRA (generic cell rate algorithm) bucket kept as one instant per key, its
 * theoretical arrival time, which refills by itself as time passes: no counter, no background job.
 *
 * <p>Keys are opaque (keyed hashes made by the caller), so the store never sees an email or an
 * address, and an unknown email is throttled exactly like a known one.
 *
 * <p>A login attempt first {@link #reserve reserves} one failure from the buckets, atomically,
 * before the password is checked; a refused reservation takes nothing. A successful login gives
 * the reservation back ({@link #recordSuccess}); a failed one keeps it, so there is no separate
 * "record a failure" step that concurrent attempts could slip between. Implementations are
 * thread-safe, and atomic across every node that shares them.
 */
public interface ThrottleStore {
    /**
     * A GCRA bucket: {@code burst} at once, then one per {@code interval}. Immutable.
     *
     * <p>The bucket's state is its theoretical arrival time {@code tat}, the instant at which it
     * would be full again ({@code null} or past: full now). Taking one moves {@code tat} one
     * interval later (from now, if it is past); that is allowed as long as {@code tat} stays within
     * {@code burst} intervals of now.
     *
     * @param burst    at least 1
     * @param interval positive
     */
    record Bucket(int burst, Duration interval) {
        public Bucket {
            if (burst < 1) {
                throw new IllegalArgumentException("burst must be at least 1");
            }
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive");
            }
        }

        /** The state after taking one at {@code now}, or {@code null} when the bucket is empty. */
        public Instant take(Instant tat, Instant now) {
            Instant next = start(tat, now).plus(interval);
            return next.isAfter(limit(now)) ? null : next;
        }

        /** How long from {@code now} until one can be taken; zero when one can be taken now. */
        public Duration waitFor(Instant tat, Instant now) {
            Duration wait = Duration.between(limit(now), start(tat, now).plus(interval));
            return wait.isNegative() ? Duration.ZERO : wait;
        }

        /** The state after giving back one that was taken. */
        public Instant giveBack(Instant tat) {
            return Objects.requireNonNull(tat, "tat").minus(interval);
        }

        private static Instant start(Instant tat, Instant now) {
            return tat == null || tat.isBefore(now) ? now : tat;
        }

        private Instant limit(Instant now) {
            return now.plus(interval.multipliedBy(burst));
        }
    }

    /**
     * The two buckets and the known-client window of a reservation. Immutable.
     *
     * @param accountClient     the bucket of one account and one client network
     * @param account           the bucket of one account, all clients together
     * @param knownClientWindow how long after a successful login a client network is exempt from
     *                          {@code account}; zero for never
     */
    record Limits(Bucket accountClient, Bucket account, Duration knownClientWindow) {
        public Limits {
            Objects.requireNonNull(accountClient, "accountClient");
            Objects.requireNonNull(account, "account");
            Objects.requireNonNull(knownClientWindow, "knownClientWindow");
        }
    }

    /** Which bucket refused a reservation. */
    enum Limit {
        /** The bucket of the account and this client network. */
        ACCOUNT_CLIENT,
        /** The account's bucket for all clients together. */
        ACCOUNT
    }

    /**
     * The outcome of {@link #reserve}. Immutable.
     *
     * @param refusedBy   the bucket that refused, or {@code null} when granted
     * @param retryAfter  how long until an attempt could be granted; zero when granted
     * @param knownClient whether the client network logged in to this account successfully within
     *                    the known-client window: then only its own bucket applies, and the
     *                    account's was neither read nor charged
     */
    record Reservation(Limit refusedBy, Duration retryAfter, boolean knownClient) {
        public Reservation {
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** Whether the attempt may go on (one failure was taken). */
        public boolean granted() {
            return refusedBy == null;
        }
    }

    /**
     * Takes one failed login from the account-and-client bucket and, unless the client is a known
     * client of the account, from the account's bucket, in one transaction: both or neither.
     * Concurrent reservations for one account are serialised, so at most {@code burst} of them are
     * granted however many run at once.
     *
     * @param accountKey       the key of the account's bucket
     * @param accountClientKey the key of the account-and-client-network bucket
     */
    Reservation reserve(String accountKey, String accountClientKey, Instant now, Limits limits);

    /**
     * A successful login: gives back what its reservation took. The account-and-client bucket is
     * emptied of failures and remembers the success (its client is known from now on); the
     * account's bucket gets back the one failure the reservation took from it, when it took one.
     *
     * @param chargedAccount whether the reservation took from the account's bucket
     *                       ({@code !reservation.knownClient()})
     */
    void recordSuccess(String accountKey, String accountClientKey, Instant now, boolean chargedAccount, Limits limits);

    /**
     * Deletes the state that no longer matters: buckets that are full again and whose last success
     * is older than {@code knownSince} (or that have none).
     *
     * @return how many were deleted
     */
    int purge(Instant now, Instant knownSince);

    /**
     * Forgets buckets: they are full again (a password reset clears the account's throttling).
     *
     * @throws UnsupportedOperationException when the store cannot (the default)
     */
    default void clear(String... bucketKeys) {
        throw new UnsupportedOperationException("This throttle store cannot clear buckets");
    }
}
