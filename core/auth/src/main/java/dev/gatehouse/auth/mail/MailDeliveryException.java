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
 * A mail was not accepted. Transient failures (the server is down, a timeout, a {@code 4xx} reply)
 * are retried with back-off; a permanent one ({@code 5xx} for the recipient) is retried only until
 * {@link MailSettings#giveUpAfter()}, like any other, so that a misconfigured server that refuses
 * everything for a while loses nothing. Its message names the failure, never a body or a password.
 */
public class MailDeliveryException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean permanent;

    public MailDeliveryException(String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    public MailDeliveryException(String message, boolean permanent) {
        this(message, permanent, null);
    }

    /** Whether the server refused the message for good (for example, an unknown recipient). */
    public boolean permanent() {
        return permanent;
    }
}
