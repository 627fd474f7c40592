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

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the inputs a fuzz target ran, so that a fuzzing run that quietly did nothing (a broken
 * set-up, a harness that returns early) fails instead of passing. Jazzer fuzzes only when the
 * environment variable {@code JAZZER_FUZZ} is set; otherwise it replays the regression inputs.
 */
public final class FuzzRuns {
    /**
     * Fewest inputs a fuzzing run must execute (system property {@code gatehouse.fuzz.minRuns}).
     * An order of magnitude above the seed files a replay alone runs, and below what 15 s of
     * fuzzing does even on a heavily loaded 2-core machine (300 to 4000 there; tens of thousands
     * on an idle one).
     */
    public static final long DEFAULT_MIN_RUNS = 300;

    private final String target;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();

    public FuzzRuns(String target) {
        this.target = target;
    }

    /** Whether this JVM fuzzes (rather than replaying the regression inputs). */
    public static boolean fuzzing() {
        String value = System.getenv("JAZZER_FUZZ");
        return value != null && !value.isEmpty();
    }

    /** Counts one input. */
    public void ran() {
        runs.incrementAndGet();
    }

    /** Counts one input that reached the accepting end of the code under test. */
    public void accepted() {
        accepted.incrementAndGet();
    }

    public long runs() {
        return runs.get();
    }

    public long acceptedRuns() {
        return accepted.get();
    }

    /**
     * Fails unless enough inputs ran: the minimum when fuzzing, at least one (the seeds) when
     * replaying; prints the counts for the build log.
     */
    public void assertEnough() {
        long min = fuzzing() ? Long.getLong("gatehouse.fuzz.minRuns", DEFAULT_MIN_RUNS) : 1;
        System.out.printf("[fuzz] %s: %d inputs, %d accepted (%s)%n", target, runs.get(), accepted.get(),
                fuzzing() ? "fuzzing" : "regression inputs only");
        if (runs.get() < min) {
            throw new AssertionError(target + " ran " + runs.get() + " inputs; at least " + min + " were expected");
        }
    }

    /** Fails unless at least {@code min} inputs were accepted (the harness reaches the success path). */
    public void assertAccepted(long min) {
        if (accepted.get() < min) {
            throw new AssertionError(target + " accepted " + accepted.get() + " inputs; at least " + min
                    + " were expected, so the harness may never reach the code past the checks");
        }
    }
}
