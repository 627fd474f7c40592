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

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The cursor over numbered changes: what it reads after, which numbers it awaits, and when it gives them up. */
class ChangeCursorTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private final ChangeCursor cursor = new ChangeCursor(Duration.ofSeconds(60));

    @Test
    void denseNumbersLeaveNothingToAwait() {
        cursor.restart(10);
        assertThat(cursor.readAfter()).isEqualTo(10);

        cursor.advance(new long[] {13, 11, 12}, T0);

        assertThat(cursor.seen()).isEqualTo(13);
        assertThat(cursor.readAfter()).isEqualTo(13);
        assertThat(cursor.awaited()).isZero();
    }

    @Test
    void aSkippedNumberIsReadAgainUntilItShowsUp() {
        cursor.restart(10);
        cursor.advance(new long[] {11, 13, 14, 17}, T0);
        // 12, 15 and 16 were taken by writes that have not committed (or never will)
        assertThat(cursor.seen()).isEqualTo(17);
        assertThat(cursor.awaited()).isEqualTo(3);
        assertThat(cursor.readAfter()).isEqualTo(11);

        // the next read, from 11, finds 12 and 16, and 13, 14 and 17 again
        cursor.advance(new long[] {17, 12, 13, 14, 16}, T0.plusSeconds(5));
        assertThat(cursor.awaited()).isEqualTo(1);
        assertThat(cursor.readAfter()).as("15 is still awaited").isEqualTo(14);

        cursor.advance(new long[] {15, 16, 17, 18}, T0.plusSeconds(10));
        assertThat(cursor.awaited()).isZero();
        assertThat(cursor.readAfter()).isEqualTo(18);
    }

    @Test
    void aLongRunOfSkippedNumbersIsOneGapThatFillsFromAnyPoint() {
        cursor.restart(0);
        cursor.advance(new long[] {1000}, T0);
        assertThat(cursor.awaited()).isEqualTo(999);
        assertThat(cursor.readAfter()).isZero();

        cursor.advance(new long[] {500, 1000}, T0.plusSeconds(1));
        assertThat(cursor.awaited()).isEqualTo(998);
        assertThat(cursor.readAfter()).isZero();

        cursor.advance(new long[] {1}, T0.plusSeconds(2));
        assertThat(cursor.readAfter()).isEqualTo(1);
    }

    @Test
    void aNumberAwaitedForTheOverlapIsGivenUp() {
        cursor.restart(10);
        cursor.advance(new long[] {12}, T0);
        assertThat(cursor.readAfter()).isEqualTo(10);

        cursor.advance(new long[] {12}, T0.plusSeconds(59));
        assertThat(cursor.readAfter()).as("59 s: still awaited").isEqualTo(10);

        cursor.advance(new long[] {12}, T0.plusSeconds(60));
        assertThat(cursor.readAfter()).as("60 s: given up").isEqualTo(12);
        assertThat(cursor.awaited()).isZero();

        // a number given up that shows up later changes nothing (the reconciliation reads it)
        cursor.advance(new long[] {11}, T0.plusSeconds(61));
        assertThat(cursor.readAfter()).isEqualTo(12);
    }

    @Test
    void gapsNoticedLaterAreKeptLonger() {
        cursor.restart(0);
        cursor.advance(new long[] {2}, T0);
        cursor.advance(new long[] {2, 4}, T0.plusSeconds(30));
        assertThat(cursor.awaited()).isEqualTo(2);

        cursor.advance(new long[] {2, 4}, T0.plusSeconds(60));
        assertThat(cursor.awaited()).as("1 given up, 3 still awaited").isEqualTo(1);
        assertThat(cursor.readAfter()).isEqualTo(2);

        cursor.advance(new long[] {4}, T0.plusSeconds(90));
        assertThat(cursor.readAfter()).isEqualTo(4);
    }

    @Test
    void restartForgetsWhatWasAwaited() {
        cursor.restart(5);
        cursor.advance(new long[] {9}, T0);
        assertThat(cursor.awaited()).isEqualTo(3);

        cursor.restart(3);

        assertThat(cursor.awaited()).isZero();
        assertThat(cursor.seen()).isEqualTo(3);
        assertThat(cursor.readAfter()).isEqualTo(3);
    }
}
