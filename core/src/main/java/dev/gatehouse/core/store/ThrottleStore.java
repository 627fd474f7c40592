package dev.gatehouse.core.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Per-account login failures, persisted so that throttling holds across restarts and nodes. Keyed
 * by an opaque account key (a hash of the normalised email), so unknown emails are throttled the
 * same way as known ones. Implementations are thread-safe.
 */
public interface ThrottleStore {
    /** The failure state of an account. */
    final class State {
        private final int failures;
        private final Instant blockedUntil;

        public State(int failures, Instant blockedUntil) {
            this.failures = failures;
            this.blockedUntil = blockedUntil;
        }

        /** Consecutive failures since the last success. */
        public int failures() {
            return failures;
        }

        /** Until when attempts are refused, or {@code null}. */
        public Instant blockedUntil() {
            return blockedUntil;
        }
    }

    /** The account's state, if it has failures. */
    Optional<State> find(String accountKey);

    /**
     * Atomically adds one failure and sets {@code blockedUntil} to what {@code policy} computes from
     * the new count (an increment in the database, not read-then-write).
     *
     * @return the state after the increment
     */
    State recordFailure(String accountKey, Instant now, BlockPolicy policy);

    /** Forgets an account's failures (after a successful login). */
    void reset(String accountKey);

    /** How long an account is blocked after its n-th consecutive failure. */
    @FunctionalInterface
    interface BlockPolicy {
        /** @return the block end, or {@code null} for no block */
        Instant blockedUntil(int failures, Instant now);
    }
}
