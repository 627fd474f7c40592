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

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.demo.support.LoopbackAddresses;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.token.ConfigurationException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The account lifecycle of the demo with its defaults ({@code GATEHOUSE_REQUIRE_VERIFIED_EMAIL=true},
 * no SMTP server: the local mailbox), over real HTTP against the standalone app on Grizzly, reading
 * the links of the mail from {@code GET /demo/mailbox} as a person would from their inbox:
 * register, verify, log in; forgot password, reset, every old session dead; change password, the
 * other sessions dead and this one alive; the mailbox served to loopback clients only, and not at
 * all when an SMTP server is set, whose mail then reaches that server (GreenMail, plain SMTP on loopback).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrizzlyAccountLifecycleTest {
    private static final String PASSWORD = "plum-Kettle-4-orbit";
    private static final String NEW_PASSWORD = "quartz-Lantern-7-meadow";
    private static final String ADMIN_EMAIL = "lifecycle-admin@gatehouse.test";
    private static final String RESET_ADMIN_EMAIL = "reset-admin@gatehouse.test";
    private static final String TRUSTED_PROXY = "127.0.0.1";
    private static final String INVALID_TOKEN = "urn:gatehouse:problem:invalid-token";
    private static final Pattern TOKEN = Pattern.compile("(verify-email|reset-password)\\?token=([A-Za-z0-9_-]+)");
    private static final Duration MAIL_WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private DemoMain.Running running;

    @BeforeAll
    void start() throws Exception {
        SecretLedger.record(PASSWORD);
        SecretLedger.record(NEW_PASSWORD);
        running = DemoMain.start(DemoSettings.from(settings("lifecycle"), name -> null, name -> null));
    }

    /** The defaults but for what every in-process demo sets (test keys and cost, its own database), a trusted proxy and an admin. */
    private static Map<String, String> settings(String database) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_PORT", "0");
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        env.put("GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve(database).toAbsolutePath());
        env.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        env.put("GATEHOUSE_BCRYPT_COST", String.valueOf(DemoContract.BCRYPT_COST));
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_TRUSTED_PROXIES", TRUSTED_PROXY);
        env.put("GATEHOUSE_ADMIN_EMAILS", ADMIN_EMAIL + ", " + RESET_ADMIN_EMAIL);
        return env;
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
    }

    // ---- register, verify ----

    @Test
    void registerAnswers202ThenTheMailedLinkVerifiesAndLogsIn() {
        String email = uniqueEmail();
        WebClient client = client();
        Reply registered = client.postJson("auth/register", credentials(email, PASSWORD));
        assertThat(registered.status()).as("%s", registered).isEqualTo(202);
        assertThat(registered.json().path("status").asText()).isEqualTo("accepted");
        assertThat(registered.body()).doesNotContain("\"id\"");
        Reply early = client().postJson("auth/login", credentials(email, PASSWORD));
        assertThat(early.status()).as("no login before the address is verified: %s", early).isEqualTo(401);

        String link = awaitLink(email, "verify-email", 0);
        assertThat(link).startsWith(running.url + "verify-email?token=");
        String token = token(link);

        // the link opens the page: no caching, no referrer, the same strict CSP
        Reply page = client.get(URI.create(link).getRawPath().substring(1) + "?" + URI.create(link).getRawQuery());
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("Cache-Control")).isEqualTo("no-store");
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(page.body()).contains("id=\"verify-view\"", "src=\"app.js\"").doesNotContain(token);
        assertThat(client.get("reset-password").header("Referrer-Policy")).isEqualTo("no-referrer");

        Reply verified = client.postJson("auth/verify-email", tokenBody(token));
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        JsonNode tokens = verified.json();
        Reply me = client().get("api/me", bearer(tokens));
        assertThat(me.status()).as("logged in by the verification: %s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).isEqualTo(email);
        assertThat(texts(me.json().path("roles"))).containsExactly("user");

        Reply again = client().postJson("auth/verify-email", tokenBody(token));
        assertThat(again.status()).as("a spent link: %s", again).isEqualTo(400);
        assertThat(again.json().path("type").asText()).isEqualTo(INVALID_TOKEN);
        assertThat(login(email, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void theCookieTransportLogsInByTheLinkAsTheLoginWould() {
        String email = uniqueEmail();
        assertThat(client().postJson("auth/register", credentials(email, PASSWORD)).status()).isEqualTo(202);
        String token = token(awaitLink(email, "verify-email", 0));
        WebClient browser = client();
        Reply verified = browser.postJson("auth/verify-email", tokenBody(token), "Auth-Transport", "cookie");
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        assertThat(verified.json().has("access_token")).as("no token in the body with cookies").isFalse();
        assertThat(browser.cookieNames()).contains("__Host-access_token", "__Secure-refresh_token", "__Host-csrf_token");
        assertThat(browser.get("api/me").json().path("email").asText()).isEqualTo(email);
    }

    @Test
    void aTakenAddressAnswersTheSameAndItsOwnerIsTold() {
        String email = uniqueEmail();
        verifiedAccount(email);
        int before = mailsTo(email).size();
        Reply taken = client().postJson("auth/register", credentials(email, NEW_PASSWORD));
        assertThat(taken.status()).as("the same answer as for a new address: %s", taken).isEqualTo(202);
        assertThat(taken.json().path("status").asText()).isEqualTo("accepted");
        List<JsonNode> mails = Poll.until(MAIL_WAIT, () -> mailsTo(email), list -> list.size() > before);
        assertThat(mails.get(0).path("text").asText()).as("the notice carries no link that verifies").doesNotContain("?token=");
        assertThat(login(email, NEW_PASSWORD).status()).as("the password of the second attempt is not taken").isEqualTo(401);
    }

    @Test
    void resendSendsANewLinkAndTellsNothing() {
        String email = uniqueEmail();
        assertThat(client().postJson("auth/register", credentials(email, PASSWORD)).status()).isEqualTo(202);
        String first = token(awaitLink(email, "verify-email", 0));
        Reply resent = client().postJson("auth/verify-email/resend", "{\"email\":\"" + email + "\"}");
        assertThat(resent.status()).as("%s", resent).isEqualTo(202);
        assertThat(client().postJson("auth/verify-email/resend", "{\"email\":\"" + uniqueEmail() + "\"}").status())
                .as("an address without an account: the same answer").isEqualTo(202);
        String second = token(awaitLink(email, "verify-email", 1));
        assertThat(second).isNotEqualTo(first);
        assertThat(client().postJson("auth/verify-email", tokenBody(first)).status()).as("replaced by the new one").isEqualTo(400);
        assertThat(client().postJson("auth/verify-email", tokenBody(second)).status()).isEqualTo(200);
    }

    @Test
    void anAdminEmailGetsTheRoleOnlyOnceVerified() {
        assertThat(client().postJson("auth/register", credentials(ADMIN_EMAIL, PASSWORD)).status()).isEqualTo(202);
        String token = token(awaitLink(ADMIN_EMAIL, "verify-email", 0));
        assertThat(running.context.service.findUserByEmail(ADMIN_EMAIL).orElseThrow().roles())
                .as("registered, not verified: no admin yet").containsExactly("user");

        Reply verified = client().postJson("auth/verify-email", tokenBody(token));
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        assertThat(running.context.service.findUserByEmail(ADMIN_EMAIL).orElseThrow().roles()).contains("admin");
        // the grant starts a new token generation: the session's next access token carries the role
        Reply refreshed = client().postJson("auth/refresh", "{\"refresh_token\":\"" + verified.json().path("refresh_token").asText() + "\"}");
        assertThat(refreshed.status()).as("%s", refreshed).isEqualTo(200);
        assertThat(client().get("api/admin", bearer(refreshed.json())).status()).isEqualTo(200);
    }

    @Test
    void anAdminEmailGetsTheRoleWhenAResetLinkProvesTheAddress() {
        assertThat(client().postJson("auth/register", credentials(RESET_ADMIN_EMAIL, PASSWORD)).status()).isEqualTo(202);
        awaitLink(RESET_ADMIN_EMAIL, "verify-email", 0);
        assertThat(client().postJson("auth/password-reset", "{\"email\":\"" + RESET_ADMIN_EMAIL + "\"}").status()).isEqualTo(202);
        String token = token(awaitLink(RESET_ADMIN_EMAIL, "reset-password", 0));
        assertThat(running.context.service.findUserByEmail(RESET_ADMIN_EMAIL).orElseThrow().roles()).containsExactly("user");
        assertThat(client().postJson("auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"new_password\":\"" + NEW_PASSWORD
                + "\"}").status()).isEqualTo(204);
        Reply login = login(RESET_ADMIN_EMAIL, NEW_PASSWORD);
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        assertThat(client().get("api/admin", bearer(login.json())).status()).isEqualTo(200);
    }

    // ---- forgot password, reset ----

    @Test
    void aResetLinkSetsANewPasswordAndEndsEverySession() {
        String email = uniqueEmail();
        JsonNode first = verifiedAccount(email);
        JsonNode second = login(email, PASSWORD).json();
        int resetsBefore = links(email, "reset-password").size();

        Reply requested = client().postJson("auth/password-reset", "{\"email\":\"" + email + "\"}");
        assertThat(requested.status()).as("%s", requested).isEqualTo(202);
        assertThat(client().postJson("auth/password-reset", "{\"email\":\"" + uniqueEmail() + "\"}").status())
                .as("an address without an account: the same answer").isEqualTo(202);
        String link = awaitLink(email, "reset-password", resetsBefore);
        assertThat(link).startsWith(running.url + "reset-password?token=");
        String token = token(link);

        Reply weak = client().postJson("auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"new_password\":\"short\"}");
        assertThat(weak.status()).as("%s", weak).isEqualTo(400);
        assertThat(weak.json().path("errors").findValuesAsText("field")).containsExactly("new_password");

        Reply reset = client().postJson("auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"new_password\":\"" + NEW_PASSWORD + "\"}");
        assertThat(reset.status()).as("%s", reset).isEqualTo(204);
        for (JsonNode session : List.of(first, second)) {
            Reply me = Poll.until(Duration.ofSeconds(10), () -> client().get("api/me", bearer(session)), r -> r.status() == 401);
            assertThat(me.status()).as("an access token of before the reset").isEqualTo(401);
            assertThat(client().postJson("auth/refresh", refreshBody(session)).status()).as("a refresh token of before the reset")
                    .isEqualTo(401);
        }
        Reply reused = client().postJson("auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"new_password\":\"" + PASSWORD + "x\"}");
        assertThat(reused.status()).as("%s", reused).isEqualTo(400);
        assertThat(reused.json().path("type").asText()).isEqualTo(INVALID_TOKEN);
        assertThat(login(email, PASSWORD).status()).as("the old password").isEqualTo(401);
        Reply fresh = login(email, NEW_PASSWORD);
        assertThat(fresh.status()).as("%s", fresh).isEqualTo(200);
        assertThat(client().get("api/me", bearer(fresh.json())).status()).isEqualTo(200);
    }

    @Test
    void aResetLinkAlsoVerifiesTheAddress() {
        String email = uniqueEmail();
        assertThat(client().postJson("auth/register", credentials(email, PASSWORD)).status()).isEqualTo(202);
        awaitLink(email, "verify-email", 0);
        assertThat(client().postJson("auth/password-reset", "{\"email\":\"" + email + "\"}").status()).isEqualTo(202);
        String token = token(awaitLink(email, "reset-password", 0));
        assertThat(client().postJson("auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"new_password\":\"" + NEW_PASSWORD
                + "\"}").status()).isEqualTo(204);
        assertThat(login(email, NEW_PASSWORD).status()).as("the link proved the address").isEqualTo(200);
    }

    // ---- change password ----

    @Test
    void changingThePasswordEndsTheOtherSessionsAndKeepsThisOne() {
        String email = uniqueEmail();
        JsonNode here = verifiedAccount(email);
        JsonNode elsewhere = login(email, PASSWORD).json();

        Reply wrong = client().postJson("auth/password", passwordChange(PASSWORD + "x", NEW_PASSWORD), bearer(here));
        assertThat(wrong.status()).as("%s", wrong).isEqualTo(400);
        assertThat(wrong.json().path("errors").findValuesAsText("field")).contains("current_password");
        assertThat(client().postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD)).status())
                .as("not logged in").isEqualTo(401);

        Reply changed = client().postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD), bearer(here));
        assertThat(changed.status()).as("%s", changed).isEqualTo(204);
        Reply other = Poll.until(Duration.ofSeconds(10), () -> client().get("api/me", bearer(elsewhere)), r -> r.status() == 401);
        assertThat(other.status()).as("the other session's access token").isEqualTo(401);
        assertThat(client().postJson("auth/refresh", refreshBody(elsewhere)).status()).as("the other session's refresh token")
                .isEqualTo(401);
        assertThat(client().get("api/me", bearer(here)).status()).as("this session stays").isEqualTo(200);
        Reply renewed = client().postJson("auth/refresh", refreshBody(here));
        assertThat(renewed.status()).as("this session's refresh token: %s", renewed).isEqualTo(200);
        assertThat(client().get("api/me", bearer(renewed.json())).status()).isEqualTo(200);
        assertThat(login(email, PASSWORD).status()).isEqualTo(401);
        assertThat(login(email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void withCookiesTheChangeNeedsTheCsrfHeader() {
        String email = uniqueEmail();
        verifiedAccount(email);
        WebClient browser = client();
        assertThat(browser.postJson("auth/login", credentials(email, PASSWORD), "Auth-Transport", "cookie").status()).isEqualTo(200);
        assertThat(browser.postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD)).status()).as("no CSRF header").isEqualTo(403);
        Reply changed = browser.postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD),
                "X-CSRF-Token", browser.cookie("__Host-csrf_token"));
        assertThat(changed.status()).as("%s", changed).isEqualTo(204);
        assertThat(browser.get("api/me").status()).isEqualTo(200);
        Reply logout = browser.post("auth/logout", null, null, "X-CSRF-Token", browser.cookie("__Host-csrf_token"));
        assertThat(logout.status()).as("this session logs out as usual: %s", logout).isEqualTo(204);
        assertThat(browser.get("api/me").status()).isEqualTo(401);
    }

    // ---- the mailbox ----

    @Test
    void theMailboxIsJsonNewestFirstAndNeverCached() {
        String email = uniqueEmail();
        assertThat(client().postJson("auth/register", credentials(email, PASSWORD)).status()).isEqualTo(202);
        awaitLink(email, "verify-email", 0);
        Reply mailbox = client().get("demo/mailbox");
        assertThat(mailbox.status()).as("%s", mailbox).isEqualTo(200);
        assertThat(mailbox.contentType()).startsWith("application/json");
        assertThat(mailbox.header("Cache-Control")).isEqualTo("no-store");
        JsonNode messages = mailbox.json().path("messages");
        assertThat(messages.size()).isPositive();
        JsonNode newest = messages.get(0);
        assertThat(fieldNames(newest)).contains("id", "to", "subject", "text", "html", "received_at");
        for (int i = 1; i < messages.size(); i++) {
            assertThat(messages.get(i).path("id").asLong()).isLessThan(messages.get(i - 1).path("id").asLong());
        }
        assertThat(mailbox.json().path("notice").asText()).contains("Demo only");
    }

    @Test
    void theMailboxIsNotFoundForAClientOnAnotherMachine() throws Exception {
        WebClient proxy = new WebClient(URI.create(running.url)).from(InetAddress.getByName(TRUSTED_PROXY));
        Reply forwarded = proxy.get("demo/mailbox", "X-Forwarded-For", "198.51.100.7", "X-Forwarded-Proto", "https");
        assertThat(forwarded.status()).as("a remote client through the trusted proxy: %s", forwarded).isEqualTo(404);
        Reply unknown = client().get("demo/no-such-thing");
        assertThat(forwarded.body()).as("the same answer as a path that does not exist").isEqualTo(unknown.body());
        for (String[] header : new String[][] {{"Forwarded", "for=127.0.0.1"}, {"X-Forwarded-For", "127.0.0.1"}, {"X-Real-IP", "127.0.0.1"}}) {
            assertThat(client().get("demo/mailbox", header).status()).as("any forwarding: %s", String.join(": ", header)).isEqualTo(404);
        }
        assertThat(client().get("demo/mailbox").status()).isEqualTo(200);
    }

    @Test
    void withAnSmtpServerTheMailGoesThereAndThereIsNoMailbox() throws Exception {
        GreenMail server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        server.start();
        DemoMain.Running smtp = null;
        try {
            Map<String, String> env = settings("smtp");
            env.put("GATEHOUSE_SMTP_HOST", "127.0.0.1");
            env.put("GATEHOUSE_SMTP_PORT", String.valueOf(server.getSmtp().getPort()));
            env.put("GATEHOUSE_SMTP_SECURITY", "none");
            env.put("GATEHOUSE_MAIL_FROM", "Gatehouse demo <no-reply@gatehouse.test>");
            smtp = DemoMain.start(DemoSettings.from(env, name -> null, name -> null));
            assertThat(smtp.context.mailbox).isNull();
            WebClient client = new WebClient(URI.create(smtp.url)).from(LoopbackAddresses.next());
            assertThat(client.get("demo/mailbox").status()).as("no mailbox with an SMTP server").isEqualTo(404);
            assertThat(client.get("").status()).isEqualTo(200);

            String email = uniqueEmail();
            assertThat(client.postJson("auth/register", credentials(email, PASSWORD)).status()).isEqualTo(202);
            assertThat(server.waitForIncomingEmail(20_000, 1)).as("the verification mail reached the SMTP server").isTrue();
            MimeMessage mail = server.getReceivedMessages()[0];
            assertThat(mail.getAllRecipients()).extracting(Object::toString).containsExactly(email);
            assertThat(((InternetAddress) mail.getFrom()[0]).getAddress()).isEqualTo("no-reply@gatehouse.test");
            String text = (String) ((MimeMultipart) mail.getContent()).getBodyPart(0).getContent();
            Matcher link = TOKEN.matcher(text);
            assertThat(link.find()).as("a verification link in %s", mail.getSubject()).isTrue();
            assertThat(text).contains(smtp.url + "verify-email?token=");
            SecretLedger.record(link.group(2));
            Reply verified = client.postJson("auth/verify-email", tokenBody(link.group(2)));
            assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        } finally {
            if (smtp != null) {
                smtp.stop();
            }
            server.stop();
        }
    }

    @Test
    void plainSmtpToAnotherHostIsRefusedAtStart() {
        Map<String, String> env = settings("refused");
        env.put("GATEHOUSE_SMTP_HOST", "smtp.gatehouse.test");
        env.put("GATEHOUSE_SMTP_SECURITY", "none");
        assertThatThrownBy(() -> DemoSettings.from(env, name -> null, name -> null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_SMTP_SECURITY").hasMessageContaining("loopback");
    }

    // ---- helpers ----

    /** A client of its own: a fresh loopback address (a throttling budget of its own), an empty cookie jar. */
    private WebClient client() {
        return new WebClient(URI.create(running.url)).from(LoopbackAddresses.next());
    }

    /** Registers {@code email}, verifies it with the mailed link, and returns the tokens of that login (bearer). */
    private JsonNode verifiedAccount(String email) {
        Reply registered = client().postJson("auth/register", credentials(email, PASSWORD));
        assertThat(registered.status()).as("%s", registered).isEqualTo(202);
        Reply verified = client().postJson("auth/verify-email", tokenBody(token(awaitLink(email, "verify-email", 0))));
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        return verified.json();
    }

    private Reply login(String email, String password) {
        return client().postJson("auth/login", credentials(email, password));
    }

    /** The mailbox's messages to {@code email}, newest first. */
    private List<JsonNode> mailsTo(String email) {
        Reply mailbox = client().get("demo/mailbox");
        assertThat(mailbox.status()).as("%s", mailbox).isEqualTo(200);
        List<JsonNode> mails = new ArrayList<>();
        mailbox.json().path("messages").forEach(m -> {
            if (m.path("to").asText().equals(email)) {
                mails.add(m);
            }
        });
        return mails;
    }

    /** The links to {@code page} in the mail to {@code email}, oldest first. */
    private List<String> links(String email, String page) {
        List<String> found = new ArrayList<>();
        for (JsonNode mail : mailsTo(email)) {
            Matcher m = Pattern.compile("\\S*" + page + "\\?token=[A-Za-z0-9_-]+").matcher(mail.path("text").asText());
            if (m.find()) {
                found.add(0, m.group());
            }
        }
        return found;
    }

    /** Waits for a link to {@code page} after the {@code seen} ones already in the mailbox, and returns it. */
    private String awaitLink(String email, String page, int seen) {
        List<String> found = Poll.until(MAIL_WAIT, Duration.ofMillis(100), () -> links(email, page), list -> list.size() > seen);
        assertThat(found).as("a mail to %s with a %s link", email, page).hasSizeGreaterThan(seen);
        return found.get(seen);
    }

    private static String token(String link) {
        Matcher m = TOKEN.matcher(link);
        assertThat(m.find()).as("a token in the link").isTrue();
        SecretLedger.record(m.group(2));
        return m.group(2);
    }

    private static String uniqueEmail() {
        return "life-" + UUID.randomUUID().toString().substring(0, 12) + "@gatehouse.test";
    }

    private static String credentials(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private static String tokenBody(String token) {
        return "{\"token\":\"" + token + "\"}";
    }

    private static String passwordChange(String current, String next) {
        return "{\"current_password\":\"" + current + "\",\"new_password\":\"" + next + "\"}";
    }

    private static String refreshBody(JsonNode tokens) {
        return "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}";
    }

    private static String[] bearer(JsonNode tokens) {
        return new String[] {"Authorization", "Bearer " + tokens.path("access_token").asText()};
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
