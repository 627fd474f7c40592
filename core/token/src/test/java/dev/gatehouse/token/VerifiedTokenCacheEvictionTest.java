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

import dev.gatehouse.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gatehouse.testing.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link VerifiedTokenCache} on its own: entries live until their token's expiry (less the margin,
 * at most 15 minutes), the weight held never exceeds the maximum, whatever the concurrency, and
 * eviction drops expired entries before live ones and keeps the entries in use.
 * {@link VerifiedTokenCacheTest} covers the cache as the verifier uses it.
 */
class VerifiedTokenCacheEvictionTest {
    private static final long T0 = NOW.toEpochMilli();
    private static final SigningKey KEY = Fixtures.rsaKey();

    /** A token string of {@code units} weight, distinct for each {@code id}. */
    private static VerifiedTokenCache.Key key(String id, int units) {
        int length = (units - 1) * VerifiedTokenCache.UNIT_BYTES + 100;
        String token = id + "." + "x".repeat(length - id.length() - 1);
        VerifiedTokenCache.Key key = new VerifiedTokenCache.Key(token);
        assertThat(VerifiedTokenCache.weigh(token)).isEqualTo(units);
        return key;
    }

    private static AccessTokenPrincipal principal(String id, Instant expiresAt) {
        return new AccessTokenPrincipal("user-" + id, List.of("user"), NOW, expiresAt, "j-" + id, KEY.kid());
    }

    /** Stores {@code key} as verified at {@code nowMillis}, for a token that expires at {@code exp}. */
    private static void put(VerifiedTokenCache cache, VerifiedTokenCache.Key key, Instant exp, long nowMillis) {
        cache.put(key, principal(key.token.substring(0, key.token.indexOf('.')), exp), KEY, T0, nowMillis);
    }

    // ---- expiry ------------------------------------------------------------------------------

    @Test
    void anEntryIsServedUntilOneSecondBeforeExpAndNeverAfter() {
        VerifiedTokenCache cache = new VerifiedTokenCache(1_000);
        List<VerifiedTokenCache.Key> keys = new ArrayList<>();
        List<Long> untils = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            VerifiedTokenCache.Key key = key("e" + i, 1);
            Instant exp = NOW.plusSeconds(2 + i * 3L);
            put(cache, key, exp, T0);
            keys.add(key);
            untils.add(exp.toEpochMilli() - VerifiedTokenCache.EXPIRY_MARGIN_MILLIS);
        }

