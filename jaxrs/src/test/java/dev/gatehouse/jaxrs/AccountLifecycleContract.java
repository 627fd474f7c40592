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


package dev.gatehouse.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestMailbox;
import dev.gatehouse.jaxrs.support.TestServer;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.events.SecurityEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertProblem;
import static dev.gatehouse.jaxrs.support.Problems.assertThrottled;
import static dev.gatehouse.jaxrs.support.Problems.assertValidation;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account lifecycle by email over real HTTP (docs/http-api.md: register with verification,
 * verify-email, resend, password reset, password change), per database in subclasses. The
 * servers share one database, one mailbox and one clock that stands still until a test moves it
 * (so that link expiry and the mail limits are exact):
 * <ul>
 *   <li>{@code verifying}: mail, {@code requireVerifiedEmail} on, links valid 5 minutes;</li>
 *   <li>{@code open}: mail, {@code requireVerifiedEmail} off (registration is 201/409 as ever);</li>
 *   <li>{@code limited}: as {@code verifying}, with a per-client limit of 3 attempts;</li>
 *   <li>{@code noMail}: no mail and stores without the account store;</li>
 *   <li>{@code accountsNoMail}: no mail, stores with the account store.</li>
 * </ul>
 * Every dispatcher polls the one outbox, so whichever sends a mail, it lands in the one mailbox.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AccountLifecycleContract {
    static final String PASSWORD = "correct horse battery staple";
    static final String NEW_PASSWORD = "a brand new passphrase, long enough";
    static final Duration LINK_TTL = Duration.ofMinutes(5);
    static final String INVALID_LINK_DETAIL = "The link is invalid, has expired or was used already. Ask for a new one.";
    private static final SecureRandom RANDOM = new SecureRandom();

    final MutableClock clock = MutableClock.atNow();
    final TestMailbox mailbox = new TestMailbox();
    TestServer verifying;
    TestServer open;
    TestServer limited;
    TestServer noMail;
    TestServer accountsNoMail;

    abstract DataSource dataSource();

    abstract void closeDatabase();

    @BeforeAll
    void startServers() throws Exception {
        verifying = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).mail(mailbox)
                .auth(a -> a.requireVerifiedEmail(true).emailVerificationTtl(LINK_TTL).passwordResetTtl(LINK_TTL)).start();
        open = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).mail(mailbox).start();
        limited = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).mail(mailbox)
                .auth(a -> a.requireVerifiedEmail(true).clientAttemptsPerMinute(3)).start();
        noMail = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).start();
        accountsNoMail = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).accountStore().start();
    }

    @AfterAll
    void stopServers() {
        for (TestServer s : new TestServer[] {verifying, open, limited, noMail, accountsNoMail}) {
            if (s != null) {
                s.close();
            }
        }
        closeDatabase();
    }

    // ---- helpers ----

    static String newEmail() {
        return "life-" + UUID.randomUUID() + "@example.org";
    }

    static Reply post(TestServer s, String path, String json, String... headers) {
        return new Client(s.base).postJson(path, json, headers);
    }

    static Reply register(TestServer s, String email, String password) {
        return post(s, "auth/register", Json.credentials(email, password));
    }

    static Reply login(TestServer s, String email, String password) {
        return post(s, "auth/login", Json.credentials(email, password));
    }

    /** A bearer session: the login's (or verification's) access and refresh token. */
    record Session(String access, String refresh) {
        static Session of(Reply r) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            return new Session(r.json().get("access_token").asText(), r.json().get("refresh_token").asText());
        }

        String[] auth() {
            return new String[] {"Authorization", "Bearer " + access};
        }
    }

    static Session loggedIn(TestServer s, String email, String password) {
        return Session.of(login(s, email, password));
    }

    static Reply refresh(TestServer s, Session session) {
        return post(s, "auth/refresh", Json.object("refresh_token", session.refresh()));
    }

    static Reply me(TestServer s, Session session) {
        return new Client(s.base).get("api/me", session.auth());
    }

    static Reply verify(TestServer s, String token, String... headers) {
        return post(s, "auth/verify-email", Json.object("token", token), headers);
    }

    static Reply confirm(TestServer s, String token, String newPassword) {
        return post(s, "auth/password-reset/confirm", Json.object("token", token, "new_password", newPassword));
    }

    static Reply changePassword(TestServer s, Session session, String current, String next) {
        return post(s, "auth/password", Json.object("current_password", current, "new_password", next), session.auth());
    }

    /** The token of the {@code n}-th verification link mailed to {@code email}. */
    String verificationToken(String email, int n) {
        return TestMailbox.token(mailbox.awaitLink(email, "/verify-email", n));
    }

    /** The token of the {@code n}-th reset link mailed to {@code email}. */
    String resetToken(String email, int n) {
        return TestMailbox.token(mailbox.awaitLink(email, "/reset-password", n));
    }

    /** The {@code n}-th mail to {@code email} that carries no link with a token (a notice). */
    MailMessage notice(String email, int n) {
        return mailbox.awaitMatching(email, n, m -> TestMailbox.tokenOf(m).isEmpty(), TestMailbox.DEFAULT_WAIT);
    }

    /** Lets work the service does after answering finish, and the outbox empty, before counting mail. */
    void settle(TestServer s) throws InterruptedException {
        Thread.sleep(300);
        s.service.mail().orElseThrow().drain();
    }

    User user(String email) {
        return verifying.service.findUserByEmail(email).orElseThrow();
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** {@code token} with one character changed. */
    static String tampered(String token) {
        char c = token.charAt(20);
        return token.substring(0, 20) + (c == 'A' ? 'B' : 'A') + token.substring(21);
    }

    /** The {@code 202} of the requests that never tell whether an address has an account. */
    static void assertAccepted(Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("Content-Type")).isEqualToIgnoringCase("application/json;charset=UTF-8");
        assertThat(r.header("Location")).isNull();
        assertThat(r.headers("Set-Cookie")).isEmpty();
        assertThat(r.body()).isEqualTo("{\"status\":\"accepted\"}");
    }

    /** The one answer for a link token that is unknown, spent, expired, tampered with or malformed. */
    static void assertInvalidLink(Reply r) {
        JsonNode body = assertProblem(r, 400, "invalid-token", "Invalid or expired link");
        assertThat(body.get("detail").asText()).isEqualTo(INVALID_LINK_DETAIL);
        assertThat(body.has("errors")).isFalse();
        assertThat(r.header("WWW-Authenticate")).isNull();
        assertThat(r.headers("Set-Cookie")).isEmpty();
    }

    /** Status, headers (but {@code Date}) and body, for comparing two answers. */
    static Map<String, Object> shape(Reply r) {
        Map<String, Object> out = new TreeMap<>();
        out.put(":status", r.status());
        out.put(":body", r.body());
        r.response.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("date")) {
                out.put(name.toLowerCase(Locale.ROOT), values);
            }
        });
        return out;
    }

    /** Registers on {@code verifying} and proves the address; returns the user's first session. */
    Session verifiedUser(String email) {
        assertAccepted(register(verifying, email, PASSWORD));
        return Session.of(verify(verifying, verificationToken(email, 1)));
    }

    // ---- 1. registration with verification ----

    @Test
    void registrationNeedsTheMailedLinkAndTheLinkLogsIn() {
        String email = newEmail();
        Reply registered = register(verifying, email, PASSWORD);
        assertAccepted(registered);

        // before the proof, the right password is answered exactly as a wrong one
        Reply unverified = login(verifying, email, PASSWORD);
        Reply wrong = login(verifying, email, "not the password, but long");
        assertInvalidCredentials(unverified);
        assertThat(shape(unverified)).isEqualTo(shape(wrong));
        assertThat(shape(login(verifying, newEmail(), PASSWORD))).as("an address without an account").isEqualTo(shape(wrong));

        MailMessage mail = mailbox.awaitLink(email, "/verify-email", 1);
        assertThat(mail.text()).contains("http://localhost/verify-email?token=" + TestMailbox.token(mail));
        assertThat(TestMailbox.token(mail)).matches("[A-Za-z0-9_-]{43}");
        Reply verified = verify(verifying, TestMailbox.token(mail));
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        assertThat(verified.header("Cache-Control")).isEqualTo("no-store");
        assertThat(verified.header("Pragma")).isEqualTo("no-cache");
        List<String> names = new ArrayList<>();
        verified.json().fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in");
        Session session = Session.of(verified);

        User user = user(email);
        assertThat(user.emailVerified()).isTrue();
        Reply me = me(verifying, session);
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().get("sub").asText()).isEqualTo(user.id());
        assertThat(refresh(verifying, session).status()).as("the verification's session refreshes").isEqualTo(200);
        assertThat(login(verifying, email, PASSWORD).status()).as("login once verified").isEqualTo(200);
    }

    @Test
    void verificationAnswersInTheTransportAsked() {
        String email = newEmail();
        assertAccepted(register(verifying, email, PASSWORD));
        Client browser = new Client(verifying.base);
        Reply r = browser.postJson("auth/verify-email", Json.object("token", verificationToken(email, 1)), "Auth-Transport", "cookie");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().has("access_token")).isFalse();
        assertThat(r.json().has("refresh_token")).isFalse();
        assertThat(r.setCookie("__Host-access_token")).contains("HttpOnly", "Secure", "SameSite=Strict");
        assertThat(r.setCookie("__Secure-refresh_token")).contains("HttpOnly", "Path=/auth");
        assertThat(r.setCookie("__Host-csrf_token")).doesNotContain("HttpOnly");
        Reply me = browser.get("api/me");
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().get("sub").asText()).isEqualTo(user(email).id());
    }

    @Test
    void mailIsInTheLanguageTheRegistrationAskedFor() {
        String german = newEmail();
        String other = newEmail();
        assertAccepted(post(verifying, "auth/register", Json.credentials(german, PASSWORD), "Accept-Language", "fr-CH, de;q=0.8, en;q=0.5"));
        assertAccepted(post(verifying, "auth/register", Json.credentials(other, PASSWORD), "Accept-Language", "not a ;;; language"));
        assertThat(mailbox.awaitLink(german, "/verify-email", 1).subject()).startsWith("Bestätigen Sie Ihre E-Mail-Adresse");
        assertThat(mailbox.awaitLink(other, "/verify-email", 1).subject()).startsWith("Confirm your email address");
        // later mail goes in the account's language too
        assertAccepted(post(verifying, "auth/password-reset", Json.object("email", german)));
        assertThat(mailbox.awaitLink(german, "/reset-password", 1).subject()).contains("Passwort");
    }

    @Test
    void verificationNeedsAToken() {
        assertValidation(post(verifying, "auth/verify-email", "{}"), "token");
        assertValidation(post(verifying, "auth/verify-email", Json.object("token", "")), "token");
        assertValidation(post(verifying, "auth/verify-email", "{\"token\":42}"), "token");
        assertProblem(post(verifying, "auth/verify-email", Json.object("token", randomToken()), "Auth-Transport", "carrier-pigeon"),
                400, "invalid-request", "Invalid request");
        Reply form = new Client(verifying.base).post("auth/verify-email", "application/x-www-form-urlencoded", "token=" + randomToken());
        assertProblem(form, 415, "unsupported-media-type", "Unsupported media type");
    }

    @Test
    void theNewEndpointsKeepTheBodyRules() {
        String email = newEmail();
        assertThat(register(open, email, PASSWORD).status()).isEqualTo(201);
        Session session = loggedIn(open, email, PASSWORD);
        for (String path : List.of("auth/verify-email", "auth/verify-email/resend", "auth/password-reset",
                "auth/password-reset/confirm", "auth/password")) {
            Client c = new Client(open.base);
            assertProblem(c.post(path, "application/x-www-form-urlencoded", "email=" + email, session.auth()),
                    415, "unsupported-media-type", "Unsupported media type");
            assertProblem(c.post(path, "application/json", "{\"email\":\"" + "a".repeat(20_000) + "\"}", session.auth()),
                    413, "payload-too-large", "Payload too large");
            assertProblem(c.post(path, "application/json", "[]", session.auth()), 400, "invalid-request", "Invalid request");
            Reply get = c.get(path, session.auth());
            assertThat(get.status()).as(path + ": " + get).isEqualTo(405);
            assertThat(get.header("Allow")).contains("POST");
        }
        assertThat(login(open, email, PASSWORD).status()).as("nothing changed").isEqualTo(200);
    }

    // ---- 2. a taken address ----

    @Test
    void registeringATakenAddressAnswersExactlyAsANewOneAndTellsTheOwner() throws Exception {
        String email = newEmail();
        Reply first = register(verifying, email, PASSWORD);
        assertAccepted(first);
        String token = verificationToken(email, 1);

        Reply again = register(verifying, " " + email.toUpperCase(Locale.ROOT) + " ", "another passphrase of the intruder");
        assertAccepted(again);
        assertThat(shape(again)).isEqualTo(shape(first));
        assertThat(again.response.headers().map().keySet()).isEqualTo(first.response.headers().map().keySet());

        MailMessage told = notice(email, 1);
        assertThat(told.text()).doesNotContain("token=");
        assertThat(told.html()).doesNotContain("token=");
        assertThat(told.subject()).containsIgnoringCase("register");
        settle(verifying);
        assertThat(mailbox.to(email)).as("the verification and the notice, nothing else").hasSize(2);
        assertThat(Sql.count(dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email)).isEqualTo(1);

        // the account is the first registration's: its link works, its password logs in, the intruder's does not
        assertThat(verify(verifying, token).status()).isEqualTo(200);
        assertThat(login(verifying, email, PASSWORD).status()).isEqualTo(200);
        assertInvalidCredentials(login(verifying, email, "another passphrase of the intruder"));
    }

    // ---- 3. password reset ----

    @Test
    void aPasswordResetEndsEverySessionAndProvesTheAddress() {
        String email = newEmail();
        Reply created = register(open, email, PASSWORD);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String verification = verificationToken(email, 1);
        Session a = loggedIn(open, email, PASSWORD);
        Session b = loggedIn(open, email, PASSWORD);
        assertThat(open.service.findUserByEmail(email).orElseThrow().emailVerified()).isFalse();

        assertAccepted(post(open, "auth/password-reset", Json.object("email", email)));
        String token = resetToken(email, 1);
        assertValidation(confirm(open, token, "short"), "new_password");
        assertValidation(post(open, "auth/password-reset/confirm", Json.object("new_password", NEW_PASSWORD)), "token");

        Reply done = confirm(open, token, NEW_PASSWORD);
        assertThat(done.status()).as(done.toString()).isEqualTo(204);
        assertThat(done.header("Cache-Control")).isEqualTo("no-store");
        assertThat(done.body()).isEmpty();

        for (Session old : List.of(a, b)) {
            assertInvalidCredentials(refresh(open, old));
            Reply refused = me(open, old);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
            assertThat(refused.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        }
        assertInvalidCredentials(login(open, email, PASSWORD));
        Session fresh = loggedIn(open, email, NEW_PASSWORD);
        assertThat(me(open, fresh).status()).isEqualTo(200);
        assertThat(open.service.findUserByEmail(email).orElseThrow().emailVerified()).as("the link proved the address").isTrue();
        assertThat(notice(email, 1).subject()).containsIgnoringCase("password");
        assertInvalidLink(verify(open, verification));
        assertInvalidLink(confirm(open, token, "yet another passphrase, long enough"));
    }

    @Test
    void aResetClearsTheLoginThrottlingAndTheOwnerIsToldOfThrottlingAndDeletion() {
        String email = newEmail();
        Reply created = register(open, email, PASSWORD);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Reply refused = null;
        for (int i = 0; i < 20 && (refused == null || refused.status() != 429); i++) {
            refused = login(open, email, "a wrong passphrase, long enough " + i);
        }
        assertThrottled(refused);
        assertThrottled(login(open, email, PASSWORD));
        assertThat(notice(email, 1).subject()).as("the throttling notice").containsIgnoringCase("failed login attempts");

        assertAccepted(post(open, "auth/password-reset", Json.object("email", email)));
        Reply done = confirm(open, resetToken(email, 1), NEW_PASSWORD);
        assertThat(done.status()).as(done.toString()).isEqualTo(204);
        Session session = loggedIn(open, email, NEW_PASSWORD);
        assertThat(notice(email, 2).subject()).as("the password notice").containsIgnoringCase("password was changed");

        String id = open.service.findUserByEmail(email).orElseThrow().id();
        Reply deleted = new Client(open.base).send(java.net.http.HttpRequest.newBuilder(open.base.resolve("auth/users/" + id)).DELETE(),
                session.auth());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        MailMessage farewell = notice(email, 3);
        assertThat(farewell.subject()).containsIgnoringCase("account was deleted");
        assertThat(farewell.to()).isEqualTo(email);
    }

    @Test
    void aPasswordResetLetsAnUnverifiedAccountLogIn() {
        String email = newEmail();
        assertAccepted(register(verifying, email, PASSWORD));
        verificationToken(email, 1);
        assertInvalidCredentials(login(verifying, email, PASSWORD));
        assertAccepted(post(verifying, "auth/password-reset", Json.object("email", email)));
        assertThat(confirm(verifying, resetToken(email, 1), NEW_PASSWORD).status()).isEqualTo(204);
        assertThat(login(verifying, email, NEW_PASSWORD).status()).isEqualTo(200);
        assertInvalidCredentials(login(verifying, email, PASSWORD));
    }

    // ---- 4. password change ----

    @Test
    void changingThePasswordEndsEveryOtherSessionAndKeepsThisOne() {
        String email = newEmail();
        assertThat(register(open, email, PASSWORD).status()).isEqualTo(201);
        Session mine = loggedIn(open, email, PASSWORD);
        Session other = loggedIn(open, email, PASSWORD);
        assertAccepted(post(open, "auth/password-reset", Json.object("email", email)));
        String reset = resetToken(email, 1);

        assertValidation(changePassword(open, mine, "not my password at all", NEW_PASSWORD), "current_password");
        assertValidation(changePassword(open, mine, PASSWORD, PASSWORD), "new_password");
        assertValidation(changePassword(open, mine, PASSWORD, "short"), "new_password");
        assertValidation(post(open, "auth/password", "{}", mine.auth()), "current_password", "new_password");
        assertThat(me(open, other).status()).as("failed changes end nothing").isEqualTo(200);

        Reply changed = changePassword(open, mine, PASSWORD, NEW_PASSWORD);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);
        assertThat(changed.header("Cache-Control")).isEqualTo("no-store");
        assertThat(changed.headers("Set-Cookie")).isEmpty();

        Reply refused = me(open, other);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).contains("The token has been revoked");
        assertInvalidCredentials(refresh(open, other));

        assertThat(me(open, mine).status()).as("this session's access token").isEqualTo(200);
        Session next = Session.of(refresh(open, mine));
        assertThat(me(open, next).status()).isEqualTo(200);
        assertInvalidCredentials(login(open, email, PASSWORD));
        assertThat(login(open, email, NEW_PASSWORD).status()).isEqualTo(200);
        assertThat(notice(email, 1).subject()).containsIgnoringCase("password");
        assertInvalidLink(confirm(open, reset, "yet another passphrase, long enough"));
    }

    @Test
    void changingThePasswordNeedsACaller() {
        Reply anonymous = post(open, "auth/password", Json.object("current_password", PASSWORD, "new_password", NEW_PASSWORD));
        assertProblem(anonymous, 401, "unauthenticated", "Authentication required");
        Reply forged = post(open, "auth/password", Json.object("current_password", PASSWORD, "new_password", NEW_PASSWORD),
                "Authorization", "Bearer " + randomToken() + "." + randomToken() + "." + randomToken());
        assertThat(forged.status()).as(forged.toString()).isEqualTo(401);
    }

    @Test
    void changingThePasswordByCookieNeedsTheCsrfHeader() {
        String email = newEmail();
        assertThat(register(open, email, PASSWORD).status()).isEqualTo(201);
        Client browser = new Client(open.base);
        assertThat(browser.postJson("auth/login", Json.credentials(email, PASSWORD), "Auth-Transport", "cookie").status()).isEqualTo(200);
        String body = Json.object("current_password", PASSWORD, "new_password", NEW_PASSWORD);

        assertProblem(browser.postJson("auth/password", body), 403, "forbidden", "Forbidden");
        assertProblem(browser.postJson("auth/password", body, "X-CSRF-Token", "wrong"), 403, "forbidden", "Forbidden");
        String csrf = browser.cookies.get("__Host-csrf_token");
        assertProblem(browser.postJson("auth/password", body, "X-CSRF-Token", csrf, "Sec-Fetch-Site", "cross-site"),
                403, "forbidden", "Forbidden");
        assertThat(login(open, email, PASSWORD).status()).as("the forged requests changed nothing").isEqualTo(200);

        Reply changed = browser.postJson("auth/password", body, "X-CSRF-Token", csrf);
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);
        assertThat(browser.get("api/me").status()).as("the cookie session stays").isEqualTo(200);
        Reply refreshed = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(login(open, email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    // ---- 5. link tokens ----

    @Test
    void aLinkTokenWorksOnceAndEveryBadOneGetsTheSameAnswer() {
        String email = newEmail();
        assertAccepted(register(verifying, email, PASSWORD));
        String token = verificationToken(email, 1);

        List<Reply> refusals = new ArrayList<>();
        refusals.add(verify(verifying, tampered(token)));
        refusals.add(verify(verifying, randomToken()));
        refusals.add(verify(verifying, "not-a-token"));
        refusals.add(verify(verifying, token + "A"));
        refusals.add(verify(verifying, token.substring(1) + "!"));
        assertThat(verify(verifying, token).status()).as("the real one, after all that").isEqualTo(200);
        refusals.add(verify(verifying, token));

        assertAccepted(post(verifying, "auth/password-reset", Json.object("email", email)));
        String reset = resetToken(email, 1);
        refusals.add(confirm(verifying, tampered(reset), NEW_PASSWORD));
        refusals.add(confirm(verifying, randomToken(), NEW_PASSWORD));
        refusals.add(confirm(verifying, "not-a-token", NEW_PASSWORD));
        refusals.add(confirm(verifying, token, NEW_PASSWORD));
        assertThat(confirm(verifying, reset, NEW_PASSWORD).status()).isEqualTo(204);
        refusals.add(confirm(verifying, reset, "yet another passphrase, long enough"));
        refusals.add(verify(verifying, reset));

        for (Reply r : refusals) {
            assertInvalidLink(r);
            assertThat(shape(r)).isEqualTo(shape(refusals.get(0)));
        }
        assertThat(login(verifying, email, NEW_PASSWORD).status()).as("the reset took once").isEqualTo(200);
    }

    @Test
    void aLinkTokenServesItsOwnPurposeOnly() {
        String email = newEmail();
        assertAccepted(register(verifying, email, PASSWORD));
        String verification = verificationToken(email, 1);
        assertAccepted(post(verifying, "auth/password-reset", Json.object("email", email)));
        String reset = resetToken(email, 1);

        assertInvalidLink(confirm(verifying, verification, NEW_PASSWORD));
        assertInvalidLink(verify(verifying, reset));
        assertInvalidCredentials(login(verifying, email, PASSWORD));
        // neither was spent by the wrong use
        assertThat(verify(verifying, verification).status()).isEqualTo(200);
        assertThat(confirm(verifying, reset, NEW_PASSWORD).status()).isEqualTo(204);
        assertThat(login(verifying, email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void linksExpireAfterTheirTtl() throws Exception {
        String unverified = newEmail();
        String early = newEmail();
        String resetting = newEmail();
        assertAccepted(register(verifying, unverified, PASSWORD));
        assertAccepted(register(verifying, early, PASSWORD));
        verifiedUser(resetting);
        assertAccepted(post(verifying, "auth/password-reset", Json.object("email", resetting)));
        String verification = verificationToken(unverified, 1);
        String earlyVerification = verificationToken(early, 1);
        String reset = resetToken(resetting, 1);

        settle(verifying); // nothing in flight when the clock jumps past every claim's lease
        clock.advance(LINK_TTL.minusSeconds(1));
        assertThat(verify(verifying, earlyVerification).status()).as("a second before the end").isEqualTo(200);
        clock.advance(Duration.ofSeconds(2));
        assertInvalidLink(verify(verifying, verification));
        assertInvalidLink(confirm(verifying, reset, NEW_PASSWORD));
        assertThat(login(verifying, resetting, PASSWORD).status()).as("the expired reset changed nothing").isEqualTo(200);

        // a new link works
        assertAccepted(post(verifying, "auth/verify-email/resend", Json.object("email", unverified)));
        assertThat(verify(verifying, verificationToken(unverified, 2)).status()).isEqualTo(200);
    }

    // ---- 6. requests for links ----

    @Test
    void requestsForLinksAnswerTheSameWhateverTheAddress() throws Exception {
        String unknown = newEmail();
        String unverified = newEmail();
        String verified = newEmail();
        assertAccepted(register(verifying, unverified, PASSWORD));
        verifiedUser(verified);
        verificationToken(unverified, 1);

        List<Reply> answers = new ArrayList<>();
        for (String path : List.of("auth/verify-email/resend", "auth/password-reset")) {
            for (String email : List.of(unknown, unverified, verified)) {
                answers.add(post(verifying, path, Json.object("email", email)));
            }
        }
        for (Reply r : answers) {
            assertAccepted(r);
            assertThat(shape(r)).isEqualTo(shape(answers.get(0)));
        }

        verificationToken(unverified, 2);
        resetToken(unverified, 1);
        resetToken(verified, 1);
        settle(verifying);
        assertThat(mailbox.to(unknown)).isEmpty();
        assertThat(mailbox.to(verified)).as("its first verification and the reset; no verification once verified").hasSize(2);
        assertThat(mailbox.to(unverified)).as("two verifications and the reset").hasSize(3);
    }

    @Test
    void requestsForLinksCheckTheAddress() {
        for (String path : List.of("auth/verify-email/resend", "auth/password-reset")) {
            assertValidation(post(verifying, path, "{}"), "email");
            assertValidation(post(verifying, path, Json.object("email", "not an address")), "email");
            assertValidation(post(verifying, path, Json.object("email", "x".repeat(250) + "@example.org")), "email");
            assertValidation(post(verifying, path, "{\"email\":[\"a@example.org\"]}"), "email");
        }
    }

    @Test
    void oneAccountGetsAtMostTheBurstOfRequestedMails() throws Exception {
        String email = newEmail();
        assertAccepted(register(verifying, email, PASSWORD));
        String id = user(email).id();
        verificationToken(email, 1);
        for (int i = 0; i < 4; i++) {
            assertAccepted(post(verifying, "auth/verify-email/resend", Json.object("email", email)));
        }
        verifying.events.await(SecurityEvent.Type.MAIL_THROTTLED, e -> id.equals(e.userId()));
        verificationToken(email, 4);
        settle(verifying);
        List<MailMessage> mails = mailbox.to(email);
        assertThat(mails).as("the registration's and three requested (mailAccountBurst 3)").hasSize(4);

        // each new link replaced the one before: exactly one of them is live
        int live = 0;
        for (MailMessage m : mails) {
            Reply r = verify(verifying, TestMailbox.token(m));
            if (r.status() == 200) {
                live++;
            } else {
                assertInvalidLink(r);
            }
        }
        assertThat(live).isEqualTo(1);
    }

    @Test
    void oneClientIsLimitedAsForLogin() {
        // limited allows 3 attempts a minute per client, and this clock stands still
        String email = newEmail();
        List<Integer> statuses = new ArrayList<>();
        Reply throttled = null;
        for (int i = 0; i < 4 && throttled == null; i++) {
            Reply r = post(limited, i % 2 == 0 ? "auth/verify-email/resend" : "auth/password-reset", Json.object("email", email));
            statuses.add(r.status());
            if (r.status() == 429) {
                throttled = r;
            }
        }
        assertThat(statuses).containsExactly(202, 202, 202, 429);
        assertThat(assertThrottled(throttled)).isGreaterThanOrEqualTo(1);
        assertThrottled(post(limited, "auth/password-reset", Json.object("email", email)));
        assertThrottled(verify(limited, randomToken()));
        assertThrottled(confirm(limited, randomToken(), NEW_PASSWORD));
        assertThrottled(login(limited, email, PASSWORD));
        assertThrottled(register(limited, newEmail(), PASSWORD));
        // the field checks come first, and refused requests do not count
        assertValidation(post(limited, "auth/password-reset", Json.object("email", "nope")), "email");
    }

    // ---- 7. without required verification ----

    @Test
    void withoutRequiredVerificationRegistrationIsCreatedOrConflict() {
        for (TestServer s : List.of(open, noMail)) {
            String email = newEmail();
            Reply created = register(s, email, PASSWORD);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String id = created.json().get("id").asText();
            assertThat(created.header("Location")).endsWith("/auth/users/" + id);
            assertThat(created.json().get("email").asText()).isEqualTo(email);
            assertThat(created.header("Cache-Control")).isEqualTo("no-store");
            assertProblem(register(s, email.toUpperCase(Locale.ROOT), PASSWORD), 409, "email-taken", "Email already registered");
            assertThat(login(s, email, PASSWORD).status()).as("no proof needed to log in").isEqualTo(200);
        }
    }

    // ---- 8. without mail ----

    @Test
    void withoutMailTheMailEndpointsDoNotExist() {
        for (TestServer s : List.of(noMail, accountsNoMail)) {
            assertNotFound(post(s, "auth/verify-email", Json.object("token", randomToken())));
            assertNotFound(post(s, "auth/verify-email/resend", Json.object("email", newEmail())));
            assertNotFound(post(s, "auth/password-reset", Json.object("email", newEmail())));
            assertNotFound(post(s, "auth/password-reset/confirm", Json.object("token", randomToken(), "new_password", NEW_PASSWORD)));
            // before the body is looked at, as for a path that does not exist
            assertNotFound(post(s, "auth/verify-email", "{"));
        }
    }

    @Test
    void passwordChangeNeedsTheAccountStoreOnly() {
        String email = newEmail();
        assertThat(register(noMail, email, PASSWORD).status()).isEqualTo(201);
        Session session = loggedIn(noMail, email, PASSWORD);
        assertNotFound(changePassword(noMail, session, PASSWORD, NEW_PASSWORD));
        assertThat(login(noMail, email, PASSWORD).status()).isEqualTo(200);

        Session other = loggedIn(accountsNoMail, email, PASSWORD);
        Session mine = loggedIn(accountsNoMail, email, PASSWORD);
        assertThat(changePassword(accountsNoMail, mine, PASSWORD, NEW_PASSWORD).status()).isEqualTo(204);
        assertThat(me(accountsNoMail, mine).status()).isEqualTo(200);
        assertThat(me(accountsNoMail, other).status()).isEqualTo(401);
        assertThat(login(accountsNoMail, email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    static void assertNotFound(Reply r) {
        assertProblem(r, 404, "not-found", "Not found");
    }

    // ---- transport security ----

    @Test
    void plainHttpFromElsewhereIsRefusedBeforeAnythingElse() {
        // a loopback peer naming another client without being a trusted proxy: not loopback any more
        String[] elsewhere = {"X-Forwarded-For", "203.0.113.7"};
        String email = newEmail();
        for (TestServer s : List.of(verifying, noMail)) {
            assertHttpsRequired(post(s, "auth/register", Json.credentials(email, PASSWORD), elsewhere));
            assertHttpsRequired(post(s, "auth/verify-email", Json.object("token", randomToken()), elsewhere));
            assertHttpsRequired(post(s, "auth/verify-email", "{", elsewhere));
            assertHttpsRequired(post(s, "auth/verify-email/resend", Json.object("email", email), elsewhere));
            assertHttpsRequired(post(s, "auth/password-reset", Json.object("email", email), elsewhere));
            assertHttpsRequired(post(s, "auth/password-reset/confirm", Json.object("token", randomToken(), "new_password", NEW_PASSWORD),
                    elsewhere));
        }
        assertThat(Sql.count(dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email)).isZero();
        assertThat(mailbox.to(email)).isEmpty();
    }

    static void assertHttpsRequired(Reply r) {
        assertProblem(r, 403, "https-required", "HTTPS required");
    }
}
