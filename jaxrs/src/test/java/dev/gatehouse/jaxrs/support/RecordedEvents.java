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


package dev.gatehouse.jaxrs.support;

import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Keeps the security events a service emits (and passes each on to the logging listener, so the
 * log stays as it would be). Lets a test wait for work the service does after it answered, such
 * as the lookup behind a request for a link. Thread-safe.
 */
public final class RecordedEvents implements SecurityEventListener {
    private final SecurityEventListener logging = SecurityEventListener.logging();
    private final List<SecurityEvent> events = new ArrayList<>();

    @Override
    public void onEvent(SecurityEvent event) {
        synchronized (this) {
            events.add(event);
            notifyAll();
        }
        logging.onEvent(event);
    }

    /** The events of {@code type} so far. */
    public synchronized List<SecurityEvent> of(SecurityEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    /** Waits up to 20 s for an event of {@code type} that matches {@code filter}, and returns it. */
    public SecurityEvent await(SecurityEvent.Type type, Predicate<SecurityEvent> filter) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        synchronized (this) {
            while (true) {
                for (SecurityEvent e : events) {
                    if (e.type() == type && filter.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("No " + type + " event within 20 s; events: " + events);
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }
}
