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

package dev.gatehouse.auth.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The mail outbox, read by the background sender ({@code dev.gatehouse.auth.mail.MailDispatcher}).
 * A message is claimed for a lease before it is sent, by a conditional update that only one node
 * can win; it is marked sent (its bodies dropped) or failed by the holder of the claim only.
 */
public interface OutboxStore {
    /** A claimed message. The bodies may hold a single-use link: {@link #toString()} leaves them out. */
    record Entry(String messageId, String kind, String to, String subject, String text, String html, int attempts,
                 Instant createdAt, String claim) {
        public Entry {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(claim, "claim");
        }

        @Override
        public String toString() {
            return "Entry{messageId=" + messageId + ", kind=" + kind + ", attempts=" + attempts + "}";
        }
    }

    /**
     * What the outbox holds, for operations: messages queued (not sent, not given up), those due
     * now and not held by a claim, those given up, and when the oldest queued one was queued.
     */
    record Stats(long queued, long due, long failed, Instant oldestQueued) {
    }

    /**
     * Claims up to {@code max} messages that are due (not sent, not given up, their next attempt
     * at or before {@code now}, and unclaimed or their lease past), oldest first, until
     * {@code leaseUntil}: no other claim can take them before then.
     *
     * @param claim a fresh random value naming this claim
     */
    List<Entry> claimDue(String claim, Instant now, Instant leaseUntil, int max);

    /** Marks a message sent and drops its bodies, if {@code claim} still holds it; returns whether it did. */
    boolean markSent(String messageId, String claim, Instant at);

    /** Releases a claim after a failed delivery: one more attempt, the next at {@code nextAttemptAt}. */
    boolean markFailed(String messageId, String claim, Instant nextAttemptAt, String error);

    /** Gives a message up: kept as failed (never sent) with its bodies dropped. */
    boolean markGivenUp(String messageId, String claim, Instant at, String error);

    /** Deletes messages sent or given up before {@code before}; returns how many. */
    int purge(Instant before);

    /** Counts of the outbox, as of {@code now}. */
    Stats stats(Instant now);
}
