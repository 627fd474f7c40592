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

/**
 * An SMTP implementation of Gatehouse's {@code MailSender} on Jakarta Mail (Eclipse Angus Mail):
 * {@link dev.gatehouse.smtp.SmtpMailSender}, configured by {@link dev.gatehouse.smtp.SmtpSettings}.
 */
module dev.gatehouse.smtp {
    requires transitive dev.gatehouse.auth;
    requires transitive jakarta.mail;
    // Angus Mail: the SMTP transport Jakarta Mail finds through ServiceLoader, and its SMTP reply
    // exceptions (the reply codes that tell a refused recipient from a passing failure)
    requires org.eclipse.angus.mail;
    requires org.slf4j;

    exports dev.gatehouse.smtp;
}
