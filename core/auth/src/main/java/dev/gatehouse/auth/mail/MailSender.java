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

/**
 * Delivers one mail. Gatehouse never calls it on a request thread: mail is written to the outbox
 * in the transaction of the change that causes it, and a {@link MailDispatcher} sends it in the
 * background, retrying with back-off until the sender accepts it.
 *
 * <p>Implementations: {@code dev.gatehouse.smtp.SmtpMailSender} (module {@code gatehouse-smtp},
 * on Jakarta Mail), or the application's own (an HTTP mail API, a test mailbox). They must be
 * thread-safe, must bound the time one call may take (a connect and a read timeout), and must
 * never log a message's bodies.
 */
@FunctionalInterface
public interface MailSender {
    /**
     * Sends {@code message}, returning once the mail server accepted it.
     *
     * @throws MailDeliveryException when it was not accepted; {@link MailDeliveryException#permanent()}
     *                               says that retrying cannot help (the address was refused)
     */
    void send(MailMessage message) throws MailDeliveryException;
}
