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
import dev.gatehouse.demo.support.IndependentTotp;
import dev.gatehouse.demo.support.LoopbackAddresses;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outside-in attacks on the second factor and the sessions of a running demo, over real HTTP
 * (docs/http-api.md: the two-step login, {@code /auth/login/mfa}, {@code /auth/sessions},
 * {@code /auth/mfa}, recent login, {@code /api/secure}). Codes come from {@link IndependentTotp},
 * the tests' own RFC 6238 implementation fed with the {@code secret} of the {@code otpauth_uri} the
 * demo shows, never from the product's. After each test the server must still be healthy
 * ({@link #serverStaysHealthy()}).
 *
 * <p>What it covers: enrolment and the two-step login end to end (ten recovery codes; the first
 * step gives neither token nor cookie; the second gives {@code amr} {@code ["pwd","otp","mfa"]},
 * which {@code /api/secure} needs, while a password-only login gets the step-up challenge); TOTP
 * codes replayed, challenges completed twice, used as bearer tokens, tampered with one character at
 * a time, completed with another user's code, spent by five wrong codes, or expired; recovery codes
 * once, in any spelling; one answer for every failure of the second step; the session list (user
 * agents, coarse client networks, {@code current}), ending a session (its refresh token at once,
 * its access token within the revocation staleness), ending another user's, revoke-others, and
 * odd spellings of session ids; and the recent-login window of enrolment, removal and password
 * change.
 *
 * <p>A TOTP code of a time step is accepted once per user, and a step no later than the last
 * accepted one never again: {@link IndependentTotp#nextCode()} hands out each user's steps in
 * order, the previous one first (the demo accepts one step either side), and waits for a new step
 * only when the next one is two ahead.
 *
 * <p>A subclass starts the demo with bcrypt cost {@value WebAttackContract#BCRYPT_COST} (test
 * mode), {@value WebAttackContract#TRUSTED_PROXY} as a trusted proxy, challenges of
 * {@value #CHALLENGE_TTL} ({@code GATEHOUSE_MFA_CHALLENGE_TTL}, the least it accepts) and a recent
 * login of {@value #RECENT_AUTHENTICATION} ({@code GATEHOUSE_RECENT_AUTHENTICATION}, the least it
 * accepts), on a fresh database with the local mailbox; everything else is the default (revocation
 * staleness {@code PT5S}). Every {@link #client()} connects from a loopback address of its own, so
 * the per-client limit and the account-and-client throttling never mix tests up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MfaAndSessionsAttackContract {
    static final String PASSWORD = "plum-Kettle-4-orbit";
    static final String NEW_PASSWORD = "quartz-Lantern-7-meadow";
    /** The demo's challenge lifetime in these tests. */
    public static final String CHALLENGE_TTL = "PT30S";
    /** The demo's recent-login window in these tests. */
    public static final String RECENT_AUTHENTICATION = "PT1M";
    static final String INVALID_CREDENTIALS = "urn:gatehouse:problem:invalid-credentials";
    static final String INSUFFICIENT = "urn:gatehouse:problem:insufficient-user-authentication";
    /** The demo's default revocation staleness (PT5S) and a margin for a busy machine. */
    static final Duration REVOCATION_DEADLINE = Duration.ofSeconds(12);
    static final List<String> AMR_MFA = List.of("pwd", "otp", "mfa");
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final Pattern VERIFY_LINK = Pattern.compile("verify-email\\?token=([A-Za-z0-9_-]+)");
    private static final Pattern RECOVERY_CODE = Pattern.compile("[2-9a-hjkm-z]{4}-[2-9a-hjkm-z]{4}-[2-9a-hjkm-z]{4}");
    private static final Duration MAIL_WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The running demo's base URI, ending with {@code /}. */
    protected abstract URI base();

    @BeforeAll
    void recordSecrets() {
        SecretLedger.record(PASSWORD);
        SecretLedger.record(NEW_PASSWORD);
    }

    // ---- 1. enrolment and the two-step login ----

    @Test
    void enrolmentGivesTenRecoveryCodesAndTheLoginThenTakesTwoStepsEndingInAnMfaSession() {
        Enrolled user = enrolled("enrol");
        assertThat(user.recoveryCodes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> RECOVERY_CODE.matcher(c).matches());

        for (String transport : new String[] {"bearer", "cookie"}) {
            Reply first = client().postJson("auth/login", credentials(user.email, PASSWORD), "Auth-Transport", transport);
            assertThat(first.status()).as("%s", first).isEqualTo(200);
            JsonNode body = first.json();
            assertThat(fieldNames(body)).as("the first step's fields (%s)", transport).containsExactly("mfa_required", "mfa_token", "expires_in");
            assertThat(body.path("mfa_required").asBoolean()).isTrue();
            assertThat(body.path("mfa_token").asText()).hasSize(43).matches("[A-Za-z0-9_-]{43}");
            assertThat(body.path("expires_in").asInt()).isEqualTo(30);
            assertThat(first.setCookies()).as("no cookie before the second factor (%s)", transport).isEmpty();
            assertThat(first.header("Cache-Control")).isEqualTo("no-store");
            SecretLedger.record(body.path("mfa_token").asText());
        }

        String code = nextCode(user);
        Reply second = client().postJson("auth/login/mfa", secondStep(challenge(user.email), code));
        assertThat(second.status()).as("%s", second).isEqualTo(200);
        JsonNode tokens = second.json();
        assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(tokens.path("refresh_token").asText()).isNotEmpty();
        JsonNode claims = payload(tokens);
        assertThat(strings(claims.path("amr"))).as("amr of the two-step login").isEqualTo(AMR_MFA);
        assertThat(claims.path("auth_time").asLong()).isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 5);
        Reply secure = client().get("api/secure", bearer(tokens));
        assertThat(secure.status()).as("%s", secure).isEqualTo(200);
        assertThat(strings(secure.json().path("amr"))).isEqualTo(AMR_MFA);
        assertThat(client().get("api/me", bearer(tokens)).json().path("email").asText()).isEqualTo(user.email);
        Reply status = client().get("auth/mfa", bearer(tokens));
        assertThat(status.body()).isEqualTo("{\"totp_enabled\":true,\"recovery_codes_left\":10}");

        // the second step by cookie: the three cookies, and they reach /api/secure
        WebClient browser = client();
        Reply byCookie = browser.postJson("auth/login/mfa", secondStep(challenge(user.email), nextCode(user)), "Auth-Transport", "cookie");
        assertThat(byCookie.status()).as("%s", byCookie).isEqualTo(200);
        assertThat(browser.cookieNames()).contains(WebAttackContract.ACCESS, WebAttackContract.REFRESH, WebAttackContract.CSRF);
        assertThat(browser.get("api/secure").status()).as("the cookie session of a two-step login").isEqualTo(200);

        // an account without a second factor: one step, amr ["pwd"], and /api/secure asks for a step-up
        String plain = WebAttackContract.uniqueEmail("plain");
        verifiedAccount(plain);
        Reply login = login(plain);
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().has("mfa_required")).isFalse();
        assertThat(strings(payload(login.json()).path("amr"))).isEqualTo(List.of("pwd"));
        assertStepUp(client().get("api/secure", bearer(login.json())));
        assertThat(client().get("api/me", bearer(login.json())).status()).isEqualTo(200);
        assertThat(client().get("auth/mfa", bearer(login.json())).body()).isEqualTo("{\"totp_enabled\":false,\"recovery_codes_left\":0}");
    }

    // ---- 2. the second step ----

    @Test
    void aTotpCodeWorksOnceAndAChallengeCompletesOnce() {
        Enrolled user = enrolled("replay");
        String first = nextCode(user);
        String firstChallenge = challenge(user.email);
        assertThat(completeLogin(firstChallenge, first).status()).isEqualTo(200);

        String second = nextCode(user);
        String secondChallenge = challenge(user.email);
        assertInvalidCredentials(completeLogin(secondChallenge, first), "the code of the first login, replayed");
        assertInvalidCredentials(completeLogin(firstChallenge, second), "the first challenge, completed again with a fresh code");
        assertInvalidCredentials(completeLogin(firstChallenge, first), "the first challenge with its own code");
        Reply done = completeLogin(secondChallenge, second);
        assertThat(done.status()).as("the second challenge with a fresh code: %s", done).isEqualTo(200);
        assertInvalidCredentials(completeLogin(secondChallenge, second), "the second challenge and code again");
    }

    @Test
    void theMfaTokenIsNoAccessToken() {
        Enrolled user = enrolled("bearer");
        String code = nextCode(user);
        String mfaToken = challenge(user.email);
        for (String path : new String[] {"api/me", "api/secure", "api/claims", "auth/sessions", "auth/mfa"}) {
            Reply r = client().get(path, "Authorization", "Bearer " + mfaToken);
            assertThat(r.status()).as("the mfa_token as a bearer token on %s: %s", path, r).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).as(path).contains("error=\"invalid_token\"");
        }
        assertInvalidCredentials(client().postJson("auth/refresh", "{\"refresh_token\":\"" + mfaToken + "\"}"), "the mfa_token as a refresh token");
        assertThat(completeLogin(mfaToken, code).status()).as("the challenge is still good").isEqualTo(200);
    }

    @Test
    void everySingleCharacterChangeOfTheMfaTokenIsRefusedAndTheChallengeStillWorks() {
        Enrolled user = enrolled("tamper");
        String code = nextCode(user);
        String mfaToken = challenge(user.email);
        List<String> variants = new ArrayList<>();
        for (int i = 0; i < mfaToken.length(); i++) {
            char c = BASE64URL.charAt((BASE64URL.indexOf(mfaToken.charAt(i)) + 1 + i) % 64);
            variants.add(mfaToken.substring(0, i) + c + mfaToken.substring(i + 1));
        }
        variants.add(mfaToken.substring(1));
        variants.add(mfaToken + "A");
        variants.add(mfaToken.toUpperCase(Locale.ROOT));
        assertThat(variants).hasSize(46).doesNotContain(mfaToken);
        for (String variant : variants) {
            assertInvalidCredentials(completeLogin(variant, code), "mfa_token " + variant);
        }
        Reply genuine = completeLogin(mfaToken, code);
        assertThat(genuine.status()).as("the genuine challenge and code after %d forgeries: %s", variants.size(), genuine).isEqualTo(200);
    }

    @Test
    void aChallengeOfOneUserIsNotCompletedByAnotherUsersCode() {
        Enrolled alice = enrolled("alice");
        Enrolled bob = enrolled("bob");
        String bobsCode = nextCode(bob);
        String alicesCode = nextCode(alice);
        String alicesChallenge = challenge(alice.email);
        assertInvalidCredentials(completeLogin(alicesChallenge, bobsCode), "Alice's challenge with Bob's code");
        Reply alices = completeLogin(alicesChallenge, alicesCode);
        assertThat(alices.status()).as("Alice's challenge with her own code").isEqualTo(200);
        assertThat(client().get("api/me", bearer(alices.json())).json().path("email").asText()).isEqualTo(alice.email);
        Reply bobs = completeLogin(challenge(bob.email), bobsCode);
        assertThat(bobs.status()).as("Bob's code was not spent on Alice's challenge").isEqualTo(200);
        assertThat(client().get("api/me", bearer(bobs.json())).json().path("email").asText()).isEqualTo(bob.email);
    }

    @Test
    void fiveWrongCodesSpendTheChallenge() {
        Enrolled user = enrolled("five");
        String right = nextCode(user);
        String wrong = wrongCode(user);
        String mfaToken = challenge(user.email);
        // each wrong code from a client of its own: the account-and-client throttle (5) would answer 429 first
        for (int i = 0; i < 5; i++) {
            assertInvalidCredentials(completeLogin(mfaToken, wrong), "wrong code " + (i + 1));
        }
        assertInvalidCredentials(completeLogin(mfaToken, right), "the right code after five wrong ones");
        Reply fresh = completeLogin(challenge(user.email), right);
        assertThat(fresh.status()).as("a new challenge with the same code (not spent on the dead one): %s", fresh).isEqualTo(200);
    }

    @Test
    void aRecoveryCodeWorksOnceInAnySpelling() {
        Enrolled user = enrolled("recovery");
        String code = user.recoveryCodes.get(3);
        Reply used = completeLogin(challenge(user.email), code);
        assertThat(used.status()).as("%s", used).isEqualTo(200);
        assertThat(strings(payload(used.json()).path("amr"))).isEqualTo(AMR_MFA);
        assertThat(client().get("api/secure", bearer(used.json())).status()).isEqualTo(200);
        assertInvalidCredentials(completeLogin(challenge(user.email), code), "a spent recovery code");
        assertInvalidCredentials(completeLogin(challenge(user.email), code.toUpperCase(Locale.ROOT)), "a spent recovery code, upper case");

        String other = user.recoveryCodes.get(7);
        String spelled = other.toUpperCase(Locale.ROOT).replace('-', ' ');
        assertThat(spelled).isNotEqualTo(other).hasSize(14);
        Reply upper = completeLogin(challenge(user.email), spelled);
        assertThat(upper.status()).as("a recovery code in upper case with spaces: %s", upper).isEqualTo(200);
        assertInvalidCredentials(completeLogin(challenge(user.email), other), "the same code as it was shown, after its use in another spelling");
        assertInvalidCredentials(completeLogin(challenge(user.email), other.replace("-", "")), "the same code without hyphens");
        assertThat(client().get("auth/mfa", bearer(upper.json())).body()).isEqualTo("{\"totp_enabled\":true,\"recovery_codes_left\":8}");
    }

    @Test
    void everyFailureOfTheSecondStepGetsTheSameAnswer() {
        Enrolled user = enrolled("same");
        String spentTotp = nextCode(user);
        assertThat(completeLogin(challenge(user.email), spentTotp).status()).isEqualTo(200);
        String spentRecovery = user.recoveryCodes.get(0);
        assertThat(completeLogin(challenge(user.email), spentRecovery).status()).isEqualTo(200);
        String valid = nextCode(user);

        Map<String, Reply> answers = new LinkedHashMap<>();
        answers.put("unknown challenge", completeLogin(randomToken(), valid));
        answers.put("wrong code", completeLogin(challenge(user.email), wrongCode(user)));
        answers.put("replayed code", completeLogin(challenge(user.email), spentTotp));
        answers.put("spent recovery code", completeLogin(challenge(user.email), spentRecovery));
        answers.put("unknown recovery code", completeLogin(challenge(user.email), "2345-6789-abcd"));
        Reply first = answers.values().iterator().next();
        assertInvalidCredentials(first, "unknown challenge");
        for (Map.Entry<String, Reply> answer : answers.entrySet()) {
            Reply reply = answer.getValue();
            assertThat(reply.status()).as("%s: %s", answer.getKey(), reply).isEqualTo(401);
            assertThat(reply.body()).as(answer.getKey()).isEqualTo(first.body());
            assertThat(WebAttackContract.headersWithoutDate(reply)).as("%s vs unknown challenge", answer.getKey())
                    .isEqualTo(WebAttackContract.headersWithoutDate(first));
        }
        assertThat(completeLogin(challenge(user.email), valid).status()).as("the valid code still works").isEqualTo(200);
    }

    // ---- 3. sessions ----

    @Test
    void sessionsAreListedWithTheirAgentsAndNetworksAndOnlyTheCallersIsCurrent() throws UnknownHostException {
        String email = WebAttackContract.uniqueEmail("sessions");
        JsonNode byLink = verifiedAccount(email);
        WebClient laptopClient = new WebClient(base()).from(InetAddress.getByName("127.31.5.10"));
        Reply laptopLogin = laptopClient.postJson("auth/login", credentials(email, PASSWORD), "User-Agent", "Gatehouse-Attack/1.0 (laptop)");
        assertThat(laptopLogin.status()).as("%s", laptopLogin).isEqualTo(200);
        // the plain client: what the demo sees on loopback without a chosen address
        Reply phoneLogin = new WebClient(base()).postJson("auth/login", credentials(email, PASSWORD), "User-Agent", "Gatehouse-Attack/1.0 (phone)");
        assertThat(phoneLogin.status()).as("%s", phoneLogin).isEqualTo(200);
        JsonNode laptop = laptopLogin.json();
        JsonNode phone = phoneLogin.json();

        JsonNode listed = sessions(laptop);
        assertThat(listed.size()).as("%s", listed).isEqualTo(3);
        JsonNode laptopSession = byAgent(listed, "Gatehouse-Attack/1.0 (laptop)");
        JsonNode phoneSession = byAgent(listed, "Gatehouse-Attack/1.0 (phone)");
        assertThat(laptopSession.path("client").asText()).isEqualTo("127.31.5.0/24");
        assertThat(phoneSession.path("client").asText()).isEqualTo("127.0.0.0/24");
        assertThat(strings(laptopSession.path("amr"))).isEqualTo(List.of("pwd"));
        assertThat(laptopSession.path("current").asBoolean()).isTrue();
        assertThat(phoneSession.path("current").asBoolean()).isFalse();
        assertThat(currentCount(listed)).isEqualTo(1);
        assertThat(laptopSession.path("id").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(laptopSession.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

        JsonNode fromPhone = sessions(phone);
        assertThat(byAgent(fromPhone, "Gatehouse-Attack/1.0 (phone)").path("current").asBoolean()).isTrue();
        assertThat(byAgent(fromPhone, "Gatehouse-Attack/1.0 (laptop)").path("current").asBoolean()).isFalse();
        assertThat(currentCount(fromPhone)).isEqualTo(1);
        assertThat(currentCount(sessions(byLink))).as("the session the verification link started").isEqualTo(1);
        assertThat(client().get("auth/sessions").status()).as("listing needs an access token").isEqualTo(401);
    }

    @Test
    void anotherUsersSessionCannotBeEndedAndEndingOneOfYoursRefusesItsTokens() {
        String alice = WebAttackContract.uniqueEmail("end-a");
        String bob = WebAttackContract.uniqueEmail("end-b");
        verifiedAccount(alice);
        verifiedAccount(bob);
        JsonNode aliceHere = login(alice).json();
        JsonNode aliceThere = login(alice).json();
        JsonNode bobs = login(bob).json();
        String bobsId = currentId(sessions(bobs));

        Reply foreign = client().delete("auth/sessions/" + bobsId, bearer(aliceHere));
        assertNotFound(foreign, "Alice ends Bob's session");
        assertThat(client().get("api/me", bearer(bobs)).status()).as("Bob's access token").isEqualTo(200);
        JsonNode bobsRefreshed = refresh(bobs);
        assertThat(client().get("api/me", bearer(bobsRefreshed)).status()).isEqualTo(200);
        assertNotFound(client().delete("auth/sessions/" + java.util.UUID.randomUUID(), bearer(aliceHere)), "an unknown id");

        String thereId = currentId(sessions(aliceThere));
        Reply ended = client().delete("auth/sessions/" + thereId, bearer(aliceHere));
        assertThat(ended.status()).as("%s", ended).isEqualTo(204);
        assertThat(ended.setCookies()).as("ending another session clears no cookie").isEmpty();
        assertInvalidCredentials(client().postJson("auth/refresh", refreshBody(aliceThere)), "the ended session's refresh token, at once");
        Reply access = Poll.until(REVOCATION_DEADLINE, Duration.ofMillis(100), () -> client().get("api/me", bearer(aliceThere)),
                r -> r.status() == 401);
        assertThat(access.status()).as("the ended session's access token within %s: %s", REVOCATION_DEADLINE, access).isEqualTo(401);
        assertNotFound(client().delete("auth/sessions/" + thereId, bearer(aliceHere)), "an ended session, again");
        assertThat(sessions(aliceHere).findValues("id").stream().map(JsonNode::asText)).doesNotContain(thereId);
        assertThat(client().get("api/me", bearer(aliceHere)).status()).as("the caller's session").isEqualTo(200);
        assertThat(client().get("api/me", bearer(refresh(aliceHere))).status()).isEqualTo(200);
    }

    @Test
    void revokeOthersKeepsExactlyTheCallersSession() {
        String email = WebAttackContract.uniqueEmail("others");
        JsonNode byLink = verifiedAccount(email);
        JsonNode one = login(email).json();
        JsonNode two = login(email).json();
        JsonNode keeper = login(email).json();
        String keeperId = currentId(sessions(keeper));

        Reply revoked = client().post("auth/sessions/revoke-others", null, null, bearer(keeper));
        assertThat(revoked.status()).as("%s", revoked).isEqualTo(200);
        assertThat(revoked.body()).isEqualTo("{\"ended\":3}");
        JsonNode left = sessions(keeper);
        assertThat(left.size()).as("%s", left).isEqualTo(1);
        assertThat(left.get(0).path("id").asText()).isEqualTo(keeperId);
        assertThat(left.get(0).path("current").asBoolean()).isTrue();
        for (JsonNode other : List.of(byLink, one, two)) {
            assertInvalidCredentials(client().postJson("auth/refresh", refreshBody(other)), "another session's refresh token");
            Reply access = Poll.until(REVOCATION_DEADLINE, Duration.ofMillis(100), () -> client().get("api/me", bearer(other)),
                    r -> r.status() == 401);
            assertThat(access.status()).as("another session's access token: %s", access).isEqualTo(401);
        }
        assertThat(client().get("api/me", bearer(refresh(keeper))).status()).as("the caller's session, refreshed").isEqualTo(200);
        Reply again = client().post("auth/sessions/revoke-others", null, null, bearer(keeper));
        assertThat(again.body()).isEqualTo("{\"ended\":0}");
    }

    @Test
    void oddSpellingsOfASessionIdAreNotFoundAndEndNothing() {
        Enrolled user = enrolled("spelling");
        JsonNode caller = mfaLogin(user);
        JsonNode target = mfaLogin(user);
        String id = currentId(sessions(target));
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        List<String> before = strings(ids(sessions(caller)));

        List<String> notFound = List.of(id.toUpperCase(Locale.ROOT), "%20" + id, id + "%20", "%20" + id + "%20", id + "+", "+" + id,
                id.replace("-", ""), id.substring(1), id + "0", "..%20" + id, "*", "%25" + id);
        for (String spelling : notFound) {
            Reply r = client().delete("auth/sessions/" + spelling, bearer(caller));
            assertNotFound(r, "DELETE auth/sessions/" + spelling);
        }
        // aimed past the collection (at the authenticator, which the caller's recent login could remove, and at
        // revoke-others), or with bytes a container may refuse itself: Tomcat answers an encoded '/', '\\' or NUL
        // with its own 400 before the application sees it; whatever reaches the application is no session (404)
        List<String> odd = List.of("..%2Fmfa%2Ftotp", "%2E%2E%2Fmfa%2Ftotp", "..%252Fmfa%252Ftotp", "..%5Cmfa%5Ctotp",
                id + "%2F..%2Frevoke-others", "..%2F..%2Fauth%2Fmfa%2Ftotp", "%2E%2E", "%2e%2e%2f%2e%2e%2fmfa%2ftotp", id + "%00", id + "%09");
        Map<String, Integer> statuses = new LinkedHashMap<>();
        for (String spelling : odd) {
            Reply r = client().delete("auth/sessions/" + spelling, bearer(caller));
            statuses.put(spelling, r.status());
            assertThat(r.status()).as("DELETE auth/sessions/%s: %s", spelling, r).isIn(400, 404);
        }
        System.out.println("[MfaAndSessionsAttack " + base() + "] odd session paths: " + statuses);
        assertThat(client().get("auth/mfa", bearer(caller)).json().path("totp_enabled").asBoolean()).as("the authenticator stays").isTrue();
        assertThat(strings(ids(sessions(caller)))).as("no session was ended").containsExactlyInAnyOrderElementsOf(before);
        assertThat(client().get("api/me", bearer(target)).status()).isEqualTo(200);
        assertThat(client().get("api/me", bearer(refresh(target))).status()).as("the target session lives").isEqualTo(200);
    }

    // ---- 4. time ----

    /**
     * The one test that waits: a challenge expires after {@value #CHALLENGE_TTL}, and a login older
     * than {@value #RECENT_AUTHENTICATION} may no longer remove the authenticator nor change the
     * password ({@code max_age="60"}), while it still could half-way through.
     */
    @Test
    void anExpiredChallengeAndALoginThatIsNoLongerRecentAreRefused() throws InterruptedException {
        Enrolled user = enrolled("time");
        String expiring = challenge(user.email);
        long challenged = System.nanoTime();
        JsonNode login = mfaLogin(user);
        long loggedIn = System.nanoTime();

        sleepUntil(challenged, Duration.ofSeconds(32));
        String code = nextCode(user);
        assertInvalidCredentials(completeLogin(expiring, code), "a challenge older than " + CHALLENGE_TTL);
        assertThat(completeLogin(challenge(user.email), code).status()).as("a new challenge with the same code").isEqualTo(200);
        Reply recent = client().post("auth/mfa/recovery-codes", null, null, bearer(login));
        assertThat(recent.status()).as("new recovery codes with a login of half a minute ago: %s", recent).isEqualTo(200);
        assertThat(recent.json().path("recovery_codes").size()).isEqualTo(10);

        sleepUntil(loggedIn, Duration.ofSeconds(62));
        Reply remove = client().delete("auth/mfa/totp", bearer(login));
        assertRecentLoginRequired(remove, "removing the authenticator");
        Reply regenerate = client().post("auth/mfa/recovery-codes", null, null, bearer(login));
        assertRecentLoginRequired(regenerate, "new recovery codes");
        Reply change = client().postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD), bearer(login));
        assertRecentLoginRequired(change, "changing the password");
        JsonNode refreshed = refresh(login);
        assertRecentLoginRequired(client().delete("auth/mfa/totp", bearer(refreshed)), "removing the authenticator after a refresh");
        assertThat(client().get("auth/mfa", bearer(refreshed)).json().path("totp_enabled").asBoolean()).isTrue();
        assertThat(login(user.email, PASSWORD, false).status()).as("the password did not change").isEqualTo(200);

        JsonNode fresh = mfaLogin(user);
        Reply removed = client().delete("auth/mfa/totp", bearer(fresh));
        assertThat(removed.status()).as("with a fresh login: %s", removed).isEqualTo(204);
        Reply oneStep = login(user.email);
        assertThat(oneStep.json().has("mfa_required")).as("one step again: %s", oneStep).isFalse();
        assertThat(client().postJson("auth/password", passwordChange(PASSWORD, NEW_PASSWORD), bearer(oneStep.json())).status()).isEqualTo(204);
    }

    // ---- 5. after each test ----

    /** Ping answers, and a fresh account can register, verify by the mailed link, see itself, and log in in one step. */
    @AfterEach
    void serverStaysHealthy() {
        Reply ping = client().get("api/ping");
        assertThat(ping.status()).as("ping after the attack: %s", ping).isEqualTo(200);
        String email = WebAttackContract.uniqueEmail("healthy");
        JsonNode tokens = verifiedAccount(email);
        Reply me = client().get("api/me", bearer(tokens));
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).isEqualTo(email);
        Reply login = login(email);
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().path("access_token").asText()).isNotEmpty();
    }

    // ---- helpers ----

    /** A user with a confirmed authenticator: the tests' own TOTP of its secret (which knows the steps used), its recovery codes. */
    static final class Enrolled {
        final String email;
        final IndependentTotp totp;
        List<String> recoveryCodes = List.of();

        Enrolled(String email, IndependentTotp totp) {
            this.email = email;
            this.totp = totp;
        }
    }

    /** A client of its own: a fresh loopback address, an empty cookie jar. */
    protected WebClient client() {
        return new WebClient(base()).from(LoopbackAddresses.next());
    }

    /** Registers, verifies by the mailed link, logs in, enrols with the tests' TOTP and confirms. */
    private Enrolled enrolled(String what) {
        String email = WebAttackContract.uniqueEmail(what);
        verifiedAccount(email);
        JsonNode tokens = login(email).json();
        Reply begun = client().post("auth/mfa/totp", null, null, bearer(tokens));
        assertThat(begun.status()).as("%s", begun).isEqualTo(200);
        String uri = begun.json().path("otpauth_uri").asText();
        assertThat(uri).startsWith("otpauth://totp/").contains("algorithm=SHA1", "digits=6", "period=30");
        assertThat(begun.json().path("qr_svg").asText()).contains("<svg");
        assertThat(begun.header("Cache-Control")).isEqualTo("no-store");
        SecretLedger.record(IndependentTotp.secretParameter(uri));
        Enrolled user = new Enrolled(email, IndependentTotp.fromUri(uri));
        Reply confirmed = client().postJson("auth/mfa/totp/confirm", "{\"code\":\"" + nextCode(user) + "\"}", bearer(tokens));
        assertThat(confirmed.status()).as("%s", confirmed).isEqualTo(200);
        List<String> codes = strings(confirmed.json().path("recovery_codes"));
        codes.forEach(SecretLedger::record);
        user.recoveryCodes = codes;
        return user;
    }

    static String nextCode(Enrolled user) {
        return user.totp.nextCode();
    }

    static String wrongCode(Enrolled user) {
        return user.totp.wrongCode();
    }

    /** The first step of a login of an enrolled user: its {@code mfa_token}. */
    private String challenge(String email) {
        Reply first = client().postJson("auth/login", credentials(email, PASSWORD));
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertThat(first.json().path("mfa_required").asBoolean()).as("%s", first).isTrue();
        String token = first.json().path("mfa_token").asText();
        SecretLedger.record(token);
        return token;
    }

    /** The second step, from a client of its own. */
    private Reply completeLogin(String mfaToken, String code) {
        return client().postJson("auth/login/mfa", secondStep(mfaToken, code));
    }

    /** Both steps with the next code: the tokens. */
    private JsonNode mfaLogin(Enrolled user) {
        String code = nextCode(user);
        Reply done = completeLogin(challenge(user.email), code);
        assertThat(done.status()).as("%s", done).isEqualTo(200);
        return done.json();
    }

    /** Registers {@code email}, verifies it by the mailed link and returns that login's tokens (bearer). */
    private JsonNode verifiedAccount(String email) {
        Reply registered = client().postJson("auth/register", credentials(email, PASSWORD));
        assertThat(registered.status()).as("%s", registered).isEqualTo(202);
        String token = awaitVerificationToken(email);
        Reply verified = client().postJson("auth/verify-email", "{\"token\":\"" + token + "\"}");
        assertThat(verified.status()).as("%s", verified).isEqualTo(200);
        return verified.json();
    }

    private String awaitVerificationToken(String email) {
        String token = Poll.until(MAIL_WAIT, Duration.ofMillis(100), () -> verificationToken(email), t -> t != null);
        assertThat(token).as("a verification mail to %s", email).isNotNull();
        SecretLedger.record(token);
        return token;
    }

    private String verificationToken(String email) {
        Reply mailbox = client().get("demo/mailbox");
        assertThat(mailbox.status()).as("%s", mailbox).isEqualTo(200);
        for (JsonNode mail : mailbox.json().path("messages")) {
            if (mail.path("to").asText().equals(email)) {
                Matcher m = VERIFY_LINK.matcher(mail.path("text").asText());
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    private Reply login(String email) {
        return login(email, PASSWORD, true);
    }

    private static JsonNode ids(JsonNode sessions) {
        com.fasterxml.jackson.databind.node.ArrayNode ids = JSON.createArrayNode();
        sessions.forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    private Reply login(String email, String password, boolean assertOk) {
        Reply r = client().postJson("auth/login", credentials(email, password));
        if (assertOk) {
            assertThat(r.status()).as("%s", r).isEqualTo(200);
        }
        return r;
    }

    private JsonNode refresh(JsonNode tokens) {
        Reply refreshed = client().postJson("auth/refresh", refreshBody(tokens));
        assertThat(refreshed.status()).as("%s", refreshed).isEqualTo(200);
        return refreshed.json();
    }

    /** The caller's sessions (the {@code sessions} array). */
    private JsonNode sessions(JsonNode tokens) {
        Reply r = client().get("auth/sessions", bearer(tokens));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        return r.json().path("sessions");
    }

    private static String currentId(JsonNode sessions) {
        for (JsonNode s : sessions) {
            if (s.path("current").asBoolean()) {
                return s.path("id").asText();
            }
        }
        throw new AssertionError("no current session in " + sessions);
    }

    private static int currentCount(JsonNode sessions) {
        int n = 0;
        for (JsonNode s : sessions) {
            n += s.path("current").asBoolean() ? 1 : 0;
        }
        return n;
    }

    private static JsonNode byAgent(JsonNode sessions, String agent) {
        for (JsonNode s : sessions) {
            if (agent.equals(s.path("user_agent").asText())) {
                return s;
            }
        }
        throw new AssertionError("no session of " + agent + " in " + sessions);
    }

    private static void sleepUntil(long startedNanos, Duration after) throws InterruptedException {
        long left = startedNanos + after.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000 + 1);
        }
    }

    static void assertInvalidCredentials(Reply reply, String what) {
        assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(401);
        assertThat(reply.contentType()).as(what).startsWith("application/problem+json");
        assertThat(reply.json().path("type").asText()).as("%s: %s", what, reply).isEqualTo(INVALID_CREDENTIALS);
        assertThat(reply.header("WWW-Authenticate")).as(what).isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
        assertThat(reply.header("Cache-Control")).as(what).isEqualTo("no-store");
        assertThat(reply.setCookies()).as(what).isEmpty();
    }

    private static void assertNotFound(Reply reply, String what) {
        assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(404);
        assertThat(reply.json().path("type").asText()).as(what).isEqualTo("urn:gatehouse:problem:not-found");
    }

    /** The RFC 9470 step-up challenge of {@code /api/secure} for a login without a second factor. */
    static void assertStepUp(Reply reply) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(401);
        String challenge = reply.header("WWW-Authenticate");
        assertThat(challenge).as("%s", reply).startsWith("Bearer ").contains("error=\"insufficient_user_authentication\"", "acr_values=\"mfa\"");
    }

    private static void assertRecentLoginRequired(Reply reply, String what) {
        assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(401);
        assertThat(reply.json().path("type").asText()).as(what).isEqualTo(INSUFFICIENT);
        assertThat(reply.header("WWW-Authenticate")).as(what).startsWith("Bearer ")
                .contains("error=\"insufficient_user_authentication\"", "max_age=\"60\"");
    }

    private static JsonNode payload(JsonNode tokens) {
        String jwt = tokens.path("access_token").asText();
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A well-formed {@code mfa_token} that no challenge has. */
    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String credentials(String email, String password) {
        return JSON.createObjectNode().put("email", email).put("password", password).toString();
    }

    private static String secondStep(String mfaToken, String code) {
        return JSON.createObjectNode().put("mfa_token", mfaToken).put("code", code).toString();
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
