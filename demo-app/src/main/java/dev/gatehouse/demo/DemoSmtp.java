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

import dev.gatehouse.auth.mail.MailSender;
import dev.gatehouse.token.ConfigurationException;

/**
 * The demo's mail through an SMTP server, from {@code GATEHOUSE_SMTP_HOST}, {@code _PORT},
 * {@code _SECURITY}, {@code _USER}, {@code _PASSWORD} and {@code GATEHOUSE_MAIL_FROM}
 * ({@link DemoSettings}, which has checked them: {@code none} only to a loopback host, user and
 * password together).
 */
final class DemoSmtp {
    private DemoSmtp() {
    }

    /** The sender for the settings' SMTP server; connects nowhere until the first mail. */
    static MailSender sender(DemoSettings settings) {
        // TODO(smtp): build dev.gatehouse.smtp.SmtpMailSender from SmtpSettings (host, port, security
        // STARTTLS|SMTPS|NONE, username, password, from) once the core/smtp module is on main.
        throw new ConfigurationException("GATEHOUSE_SMTP_HOST", "SMTP delivery is not in this build yet; unset it to use the"
                + " demo's local mailbox (GET /demo/mailbox)");
    }
}
