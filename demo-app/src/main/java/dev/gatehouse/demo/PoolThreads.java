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

package dev.gatehouse.demo;

import com.zaxxer.hikari.HikariDataSource;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread factory of the demo's connection pool: daemon threads named after the pool, each
 * remembered so that closing the demo can wait until they have ended.
 *
 * <p>HikariCP's {@code close()} returns once its executors have terminated, which is a moment
 * before their threads exit (the housekeeper's is not even awaited). A servlet container looks
 * for threads the application left behind right after undeploy, and could otherwise still see
 * one and report a leak.
 */
final class PoolThreads implements ThreadFactory {
    private final String poolName;
    private final AtomicInteger count = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    PoolThreads(String poolName) {
        this.poolName = poolName;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, poolName + " thread-" + count.incrementAndGet());
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    }

    /** Closes the pool, then waits up to {@code max} for the threads it made to end. */
    static void close(HikariDataSource pool, Duration max) {
        pool.close();
        if (pool.getThreadFactory() instanceof PoolThreads threads) {
            threads.awaitEnd(max);
        }
    }

    private void awaitEnd(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                thread.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
