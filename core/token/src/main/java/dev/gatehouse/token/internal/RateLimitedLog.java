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

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A logger that writes at most one line per key and interval, and says on the next line it writes
 * how many it held back. For messages a client can trigger at will (a refused token), so that a
 * flood of bad requests cannot flood the log. Thread-safe; lock-free.
 *
 * <p>The number of keys is the caller's to bound: use a fixed set (an enum's names), never a
 * value taken from a request.
 */
public final class RateLimitedLog {
    /** The interval used unless another is given: one minute. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private final Logger logger;
    private final long intervalMillis;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** A log of at most one line per key per {@code interval}, timed by {@code clock}. */
    public RateLimitedLog(Logger logger, Duration interval, Clock clock) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.intervalMillis = Objects.requireNonNull(interval, "interval").toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive");
        }
    }

    /**
     * Writes the message unless a line of the same key was written less than the interval ago;
     * then only counts it. The message is built only when it is written.
     *
     * @return whether a line was written
     */
    public boolean log(Level level, String key, Supplier<String> message) {
        if (!logger.isLoggable(level)) {
            return false;
        }
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long now = clock.millis();
        long next = window.next.get();
        if (now < next || !window.next.compareAndSet(next, now + intervalMillis)) {
            window.suppressed.incrementAndGet();
            return false;
        }
        long held = window.suppressed.getAndSet(0);
        String text = message.get();
        logger.log(level, held == 0 ? text
                : text + " (" + held + " more like this since the last such line were not logged)");
        return true;
    }

    /**
     * A value a client sent, made fit for one log line: at most {@code max} characters, every
     * character outside printable ASCII (line breaks, escape sequences, Unicode line separators)
     * written as {@code \\uXXXX}, and the whole in double quotes, a quote or backslash escaped.
     * {@code null} becomes {@code (none)}.
     */
    public static String sanitize(String value, int max) {
        if (value == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max) + 8).append('"');
        int n = Math.min(value.length(), max);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
        if (value.length() > max) {
            out.append("... (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }

    private static final class Window {
        final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }
}
