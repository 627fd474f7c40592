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
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;
import dev.gatehouse.token.internal.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers the mail outbox in the background: claims the messages that are due for a lease,
 * sends each through the {@link MailSender}, and marks it sent, or failed with a retry after a
 * back-off that doubles per attempt ({@link MailSettings#firstRetryDelay()} up to
 * {@link MailSettings#maxRetryDelay()}), until {@link MailSettings#giveUpAfter()}.
 *
 * <p>Every node may run one. A message is claimed by a conditional update that one node wins,
 * and sent only while its lease lasts: a node stops sending from a batch when less than a quarter
 * of the lease is left, and releases the rest. An SMTP outage delays mail and loses none: a
 * transient failure ends the batch (the rest are released for the same back-off), and the next
 * poll after the back-off tries again. A mail is sent twice only if a node dies (or stalls beyond
 * its lease) after the server accepted it and before it marked it sent, or the database stays
 * unavailable for the rest of the lease at that moment (recording the delivery is retried while the
 * lease holds, so a database failover in between sends nothing twice); its {@code Message-ID} is the
 * same both times.
 *
 * <p>It polls every {@link MailSettings#pollInterval()} and when {@linkplain #wake() woken} (the
 * service wakes it after queueing mail, so mail queued on this node leaves at once); each poll
 * drains what is due, batch after batch, at the mail server's pace. Lifecycle as the other
 * Gatehouse services: {@link #start()} makes its thread ({@code gatehouse-mail}) unless a
 * scheduler was given, {@link #close()} stops it.
 */
public final class MailDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MailDispatcher.class);
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);
    /** The most characters of a failure kept in the outbox. */
    private static final int ERROR_CHARS = 200;
    /** The first pause before recording a delivery again, doubled per attempt up to {@link #MARK_RETRY_MAX}. */
    static final Duration MARK_RETRY_FIRST = Duration.ofMillis(100);
    static final Duration MARK_RETRY_MAX = Duration.ofSeconds(2);

    private final OutboxStore outbox;
    private final MailSender sender;
    private final MailSettings settings;
    private final Clock clock;
    private final SecurityEventListener events;
    private final ScheduledExecutorService givenScheduler;
    private final Lifecycle lifecycle = new Lifecycle(MailDispatcher.class);
    private final ReentrantLock polling = new ReentrantLock();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Instant lastPurge = Instant.EPOCH;
    private ScheduledExecutorService scheduler;
    private ScheduledExecutorService ownedScheduler;
    private ScheduledFuture<?> pollTask;

    private MailDispatcher(Builder b) {
        this.outbox = b.outbox;
        this.sender = b.sender;
        this.settings = b.settings;
        this.clock = b.clock;
        this.events = b.events;
        this.givenScheduler = b.scheduler;
    }

    /** A dispatcher of {@code outbox} through {@code sender}. */
    public static Builder builder(OutboxStore outbox, MailSender sender, MailSettings settings) {
        return new Builder(outbox, sender, settings);
    }

    /** Starts polling (the first poll at once). Idempotent; throws after {@link #close()}. */
    public void start() {
        lifecycle.start(() -> {
            if (givenScheduler == null) {
                ownedScheduler = Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("gatehouse-mail"));
                scheduler = ownedScheduler;
            } else {
                scheduler = givenScheduler;
            }
            long period = settings.pollInterval().toMillis();
            pollTask = scheduler.scheduleWithFixedDelay(this::pollQuietly, 0, period, TimeUnit.MILLISECONDS);
        });
    }

    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /**
     * Asks for a poll soon, on the dispatcher's thread (mail was queued). Cheap, never blocks;
     * wakes that come while a poll is pending are folded into it. Does nothing unless running.
     */
    public void wake() {
        if (!lifecycle.isRunning() || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                wakePending.set(false);
                pollQuietly();
            });
        } catch (RejectedExecutionException e) {
            wakePending.set(false); // closing: the mail stays queued for the next start, or another node
        }
    }

    /**
     * Sends what is due now, on the calling thread, batch after batch, and returns how many were
     * sent; for tests and operations. Waits while a poll runs on the dispatcher's thread.
     */
    public int drain() {
        lifecycle.requireRunning();
        return poll();
    }

    /** Messages accepted by the mail server since start, on this node. */
    public long sentCount() {
        return sent.get();
    }

    /** Failed deliveries since start, on this node (each retried later, or given up). */
    public long failureCount() {
        return failures.get();
    }

    /** What the outbox holds now (every node's). */
    public OutboxStore.Stats stats() {
        return outbox.stats(clock.instant());
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("Could not read the mail outbox ({}); will retry in {}", e.getClass().getSimpleName(), settings.pollInterval());
        }
    }

    private int poll() {
        polling.lock();
        try {
            purgeNowAndThen();
            int total = 0;
            while (lifecycle.isRunning()) {
                Instant now = clock.instant();
                String claim = UUID.randomUUID().toString();
                Instant leaseUntil = now.plus(settings.claimLease());
                List<OutboxStore.Entry> batch = outbox.claimDue(claim, now, leaseUntil, settings.batchSize());
                if (batch.isEmpty()) {
                    return total;
                }
                BatchResult result = sendBatch(batch, leaseUntil);
                total += result.sent;
                if (result.stopped || batch.size() < settings.batchSize()) {
                    return total;
                }
            }
            return total;
        } finally {
            polling.unlock();
        }
    }

    private record BatchResult(int sent, boolean stopped) {
    }

    private BatchResult sendBatch(List<OutboxStore.Entry> batch, Instant leaseUntil) {
        Duration margin = settings.claimLease().dividedBy(4);
        int done = 0;
        for (int i = 0; i < batch.size(); i++) {
            OutboxStore.Entry entry = batch.get(i);
            Instant now = clock.instant();
            if (!lifecycle.isRunning() || now.plus(margin).isAfter(leaseUntil)) {
                release(batch.subList(i, batch.size()), now, "not attempted: the batch's lease ran short or the dispatcher closed");
                return new BatchResult(done, true);
            }
            try {
                sender.send(new MailMessage(entry.messageId(), entry.to(), entry.subject(), entry.text(), entry.html()));
            } catch (MailDeliveryException | RuntimeException e) {
                failures.incrementAndGet();
                boolean permanent = e instanceof MailDeliveryException m && m.permanent();
                String error = describe(e);
                failed(entry, now, error);
                if (!permanent) {
                    // the server is down or slow: the rest would fail alike, so they wait for the same back-off
                    release(batch.subList(i + 1, batch.size()), now, "not attempted: " + error);
                    return new BatchResult(done, true);
                }
                continue;
            }
            Recorded recorded = markSent(entry, leaseUntil);
            if (recorded == Recorded.NOT_RECORDED) {
                // the database is gone for the rest of the lease: the other claims run out by themselves
                return new BatchResult(done, true);
            }
            if (recorded == Recorded.SENT) {
                done++;
                sent.incrementAndGet();
                emit(SecurityEvent.Type.MAIL_SENT, entry.kind() + " " + entry.messageId());
            } else {
                LOG.warn("Mail {} was sent after its claim had passed; another node may send it again (same Message-ID)",
                        entry.messageId());
            }
        }
        return new BatchResult(done, false);
    }

    /** What became of recording a delivery. */
    private enum Recorded {
        SENT,
        /** The claim no longer held: the lease had passed and another node claimed the message. */
        CLAIM_LOST,
        /** The store could not be reached while the lease held. */
        NOT_RECORDED
    }

    /**
     * Records that the server accepted {@code entry}. The server has the mail, so a failure
     * here is retried (after 100 ms, doubling up to 2 s) while the lease holds: given up at once, the
     * mail would be sent again by whichever node claims it after the lease, and a database failover
     * takes seconds, not the lease's minutes.
     */
    private Recorded markSent(OutboxStore.Entry entry, Instant leaseUntil) {
        Duration pause = MARK_RETRY_FIRST;
        // the lease as the clock sees it, and as time passes: a stopped clock must not retry for ever
        long deadline = System.nanoTime() + Math.max(0, Duration.between(clock.instant(), leaseUntil).toNanos());
        for (int attempt = 1; ; attempt++) {
            try {
                return outbox.markSent(entry.messageId(), entry.claim(), clock.instant()) ? Recorded.SENT : Recorded.CLAIM_LOST;
            } catch (RuntimeException e) {
                boolean leaseLeft = clock.instant().plus(pause).isBefore(leaseUntil) && System.nanoTime() + pause.toNanos() < deadline;
                if (!lifecycle.isRunning() || !leaseLeft) {
                    LOG.warn("Mail {} was delivered, but could not be recorded as sent ({}, {} attempts); it will be sent again"
                            + " after its claim (same Message-ID)", entry.messageId(), e.getClass().getSimpleName(), attempt);
                    return Recorded.NOT_RECORDED;
                }
                LOG.debug("Could not record mail {} as sent ({}); trying again in {}", entry.messageId(),
                        e.getClass().getSimpleName(), pause);
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return Recorded.NOT_RECORDED;
                }
                pause = pause.multipliedBy(2).compareTo(MARK_RETRY_MAX) > 0 ? MARK_RETRY_MAX : pause.multipliedBy(2);
            }
        }
    }

    private void failed(OutboxStore.Entry entry, Instant now, String error) {
        try {
            if (!now.isBefore(entry.createdAt().plus(settings.giveUpAfter()))) {
                outbox.markGivenUp(entry.messageId(), entry.claim(), now, error);
                LOG.warn("Gave up mail {} ({}) after {} attempts: {}", entry.messageId(), entry.kind(), entry.attempts() + 1, error);
                emit(SecurityEvent.Type.MAIL_GIVEN_UP, entry.kind() + " " + entry.messageId());
                return;
            }
            outbox.markFailed(entry.messageId(), entry.claim(), now.plus(backOff(entry.attempts())), error);
            LOG.info("Mail {} ({}) not delivered, attempt {}: {}; will retry", entry.messageId(), entry.kind(), entry.attempts() + 1,
                    error);
            emit(SecurityEvent.Type.MAIL_DELIVERY_FAILED, entry.kind() + " " + entry.messageId() + ": " + error);
        } catch (RuntimeException e) {
            // the claim runs out by itself: the message is retried after the lease
            LOG.warn("Could not record a failed delivery of mail {} ({})", entry.messageId(), e.getClass().getSimpleName());
        }
    }

    private void release(List<OutboxStore.Entry> entries, Instant now, String error) {
        for (OutboxStore.Entry entry : entries) {
            try {
                outbox.markFailed(entry.messageId(), entry.claim(), now.plus(backOff(entry.attempts())), error);
            } catch (RuntimeException e) {
                return; // the database is gone too: the leases run out by themselves
            }
        }
    }

    /** The wait after attempt {@code attempts + 1} failed: doubling from the first delay, capped, with up to 10 % jitter. */
    Duration backOff(int attempts) {
        Duration delay = settings.firstRetryDelay();
        for (int i = 0; i < attempts && delay.compareTo(settings.maxRetryDelay()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        if (delay.compareTo(settings.maxRetryDelay()) > 0) {
            delay = settings.maxRetryDelay();
        }
        long jitter = ThreadLocalRandom.current().nextLong(delay.toMillis() / 10 + 1);
        return delay.plusMillis(jitter);
    }

    private void purgeNowAndThen() {
        Instant now = clock.instant();
        if (now.isBefore(lastPurge.plus(PURGE_INTERVAL))) {
            return;
        }
        lastPurge = now;
        try {
            outbox.purge(now.minus(settings.keepSent()));
        } catch (RuntimeException e) {
            LOG.warn("Could not purge sent mail from the outbox ({}); will retry", e.getClass().getSimpleName());
        }
    }

    private static String describe(Exception e) {
        String message = e instanceof MailDeliveryException ? e.getMessage() : e.getClass().getSimpleName();
        if (message == null) {
            message = e.getClass().getSimpleName();
        }
        message = message.replaceAll("[\\p{Cntrl}]", " ");
        return message.length() > ERROR_CHARS ? message.substring(0, ERROR_CHARS) : message;
    }

    private void emit(SecurityEvent.Type type, String reason) {
        try {
            events.onEvent(SecurityEvent.ofAccount(type, clock.instant(), null, null, reason));
        } catch (RuntimeException e) {
            LOG.warn("A security event listener failed ({}); the event was {}", e.getClass().getSimpleName(), type);
        }
    }

    /** Stops polling; a delivery in progress finishes (bounded by the sender's timeouts). Idempotent. */
    @Override
    public void close() {
        if (lifecycle.close() != Lifecycle.State.RUNNING) {
            return;
        }
        if (pollTask != null) {
            pollTask.cancel(false);
        }
        if (ownedScheduler != null) {
            Lifecycle.shutdownOwned(ownedScheduler, 30);
        }
    }

    /** Collects what a dispatcher needs; not thread-safe. */
    public static final class Builder {
        private final OutboxStore outbox;
        private final MailSender sender;
        private final MailSettings settings;
        private Clock clock = Clock.systemUTC();
        private SecurityEventListener events = SecurityEventListener.logging();
        private ScheduledExecutorService scheduler;

        private Builder(OutboxStore outbox, MailSender sender, MailSettings settings) {
            this.outbox = Objects.requireNonNull(outbox, "outbox");
            this.sender = Objects.requireNonNull(sender, "sender");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder securityEvents(SecurityEventListener listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Runs the polls; stays the application's (default: one daemon thread {@code gatehouse-mail} made by start()). */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public MailDispatcher build() {
            return new MailDispatcher(this);
        }
    }
}
