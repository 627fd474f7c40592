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

package dev.gatehouse.testing;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The live threads Gatehouse starts (all named {@code gatehouse-…}) and those the JDK's HTTP
 * client starts ({@code HttpClient-…}), for tests that a constructor or a {@code build()} starts
 * none and that {@code close()} ends the ones {@code start()} made. Compares before and after, so
 * threads other tests left behind do not count.
 */
public final class GatehouseThreads {
    private GatehouseThreads() {
    }

    /** The live threads whose name starts with {@code gatehouse-} or {@code HttpClient-}. */
    public static Set<Thread> live() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("gatehouse-") || t.getName().startsWith("HttpClient-"))
                .collect(Collectors.toSet());
    }

    /** The names of the threads of {@link #live()} that are not in {@code before}. */
    public static Set<String> newSince(Set<Thread> before) {
        return live().stream().filter(t -> !before.contains(t)).map(Thread::getName).collect(Collectors.toSet());
    }

    /**
     * Waits until no thread that is not in {@code before} has a name starting with {@code prefix}.
     *
     * @throws AssertionError naming the threads still alive after 10 s
     */
    public static void awaitGone(Set<Thread> before, String prefix) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Set<String> left = newSince(before).stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still alive after 10 s: " + left);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
