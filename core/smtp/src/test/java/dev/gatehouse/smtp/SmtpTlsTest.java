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
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.gatehouse.auth.mail.MailDeliveryException;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.smtp.SmtpSettings.Security;
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link SmtpMailSender} over TLS: {@code SMTPS} against GreenMail's SMTPS server, and
 * {@code STARTTLS} against {@link ScriptedSmtpServer} (GreenMail's SMTP server does not offer
 * {@code STARTTLS}). Both servers present a certificate for {@code localhost} only, made by
 * {@link TestCertificates}: trusted and matching, mail goes out; untrusted, or trusted but not
 * naming the host connected to, nothing is sent and the failure is transient.
 */
class SmtpTlsTest {
    private static final String USER = "tls-mailer";
    private static final String PASSWORD = "tls-Password-91bd04e6c3";
    private static final String FROM = "no-reply@example.com";

    private static GreenMail greenMail;

    @BeforeAll
    static void startSmtps() throws Exception {
        SecretLedger.record(PASSWORD);
        // GreenMail's own test certificate names no host, so the identity check would refuse it:
        // its SMTPS server gets the localhost key instead (read once, when its first TLS server starts)
        System.setProperty("greenmail.tls.keystore.file", TestCertificates.serverKeyStore().toString());
        System.setProperty("greenmail.tls.keystore.password", TestCertificates.STORE_PASSWORD);
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("tls-mailer@example.com", USER, PASSWORD));
        greenMail.start();
    }

    @AfterAll
    static void stopSmtps() {
        greenMail.stop();
    }

    @BeforeEach
    void purge() throws Exception {
        greenMail.purgeEmailFromAllMailboxes();
    }

    private static int smtpsPort() {
        return greenMail.getSmtps().getPort();
    }

    private static MailMessage message() {
        return new MailMessage(UUID.randomUUID().toString(), "bob@example.org", "Hello over TLS", "text", "<p>html</p>");
    }

    @Test
    void smtpsDeliversWhenTheCertificateIsTrustedAndNamesTheHost() throws Exception {
        SmtpSettings settings = SmtpSettings.builder("localhost", FROM).security(Security.SMTPS).port(smtpsPort())
                .trustStore(TestCertificates.trustStore()).credentials(USER, PASSWORD).build();
        try (SmtpMailSender sender = new SmtpMailSender(settings)) {
            sender.send(message());
        }
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
        assertThat(greenMail.getReceivedMessages()[0].getSubject()).isEqualTo("Hello over TLS");
    }

    @Test
    void smtpsWithTheJvmsDefaultTrustFailsTransiently() throws Exception {
        SmtpSettings settings = SmtpSettings.builder("localhost", FROM).security(Security.SMTPS).port(smtpsPort())
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (SmtpMailSender sender = new SmtpMailSender(settings)) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class, () -> sender.send(message()));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("SMTP server localhost:" + smtpsPort()).contains("TLS handshake");
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void smtpsChecksTheServerIdentityEvenWithATrustedCertificate() throws Exception {
        // the certificate names localhost only; connecting to 127.0.0.1 must fail the identity check
        SmtpSettings settings = SmtpSettings.builder("127.0.0.1", FROM).security(Security.SMTPS).port(smtpsPort())
                .trustStore(TestCertificates.trustStore()).build();
        try (SmtpMailSender sender = new SmtpMailSender(settings)) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class, () -> sender.send(message()));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).startsWith("SMTP server 127.0.0.1:" + smtpsPort()
                    + " presented a certificate that does not name 127.0.0.1 (server identity check)");
        }
        assertThat(greenMail.getReceivedMessages()).isEmpty();
    }

    @Test
    void aCustomSocketFactoryIsUsedAndTheIdentityCheckStillApplies() throws Exception {
        // a factory that trusts anything (tests only): trust is the factory's, the host name check is the sender's
        try (SmtpMailSender sender = new SmtpMailSender(SmtpSettings.builder("localhost", FROM).security(Security.SMTPS)
                .port(smtpsPort()).sslSocketFactory(TestCertificates.trustAllFactory()).build())) {
            sender.send(message());
        }
        assertThat(greenMail.getReceivedMessages()).hasSize(1);

        try (SmtpMailSender sender = new SmtpMailSender(SmtpSettings.builder("127.0.0.1", FROM).security(Security.SMTPS)
                .port(smtpsPort()).sslSocketFactory(TestCertificates.trustAllFactory()).build())) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class, () -> sender.send(message()));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("does not name 127.0.0.1 (server identity check)");
        }
        assertThat(greenMail.getReceivedMessages()).hasSize(1);
    }

    @Test
    void starttlsUpgradesBeforeAuthenticatingAndSending() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("250 2.1.5 OK", TestCertificates.serverContext());
             SmtpMailSender sender = new SmtpMailSender(SmtpSettings.builder("localhost", FROM).port(server.port())
                     .trustStore(TestCertificates.trustStore()).build())) {
            sender.send(message());
            assertThat(server.messages()).hasSize(1);
            assertThat(server.commands()).contains("STARTTLS", "(TLS established)");
            assertThat(server.commands().indexOf("(TLS established)"))
                    .isLessThan(indexOfPrefix(server, "MAIL FROM"))
                    .isLessThan(indexOfPrefix(server, "RCPT TO"));
        }
    }

    @Test
    void starttlsWithAnUntrustedCertificateSendsNothing() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("250 2.1.5 OK", TestCertificates.serverContext());
             SmtpMailSender sender = new SmtpMailSender(SmtpSettings.builder("localhost", FROM).port(server.port()).build())) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class, () -> sender.send(message()));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("TLS handshake");
            assertThat(server.messages()).isEmpty();
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL") || c.startsWith("RCPT") || c.startsWith("AUTH"));
        }
    }

    @Test
    void starttlsChecksTheServerIdentity() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer("250 2.1.5 OK", TestCertificates.serverContext());
             SmtpMailSender sender = new SmtpMailSender(SmtpSettings.builder("127.0.0.1", FROM).port(server.port())
                     .trustStore(TestCertificates.trustStore()).credentials(USER, PASSWORD).build())) {
            MailDeliveryException e = catchThrowableOfType(MailDeliveryException.class, () -> sender.send(message()));
            assertThat(e).isNotNull();
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).contains("does not name 127.0.0.1 (server identity check)");
            assertThat(server.messages()).isEmpty();
            assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL") || c.startsWith("RCPT") || c.startsWith("AUTH"));
        }
    }

    private static int indexOfPrefix(ScriptedSmtpServer server, String prefix) {
        for (int i = 0; i < server.commands().size(); i++) {
            if (server.commands().get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + prefix + " in " + server.commands());
    }
}
