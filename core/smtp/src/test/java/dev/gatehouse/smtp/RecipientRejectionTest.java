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

package dev.gatehouse.smtp;

import dev.gatehouse.auth.mail.MailDeliveryException;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.smtp.SmtpSettings.Security;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * How the server's answer to {@code RCPT TO} is classified, against {@link ScriptedSmtpServer}
 * (GreenMail accepts every recipient): {@code 5xx} is permanent, {@code 4xx} transient, and
 * neither the exception's message nor its causes name the recipient.
 */
class RecipientRejectionTest {
    private static final String TO = "nobody-here@example.org";

    private static MailDeliveryException sendTo(ScriptedSmtpServer server) {
        SmtpSettings settings = SmtpSettings.builder("127.0.0.1", "no-reply@example.com").security(Security.NONE)
                .port(server.port()).build();
        try (SmtpMailSender sender = new SmtpMailSender(settings)) {
            return catchThrowableOfType(MailDeliveryException.class,
                    () -> sender.send(new MailMessage(UUID.randomUUID().toString(), TO, "Hello", "text", "<p>html</p>")));
        }
    }

    @Test
    void a5xxRefusalOfTheRecipientIsPermanent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("550 5.1.1 <" + TO + ">: Recipient address rejected", null)) {
            MailDeliveryException e = sendTo(server);
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isTrue();
            assertThat(e.getMessage()).isEqualTo("SMTP server 127.0.0.1:" + server.port() + " refused the recipient (550) (message "
                    + e.getMessage().substring(e.getMessage().lastIndexOf("(message ") + 9));
            assertThat(e.getMessage()).doesNotContain(TO).doesNotContain("Recipient address rejected");
            assertThat(e.getCause()).as("Jakarta Mail's exception names the address").isNull();
            assertThat(server.messages()).isEmpty();
            assertThat(server.commands()).noneMatch(c -> c.startsWith("DATA"));
        }
    }

    @Test
    void a4xxAnswerToTheRecipientIsTransient() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("450 4.2.1 <" + TO + ">: mailbox busy, try later", null)) {
            MailDeliveryException e = sendTo(server);
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("127.0.0.1:" + server.port()).contains("450").doesNotContain(TO);
            assertThat(e.getCause()).isNull();
            assertThat(server.messages()).isEmpty();
        }
    }

    @Test
    void a552AnswerToTheRecipientIsTransient() throws Exception {
        // "too many recipients": RFC 5321 says to take it as 452
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("552 5.3.4 too many recipients", null)) {
            MailDeliveryException e = sendTo(server);
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("552");
        }
    }

    @Test
    void a5xxRefusalOfTheMessageAfterItsDataIsTransient() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("250 2.1.5 OK", "554 5.7.1 <" + TO + ">: message refused", null)) {
            MailDeliveryException e = sendTo(server);
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).isEqualTo("SMTP server 127.0.0.1:" + server.port() + " refused the message (554, end of DATA) (message "
                    + e.getMessage().substring(e.getMessage().lastIndexOf("(message ") + 9));
            assertThat(e.getMessage()).doesNotContain(TO).doesNotContain("message refused");
            assertThat(e.getCause()).isNull();
        }
    }

    @Test
    void anAcceptedRecipientIsDelivered() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("250 2.1.5 OK", null)) {
            assertThat(sendTo(server)).isNull();
            assertThat(server.commands()).contains("RCPT TO:<" + TO + ">");
            assertThat(server.messages()).hasSize(1);
            assertThat(server.messages().get(0)).contains("To: " + TO);
        }
    }
}
