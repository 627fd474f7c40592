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

package dev.gatehouse.demo.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polling with a deadline instead of fixed sleeps. */
public final class Poll {
    private Poll() {
    }

    /**
     * Calls {@code probe} every {@code interval} until {@code done} accepts its value or
     * {@code timeout} has passed; returns the last value either way (the caller asserts on it).
     */
    public static <T> T until(Duration timeout, Duration interval, Supplier<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.get();
            if (done.test(value) || System.nanoTime() - deadline >= 0) {
                return value;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return value;
            }
        }
    }

    public static <T> T until(Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
        return until(timeout, Duration.ofMillis(100), probe, done);
    }
}
