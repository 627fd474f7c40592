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

package dev.gatehouse.auth;

import dev.gatehouse.web.ClientAddresses;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A per-client token bucket (in memory, per node): each client network may make
 * {@code attemptsPerMinute} credential attempts a minute, with bursts up to the same number.
 * Clients are counted by network ({@link ClientAddresses#network(String)}): an IPv4 address, or an
 * IPv6 {@code /64}, so that the 2<sup>64</sup> addresses of one subscriber's {@code /64} share one
 * bucket. Every IPv6 {@code /56} has a bucket of its own as well, {@value #WIDE_FACTOR} times as
 * large and as fast, and an attempt must find a token in both: a client holding a {@code /56}
 * gets {@value #WIDE_FACTOR} times one client's budget, not 256 times. Bounded in memory (at most
 * {@value #MAX_CLIENTS} buckets, idle ones forgotten). Thread-safe.
 *
 * <p>The client address must come from a trustworthy source: the connection's peer address, or a
 * forwarded header only when the proxy that sets it is trusted (the adapters decide).
 */
public final class ClientRateLimiter {
    static final int MAX_CLIENTS = 100_000;
    /** How much larger and faster the bucket of an IPv6 {@code /56} is than that of one {@code /64}. */
    public static final int WIDE_FACTOR = 4;

    private final double perNano;
    private final double capacity;
    private final Clock clock;
    private final Cache<String, Bucket> buckets;

    public ClientRateLimiter(int attemptsPerMinute, Clock clock) {
        this.capacity = attemptsPerMinute;
        this.perNano = attemptsPerMinute / (double) Duration.ofMinutes(1).toNanos();
        this.clock = clock;
        this.buckets = Caffeine.newBuilder().maximumSize(MAX_CLIENTS).expireAfterAccess(Duration.ofMinutes(2)).build();
    }

    /**
     * Takes one attempt for the client's network (and, for IPv6, its {@code /56}); takes nothing
     * when either is empty.
     *
     * @param client the client's address (an IP literal), or another identifier, which is then a network of its own
     * @return empty when allowed; otherwise how long until the next attempt is allowed
     */
    public Optional<Duration> tryAcquire(String client) {
        String network = ClientAddresses.network(client);
        String wideNetwork = ClientAddresses.wideNetwork(client);
        Bucket narrow = buckets.get(network, k -> new Bucket(capacity, perNano, now()));
        if (wideNetwork == null) {
            synchronized (narrow) {
                return narrow.take(now());
            }
        }
        Bucket wide = buckets.get(wideNetwork, k -> new Bucket(capacity * WIDE_FACTOR, perNano * WIDE_FACTOR, now()));
        // Always the wide bucket first: one order for every thread, so no two can deadlock.
        synchronized (wide) {
            synchronized (narrow) {
                long now = now();
                wide.refill(now);
                narrow.refill(now);
                if (wide.tokens >= 1 && narrow.tokens >= 1) {
                    wide.tokens -= 1;
                    narrow.tokens -= 1;
                    return Optional.empty();
                }
                long wait = Math.max(wide.nanosUntilOne(), narrow.nanosUntilOne());
                return Optional.of(Duration.ofNanos(wait));
            }
        }
    }

    private long now() {
        java.time.Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** A token bucket; guarded by its own monitor. */
    private static final class Bucket {
        final double capacity;
        final double perNano;
        double tokens;
        long updated;

        Bucket(double capacity, double perNano, long updated) {
            this.capacity = capacity;
            this.perNano = perNano;
            this.tokens = capacity;
            this.updated = updated;
        }

        void refill(long now) {
            tokens = Math.min(capacity, tokens + Math.max(0, now - updated) * perNano);
            updated = Math.max(updated, now);
        }

        long nanosUntilOne() {
            return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
        }

        Optional<Duration> take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(nanosUntilOne()));
        }
    }
}
