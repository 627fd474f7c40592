package dev.gatehouse.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The tokens an {@link AccessTokenVerifier} has verified, found again by their exact string.
 * Package-private: the verifier alone decides what goes in and when an entry may be served.
 *
 * <p>What makes a hit safe is in {@link AccessTokenVerifier#verify(String)}; this class only
 * promises that an entry is returned for exactly the string it was stored under (full string
 * comparison, the hash merely picks the bucket), that nothing is served outside the time window
 * stored with it (checked against the verifier's clock on every lookup, not only left to
 * Caffeine's eviction), and that the memory it holds is bounded. Thread-safe.
 */
final class VerifiedTokenCache {
    /**
     * Served until this long before {@code exp}, so that around expiry the full check (with its
     * leeway) decides, and a cached entry never outlives its token.
     */
    static final long EXPIRY_MARGIN_MILLIS = 1_000;
    /** Entries are also re-verified at least this often, whatever the token's lifetime. */
    static final long MAX_ENTRY_LIFETIME_MILLIS = TimeUnit.MINUTES.toMillis(15);
    /** One unit of weight: an entry for a typical access token, all included (see {@link #weigh}). */
    static final int UNIT_BYTES = 2048;
    /** Estimated bytes of an entry besides the token's characters: principal, entry, Caffeine node. */
    static final int ENTRY_OVERHEAD_BYTES = 600;
    /** How many trailing characters the hash reads: the end of the signature, effectively random. */
    private static final int HASHED_TAIL = 16;

    /** What is remembered of a verified token: no part of the token itself besides the key. */
    static final class Entry {
        final AccessTokenPrincipal principal;
        final SigningKey key;
        /** The first instant (epoch ms) the full check accepted the token: max(iat, nbf) − leeway. */
        final long notBeforeMillis;
        /** Served strictly before this instant (epoch ms). */
        final long untilMillis;
        final int weight;

        Entry(AccessTokenPrincipal principal, SigningKey key, long notBeforeMillis, long untilMillis, int weight) {
            this.principal = principal;
            this.key = key;
            this.notBeforeMillis = notBeforeMillis;
            this.untilMillis = untilMillis;
            this.weight = weight;
        }

        boolean servableAt(long nowMillis) {
            return nowMillis >= notBeforeMillis && nowMillis < untilMillis;
        }
    }

    /**
     * The exact token string with a cheap hash: the last characters (the signature's end) and the
     * length. {@link #equals} compares the whole string, so a token that differs anywhere, a
     * tampered payload with a copied signature included, is a different key.
     */
    static final class Key {
        final String token;
        private final int hash;

        Key(String token) {
            this.token = token;
            int n = token.length();
            int h = n;
            for (int i = Math.max(0, n - HASHED_TAIL); i < n; i++) {
                h = 31 * h + token.charAt(i);
            }
            this.hash = h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).hash == hash && ((Key) o).token.equals(token);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Cache<Key, Entry> cache;
    private final Clock clock;

    VerifiedTokenCache(int maxWeight, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxWeight)
                .weigher((Key k, Entry e) -> e.weight)
                .expireAfter(new Expiry<Key, Entry>() {
                    @Override
                    public long expireAfterCreate(Key key, Entry entry, long currentTime) {
                        return remainingNanos(entry);
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Entry entry, long currentTime, long currentDuration) {
                        return remainingNanos(entry);
                    }

                    @Override
                    public long expireAfterRead(Key key, Entry entry, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                // Maintenance on the calling thread: no task of ours in a shared pool (containers
                // undeploy cleanly), and tests see evictions at once.
                .executor(Runnable::run)
                .build();
    }

    private long remainingNanos(Entry entry) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, entry.untilMillis - clock.millis()));
    }

    /** The entry stored for exactly this token, if it may be served now; a stale one is dropped. */
    Entry find(Key key, long nowMillis) {
        Entry entry = cache.getIfPresent(key);
        if (entry == null) {
            return null;
        }
        if (!entry.servableAt(nowMillis)) {
            cache.asMap().remove(key, entry);
            return null;
        }
        return entry;
    }

    /**
     * Remembers a token that has just passed every check at {@code nowMillis}, unless the window
     * in which it may be served is empty.
     */
    void put(Key key, AccessTokenPrincipal principal, SigningKey signingKey, long notBeforeMillis, long nowMillis) {
        long until = Math.min(principal.expiresAt().toEpochMilli() - EXPIRY_MARGIN_MILLIS, nowMillis + MAX_ENTRY_LIFETIME_MILLIS);
        if (until <= nowMillis || nowMillis < notBeforeMillis) {
            return;
        }
        cache.put(key, new Entry(principal, signingKey, notBeforeMillis, until, weigh(key.token)));
    }

    /** Forgets a token (it was refused on a hit). */
    void remove(Key key) {
        cache.invalidate(key);
    }

    /** Entries now held (after pending maintenance). For tests and metrics. */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    /** One unit per started {@value #UNIT_BYTES} bytes of token characters plus entry overhead. */
    static int weigh(String token) {
        return (token.length() + ENTRY_OVERHEAD_BYTES + UNIT_BYTES - 1) / UNIT_BYTES;
    }
}
