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

package dev.gatehouse.auth.mail;

import dev.gatehouse.auth.store.OutboxStore;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MailDispatcher} when the database goes away between the mail server accepting a message
 * and the outbox recording it (a failover at the wrong moment): the record is retried while the
 * claim's lease holds, so the message is not sent a second time once the lease runs out.
 */
class MailDispatcherRecordingTest {
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final CountDownLatch release = new CountDownLatch(1);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Outbox outbox = new Outbox(clock);
    private final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    private MailDispatcher dispatcher;

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        release.countDown();
        scheduler.shutdownNow();
    }

    @Test
    void aDeliveryIsRecordedOnceTheDatabaseIsBackWithinTheLeaseAndNotSentAgain() {
        outbox.add("m-1");
        outbox.failingMarks = 3; // the database is down for three attempts to record it, then back
        start();

        assertThat(dispatcher.drain()).as("messages sent and recorded").isEqualTo(1);
        assertThat(delivered).containsExactly("m-1");
        assertThat(outbox.sent).containsKey("m-1");
        assertThat(outbox.markAttempts).as("attempts to record the delivery").isEqualTo(4);

        // past the lease, another poll finds nothing to send
        clock.advance(LEASE.multipliedBy(2));
        assertThat(dispatcher.drain()).isZero();
        assertThat(delivered).as("deliveries after the lease").containsExactly("m-1");
    }

    @Test
    void whenTheDatabaseStaysAwayForTheLeaseTheBatchStopsAndTheRestWaitForTheirClaimsToRunOut() {
        outbox.add("m-1");
        outbox.add("m-2");
        outbox.failingMarks = Integer.MAX_VALUE;
        outbox.advanceOnFailedMark = LEASE.dividedBy(3); // time passes while the database is away
        start();

        assertThat(dispatcher.drain()).as("messages sent and recorded").isZero();
        assertThat(delivered).as("the second message is not sent while the first cannot be recorded").containsExactly("m-1");
        assertThat(outbox.sent).isEmpty();
        assertThat(outbox.markAttempts).as("attempts to record the delivery, each a third of the lease apart").isEqualTo(3);
    }

    /** Starts the dispatcher on a scheduler whose only thread is held, so that the test's drain() does every poll. */
    private void start() {
        scheduler.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        MailSettings settings = MailSettings.builder(URI.create("https://app.example/")).claimLease(LEASE).build();
        dispatcher = MailDispatcher.builder(outbox, message -> delivered.add(message.messageId()), settings)
                .clock(clock).scheduler(scheduler).build();
        dispatcher.start();
    }

    /** An outbox in memory whose recording of a delivery fails while {@link #failingMarks} lasts. */
    private static final class Outbox implements OutboxStore {
        private final MutableClock clock;
        private final Map<String, String> claims = new LinkedHashMap<>();
        private final Map<String, Instant> leases = new LinkedHashMap<>();
        final Map<String, Instant> sent = new LinkedHashMap<>();
        int failingMarks;
        Duration advanceOnFailedMark = Duration.ZERO;
        int markAttempts;

        Outbox(MutableClock clock) {
            this.clock = clock;
        }

        void add(String messageId) {
            claims.put(messageId, null);
        }

        @Override
        public synchronized List<Entry> claimDue(String claim, Instant now, Instant leaseUntil, int max) {
            List<Entry> due = new ArrayList<>();
            for (String id : claims.keySet()) {
                boolean free = claims.get(id) == null || !leases.get(id).isAfter(now);
                if (!sent.containsKey(id) && free && due.size() < max) {
                    claims.put(id, claim);
                    leases.put(id, leaseUntil);
                    due.add(new Entry(id, "VERIFY_EMAIL", "someone@example.com", "subject", "text", "<p>html</p>", 0,
                            now.minusSeconds(1), claim));
                }
            }
            return due;
        }

        @Override
        public synchronized boolean markSent(String messageId, String claim, Instant at) {
            markAttempts++;
            if (failingMarks > 0) {
                failingMarks--;
                clock.advance(advanceOnFailedMark);
                throw new StoreUnavailableException("Database unavailable or failed: could not mark a mail sent", null);
            }
            if (!claim.equals(claims.get(messageId))) {
                return false;
            }
            sent.put(messageId, at);
            return true;
        }

        @Override
        public synchronized boolean markFailed(String messageId, String claim, Instant nextAttemptAt, String error) {
            throw new StoreUnavailableException("Database unavailable or failed: could not mark a mail failed", null);
        }

        @Override
        public boolean markGivenUp(String messageId, String claim, Instant at, String error) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int purge(Instant before) {
            return 0;
        }

        @Override
        public Stats stats(Instant now) {
            throw new UnsupportedOperationException();
        }
    }
}
