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

package dev.gatehouse.token.internal;

import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.RecordingLogger;
import org.junit.jupiter.api.Test;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RateLimitedLog}: one line per key and interval, the held-back count, sanitised values. */
class RateLimitedLogTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final RecordingLogger logger = new RecordingLogger();
    private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ofMinutes(1), clock);

    @Test
    void writesOneLinePerKeyPerIntervalAndCountsTheOnesHeldBack() {
        assertThat(log.log(Level.WARNING, "iss", () -> "first")).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(log.log(Level.WARNING, "iss", () -> "held back")).isFalse();
        }
        assertThat(log.log(Level.WARNING, "aud", () -> "another key")).isTrue();
        clock.advance(Duration.ofSeconds(59));
        assertThat(log.log(Level.WARNING, "iss", () -> "still held back")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(log.log(Level.WARNING, "iss", () -> "next")).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(log.log(Level.WARNING, "iss", () -> "after a quiet minute")).isTrue();

        assertThat(logger.lines()).containsExactly(
                "WARNING first",
                "WARNING another key",
                "WARNING next (6 more like this since the last such line were not logged)",
                "WARNING after a quiet minute");
    }

    @Test
    void sanitizeQuotesCapsAndEscapesEverythingButPrintableAscii() {
        assertThat(RateLimitedLog.sanitize("http://localhost:8080", 100)).isEqualTo("\"http://localhost:8080\"");
        assertThat(RateLimitedLog.sanitize("a\r\nINFO forged line\u2028\u001b[31m\"\\", 100))
                .isEqualTo("\"a\\u000d\\u000aINFO forged line\\u2028\\u001b[31m\\\"\\\\\"");
        assertThat(RateLimitedLog.sanitize("x".repeat(500), 10)).isEqualTo("\"xxxxxxxxxx\"... (500 characters)");
        assertThat(RateLimitedLog.sanitize(null, 10)).isEqualTo("(none)");
    }
}
