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

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.gatehouse.auth.mail.MailDeliveryException;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.smtp.SmtpSettings.Security;
import dev.gatehouse.testing.SecretLedger;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link SmtpMailSender} against GreenMail's SMTP server (plain text on loopback, security
 * {@code NONE}): what arrives, the stable {@code Message-ID}, authentication, and the failures of a
 * server that is down, silent, or lacks {@code STARTTLS}.
 */
class SmtpMailSenderTest {
    private static final String USER = "mailer";
    private static final String PASSWORD = "smtp-Password-7f3a9c2e41";
    /** Stands for the single-use token of a link in a body: it must never be logged. */
    private static final String BODY_TOKEN = "tok3n-" + UUID.randomUUID();
    private static final String FROM = "Gatehouse <no-reply@example.com>";
    private static final String TO = "alice@example.org";

    static {
        SecretLedger.record(PASSWORD);
        SecretLedger.record(BODY_TOKEN);
    }

    @RegisterExtension
    static final GreenMailExtension GREEN_MAIL = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)
            .dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("mailer@example.com", USER, PASSWORD))
            .withPerMethodLifecycle(true);

    private static int port() {
        return GREEN_MAIL.getSmtp().getPort();
    }

    private static SmtpSettings.Builder plain() {
        return SmtpSettings.builder("127.0.0.1", FROM).security(Security.NONE).port(port())
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(5));
    }

    private static MailMessage message(String id) {
        return new MailMessage(id, TO, "Bestätigen Sie Ihre Adresse – Gatehouse",
                "Grüße! Öffnen Sie https://app.example.com/verify-email?token=" + BODY_TOKEN + "\n",
                "<p>Grüße! <a href=\"https://app.example.com/verify-email?token=" + BODY_TOKEN + "\">Bestätigen</a></p>");
    }

    @Test
    void deliversTextThenHtmlAlternativeWithHeadersAndUtf8Subject() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:15:30Z"), ZoneOffset.UTC);
        String id = UUID.randomUUID().toString();
        try (SmtpMailSender sender = new SmtpMailSender(plain().build(), clock)) {
            sender.send(message(id));
        }

        MimeMessage[] received = GREEN_MAIL.getReceivedMessages();
        assertThat(received).hasSize(1);
        MimeMessage mail = received[0];
        assertThat(mail.getFrom()).containsExactly(new InternetAddress("no-reply@example.com", "Gatehouse", "UTF-8"));
        assertThat(((InternetAddress) mail.getFrom()[0]).getPersonal()).isEqualTo("Gatehouse");
        assertThat(mail.getRecipients(Message.RecipientType.TO)).extracting(Address::toString).containsExactly(TO);
        assertThat(mail.getRecipients(Message.RecipientType.CC)).isNull();
        assertThat(mail.getHeader("Bcc")).isNull();
        assertThat(mail.getHeader("Subject")[0]).as("encoded subject").startsWith("=?UTF-8?");
        assertThat(mail.getSubject()).isEqualTo("Bestätigen Sie Ihre Adresse – Gatehouse");
        assertThat(mail.getHeader("Date")).containsExactly("Tue, 1 Dec 2026 10:15:30 +0000");
        assertThat(mail.getHeader("Message-ID")).containsExactly("<" + id + "@example.com>");
        assertThat(mail.getContentType()).startsWith("multipart/alternative");

        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        MimePart text = (MimePart) parts.getBodyPart(0);
        MimePart html = (MimePart) parts.getBodyPart(1);
        assertThat(text.getContentType()).startsWithIgnoringCase("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(html.getContentType()).startsWithIgnoringCase("text/html").containsIgnoringCase("charset=UTF-8");
        // SMTP carries lines ending in CRLF; compared without printing the bodies (they hold the token)
        assertThat(text.getContent().toString().replace("\r\n", "\n").equals(message(id).text())).as("text body").isTrue();
        assertThat(html.getContent().toString().replace("\r\n", "\n").equals(message(id).html())).as("html body").isTrue();
        assertThat(text.getContent().toString()).as("text body length").hasSize(message(id).text().length() + 1);
    }

    @Test
    void messageIdIsTheMessagesIdAtTheFromDomainAndTheSameOnEveryAttempt() throws Exception {
        String id = UUID.randomUUID().toString();
        try (SmtpMailSender sender = new SmtpMailSender(plain().build())) {
            sender.send(message(id));
            sender.send(message(id));
            sender.send(message("other-" + id));
        }

        MimeMessage[] received = GREEN_MAIL.getReceivedMessages();
        assertThat(received).hasSize(3);
        assertThat(received[0].getMessageID()).isEqualTo("<" + id + "@example.com>");
        assertThat(received[1].getMessageID()).isEqualTo(received[0].getMessageID());
        assertThat(received[2].getMessageID()).isEqualTo("<other-" + id + "@example.com>");
    }

    @Test
    void authenticatesWithUserAndPassword() throws Exception {
        try (SmtpMailSender sender = new SmtpMailSender(plain().credentials(USER, PASSWORD.toCharArray()).build())) {
            sender.send(message(UUID.randomUUID().toString()));
        }
        assertThat(GREEN_MAIL.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aWrongPasswordFailsTransientlyWithoutNamingPasswordOrRecipient() {
        String wrong = PASSWORD + "-wrong";
        SecretLedger.record(wrong);
        try (SmtpMailSender sender = new SmtpMailSender(plain().credentials(USER, wrong).build())) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class,
                    () -> sender.send(message(UUID.randomUUID().toString())));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).as("a credential fix may come: retried").isFalse();
            assertThat(e.getMessage()).contains("127.0.0.1:" + port()).contains("authentication failed")
                    .doesNotContain(wrong).doesNotContain(TO).doesNotContain(BODY_TOKEN);
        }
        assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttlsIsRequiredNeverAFallbackToPlainText() {
        // GreenMail's SMTP server does not offer STARTTLS: the sender must refuse to go on in plain text,
        // before authenticating and before sending anything
        SmtpSettings settings = SmtpSettings.builder("127.0.0.1", FROM).port(port()).credentials(USER, PASSWORD).build();
        assertThat(settings.security()).isEqualTo(Security.STARTTLS);
        try (SmtpMailSender sender = new SmtpMailSender(settings)) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class,
                    () -> sender.send(message(UUID.randomUUID().toString())));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("does not offer STARTTLS").contains("127.0.0.1:" + port());
        }
        assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void aServerThatIsDownFailsTransientlyAndQuickly() throws Exception {
        int port = port();
        GREEN_MAIL.stop();
        SmtpSettings settings = SmtpSettings.builder("127.0.0.1", FROM).security(Security.NONE).port(port)
                .connectTimeout(Duration.ofSeconds(3)).build();
        long start = System.nanoTime();
        try (SmtpMailSender sender = new SmtpMailSender(settings)) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class,
                    () -> sender.send(message(UUID.randomUUID().toString())));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).startsWith("SMTP server 127.0.0.1:" + port + " refused the connection (message ");
            assertThat(took).isLessThan(settings.connectTimeout());
        }
    }

    @Test
    void aServerThatNeverAnswersFailsTransientlyWithinTheReadTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = silent.accept(); InputStream in = s.getInputStream()) {
                    in.readAllBytes(); // reads until the client gives up; never writes a greeting
                } catch (Exception ignored) {
                    // the test closes the socket
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            SmtpSettings settings = SmtpSettings.builder("127.0.0.1", FROM).security(Security.NONE).port(silent.getLocalPort())
                    .readTimeout(Duration.ofMillis(500)).build();
            long start = System.nanoTime();
            try (SmtpMailSender sender = new SmtpMailSender(settings)) {
                MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class,
                        () -> sender.send(message(UUID.randomUUID().toString())));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(e).isNotNull();
                assertThat(e.permanent()).isFalse();
                assertThat(e.getMessage()).contains("did not answer in time").contains("127.0.0.1:" + silent.getLocalPort());
                assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void anInvalidRecipientIsPermanentAndNotNamed() {
        String bad = "not an address@@example.org";
        try (SmtpMailSender sender = new SmtpMailSender(plain().build())) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class,
                    () -> sender.send(new MailMessage(UUID.randomUUID().toString(), bad, "Hello", "text", "<p>html</p>")));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isTrue();
            assertThat(e.getMessage()).contains("not a valid address").doesNotContain(bad).doesNotContain("example.org");
            assertThat(e.getCause()).isNull();
        }
        assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void aMessageIdThatCannotBeAMessageIdIsPermanent() {
        try (SmtpMailSender sender = new SmtpMailSender(plain().build())) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class,
                    () -> sender.send(new MailMessage("a b>", TO, "Hello", "text", "<p>html</p>")));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isTrue();
            assertThat(e.getMessage()).contains("cannot be a Message-ID");
        }
    }

    @Test
    void sendsConcurrentlyFromOneSender() throws Exception {
        int count = 8;
        try (SmtpMailSender sender = new SmtpMailSender(plain().build())) {
            Thread[] threads = new Thread[count];
            Throwable[] failures = new Throwable[count];
            for (int i = 0; i < count; i++) {
                int n = i;
                threads[i] = new Thread(() -> {
                    try {
                        sender.send(message("concurrent-" + n));
                    } catch (Throwable t) {
                        failures[n] = t;
                    }
                });
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertThat(failures).containsOnlyNulls();
        }
        assertThat(GREEN_MAIL.waitForIncomingEmail(10_000, count)).isTrue();
        assertThat(GREEN_MAIL.getReceivedMessages()).extracting(MimeMessage::getMessageID)
                .containsExactlyInAnyOrder(IntStream.range(0, count)
                        .mapToObj(n -> "<concurrent-" + n + "@example.com>").toArray(String[]::new));
    }

    @Test
    void aClosedSenderSendsNothing() {
        SmtpMailSender sender = new SmtpMailSender(plain().build());
        sender.close();
        sender.close();
        assertThatThrownBy(() -> sender.send(message("after-close"))).isInstanceOf(IllegalStateException.class);
        assertThat(GREEN_MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void toStringNamesTheServerButNotThePassword() {
        try (SmtpMailSender sender = new SmtpMailSender(plain().credentials(USER, PASSWORD).build())) {
            assertThat(sender.toString()).contains("127.0.0.1").contains("password=(set)").doesNotContain(PASSWORD);
        }
    }
}
