package dev.gatehouse.core.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A per-client token bucket (in memory, per node): each client address may make
 * {@code attemptsPerMinute} credential attempts a minute, with bursts up to the same number.
 * Bounded in memory (at most {@value #MAX_CLIENTS} clients tracked, idle ones forgotten).
 * Thread-safe.
 *
 * <p>The client address must come from a trustworthy source: the connection's peer address, or a
 * forwarded header only when the proxy that sets it is trusted (the adapters decide).
 */
public final class ClientRateLimiter {
    static final int MAX_CLIENTS = 100_000;

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
     * Takes one attempt for the client.
     *
     * @return empty when allowed; otherwise how long until the next attempt is allowed
     */
    public Optional<Duration> tryAcquire(String client) {
        Bucket bucket = buckets.get(client == null ? "" : client, k -> new Bucket(capacity, now()));
        synchronized (bucket) {
            long now = now();
            bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updated) * perNano);
            bucket.updated = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) / perNano)));
        }
    }

    private long now() {
        java.time.Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }
}
