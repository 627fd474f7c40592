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

package dev.gatehouse.demo.attack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.demo.support.LoopbackAddresses;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outside-in attacks on the account lifecycle by email of a running demo with its defaults
 * ({@code GATEHOUSE_REQUIRE_VERIFIED_EMAIL=true}, no SMTP server: mail goes to the demo's local
 * mailbox, read at {@code GET /demo/mailbox}), over real HTTP (docs/http-api.md, from
 * {@code POST /auth/register} to "The mails"; docs/account-lifecycle.md). After each test the
 * server must still be healthy ({@link #serverStaysHealthy()}): ping, register, verify by the
 * mailed link, see {@code /api/me}, log in.
 *
 * <p>What it covers: the three flows end to end (register, verify, log in; forgot, reset, every
 * old session dead; change, every other session dead and this one alive); link tokens used twice,
 * tampered with one character at a time, of another user, of the other purpose, or sent in the
 * query string; enumeration by answer and by time on register, resend and reset; the per-account
 * mail burst and the per-client limit on the four mail endpoints, also against forged forwarding
 * headers; and the mailbox's refusal of clients on other machines.
 *
 * <p><b>Expiry is not tested here.</b> The demo has no setting for the link lifetimes (24 hours
 * for verification, 30 minutes for reset), and waiting them out is not a test. Expiry is covered
 * by the jaxrs module's {@code AccountLifecycleContract} ({@code linksExpireAfterTheirTtl}), which
 * runs the same endpoints over HTTP against a clock it moves past each lifetime.
 *
 * <p>The timing tests use {@link WebAttackContract#assertSameTime}, the login timing method:
 * 12 interleaved pairs a round, the median of the paired differences under half a bcrypt check
 * (measured now, at the demo's cost) in one of three rounds, aborted rather than failed when the
 * machine is too busy to resolve half a check. They show that no kind of address costs a bcrypt
 * check, or work of that size, that another skips. They cannot show differences of a few
 * milliseconds (a database lookup, writing a link and its mail). For resend and reset the answer
 * is sent before any lookup, so their timing is flat by construction, and these tests would see
 * that work move onto the request path only if it cost half a check or more; for register, both
 * paths hash the password.
 *
 * <p>As in {@link WebAttackContract}, every {@link #client()} connects from a loopback address of
 * its own, so each gets its own 30 attempts a minute, and the demo trusts
 * {@value WebAttackContract#TRUSTED_PROXY} as a reverse proxy, through which {@link #viaProxy()}
 * names any client. A subclass starts the demo with bcrypt cost
 * {@value WebAttackContract#BCRYPT_COST} ({@code GATEHOUSE_TEST_MODE}) on a fresh database, with
 * nothing else changed from the defaults.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AccountLifecycleAttackContract {
    static final String PASSWORD = "plum-Kettle-4-orbit";
    static final String NEW_PASSWORD = "quartz-Lantern-7-meadow";
    static final String INVALID_TOKEN = "urn:gatehouse:problem:invalid-token";
    static final String ACCESS = WebAttackContract.ACCESS;
    static final String REFRESH = WebAttackContract.REFRESH;
    static final String CSRF = WebAttackContract.CSRF;
    /** The per-client limit (the library default): attempts a minute over all credential and mail endpoints. */
    static final int CLIENT_ATTEMPTS_PER_MINUTE = WebAttackContract.CLIENT_ATTEMPTS_PER_MINUTE;
    /** Link mails one account gets at once, per kind (the library default {@code mailAccountBurst}). */
    static final int MAIL_ACCOUNT_BURST = 3;
    private static final Pattern LINK_TOKEN = Pattern.compile("(verify-email|reset-password)\\?token=([A-Za-z0-9_-]+)");
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final Duration MAIL_WAIT = Duration.ofSeconds(20);
    /** How long a mail that was not going to be sent is waited for, once the expected ones are in. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The running demo's base URI, ending with {@code /}. */
    protected abstract URI base();

    @BeforeAll
    void recordSecrets() {
        SecretLedger.record(PASSWORD);
        SecretLedger.record(NEW_PASSWORD);
    }

    // ---- 1. the flows ----

    @Test
    void registerThenTheMailedLinkVerifiesAndLogsInThenTheLoginWorks() {
        String email = WebAttackContract.uniqueEmail("flow");
        Reply registered = client().postJson("auth/register", credentials(email, PASSWORD));
        assertAccepted(registered);
        assertThat(login(email, PASSWORD).status()).as("no login before the address is verified").isEqualTo(401);

        String token = token(awaitLink(email, "verify-email", 0));
        Reply verified = client().postJson("auth/verify-email", tokenBody(token));
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        assertThat(verified.header("Cache-Control")).isEqualTo("no-store");
        Reply me = client().get("api/me", bearer(verified.json()));
        assertThat(me.status()).as("logged in by the link: %s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).isEqualTo(email);

        Reply login = login(email, PASSWORD);
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        assertThat(client().get("api/me", bearer(login.json())).json().path("email").asText()).isEqualTo(email);
    }

    @Test
    void aResetEndsEverySessionAndOnlyTheNewPasswordLogsIn() {
        String email = WebAttackContract.uniqueEmail("reset-flow");
        JsonNode byLink = verifiedAccount(email);
        JsonNode bearerSession = login(email, PASSWORD).json();
        // a session that has refreshed once: its first refresh token is spent, its second live
        JsonNode refreshed = refresh(login(email, PASSWORD).json());
        WebClient browser = loginCookie(email, PASSWORD);

        assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        String token = token(awaitLink(email, "reset-password", 0));
        Reply reset = client().postJson("auth/password-reset/confirm", resetBody(token, NEW_PASSWORD));
        assertThat(reset.status()).as("%s", reset).isEqualTo(204);
        assertThat(reset.body()).isEmpty();
        assertThat(reset.setCookies()).isEmpty();

        // a single node refuses them at once (other nodes within the revocation staleness)
        for (JsonNode session : List.of(byLink, bearerSession, refreshed)) {
            assertThat(client().get("api/me", bearer(session)).status()).as("an access token of before the reset").isEqualTo(401);
            assertThat(client().postJson("auth/refresh", refreshBody(session)).status()).as("a refresh token of before the reset")
                    .isEqualTo(401);
        }
        assertThat(browser.get("api/me").status()).as("the access cookie of before the reset").isEqualTo(401);
        Reply cookieRefresh = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", browser.cookie(CSRF));
        assertThat(cookieRefresh.status()).as("the refresh cookie of before the reset: %s", cookieRefresh).isEqualTo(401);

        assertThat(login(email, PASSWORD).status()).as("the old password").isEqualTo(401);
        Reply fresh = login(email, NEW_PASSWORD);
        assertThat(fresh.status()).as("the new password: %s", fresh).isEqualTo(200);
        assertThat(client().get("api/me", bearer(fresh.json())).status()).isEqualTo(200);
    }

    @Test
    void aChangeEndsTheOtherSessionsAndKeepsThisOne() {
        String email = WebAttackContract.uniqueEmail("change-flow");
        verifiedAccount(email);
        JsonNode here = login(email, PASSWORD).json();
        JsonNode elsewhere = login(email, PASSWORD).json();
        WebClient browser = loginCookie(email, PASSWORD);

        Reply changed = client().postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD), bearer(here));
        assertThat(changed.status()).as("%s", changed).isEqualTo(204);

        assertThat(client().get("api/me", bearer(elsewhere)).status()).as("the other session's access token").isEqualTo(401);
        assertThat(client().postJson("auth/refresh", refreshBody(elsewhere)).status()).as("the other session's refresh token").isEqualTo(401);
        assertThat(browser.get("api/me").status()).as("the cookie session's access token").isEqualTo(401);
        assertThat(browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", browser.cookie(CSRF)).status())
                .as("the cookie session's refresh token").isEqualTo(401);

        assertThat(client().get("api/me", bearer(here)).status()).as("this session's access token").isEqualTo(200);
        JsonNode renewed = refresh(here);
        assertThat(client().get("api/me", bearer(renewed)).status()).as("this session, refreshed").isEqualTo(200);
        assertThat(login(email, PASSWORD).status()).isEqualTo(401);
        assertThat(login(email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    // ---- 2. link tokens ----

    @Test
    void eachLinkWorksOnce() {
        String email = WebAttackContract.uniqueEmail("once");
        register(email);
        String verification = token(awaitLink(email, "verify-email", 0));
        assertThat(client().postJson("auth/verify-email", tokenBody(verification)).status()).isEqualTo(200);
        assertInvalidToken(client().postJson("auth/verify-email", tokenBody(verification)));
        assertInvalidToken(client().postJson("auth/verify-email", tokenBody(verification), "Auth-Transport", "cookie"));

        assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        String reset = token(awaitLink(email, "reset-password", 0));
        assertThat(client().postJson("auth/password-reset/confirm", resetBody(reset, NEW_PASSWORD)).status()).isEqualTo(204);
        assertInvalidToken(client().postJson("auth/password-reset/confirm", resetBody(reset, PASSWORD + "-again")));
        assertThat(login(email, PASSWORD + "-again").status()).as("the second use set nothing").isEqualTo(401);
        assertThat(login(email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void everySingleCharacterChangeOfALinkTokenIsRefusedAndTheTokenStillWorks() {
        String email = WebAttackContract.uniqueEmail("tamper");
        register(email);
        String verification = token(awaitLink(email, "verify-email", 0));
        List<String> variants = tampered(verification);
        for (String variant : variants) {
            assertInvalidToken(client().postJson("auth/verify-email", tokenBody(variant)), "verify-email with " + variant);
        }
        assertThat(client().postJson("auth/verify-email", tokenBody(verification)).status()).as("the genuine token, after %d forgeries",
                variants.size()).isEqualTo(200);
        assertInvalidToken(client().postJson("auth/verify-email", tokenBody(verification)));

        assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        String reset = token(awaitLink(email, "reset-password", 0));
        for (String variant : tampered(reset)) {
            assertInvalidToken(client().postJson("auth/password-reset/confirm", resetBody(variant, PASSWORD + "-forged")),
                    "confirm with " + variant);
        }
        assertThat(login(email, PASSWORD).status()).as("no forgery set a password").isEqualTo(200);
        assertThat(client().postJson("auth/password-reset/confirm", resetBody(reset, NEW_PASSWORD)).status())
                .as("the genuine reset token, after the forgeries").isEqualTo(204);
        assertInvalidToken(client().postJson("auth/password-reset/confirm", resetBody(reset, NEW_PASSWORD + "-2")));
        assertThat(login(email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void aLinkTokenActsOnItsOwnAccountOnly() {
        String a = WebAttackContract.uniqueEmail("owner-a");
        String b = WebAttackContract.uniqueEmail("owner-b");
        register(a);
        register(b);
        String verifyA = token(awaitLink(a, "verify-email", 0));
        String verifyB = token(awaitLink(b, "verify-email", 0));

        Reply verified = client().postJson("auth/verify-email", tokenBody(verifyA));
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        assertThat(client().get("api/me", bearer(verified.json())).json().path("email").asText()).as("A's token logs in A").isEqualTo(a);
        assertThat(login(b, PASSWORD).status()).as("B is still unverified").isEqualTo(401);
        assertThat(login(a, PASSWORD).status()).isEqualTo(200);

        Reply verifiedB = client().postJson("auth/verify-email", tokenBody(verifyB));
        assertThat(client().get("api/me", bearer(verifiedB.json())).json().path("email").asText()).isEqualTo(b);

        assertAccepted(client().postJson("auth/password-reset", emailBody(a)));
        String resetA = token(awaitLink(a, "reset-password", 0));
        assertThat(client().postJson("auth/password-reset/confirm", resetBody(resetA, NEW_PASSWORD)).status()).isEqualTo(204);
        assertThat(login(a, NEW_PASSWORD).status()).as("A's password is the new one").isEqualTo(200);
        assertThat(login(b, NEW_PASSWORD).status()).as("B's password is not").isEqualTo(401);
        Reply stillB = login(b, PASSWORD);
        assertThat(stillB.status()).as("B keeps its password: %s", stillB).isEqualTo(200);
        assertThat(client().get("api/me", bearer(verifiedB.json())).status()).as("B's session survives A's reset").isEqualTo(200);
    }

    @Test
    void aTokenOfOnePurposeIsRefusedForTheOther() {
        String email = WebAttackContract.uniqueEmail("purpose");
        register(email);
        String verification = token(awaitLink(email, "verify-email", 0));
        assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        String reset = token(awaitLink(email, "reset-password", 0));

        assertInvalidToken(client().postJson("auth/password-reset/confirm", resetBody(verification, NEW_PASSWORD)));
        assertInvalidToken(client().postJson("auth/verify-email", tokenBody(reset)));
        assertThat(login(email, NEW_PASSWORD).status()).as("the verification token set no password").isEqualTo(401);
        assertThat(login(email, PASSWORD).status()).as("the reset token verified nothing").isEqualTo(401);

        // neither refusal spent the token it misused
        Reply verified = client().postJson("auth/verify-email", tokenBody(verification));
        assertThat(verified.status()).as("the verification token, still good: %s", verified).isEqualTo(200);
        Reply confirmed = client().postJson("auth/password-reset/confirm", resetBody(reset, NEW_PASSWORD));
        assertThat(confirmed.status()).as("the reset token, still good: %s", confirmed).isEqualTo(204);
        assertThat(login(email, NEW_PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void theApiNeverReadsATokenFromTheQueryString() {
        String email = WebAttackContract.uniqueEmail("query");
        register(email);
        String verification = token(awaitLink(email, "verify-email", 0));
        Reply inQuery = client().postJson("auth/verify-email?token=" + verification, "{}");
        WebAttackContract.assertFieldErrors(inQuery, "token");
        Reply noBody = client().post("auth/verify-email?token=" + verification, "application/json", "");
        WebAttackContract.assertProblem(noBody, 400);
        assertThat(noBody.setCookies()).isEmpty();
        assertThat(noBody.body()).doesNotContain("access_token");
        assertThat(login(email, PASSWORD).status()).as("still unverified").isEqualTo(401);

        assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        String reset = token(awaitLink(email, "reset-password", 0));
        WebAttackContract.assertFieldErrors(client().postJson("auth/password-reset/confirm?token=" + reset,
                "{\"new_password\":\"" + NEW_PASSWORD + "\"}"), "token");
        WebAttackContract.assertFieldErrors(client().postJson("auth/password-reset/confirm?token=" + reset + "&new_password=" + NEW_PASSWORD,
                "{}"), "token");
        assertThat(login(email, NEW_PASSWORD).status()).as("no password was set from the query").isEqualTo(401);

        // both tokens were left unspent, and work from the body
        assertThat(client().postJson("auth/verify-email", tokenBody(verification)).status()).isEqualTo(200);
        assertThat(client().postJson("auth/password-reset/confirm", resetBody(reset, NEW_PASSWORD)).status()).isEqualTo(204);
    }

    // ---- 3. enumeration ----

    @Test
    void registerResendAndResetAnswerEveryAddressIdentically() {
        String verified = WebAttackContract.uniqueEmail("enum-verified");
        verifiedAccount(verified);
        String unverified = WebAttackContract.uniqueEmail("enum-unverified");
        register(unverified);
        awaitLink(unverified, "verify-email", 0);

        Map<String, Reply> registrations = new LinkedHashMap<>();
        registrations.put("a new address", client().postJson("auth/register", credentials(WebAttackContract.uniqueEmail("enum-new"),
                PASSWORD)));
        registrations.put("a verified account's address", client().postJson("auth/register", credentials(verified, NEW_PASSWORD)));
        registrations.put("an unverified account's address", client().postJson("auth/register", credentials(unverified, NEW_PASSWORD)));
        assertIdentical("register", registrations);

        for (String path : List.of("auth/verify-email/resend", "auth/password-reset")) {
            Map<String, Reply> answers = new LinkedHashMap<>();
            answers.put("an unknown address", client().postJson(path, emailBody(WebAttackContract.uniqueEmail("enum-unknown"))));
            answers.put("a verified account", client().postJson(path, emailBody(verified)));
            answers.put("an unverified account", client().postJson(path, emailBody(unverified)));
            answers.put("a verified account, in capitals", client().postJson(path, emailBody(verified.toUpperCase(java.util.Locale.ROOT))));
            assertIdentical(path, answers);
            assertThat(answers.values().iterator().next().header("Cache-Control")).as(path).isEqualTo("no-store");
        }
        assertThat(login(verified, NEW_PASSWORD).status()).as("registering a taken address changes nothing").isEqualTo(401);
        assertThat(login(verified, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void registrationTakesTheSameTimeForANewAndATakenAddress() {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String email = WebAttackContract.uniqueEmail("timing-taken");
            register(email);
            taken.add(email);
        }
        AtomicInteger n = new AtomicInteger();
        WebAttackContract.assertSameTime("register: taken vs new address (both 202)", 12,
                () -> assertAccepted(client().postJson("auth/register", credentials(taken.get(n.getAndIncrement() % taken.size()), NEW_PASSWORD))),
                () -> assertAccepted(client().postJson("auth/register", credentials(WebAttackContract.uniqueEmail("timing-new"), PASSWORD))));
    }

    @Test
    void resendAndResetTakeTheSameTimeForEveryAddress() {
        List<String> verified = new ArrayList<>();
        List<String> unverified = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String v = WebAttackContract.uniqueEmail("timing-verified");
            verifiedAccount(v);
            verified.add(v);
            String u = WebAttackContract.uniqueEmail("timing-unverified");
            register(u);
            unverified.add(u);
        }
        AtomicInteger n = new AtomicInteger();
        for (String path : List.of("auth/password-reset", "auth/verify-email/resend")) {
            Map<String, List<String>> kinds = Map.of("a verified account", verified, "an unverified account", unverified);
            for (Map.Entry<String, List<String>> kind : kinds.entrySet()) {
                WebAttackContract.assertSameTime(path + ": " + kind.getKey() + " vs an unknown address", 12,
                        () -> assertAccepted(client().postJson(path, emailBody(kind.getValue().get(n.getAndIncrement() % kind.getValue().size())))),
                        () -> assertAccepted(client().postJson(path, emailBody(WebAttackContract.uniqueEmail("timing-unknown")))));
            }
        }
    }

    // ---- 4. throttling ----

    @Test
    void beyondTheMailBurstResendAndResetStillAnswer202AndSendNothing() {
        String email = WebAttackContract.uniqueEmail("burst");
        register(email);
        awaitLink(email, "verify-email", 0);
        int requests = MAIL_ACCOUNT_BURST + 4;
        for (int i = 0; i < requests; i++) {
            assertAccepted(client().postJson("auth/verify-email/resend", emailBody(email)));
            assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        }
        // the registration's link, then one per resend up to the burst
        assertThat(settledLinks(email, "verify-email", 1 + MAIL_ACCOUNT_BURST)).as("verification mails after %d resends", requests)
                .hasSize(1 + MAIL_ACCOUNT_BURST);
        List<String> resets = settledLinks(email, "reset-password", MAIL_ACCOUNT_BURST);
        assertThat(resets).as("reset mails after %d requests", requests).hasSize(MAIL_ACCOUNT_BURST);
        // the latest of each works; the one before it was replaced
        String latestReset = token(resets.get(resets.size() - 1));
        assertInvalidToken(client().postJson("auth/password-reset/confirm", resetBody(token(resets.get(0)), NEW_PASSWORD)));
        assertThat(client().postJson("auth/password-reset/confirm", resetBody(latestReset, NEW_PASSWORD)).status()).isEqualTo(204);
    }

    @Test
    void thePerClientLimitCoversTheFourMailEndpointsWhateverTheForwardedFor() {
        Map<String, Function<Integer, String>> endpoints = new LinkedHashMap<>();
        endpoints.put("auth/verify-email/resend", i -> emailBody(WebAttackContract.uniqueEmail("limit")));
        endpoints.put("auth/password-reset", i -> emailBody(WebAttackContract.uniqueEmail("limit")));
        endpoints.put("auth/verify-email", i -> tokenBody(randomToken()));
        endpoints.put("auth/password-reset/confirm", i -> resetBody(randomToken(), NEW_PASSWORD));
        // genuine links, sent by a throttled client and then by another
        String email = WebAttackContract.uniqueEmail("limit-genuine");
        register(email);
        String verification = token(awaitLink(email, "verify-email", 0));
        assertAccepted(client().postJson("auth/password-reset", emailBody(email)));
        String reset = token(awaitLink(email, "reset-password", 0));
        Map<String, String> genuine = Map.of("auth/verify-email", tokenBody(verification),
                "auth/password-reset/confirm", resetBody(reset, NEW_PASSWORD));
        for (Map.Entry<String, Function<Integer, String>> endpoint : endpoints.entrySet()) {
            String path = endpoint.getKey();
            // one client behind the trusted proxy, a new forged hop left of it in every request
            String realClient = WebAttackContract.newIpv4Client();
            WebClient attacker = viaProxy();
            List<Integer> statuses = new ArrayList<>();
            Reply throttled = null;
            long start = System.nanoTime();
            for (int i = 0; i < CLIENT_ATTEMPTS_PER_MINUTE + 6; i++) {
                String forged = "203.0.113." + (i % 250 + 1);
                Reply r = attacker.postJson(path, endpoint.getValue().apply(i), "X-Forwarded-For", forged + ", " + realClient,
                        "X-Forwarded-Proto", "https", "X-Real-IP", forged, "Forwarded", "for=" + forged);
                statuses.add(r.status());
                if (r.status() == 429 && throttled == null) {
                    throttled = r;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long through = statuses.stream().filter(s -> s != 429).count();
            assertThat(through).as("%s: let through in %.1f s: %s", path, seconds, statuses)
                    .isBetween((long) CLIENT_ATTEMPTS_PER_MINUTE, CLIENT_ATTEMPTS_PER_MINUTE + (long) (seconds / 2) + 1);
            int expected = path.endsWith("resend") || path.endsWith("password-reset") ? 202 : 400;
            assertThat(statuses.subList(0, CLIENT_ATTEMPTS_PER_MINUTE)).as("%s: %s", path, statuses).containsOnly(expected);
            assertThat(statuses.get(statuses.size() - 1)).as("%s: %s", path, statuses).isEqualTo(429);
            WebAttackContract.assertProblem(throttled, 429);
            assertThat(Integer.parseInt(throttled.header("Retry-After"))).as(path).isBetween(1, 60);
            if (genuine.containsKey(path)) {
                // right after a made-up token's 429, so that the bucket is surely empty
                WebAttackContract.assertProblem(attacker.postJson(path, endpoint.getValue().apply(0),
                        WebAttackContract.forwardedFor("203.0.113.252, " + realClient)), 429);
                Reply refused = attacker.postJson(path, genuine.get(path), WebAttackContract.forwardedFor("203.0.113.251, " + realClient));
                WebAttackContract.assertProblem(refused, 429);
                Reply answered = viaProxy().postJson(path, genuine.get(path), WebAttackContract.forwardedFor(WebAttackContract.newIpv4Client()));
                assertThat(answered.status()).as("%s: the genuine token was not spent by the 429: %s", path, answered)
                        .isEqualTo(path.endsWith("confirm") ? 204 : 200);
            }
            // another client behind the same proxy is not affected
            Reply other = viaProxy().postJson(path, endpoint.getValue().apply(0),
                    WebAttackContract.forwardedFor(WebAttackContract.newIpv4Client()));
            assertThat(other.status()).as("%s from another client: %s", path, other).isEqualTo(expected);
        }

        // a direct client out of attempts cannot get more by claiming to forward for someone else
        WebClient direct = client();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < CLIENT_ATTEMPTS_PER_MINUTE + 3; i++) {
            statuses.add(direct.postJson("auth/password-reset", emailBody(WebAttackContract.uniqueEmail("direct"))).status());
        }
        assertThat(statuses.get(statuses.size() - 1)).as("%s", statuses).isEqualTo(429);
        assertThat(login(email, NEW_PASSWORD).status()).as("the genuine reset went through once unthrottled").isEqualTo(200);
        for (String[] header : new String[][] {{"X-Forwarded-For", WebAttackContract.newIpv4Client()}, {"X-Real-IP", "198.51.100.9"},
                {"Forwarded", "for=198.51.100.10"}, {"X-Forwarded-For", "127.0.0.1"}}) {
            Reply escaped = direct.postJson("auth/password-reset", emailBody(WebAttackContract.uniqueEmail("direct")), header);
            assertThat(escaped.status()).as("with %s: %s", String.join(": ", header), escaped).isIn(403, 429);
        }
    }

    // ---- 5. the mailbox ----

    @Test
    void theMailboxIsNotFoundForClientsOnOtherMachines() {
        String email = WebAttackContract.uniqueEmail("mailbox");
        register(email);
        awaitLink(email, "verify-email", 0);
        // a path nothing serves, public in the WAR's filter too (there demo/no-such-thing is a 401 of the filter)
        Reply unknownPath = client().get("auth/no-such-thing");
        assertThat(unknownPath.status()).as("%s", unknownPath).isEqualTo(404);
        List<String[]> remote = List.of(WebAttackContract.forwardedFor(WebAttackContract.newIpv4Client()),
                WebAttackContract.forwardedFor(WebAttackContract.newIpv6Slash56() + "1::7"),
                WebAttackContract.forwardedFor(WebAttackContract.newIpv4Client() + ", 127.0.0.1"),
                new String[] {"Forwarded", "for=198.51.100.20;proto=https"});
        for (String[] headers : remote) {
            Reply proxied = viaProxy().get("demo/mailbox", headers);
            assertThat(proxied.status()).as("through the trusted proxy, %s: %s", String.join(" ", headers), proxied).isEqualTo(404);
            assertThat(proxied.body()).as("the answer of a path that does not exist").isEqualTo(unknownPath.body())
                    .doesNotContain(email, "token=");
        }
        for (String[] header : new String[][] {{"X-Forwarded-For", "127.0.0.1"}, {"Forwarded", "for=127.0.0.1"}, {"X-Real-IP", "127.0.0.1"}}) {
            Reply forwarding = client().get("demo/mailbox", header);
            assertThat(forwarding.status()).as("a loopback peer that forwards, %s: %s", String.join(": ", header), forwarding).isEqualTo(404);
            assertThat(forwarding.body()).doesNotContain(email);
        }
        Reply local = client().get("demo/mailbox");
        assertThat(local.status()).as("a browser on this machine: %s", local).isEqualTo(200);
        assertThat(local.body()).contains(email);
    }

    // ---- 6. after each test ----

    /** Ping answers, and a fresh account can register, verify by the mailed link, see itself and log in. */
    @AfterEach
    void serverStaysHealthy() {
        Reply ping = client().get("api/ping");
        assertThat(ping.status()).as("ping after the attack: %s", ping).isEqualTo(200);
        String email = WebAttackContract.uniqueEmail("healthy");
        JsonNode tokens = verifiedAccount(email);
        Reply me = client().get("api/me", bearer(tokens));
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).isEqualTo(email);
        assertThat(login(email, PASSWORD).status()).isEqualTo(200);
    }

    // ---- helpers ----

    /** A client of its own: a fresh loopback address, an empty cookie jar. */
    protected WebClient client() {
        return new WebClient(base()).from(LoopbackAddresses.next());
    }

    /** The trusted reverse proxy: its forwarding headers name the client. */
    protected WebClient viaProxy() {
        try {
            return new WebClient(base()).from(InetAddress.getByName(WebAttackContract.TRUSTED_PROXY));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private void register(String email) {
        assertAccepted(client().postJson("auth/register", credentials(email, PASSWORD)));
    }

    /** Registers {@code email}, verifies it by the mailed link and returns that login's tokens (bearer). */
    private JsonNode verifiedAccount(String email) {
        register(email);
        Reply verified = client().postJson("auth/verify-email", tokenBody(token(awaitLink(email, "verify-email", 0))));
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        return verified.json();
    }

    private Reply login(String email, String password) {
        return client().postJson("auth/login", credentials(email, password));
    }

    private WebClient loginCookie(String email, String password) {
        WebClient browser = client();
        Reply login = browser.postJson("auth/login", credentials(email, password), "Auth-Transport", "cookie");
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        assertThat(browser.cookieNames()).contains(ACCESS, REFRESH, CSRF);
        return browser;
    }

    private JsonNode refresh(JsonNode tokens) {
        Reply refreshed = client().postJson("auth/refresh", refreshBody(tokens));
        assertThat(refreshed.status()).as("%s", refreshed).isEqualTo(200);
        return refreshed.json();
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
        Pattern link = Pattern.compile("\\S*" + page + "\\?token=[A-Za-z0-9_-]+");
        for (JsonNode mail : mailsTo(email)) {
            Matcher m = link.matcher(mail.path("text").asText());
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

    /** Waits for {@code expected} links to {@code page}, then {@link #SETTLE} longer for any that should not come. */
    private List<String> settledLinks(String email, String page, int expected) {
        Poll.until(MAIL_WAIT, Duration.ofMillis(100), () -> links(email, page), list -> list.size() >= expected);
        try {
            Thread.sleep(SETTLE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return links(email, page);
    }

    private static String token(String link) {
        Matcher m = LINK_TOKEN.matcher(link);
        assertThat(m.find()).as("a token in the link").isTrue();
        SecretLedger.record(m.group(2));
        return m.group(2);
    }

    /**
     * Single-character changes of {@code token}: at the first, a middle and the last two positions
     * every other base64url character (so the last one's spare bits too), at a few more positions
     * a character of standard base64, padding or percent-encoding; and one character dropped or
     * added at each end.
     */
    private static List<String> tampered(String token) {
        assertThat(token).hasSize(43);
        List<String> variants = new ArrayList<>();
        for (int position : new int[] {0, 21, 41, 42}) {
            for (char c : BASE64URL.toCharArray()) {
                if (c != token.charAt(position) && (position == 42 || c % 4 == position % 4)) {
                    variants.add(token.substring(0, position) + c + token.substring(position + 1));
                }
            }
        }
        for (int position : new int[] {5, 17, 30, 38}) {
            for (char c : new char[] {'+', '/', '=', '%', '.'}) {
                variants.add(token.substring(0, position) + c + token.substring(position + 1));
            }
        }
        variants.add(token.substring(1));
        variants.add(token.substring(0, 42));
        variants.add("A" + token);
        variants.add(token + "A");
        variants.add(token + "=");
        assertThat(variants).doesNotContain(token).doesNotHaveDuplicates();
        return variants;
    }

    /** A well-formed link token that no link carries. */
    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void assertAccepted(Reply reply) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(202);
        assertThat(reply.body()).as("%s", reply).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(reply.setCookies()).as("%s", reply).isEmpty();
        assertThat(reply.header("Location")).as("%s", reply).isNull();
    }

    private static void assertInvalidToken(Reply reply) {
        assertInvalidToken(reply, "");
    }

    private static void assertInvalidToken(Reply reply, String what) {
        assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(400);
        assertThat(reply.contentType()).as("%s", what).startsWith("application/problem+json");
        assertThat(reply.json().path("type").asText()).as("%s: %s", what, reply).isEqualTo(INVALID_TOKEN);
        assertThat(reply.header("Cache-Control")).as("%s", what).isEqualTo("no-store");
        assertThat(reply.header("WWW-Authenticate")).as("%s", what).isNull();
        assertThat(reply.setCookies()).as("%s", what).isEmpty();
    }

    /** The same status, body and headers but {@code Date} for every case; no cookie, no {@code Location}. */
    private static void assertIdentical(String what, Map<String, Reply> answers) {
        Map.Entry<String, Reply> first = answers.entrySet().iterator().next();
        assertAccepted(first.getValue());
        for (Map.Entry<String, Reply> answer : answers.entrySet()) {
            Reply reply = answer.getValue();
            assertThat(reply.status()).as("%s, %s: %s", what, answer.getKey(), reply).isEqualTo(first.getValue().status());
            assertThat(reply.body()).as("%s, %s", what, answer.getKey()).isEqualTo(first.getValue().body());
            assertThat(WebAttackContract.headersWithoutDate(reply)).as("%s, %s vs %s", what, answer.getKey(), first.getKey())
                    .isEqualTo(WebAttackContract.headersWithoutDate(first.getValue()));
            assertThat(reply.headers("Set-Cookie")).as("%s, %s", what, answer.getKey()).isEmpty();
            assertThat(reply.header("Location")).as("%s, %s", what, answer.getKey()).isNull();
        }
    }

    private static String credentials(String email, String password) {
        return JSON.createObjectNode().put("email", email).put("password", password).toString();
    }

    private static String emailBody(String email) {
        return JSON.createObjectNode().put("email", email).toString();
    }

    private static String tokenBody(String token) {
        return JSON.createObjectNode().put("token", token).toString();
    }

    private static String resetBody(String token, String newPassword) {
        return JSON.createObjectNode().put("token", token).put("new_password", newPassword).toString();
    }

    private static String passwordChange(String current, String next) {
        return JSON.createObjectNode().put("current_password", current).put("new_password", next).toString();
    }

    private static String refreshBody(JsonNode tokens) {
        return JSON.createObjectNode().put("refresh_token", tokens.path("refresh_token").asText()).toString();
    }

    private static String[] bearer(JsonNode tokens) {
        return WebAttackContract.bearer(tokens);
    }
}
