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

import dev.gatehouse.smtp.SmtpMailSender;
import dev.gatehouse.smtp.SmtpSettings;
import dev.gatehouse.token.ConfigurationException;

/**
 * The demo's mail through an SMTP server ({@link SmtpMailSender}), from {@code GATEHOUSE_SMTP_HOST},
 * {@code _PORT}, {@code _SECURITY}, {@code _USER}, {@code _PASSWORD} and {@code GATEHOUSE_MAIL_FROM}
 * ({@link DemoSettings}, which has checked them: {@code none} only to a loopback host, user and
 * password together). The JVM's default trust store decides which server certificates are trusted.
 */
final class DemoSmtp {
    private DemoSmtp() {
    }

    /**
     * The sender for the settings' SMTP server; it connects nowhere until the first mail.
     *
     * @throws ConfigurationException naming the variable of a value the SMTP settings refuse
     */
    static SmtpMailSender sender(DemoSettings settings) {
        SmtpSettings.Builder smtp;
        try {
            smtp = SmtpSettings.builder(settings.smtpHost, settings.mailFrom);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage().startsWith("host") ? "GATEHOUSE_SMTP_HOST" : "GATEHOUSE_MAIL_FROM",
                    e.getMessage(), e);
        }
        try {
            smtp.security(switch (settings.smtpSecurity) {
                case STARTTLS -> SmtpSettings.Security.STARTTLS;
                case SMTPS -> SmtpSettings.Security.SMTPS;
                case NONE -> SmtpSettings.Security.NONE;
            }).port(settings.smtpPort);
            if (!settings.smtpUser.isEmpty()) {
                smtp.credentials(settings.smtpUser, settings.smtpPassword());
            }
            return new SmtpMailSender(smtp.build());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("GATEHOUSE_SMTP_SECURITY", e.getMessage(), e);
        }
    }
}