        for (long now = T0; now <= T0 + 700_000; now += 997) {
            for (int i = 0; i < keys.size(); i++) {
                VerifiedTokenCache.Entry found = cache.find(keys.get(i), now);
                if (now >= untils.get(i)) {
                    assertThat(found).as("entry %d at +%d ms, expired at +%d ms", i, now - T0, untils.get(i) - T0).isNull();
                } else {
                    assertThat(found).as("entry %d at +%d ms", i, now - T0).isNotNull();
                    assertThat(found.principal.tokenId()).isEqualTo("j-e" + i);
                }
            }
        }
        assertThat(cache.size()).as("every expired entry was dropped when it was looked up").isZero();
        assertThat(cache.reservedWeight()).isZero();
    }

    @Test
    void aLongLivedTokenIsReverifiedAfterFifteenMinutesAtTheLatest() {
        VerifiedTokenCache cache = new VerifiedTokenCache(10);
        VerifiedTokenCache.Key key = key("long", 1);
        put(cache, key, NOW.plus(Duration.ofHours(12)), T0);
        long cap = T0 + VerifiedTokenCache.MAX_ENTRY_LIFETIME_MILLIS;

        assertThat(VerifiedTokenCache.MAX_ENTRY_LIFETIME_MILLIS).isEqualTo(Duration.ofMinutes(15).toMillis());
        assertThat(cache.find(key, cap - 1)).isNotNull();
        assertThat(cache.find(key, cap)).isNull();
    }

    @Test
    void expiredEntriesGoFirstWhenTheCacheIsFull() {
        VerifiedTokenCache cache = new VerifiedTokenCache(16);
        for (int i = 0; i < 16; i++) {
            put(cache, key("old" + i, 1), NOW.plusSeconds(10), T0);
        }
        long later = T0 + 20_000;

        List<VerifiedTokenCache.Key> fresh = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            VerifiedTokenCache.Key key = key("new" + i, 2);
            put(cache, key, NOW.plusSeconds(300), later);
            fresh.add(key);
        }

        for (VerifiedTokenCache.Key key : fresh) {
            assertThat(cache.find(key, later)).as("%s: a live entry made room for another while expired ones were held",
                    key.token.substring(0, 6)).isNotNull();
        }
        assertThat(cache.size()).isEqualTo(8);
        assertThat(cache.heldWeight()).isEqualTo(cache.reservedWeight()).isEqualTo(16);
    }

    @Test
    void expiredEntriesAreDroppedAsPutsGoByWithoutWaitingForTheCacheToFill() {
        VerifiedTokenCache cache = new VerifiedTokenCache(1_000);
        for (int i = 0; i < 10; i++) {
            put(cache, key("short" + i, 1), NOW.plusSeconds(10), T0);
        }
        long later = T0 + 20_000;

        for (int i = 0; i < 20; i++) {
            put(cache, key("next" + i, 1), NOW.plusSeconds(300), later);
        }

        // Never looked up, the cache far from full: only the sweep can have dropped them.
        assertThat(cache.size()).isEqualTo(20);
        assertThat(cache.heldWeight()).isEqualTo(cache.reservedWeight()).isEqualTo(20);
    }

    // ---- eviction of live entries ----------------------------------------------------------------

    @Test
    void anEntryUsedBetweenEvictionsIsKeptAndUnusedOnesGo() {
        VerifiedTokenCache cache = new VerifiedTokenCache(8);
        VerifiedTokenCache.Key hot = key("hot", 1);
        put(cache, hot, NOW.plusSeconds(300), T0);
        List<VerifiedTokenCache.Key> cold = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            VerifiedTokenCache.Key key = key("cold" + i, 1);
            put(cache, key, NOW.plusSeconds(300), T0);
            cold.add(key);
        }

        for (int i = 0; i < 100; i++) {
            assertThat(cache.find(hot, T0)).as("after %d evictions", i).isNotNull();
            // issued later, so expiring later than the others: only the use keeps the hot entry
            put(cache, key("churn" + i, 1), NOW.plusSeconds(301 + i), T0);
            assertThat(cache.size()).isLessThanOrEqualTo(8);
        }

        assertThat(cache.find(hot, T0)).isNotNull();
        for (VerifiedTokenCache.Key key : cold) {
            assertThat(cache.find(key, T0)).as("%s was never used", key.token.substring(0, 5)).isNull();
        }
    }

    @Test
    void amongUnusedEntriesTheOneThatExpiresFirstGoes() {
        VerifiedTokenCache cache = new VerifiedTokenCache(4);
        VerifiedTokenCache.Key soonest = key("soonest", 1);
        List<VerifiedTokenCache.Key> others = List.of(key("later1", 1), key("later2", 1), key("later3", 1));
        put(cache, others.get(0), NOW.plusSeconds(200), T0);
        put(cache, soonest, NOW.plusSeconds(100), T0);
        put(cache, others.get(1), NOW.plusSeconds(250), T0);
        put(cache, others.get(2), NOW.plusSeconds(300), T0);

        put(cache, key("newcomer", 1), NOW.plusSeconds(300), T0);

        assertThat(cache.find(soonest, T0)).isNull();
        for (VerifiedTokenCache.Key key : others) {
            assertThat(cache.find(key, T0)).isNotNull();
        }
    }

    @Test
    void anEntryHeavierThanTheWholeCacheIsNotStoredAndEvictsNothing() {
        VerifiedTokenCache cache = new VerifiedTokenCache(2);
        VerifiedTokenCache.Key small = key("small", 1);
        put(cache, small, NOW.plusSeconds(300), T0);

        put(cache, key("huge", 3), NOW.plusSeconds(300), T0);

        assertThat(cache.find(small, T0)).isNotNull();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.reservedWeight()).isEqualTo(1);
    }

    // ---- the bound under concurrency -----------------------------------------------------------

    /**
     * Several threads put entries of different weights, hit, replace and remove them, in rounds.
     * During a round the reservation counter, which is never below the weight held, stays within
     * the maximum plus what the threads have in flight; at the end of every round (nothing in
     * flight) the weight held is exactly the counter and within the maximum, so no put has ever
     * stored past the bound without a reservation, and no weight was counted twice or lost.
     */
    @Test
    void theBoundHoldsUnderConcurrentPutsFromSeveralThreads() throws Exception {
        int maxWeight = 40;
        int threads = 8;
        int rounds = 60;
        int opsPerRound = 400;
        int heaviest = 3;
        VerifiedTokenCache cache = new VerifiedTokenCache(maxWeight);
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier end = new CyclicBarrier(threads + 1);
        AtomicBoolean observing = new AtomicBoolean(true);
        AtomicInteger highestCounter = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<VerifiedTokenCache.Key> mine = new ArrayList<>();
                    for (int round = 0; round < rounds; round++) {
                        start.await(30, TimeUnit.SECONDS);
                        for (int n = 0; n < opsPerRound; n++) {
                            int op = (n * 31 + thread * 7 + round) % 10;
                            if (op < 6 || mine.isEmpty()) {
                                VerifiedTokenCache.Key key = key("t" + thread + "r" + round + "n" + n, 1 + (n + thread) % heaviest);
                                put(cache, key, NOW.plusSeconds(60 + n % 240), T0);
                                mine.add(key);
                            } else if (op < 8) {
                                cache.find(mine.get(n % mine.size()), T0);
                            } else if (op < 9) {
                                // the same token verified again: a replacement, its weight counted once
                                put(cache, mine.get(mine.size() - 1), NOW.plusSeconds(300), T0);
                            } else {
                                cache.remove(mine.get(n % mine.size()));
                            }
                        }
                        if (mine.size() > 64) {
                            mine.subList(0, mine.size() - 64).clear();
                        }
                        end.await(30, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            futures.add(pool.submit(() -> {
                while (observing.get()) {
                    highestCounter.accumulateAndGet(cache.reservedWeight(), Math::max);
                    Thread.onSpinWait();
                }
                return null;
            }));
            for (int round = 0; round < rounds; round++) {
                start.await(30, TimeUnit.SECONDS);
                end.await(60, TimeUnit.SECONDS);
                long held = cache.heldWeight();
                assertThat(held).as("weight held after round %d", round).isLessThanOrEqualTo(maxWeight);
                assertThat(held).as("the counter after round %d", round).isEqualTo(cache.reservedWeight());
                assertThat(held).as("the cache is used, not emptied, after round %d", round)
                        .isGreaterThan(maxWeight / 2);
            }
            observing.set(false);
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            observing.set(false);
            pool.shutdownNow();
        }

        assertThat(highestCounter.get()).as("reservations in flight included").isLessThanOrEqualTo(maxWeight + threads * heaviest);
        VerifiedTokenCache.Key last = key("after", 2);
        put(cache, last, NOW.plusSeconds(300), T0);
        assertThat(cache.find(last, T0)).as("still takes entries").isNotNull();
    }
}
