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

package dev.gatehouse.token;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tokens an {@link AccessTokenVerifier} has verified, found again by their exact string.
 * Package-private: the verifier alone decides what goes in and when an entry may be served.
 *
 * <p>What makes a hit safe is in {@link AccessTokenVerifier#verify(String)}; this class only
 * promises that an entry is returned for exactly the string it was stored under (full string
 * comparison, the hash merely picks the bucket), that nothing is served outside the time window
 * stored with it (checked against the verifier's clock on every lookup, not only left to
 * eviction), and that the memory it holds is bounded. Thread-safe.
 *
 * <p><b>The bound.</b> Each entry has a {@link #weigh weight}, and the weights of the entries held
 * never add up to more than the maximum: a put first reserves its entry's weight in a counter
 * and stores the entry only once the counter, which also holds every other pending reservation,
 * is within the maximum; otherwise it evicts until it is. An entry that no longer fits even after
 * that (the cache emptied by eviction while other puts' reservations still exceed the maximum)
 * is simply not remembered.
 *
 * <p><b>Eviction</b> is a sampled CLOCK. A hand walks the map in its own (hash) order, and each
 * eviction looks at the next {@value #SAMPLE} entries it passes: the expired ones among them are
 * dropped, and only if there were none is one live entry evicted, the one not hit since the hand
 * last passed it that expires first (when every sampled entry was hit, the one that expires
 * first); the sample's hit marks are then cleared, so an entry stays only while it keeps being
 * used (its second chance). An eviction thus costs {@value #SAMPLE} steps at most, whatever the
 * size. Each put also moves a second hand on by {@value #SWEEP_STEPS} entries, dropping those that
 * have expired, so that expired entries do not wait for the cache to fill before their memory is
 * freed.
 *
 * <p>A lookup takes no lock: a {@link ConcurrentHashMap} read, a time check and, for the first hit
 * after the hand passed, one write to the entry's mark. Puts serialise on a lock only to evict
 * (a full cache) and to sweep (skipped while another thread holds it).
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
    /** Estimated bytes of an entry besides the token's characters: principal, entry, map node. */
    static final int ENTRY_OVERHEAD_BYTES = 600;
    /** How many entries one eviction looks at (Redis samples 5 by default; CLOCK would look until it finds one). */
    static final int SAMPLE = 8;
    /** How many entries each put checks for expiry, besides any eviction. */
    static final int SWEEP_STEPS = 2;
    /** How many trailing characters the hash reads: the end of the signature, effectively random. */
    private static final int HASHED_TAIL = 16;

    /** What is remembered of a verified token: no part of the token itself besides the key. */
    static final class Entry {
        final AccessTokenPrincipal principal;
        final SigningKey key;
        /** The first instant (epoch ms) the full check accepted the token: max(iat, nbf) − leeway. */
        final long notBeforeMillis;
        /** Served strictly before this instant (epoch ms); from then on the entry has expired. */
        final long untilMillis;
        final int weight;
        /**
         * Hit since the eviction hand last passed. Set on the read path only when clear, so that a
         * hot entry costs no write per hit; a lost update merely makes the entry an earlier victim.
         */
        volatile boolean used;

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

        boolean expiredAt(long nowMillis) {
            return nowMillis >= untilMillis;
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

    private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    private final int maxWeight;
    /**
     * The weights of the entries held plus those of puts not yet stored: never less than the
     * weight actually held, since a put reserves before it stores and a removal releases after
     * it removed. Each entry's weight is released exactly once, by whichever operation took the
     * entry out of the map.
     */
    private final AtomicInteger reserved = new AtomicInteger();

    /** Guards both hands and the sample arrays; never taken by a lookup. */
    private final ReentrantLock lock = new ReentrantLock();
    private Iterator<Map.Entry<Key, Entry>> evictionHand = Collections.emptyIterator();
    private Iterator<Map.Entry<Key, Entry>> expiryHand = Collections.emptyIterator();
    private final Key[] sampleKeys = new Key[SAMPLE];
    private final Entry[] sampleEntries = new Entry[SAMPLE];

    /** @param maxWeight the most the entries held may weigh together, at least 1 */
    VerifiedTokenCache(int maxWeight) {
        if (maxWeight < 1) {
            throw new IllegalArgumentException("maxWeight " + maxWeight);
        }
        this.maxWeight = maxWeight;
    }

    /** The entry stored for exactly this token, if it may be served now; a stale one is dropped. */
    Entry find(Key key, long nowMillis) {
        Entry entry = map.get(key);
        if (entry == null) {
            return null;
        }
        if (!entry.servableAt(nowMillis)) {
            removeExactly(key, entry);
            return null;
        }
        if (!entry.used) {
            entry.used = true;
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
        Entry entry = new Entry(principal, signingKey, notBeforeMillis, until, weigh(key.token));
        if (entry.weight > maxWeight) {
            return; // could never fit
        }
        sweep(nowMillis);
        if (reserved.addAndGet(entry.weight) > maxWeight && !makeRoom(nowMillis)) {
            reserved.addAndGet(-entry.weight);
            return;
        }
        Entry previous = map.put(key, entry);
        if (previous != null) {
            reserved.addAndGet(-previous.weight);
        }
    }

    /** Forgets a token (it was refused on a hit). */
    void remove(Key key) {
        Entry removed = map.remove(key);
        if (removed != null) {
            reserved.addAndGet(-removed.weight);
        }
    }

    /** Entries now held. For tests and metrics. */
    long size() {
        return map.mappingCount();
    }

    /** The reservation counter: once no put is under way, the weight of the entries held. For tests. */
    int reservedWeight() {
        return reserved.get();
    }

    /** The weight of the entries held, added up one by one (exact only while nothing changes). For tests. */
    long heldWeight() {
        long sum = 0;
        for (Entry entry : map.values()) {
            sum += entry.weight;
        }
        return sum;
    }

    /** One unit per started {@value #UNIT_BYTES} bytes of token characters plus entry overhead. */
    static int weigh(String token) {
        return (token.length() + ENTRY_OVERHEAD_BYTES + UNIT_BYTES - 1) / UNIT_BYTES;
    }

    /** Removes exactly this entry, if it is still the one stored, and releases its weight. */
    private void removeExactly(Key key, Entry entry) {
        if (map.remove(key, entry)) {
            reserved.addAndGet(-entry.weight);
        }
    }

    /**
     * Evicts until the reservations fit; {@code false} when the map ran empty first (other puts'
     * reservations alone exceed the maximum), and the caller's entry is not to be stored.
     */
    private boolean makeRoom(long nowMillis) {
        lock.lock();
        try {
            while (reserved.get() > maxWeight) {
                if (!evictOne(nowMillis)) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Looks at the next {@value #SAMPLE} entries under the eviction hand: drops the expired ones,
     * or, when none was, the best victim (see the class comment). {@code false} when the map was
     * empty. Holds {@link #lock}.
     */
    private boolean evictOne(long nowMillis) {
        int n = 0;
        boolean restarted = false;
        while (n < SAMPLE) {
            if (!evictionHand.hasNext()) {
                if (restarted) {
                    break; // a map smaller than the sample: all of it was taken (some perhaps twice)
                }
                evictionHand = map.entrySet().iterator();
                restarted = true;
                continue;
            }
            Map.Entry<Key, Entry> next = evictionHand.next();
            sampleKeys[n] = next.getKey();
            sampleEntries[n] = next.getValue();
            n++;
        }
        if (n == 0) {
            return false;
        }
        boolean droppedExpired = false;
        for (int i = 0; i < n; i++) {
            if (sampleEntries[i].expiredAt(nowMillis)) {
                removeExactly(sampleKeys[i], sampleEntries[i]);
                droppedExpired = true;
            }
        }
        if (!droppedExpired) {
            int victim = 0;
            boolean victimUsed = sampleEntries[0].used;
            for (int i = 1; i < n; i++) {
                Entry candidate = sampleEntries[i];
                boolean used = candidate.used;
                if ((victimUsed && !used)
                        || (victimUsed == used && candidate.untilMillis < sampleEntries[victim].untilMillis)) {
                    victim = i;
                    victimUsed = used;
                }
            }
            for (int i = 0; i < n; i++) {
                sampleEntries[i].used = false;
            }
            removeExactly(sampleKeys[victim], sampleEntries[victim]);
        }
        // Entries taken out of the map must not be kept reachable from here.
        Arrays.fill(sampleKeys, 0, n, null);
        Arrays.fill(sampleEntries, 0, n, null);
        return true;
    }

    /**
     * Moves the expiry hand on by {@value #SWEEP_STEPS} entries, dropping the expired ones; skipped
     * when another thread holds {@link #lock} (it is evicting or sweeping already).
     */
    private void sweep(long nowMillis) {
        if (!lock.tryLock()) {
            return;
        }
        try {
            for (int i = 0; i < SWEEP_STEPS; i++) {
                if (!expiryHand.hasNext()) {
                    expiryHand = map.entrySet().iterator();
                    if (!expiryHand.hasNext()) {
                        return;
                    }
                }
                Map.Entry<Key, Entry> next = expiryHand.next();
                if (next.getValue().expiredAt(nowMillis)) {
                    removeExactly(next.getKey(), next.getValue());
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
