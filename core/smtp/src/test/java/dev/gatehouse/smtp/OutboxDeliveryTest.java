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

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.Registration;
import dev.gatehouse.auth.mail.MailDispatcher;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.mail.MailSettings;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.testing.SecretLedger;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mail outbox end to end, over a real database and a real SMTP server (GreenMail): three
 * nodes share one database, each with its own {@link MailDispatcher} and {@link SmtpMailSender}.
 * Mail queued while the SMTP server is down is delivered when it comes back, each message exactly
 * once (counted by {@code Message-ID}), and messages drained by three nodes at once reach the
 * server once each.
 */
class OutboxDeliveryTest {
    private static final String KEK = Base64.getEncoder().encodeToString(
            "outbox delivery test kek 32 byte".getBytes(StandardCharsets.US_ASCII));
    private static final String PASSWORD = "an outbox test password 7";

    static {
        SecretLedger.record(KEK);
        SecretLedger.record(PASSWORD);
    }

    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final ConcurrentLinkedQueue<SecurityEvent> events = new ConcurrentLinkedQueue<>();
    private GreenMail smtp;

    @AfterEach
    void stop() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void registrationsDuringAnSmtpOutageAreEachDeliveredOnceWhenTheServerReturns(String product) throws Exception {
        TestDatabases.Database db = database(product);
        int port = freePort();
        MailSettings mail = fastRetries();
        List<AuthService> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(node(db.dataSource(), port, mail));
        }

        // a burst of registrations while nothing listens on the SMTP port: every one succeeds at once
        int count = 30;
        List<CompletableFuture<Registration>> registrations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            registrations.add(nodes.get(i % 3).registerAccount(address(i), PASSWORD, null, null));
        }
        for (CompletableFuture<Registration> r : registrations) {
            assertThat(r.get(30, TimeUnit.SECONDS).verificationQueued()).isTrue();
        }
        MailDispatcher first = nodes.get(0).mail().orElseThrow();
        waitUntil(Duration.ofSeconds(20), () -> events.stream().filter(e -> e.type() == SecurityEvent.Type.MAIL_DELIVERY_FAILED).count() >= 3);
        assertThat(first.stats().queued()).as("nothing was lost or sent while the server was down").isEqualTo(count);

        // the server comes back on the same port
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        waitUntil(Duration.ofSeconds(60), () -> smtp.getReceivedMessages().length >= count);
        // more polls and retries pass: a message sent twice would show up now
        Thread.sleep(mail.pollInterval().multipliedBy(5).toMillis());

        Map<String, Integer> byMessageId = new HashMap<>();
        Map<String, Integer> byRecipient = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            byMessageId.merge(m.getMessageID(), 1, Integer::sum);
            for (Address to : m.getAllRecipients()) {
                byRecipient.merge(to.toString(), 1, Integer::sum);
            }
        }
        assertThat(smtp.getReceivedMessages()).hasSize(count);
        assertThat(byMessageId).hasSize(count).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(address(i));
        }
        assertThat(byRecipient.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(first.stats().queued()).isZero();
        assertThat(first.stats().failed()).isZero();
        long sent = nodes.stream().mapToLong(n -> n.mail().orElseThrow().sentCount()).sum();
        assertThat(sent).as("the nodes' own count of accepted messages").isEqualTo(count);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void threeNodesDrainingOneOutboxSendEachMessageOnce(String product) throws Exception {
        TestDatabases.Database db = database(product);
        smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        JdbcStores stores = new JdbcStores(db.dataSource());
        int count = 120;
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            assertThat(stores.accounts().queue(new MailMessage(id, address(i), "Message " + i, "text " + i, "<p>html " + i + "</p>"),
                    null, now)).isTrue();
        }
        // batches of 5, so that the three nodes interleave their claims over the same rows
        MailSettings mail = MailSettings.builder(URI.create("http://localhost")).batchSize(5).pollInterval(Duration.ofMillis(50)).build();
        List<MailDispatcher> dispatchers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MailDispatcher d = MailDispatcher.builder(new JdbcStores(db.dataSource()).outbox(), sender(smtp.getSmtp().getPort()), mail)
                    .securityEvents(events::add).build();
            closeLater.add(d);
            dispatchers.add(d);
        }
        dispatchers.forEach(MailDispatcher::start);
        waitUntil(Duration.ofSeconds(60), () -> smtp.getReceivedMessages().length >= count);
        Thread.sleep(500);

        Map<String, Integer> bySubject = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            bySubject.merge(m.getSubject(), 1, Integer::sum);
        }
        assertThat(smtp.getReceivedMessages()).hasSize(count);
        assertThat(bySubject).hasSize(count).allSatisfy((subject, n) -> assertThat(n).as(subject).isEqualTo(1));
        assertThat(dispatchers).as("every node took part").allSatisfy(d -> assertThat(d.sentCount()).isPositive());
        assertThat(dispatchers.stream().mapToLong(MailDispatcher::sentCount).sum()).isEqualTo(count);
        assertThat(stores.outbox().stats(Instant.now()).queued()).isZero();
    }

    private TestDatabases.Database database(String product) {
        TestDatabases.Database db = TestDatabases.of(product);
        closeLater.add(db);
        JdbcSchema.migrate(db.dataSource());
        return db;
    }

    private static MailSettings fastRetries() {
        return MailSettings.builder(URI.create("http://localhost:8080"))
                .pollInterval(Duration.ofMillis(200))
                .firstRetryDelay(Duration.ofMillis(200))
                .maxRetryDelay(Duration.ofSeconds(1))
                .build();
    }

    private AuthService node(DataSource dataSource, int smtpPort, MailSettings mail) {
        TokenSettings tokens = TokenSettings.builder("https://issuer.test", "outbox").build();
        ManagedKeySource keys = ManagedKeySource.builder(dataSource).algorithm(SigningAlgorithm.ES256).keyEncryptionKey(KEK)
                .tokenLifetime(tokens).build();
        closeLater.add(keys);
        keys.start();
        AuthSettings settings = AuthSettings.builder().bcryptCostForTests(4).requireVerifiedEmail(true).clientAttemptsPerMinute(10_000).build();
        AuthService service = AuthService.builder(tokens, settings, keys, new JdbcStores(dataSource).forService())
                .mail(mail, sender(smtpPort))
                .securityEvents(events::add)
                .build();
        closeLater.add(service);
        service.start();
        return service;
    }

    private static SmtpMailSender sender(int port) {
        return new SmtpMailSender(SmtpSettings.builder("127.0.0.1", "Outbox test <no-reply@example.com>")
                .port(port)
                .security(SmtpSettings.Security.NONE)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5))
                .writeTimeout(Duration.ofSeconds(5))
                .build());
    }

    private static String address(int i) {
        return "outbox-" + i + "@example.org";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void waitUntil(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not reached within " + limit);
            }
            Thread.sleep(50);
        }
    }
}
