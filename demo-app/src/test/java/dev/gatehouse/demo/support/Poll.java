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
