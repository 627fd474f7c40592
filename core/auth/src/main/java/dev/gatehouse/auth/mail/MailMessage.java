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

import java.util.Objects;

/**
 * One rendered mail, ready to send: the recipient, the subject, a plain-text and an HTML body.
 * The {@code messageId} is fixed when the mail is queued and sent as its {@code Message-ID}
 * ({@code <messageId@domain-of-the-from-address>}), so a delivery retried after an answer was lost
 * carries the same id and a mail system that deduplicates by it shows it once.
 *
 * <p>The bodies may hold a single-use link: {@link #toString()} leaves them out, so a message can
 * be logged safely.
 *
 * @param messageId a random UUID, unique per message
 * @param to        the recipient's address (normalised, as stored)
 * @param subject   one line, no line breaks
 * @param text      the plain-text body
 * @param html      the HTML body (its values escaped by the template)
 */
public record MailMessage(String messageId, String to, String subject, String text, String html) {
    public MailMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(html, "html");
        if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("subject must be one line");
        }
        if (to.indexOf('\r') >= 0 || to.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("to must be one address");
        }
    }

    /** Names the message and its subject; never the bodies (they may hold a single-use link) or the recipient. */
    @Override
    public String toString() {
        return "MailMessage{messageId=" + messageId + ", subject=" + subject + "}";
    }
}
