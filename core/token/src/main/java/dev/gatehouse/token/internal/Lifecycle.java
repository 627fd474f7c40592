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

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of a Gatehouse object that owns background work: {@link State#NEW} when built (no
 * thread started, no I/O done), {@link State#RUNNING} once {@link #start(Runnable)} succeeded,
 * {@link State#CLOSED} for good after {@link #close()}. Starting and closing are serialised; the
 * checks on the request path ({@link #isRunning()}, {@link #requireRunning()},
 * {@link #requireStarted()}) read one volatile field and take no lock.
 */
public final class Lifecycle {
    /** Where an object is in its life. */
    public enum State {
        /** Built: nothing started yet. */
        NEW,
        /** Started and usable. */
        RUNNING,
        /** Closed; cannot be started again. */
        CLOSED
    }

    private final String owner;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /** @param owner the class whose life this is, named in the exceptions */
    public Lifecycle(Class<?> owner) {
        this.owner = owner.getSimpleName();
    }

    public State state() {
        return state.get();
    }

    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /**
     * Runs {@code startup} and moves to {@link State#RUNNING}, once: when already running this does
     * nothing. When {@code startup} throws, the state stays {@link State#NEW} (so {@code startup}
     * must release whatever it acquired before it throws) and a later call may try again.
     *
     * @return whether this call started it
     * @throws IllegalStateException when closed
     */
    public synchronized boolean start(Runnable startup) {
        State current = state.get();
        if (current == State.RUNNING) {
            return false;
        }
        if (current == State.CLOSED) {
            throw new IllegalStateException(owner + " is closed and cannot be started again; build a new one");
        }
        startup.run();
        state.set(State.RUNNING);
        return true;
    }

    /**
     * Moves to {@link State#CLOSED} (waiting for a {@link #start(Runnable)} in progress).
     *
     * @return the state it left: {@link State#RUNNING} when there is background work to stop,
     *         {@link State#NEW} when nothing was ever started, {@link State#CLOSED} when it was closed already
     */
    public synchronized State close() {
        return state.getAndSet(State.CLOSED);
    }

    /**
     * @throws IllegalStateException unless running: not started yet, or closed
     */
    public void requireRunning() {
        State current = state.get();
        if (current != State.RUNNING) {
            throw current == State.NEW ? notStarted() : new IllegalStateException(owner + " is closed");
        }
    }

    /**
     * For objects whose last state stays readable after {@link #close()}.
     *
     * @throws IllegalStateException when not started yet
     */
    public void requireStarted() {
        if (state.get() == State.NEW) {
            throw notStarted();
        }
    }

    private IllegalStateException notStarted() {
        return new IllegalStateException(owner + " is not started: call start() first");
    }

    /**
     * Shuts an executor this object created down and waits up to {@code waitSeconds} for its tasks
     * to end, then interrupts them. Never call it on an executor the application gave: that one
     * belongs to the application.
     */
    public static void shutdownOwned(ExecutorService executor, long waitSeconds) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(waitSeconds, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Makes the threads of a pool Gatehouse owns: daemon threads (they never keep a JVM alive), with
     * the platform class loader as context loader (so a pool started by a web application never
     * pins that application's class loader after it is undeployed).
     *
     * @param name the thread's name; when it ends with {@code -}, each thread gets the next number
     *             after it ({@code gatehouse-hashing-1}, {@code gatehouse-hashing-2}, ...)
     */
    public static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        boolean numbered = name.endsWith("-");
        return r -> {
            Thread t = new Thread(r, numbered ? name + n.incrementAndGet() : name);
            t.setDaemon(true);
            t.setContextClassLoader(ClassLoader.getPlatformClassLoader());
            return t;
        };
    }

    @Override
    public String toString() {
        return owner + " " + state.get();
    }
}
