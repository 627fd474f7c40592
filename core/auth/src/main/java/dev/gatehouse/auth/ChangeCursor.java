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

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a reader of numbered changes stands: the highest number it has read, and the numbers below
 * it that it has not read yet (gaps). A gap is a write that took its number and has not committed
 * yet, or a number that will never show up (a rolled-back write, a change made again under a new
 * number). The next read starts below the oldest open gap, so that a write that commits late is
 * still read; a gap open for longer than the overlap is given up (the periodic reconciliation reads
 * everything anyway). Not thread-safe: the revocation cache uses it under its own lock.
 */
final class ChangeCursor {
    private final Duration overlap;
    private long seen;
    /** Open gaps by their first number: each covers {@code from..to}, inclusive, noticed at a time. */
    private final TreeMap<Long, Gap> gaps = new TreeMap<>();

    private record Gap(long from, long to, Instant noticed) {
    }

    ChangeCursor(Duration overlap) {
        this.overlap = overlap;
    }

    /** Starts over after {@code latest}: every number up to it counts as read. */
    void restart(long latest) {
        seen = latest;
        gaps.clear();
    }

    /** The highest number read. */
    long seen() {
        return seen;
    }

    /** The number to read after: below every open gap. */
    long readAfter() {
        return gaps.isEmpty() ? seen : gaps.firstKey() - 1;
    }

    /** How many numbers are awaited in open gaps. */
    long awaited() {
        long n = 0;
        for (Gap g : gaps.values()) {
            n += g.to - g.from + 1;
        }
        return n;
    }

    /**
     * Records a read that started after {@link #readAfter()}: closes the gaps it filled, opens gaps
     * for the numbers it skipped, and gives up the gaps noticed an overlap or longer before {@code now}.
     */
    void advance(long[] numbers, Instant now) {
        long[] sorted = numbers.clone();
        Arrays.sort(sorted);
        long previous = seen;
        for (long n : sorted) {
            if (n <= seen) {
                fill(n);
            } else if (n > previous) {
                if (n > previous + 1) {
                    gaps.put(previous + 1, new Gap(previous + 1, n - 1, now));
                }
                previous = n;
            }
        }
        seen = previous;
        Instant givenUp = now.minus(overlap);
        gaps.values().removeIf(g -> !g.noticed.isAfter(givenUp));
    }

    private void fill(long n) {
        Map.Entry<Long, Gap> entry = gaps.floorEntry(n);
        if (entry == null || entry.getValue().to < n) {
            return;
        }
        Gap g = entry.getValue();
        gaps.remove(g.from);
        if (g.from < n) {
            gaps.put(g.from, new Gap(g.from, n - 1, g.noticed));
        }
        if (n < g.to) {
            gaps.put(n + 1, new Gap(n + 1, g.to, g.noticed));
        }
    }
}
