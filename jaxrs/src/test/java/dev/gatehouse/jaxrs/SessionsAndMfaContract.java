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
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.TestServer;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertProblem;
import static dev.gatehouse.jaxrs.support.Problems.assertThrottled;
import static dev.gatehouse.jaxrs.support.Problems.assertValidation;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions, the second factor and recent login over real HTTP (docs/http-api.md: the two-step
 * login, {@code /auth/login/mfa}, {@code /auth/sessions}, {@code /auth/mfa}), per database in
 * subclasses. TOTP codes are computed here, independently of the code under test (RFC 6238 with
 * {@code javax.crypto.Mac}), from the secret of the {@code otpauth://} URI. The servers share one
 * database and one clock that stands still until a test moves it (forward only: every test logs in
 * afresh after moving it):
 * <ul>
 *   <li>{@code mfa}: a second factor, the account store, default throttling and recent login (10 minutes);</li>
 *   <li>{@code lenient}: as {@code mfa}, with a burst of 20 failures per account and client;</li>
 *   <li>{@code idle}: a second factor and a session idle timeout of 2 minutes;</li>
 *   <li>{@code plain}: no second factor;</li>
 *   <li>{@code unconfigured}: the stores of the second factor, but no {@code MfaSettings} (a node deployed without them).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionsAndMfaContract {
    static final String PASSWORD = "correct horse battery staple";
    static final String UA_FIRST = "Gatehouse-Test/1.0 (first device)";
    static final String UA_SECOND = "Gatehouse-Test/1.0 (second device)";
    static final String RECOVERY_CODE = "[2-9a-hjkm-z]{4}-[2-9a-hjkm-z]{4}-[2-9a-hjkm-z]{4}";
    static final String RFC3339_UTC = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z";
    private static final ObjectMapper JSON = new ObjectMapper();

    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    TestServer mfa;
    TestServer lenient;
    TestServer idle;
    TestServer plain;
    TestServer unconfigured;

    abstract DataSource dataSource();

    abstract void closeDatabase();

    @BeforeAll
    void startServers() throws Exception {
        mfa = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).accountStore().mfa().start();
        lenient = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).mfa().auth(a -> a.throttleAccountClientBurst(20)).start();
        idle = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).mfa().auth(a -> a.sessionIdleTimeout(Duration.ofMinutes(2))).start();
        plain = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).start();
        unconfigured = TestServer.setup(dataSource()).tokens(t -> t.clock(clock)).accountStore().start();
    }

    @AfterAll
    void stopServers() {
        for (TestServer s : new TestServer[] {mfa, lenient, idle, plain, unconfigured}) {
            if (s != null) {
                s.close();
            }
        }
        closeDatabase();
    }

    // ---- sessions ----

    @Test
    void sessionsAreListedWithUserAgentClientMethodsAndTheCurrentOne() {
        String email = registered(mfa);
        Tokens first = Tokens.of(login(mfa, email, UA_FIRST));
        Tokens second = Tokens.of(login(mfa, email, UA_SECOND));

        Reply r = get(mfa, "auth/sessions", first.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode sessions = r.json().get("sessions");
        assertThat(sessions).hasSize(2);
        String now = DateTimeFormat.of(clock.instant());
        List<String> agents = new ArrayList<>();
        int current = 0;
        for (JsonNode s : sessions) {
            assertThat(s.get("id").asText()).isNotBlank();
            assertThat(s.get("created_at").asText()).matches(RFC3339_UTC).isEqualTo(now);
            assertThat(s.get("last_used_at").asText()).matches(RFC3339_UTC).isEqualTo(now);
            assertThat(s.get("client").asText()).isEqualTo("127.0.0.0/24");
            assertThat(texts(s.get("amr"))).containsExactly("pwd");
            agents.add(s.get("user_agent").asText());
            if (s.get("current").asBoolean()) {
                current++;
                assertThat(s.get("user_agent").asText()).isEqualTo(UA_FIRST);
            }
            assertThat(s.get("current").isBoolean()).isTrue();
        }
        assertThat(current).isEqualTo(1);
        assertThat(agents).containsExactlyInAnyOrder(UA_FIRST, UA_SECOND);
        assertThat(sessions.get(0).get("id").asText()).isNotEqualTo(sessions.get(1).get("id").asText());

        // the other session sees itself as current
        JsonNode seen = get(mfa, "auth/sessions", second.auth()).json().get("sessions");
        assertThat(sessionWith(seen, UA_SECOND).get("current").asBoolean()).isTrue();
        assertThat(sessionWith(seen, UA_FIRST).get("current").asBoolean()).isFalse();
    }

    @Test
    void listingNeedsAnAccessToken() {
        Reply r = get(mfa, "auth/sessions");
        assertProblem(r, 401, "unauthenticated", "Authentication required");
    }

    @Test
    void refreshMovesLastUsedButNotCreated() {
        String email = registered(mfa);
        String loginTime = DateTimeFormat.of(clock.instant());
        Tokens tokens = Tokens.of(login(mfa, email, UA_FIRST));
        clock.advance(Duration.ofMinutes(2));
        String refreshTime = DateTimeFormat.of(clock.instant());
        Tokens refreshed = Tokens.of(refresh(mfa, tokens));

        JsonNode sessions = get(mfa, "auth/sessions", refreshed.auth()).json().get("sessions");
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).get("created_at").asText()).isEqualTo(loginTime);
        assertThat(sessions.get(0).get("last_used_at").asText()).isEqualTo(refreshTime).isNotEqualTo(loginTime);
        assertThat(sessions.get(0).get("current").asBoolean()).isTrue();
    }

    @Test
    void endingASessionRefusesItsRefreshAndAccessTokenAtOnce() {
        String email = registered(mfa);
        Tokens keeper = Tokens.of(login(mfa, email, UA_FIRST));
        Tokens ended = Tokens.of(login(mfa, email, UA_SECOND));
        String endedId = idOf(mfa, keeper, UA_SECOND);

        Reply r = delete(mfa, "auth/sessions/" + endedId, keeper.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        assertThat(r.headers("Set-Cookie")).as("another session: the caller's cookies stay").isEmpty();

        assertInvalidCredentials(refresh(mfa, ended));
        assertThat(get(mfa, "api/me", ended.auth()).status()).isEqualTo(401);
        // ended already: as unknown
        assertProblem(delete(mfa, "auth/sessions/" + endedId, keeper.auth()), 404, "not-found", "Not found");
        // the keeper goes on
        assertThat(get(mfa, "api/me", keeper.auth()).status()).isEqualTo(200);
        JsonNode left = get(mfa, "auth/sessions", keeper.auth()).json().get("sessions");
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("user_agent").asText()).isEqualTo(UA_FIRST);
        assertThat(refresh(mfa, keeper).status()).isEqualTo(200);
    }

    @Test
    void anotherUsersSessionAndAnUnknownIdAreNotFound() {
        String owner = registered(mfa);
        Tokens victim = Tokens.of(login(mfa, owner, UA_FIRST));
        String victimId = idOf(mfa, victim, UA_FIRST);
        Tokens attacker = Tokens.of(login(mfa, registered(mfa), UA_SECOND));

        JsonNode other = assertProblem(delete(mfa, "auth/sessions/" + victimId, attacker.auth()), 404, "not-found", "Not found");
        JsonNode unknown = assertProblem(delete(mfa, "auth/sessions/" + UUID.randomUUID(), attacker.auth()), 404, "not-found", "Not found");
        assertThat(other).isEqualTo(unknown);
        assertProblem(delete(mfa, "auth/sessions/not-a-session-id", attacker.auth()), 404, "not-found", "Not found");
        assertThat(refresh(mfa, victim).status()).as("the victim's session lives").isEqualTo(200);
        assertThat(delete(mfa, "auth/sessions/" + victimId).status()).as("no caller").isEqualTo(401);
    }

    @Test
    void revokeOthersKeepsTheCurrentSession() {
        String email = registered(mfa);
        Tokens current = Tokens.of(login(mfa, email, UA_FIRST));
        Tokens other1 = Tokens.of(login(mfa, email, UA_SECOND));
        Tokens other2 = Tokens.of(login(mfa, email, UA_SECOND));

        Reply r = postEmpty(mfa, "auth/sessions/revoke-others", current.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.json().get("ended").asInt()).isEqualTo(2);

        assertInvalidCredentials(refresh(mfa, other1));
        assertInvalidCredentials(refresh(mfa, other2));
        assertThat(get(mfa, "api/me", other1.auth()).status()).isEqualTo(401);
        assertThat(get(mfa, "api/me", current.auth()).status()).isEqualTo(200);
        JsonNode left = get(mfa, "auth/sessions", current.auth()).json().get("sessions");
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("current").asBoolean()).isTrue();

        Reply again = postEmpty(mfa, "auth/sessions/revoke-others", current.auth());
        assertThat(again.json().get("ended").asInt()).isZero();
    }

    @Test
    void endingTheOwnCookieSessionClearsTheCookiesAndNeedsCsrf() {
        String email = registered(mfa);
        Client browser = new Client(mfa.base);
        Reply login = browser.postJson("auth/login", Json.credentials(email, PASSWORD), "Auth-Transport", "cookie", "User-Agent", UA_FIRST);
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        JsonNode sessions = browser.get("auth/sessions").json().get("sessions");
        String id = sessions.get(0).get("id").asText();
        assertThat(sessions.get(0).get("current").asBoolean()).isTrue();

        Reply noCsrf = browser.send(HttpRequest.newBuilder(mfa.base.resolve("auth/sessions/" + id)).DELETE());
        assertThat(noCsrf.status()).as(noCsrf.toString()).isEqualTo(403);

        Reply r = browser.send(HttpRequest.newBuilder(mfa.base.resolve("auth/sessions/" + id)).DELETE(),
                "X-CSRF-Token", browser.cookies.get("__Host-csrf_token"));
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        for (String cookie : List.of("__Host-access_token", "__Secure-refresh_token", "__Host-csrf_token")) {
            assertThat(r.setCookie(cookie)).as(cookie).contains("Max-Age=0");
        }
        assertThat(browser.cookies).isEmpty();
    }

    @Test
    void anIdleSessionEnds() {
        String email = registered(idle);
        Tokens tokens = Tokens.of(login(idle, email, UA_FIRST));
        clock.advance(Duration.ofMinutes(2).plusSeconds(1));
        assertInvalidCredentials(refresh(idle, tokens));
        Tokens fresh = Tokens.of(login(idle, email, UA_SECOND));
        JsonNode sessions = get(idle, "auth/sessions", fresh.auth()).json().get("sessions");
        assertThat(sessions).hasSize(1);
        assertThat(sessions.get(0).get("user_agent").asText()).isEqualTo(UA_SECOND);
    }

    @Test
    void aSessionUsedWithinTheIdleTimeoutLives() {
        String email = registered(idle);
        Tokens tokens = Tokens.of(login(idle, email, UA_FIRST));
        clock.advance(Duration.ofSeconds(90));
        Tokens refreshed = Tokens.of(refresh(idle, tokens));
        clock.advance(Duration.ofSeconds(90));
        assertThat(refresh(idle, refreshed).status()).as("last used 90 s ago").isEqualTo(200);
    }

    // ---- enrolment ----

    @Test
    void enrolmentShowsAQrCodeAndAKeyUriThenConfirmsWithAFirstCode() {
        String email = registered(mfa);
        Tokens tokens = Tokens.of(login(mfa, email, UA_FIRST));
        assertThat(status(mfa, tokens)).isEqualTo(Map.of("totp_enabled", false, "recovery_codes_left", 0));

        Reply begin = postEmpty(mfa, "auth/mfa/totp", tokens.auth());
        assertThat(begin.status()).as(begin.toString()).isEqualTo(200);
        assertThat(begin.header("Cache-Control")).isEqualTo("no-store");
        String svg = begin.json().get("qr_svg").asText();
        assertThat(svg).contains("<svg").contains("http://www.w3.org/2000/svg");
        assertThat(svg.strip()).endsWith("</svg>");
        URI uri = URI.create(begin.json().get("otpauth_uri").asText());
        assertThat(uri.getScheme()).isEqualTo("otpauth");
        assertThat(uri.getHost()).isEqualTo("totp");
        assertThat(uri.getPath()).isEqualTo("/Gatehouse:" + email);
        Map<String, String> query = query(uri);
        assertThat(query).containsEntry("issuer", "Gatehouse").containsEntry("algorithm", "SHA1")
                .containsEntry("digits", "6").containsEntry("period", "30").containsKey("secret");
        byte[] secret = base32(query.get("secret"));
        assertThat(secret.length).isGreaterThanOrEqualTo(20);

        String right = totp(secret, step(clock.instant()));
        String wrong = right.equals("000000") ? "111111" : "000000";
        assertValidation(confirm(mfa, tokens, wrong), "code");
        assertValidation(confirm(mfa, tokens, "not a code"), "code");
        assertValidation(post(mfa, "auth/mfa/totp/confirm", Json.object(), tokens.auth()), "code");
        assertThat(status(mfa, tokens)).as("pending is not enabled").isEqualTo(Map.of("totp_enabled", false, "recovery_codes_left", 0));

        Reply confirmed = confirm(mfa, tokens, right);
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.header("Cache-Control")).isEqualTo("no-store");
        List<String> codes = texts(confirmed.json().get("recovery_codes"));
        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches(RECOVERY_CODE));
        assertThat(status(mfa, tokens)).isEqualTo(Map.of("totp_enabled", true, "recovery_codes_left", 10));

        assertProblem(postEmpty(mfa, "auth/mfa/totp", tokens.auth()), 409, "mfa-already-enabled", "Second factor already enabled");
        assertProblem(confirm(mfa, tokens, right), 409, "mfa-already-enabled", "Second factor already enabled");
    }

    @Test
    void stateConflictsAre409() {
        Tokens tokens = Tokens.of(login(mfa, registered(mfa), UA_FIRST));
        assertProblem(confirm(mfa, tokens, "123456"), 409, "mfa-not-pending", "No enrolment pending");
        assertProblem(delete(mfa, "auth/mfa/totp", tokens.auth()), 409, "mfa-not-enabled", "Second factor not enabled");
        assertProblem(postEmpty(mfa, "auth/mfa/recovery-codes", tokens.auth()), 409, "mfa-not-enabled", "Second factor not enabled");
    }

    // ---- the two-step login ----

    @Test
    void loginOfAnEnrolledAccountAsksForTheSecondFactorWithoutTokensOrCookies() {
        Enrolled user = enrolled(mfa);
        for (String transport : List.of("bearer", "cookie")) {
            Client client = new Client(mfa.base);
            Reply r = client.postJson("auth/login", Json.credentials(user.email, PASSWORD), "Auth-Transport", transport);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.header("Cache-Control")).isEqualTo("no-store");
            assertThat(r.headers("Set-Cookie")).as(transport).isEmpty();
            assertThat(client.cookies).isEmpty();
            JsonNode body = r.json();
            assertThat(fieldNames(body)).containsExactlyInAnyOrder("mfa_required", "mfa_token", "expires_in");
            assertThat(body.get("mfa_required").isBoolean()).isTrue();
            assertThat(body.get("mfa_required").asBoolean()).isTrue();
            assertThat(body.get("mfa_token").asText()).hasSizeGreaterThanOrEqualTo(43);
            assertThat(body.get("expires_in").asLong()).isEqualTo(300);
        }
    }

    @Test
    void aTotpCodeCompletesTheLoginWithAmrAndAuthTimeAndIsNotAcceptedTwice() {
        Enrolled user = enrolled(mfa);
        String code = user.code(clock.instant(), 0);
        Reply r = completeLogin(mfa, startLogin(mfa, user.email), code);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        Tokens tokens = Tokens.of(r);
        JsonNode claims = payload(tokens.access);
        assertThat(texts(claims.get("amr"))).containsExactly("pwd", "otp", "mfa");
        assertThat(claims.get("auth_time").asLong()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(get(mfa, "api/me", tokens.auth()).status()).isEqualTo(200);
        JsonNode mine = sessionWith(get(mfa, "auth/sessions", tokens.auth()).json().get("sessions"), UA_FIRST);
        assertThat(mine).as("the two-step login's session").isNotNull();

        // the same code again, its step still the current one: refused
        assertInvalidCredentials(completeLogin(mfa, startLogin(mfa, user.email), code));

        // a refresh keeps amr and auth_time
        clock.advance(Duration.ofSeconds(40));
        JsonNode refreshed = payload(Tokens.of(refresh(mfa, tokens)).access);
        assertThat(texts(refreshed.get("amr"))).containsExactly("pwd", "otp", "mfa");
        assertThat(refreshed.get("auth_time").asLong()).isEqualTo(claims.get("auth_time").asLong());
    }

    @Test
    void theSessionListShowsTheSecondFactor() {
        Enrolled user = enrolled(mfa);
        Tokens tokens = Tokens.of(completeLogin(mfa, startLogin(mfa, user.email), user.code(clock.instant(), 0)));
        JsonNode sessions = get(mfa, "auth/sessions", tokens.auth()).json().get("sessions");
        JsonNode current = null;
        for (JsonNode s : sessions) {
            if (s.get("current").asBoolean()) {
                current = s;
            }
        }
        assertThat(current).isNotNull();
        assertThat(texts(current.get("amr"))).containsExactly("pwd", "otp", "mfa");
        assertThat(sessions).as("the enrolment's session and this one").hasSize(2);
    }

    @Test
    void theNextStepIsAcceptedTwoStepsAheadAreNot() {
        Enrolled user = enrolled(mfa);
        String challenge = startLogin(mfa, user.email);
        assertInvalidCredentials(completeLogin(mfa, challenge, user.code(clock.instant(), 2)));
        assertInvalidCredentials(completeLogin(mfa, challenge, user.code(clock.instant(), -2)));
        Reply next = completeLogin(mfa, challenge, user.code(clock.instant(), 1));
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
    }

    @Test
    void anExpiredChallengeIsRefused() {
        Enrolled user = enrolled(mfa);
        String challenge = startLogin(mfa, user.email);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        JsonNode expired = assertInvalidCredentials(completeLogin(mfa, challenge, user.code(clock.instant(), 0)));
        // the same answer as for a challenge that never existed
        JsonNode unknown = assertInvalidCredentials(completeLogin(mfa, randomToken(), user.code(clock.instant(), 0)));
        assertThat(expired).isEqualTo(unknown);
    }

    @Test
    void aChallengeCompletesOnce() {
        Enrolled user = enrolled(mfa);
        String challenge = startLogin(mfa, user.email);
        assertThat(completeLogin(mfa, challenge, user.code(clock.instant(), 0)).status()).isEqualTo(200);
        assertInvalidCredentials(completeLogin(mfa, challenge, user.code(clock.instant(), 1)));
    }

    @Test
    void theMfaTokenIsNoAccessToken() {
        Enrolled user = enrolled(mfa);
        String challenge = startLogin(mfa, user.email);
        assertThat(get(mfa, "api/me", "Authorization", "Bearer " + challenge).status()).isEqualTo(401);
        assertThat(get(mfa, "auth/sessions", "Authorization", "Bearer " + challenge).status()).isEqualTo(401);
        assertThat(completeLogin(mfa, challenge, user.code(clock.instant(), 0)).status()).as("still usable for its purpose").isEqualTo(200);
    }

    @Test
    void aRecoveryCodeWorksOnce() {
        Enrolled user = enrolled(mfa);
        String code = user.recoveryCodes.get(3);
        Reply r = completeLogin(mfa, startLogin(mfa, user.email), code);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Tokens tokens = Tokens.of(r);
        assertThat(texts(payload(tokens.access).get("amr"))).containsExactly("pwd", "otp", "mfa");
        assertThat(status(mfa, tokens)).isEqualTo(Map.of("totp_enabled", true, "recovery_codes_left", 9));
        assertInvalidCredentials(completeLogin(mfa, startLogin(mfa, user.email), code));
        // typed in upper case: another code still works
        Reply upper = completeLogin(mfa, startLogin(mfa, user.email), user.recoveryCodes.get(4).toUpperCase(Locale.ROOT));
        assertThat(upper.status()).as(upper.toString()).isEqualTo(200);
    }

    @Test
    void wrongCodesCountTowardTheLoginThrottling() {
        Enrolled user = enrolled(mfa);
        String challenge = startLogin(mfa, user.email);
        String wrong = user.wrongCode(clock.instant());
        // the password step reserved one failure of the account-and-client burst of 5: four wrong codes fill it
        for (int i = 0; i < 4; i++) {
            assertInvalidCredentials(completeLogin(mfa, challenge, wrong));
        }
        assertThrottled(completeLogin(mfa, challenge, wrong));
        assertThrottled(completeLogin(mfa, challenge, user.code(clock.instant(), 0)));
    }

    @Test
    void aChallengeIsSpentAfterFiveWrongCodes() {
        Enrolled user = enrolled(lenient);
        String challenge = startLogin(lenient, user.email);
        String wrong = user.wrongCode(clock.instant());
        for (int i = 0; i < 5; i++) {
            assertInvalidCredentials(completeLogin(lenient, challenge, wrong));
        }
        assertInvalidCredentials(completeLogin(lenient, challenge, user.code(clock.instant(), 0)));
        Reply again = completeLogin(lenient, startLogin(lenient, user.email), user.code(clock.instant(), 0));
        assertThat(again.status()).as("a new challenge: " + again).isEqualTo(200);
    }

    @Test
    void regeneratedRecoveryCodesReplaceTheOldOnes() {
        Enrolled user = enrolled(mfa);
        Reply r = postEmpty(mfa, "auth/mfa/recovery-codes", user.tokens.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        List<String> fresh = texts(r.json().get("recovery_codes"));
        assertThat(fresh).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches(RECOVERY_CODE)).doesNotContainAnyElementsOf(user.recoveryCodes);
        assertInvalidCredentials(completeLogin(mfa, startLogin(mfa, user.email), user.recoveryCodes.get(0)));
        assertThat(completeLogin(mfa, startLogin(mfa, user.email), fresh.get(0)).status()).isEqualTo(200);
    }

    @Test
    void validationOfTheSecondStep() {
        assertValidation(post(mfa, "auth/login/mfa", Json.object()), "mfa_token", "code");
        assertValidation(post(mfa, "auth/login/mfa", Json.object("mfa_token", randomToken())), "code");
        assertValidation(post(mfa, "auth/login/mfa", Json.object("code", "123456")), "mfa_token");
        assertProblem(new Client(mfa.base).post("auth/login/mfa", "text/plain", "x"), 415, "unsupported-media-type", "Unsupported media type");
    }

    // ---- recent login ----

    @Test
    void removingTheAuthenticatorNeedsARecentLogin() {
        Enrolled user = enrolled(mfa);
        clock.advance(Duration.ofMinutes(11));
        Tokens stale = Tokens.of(refresh(mfa, user.tokens));
        assertStepUp(delete(mfa, "auth/mfa/totp", stale.auth()));
        assertStepUp(postEmpty(mfa, "auth/mfa/recovery-codes", stale.auth()));
        assertThat(status(mfa, stale)).as("the status needs no recent login").isEqualTo(Map.of("totp_enabled", true, "recovery_codes_left", 10));

        Tokens fresh = Tokens.of(completeLogin(mfa, startLogin(mfa, user.email), user.code(clock.instant(), 0)));
        Reply r = delete(mfa, "auth/mfa/totp", fresh.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        assertThat(status(mfa, fresh)).isEqualTo(Map.of("totp_enabled", false, "recovery_codes_left", 0));
        Reply oneStep = login(mfa, user.email, UA_FIRST);
        assertThat(oneStep.json().has("access_token")).as(oneStep.toString()).isTrue();
        assertThat(oneStep.json().has("mfa_required")).isFalse();
        assertProblem(delete(mfa, "auth/mfa/totp", fresh.auth()), 409, "mfa-not-enabled", "Second factor not enabled");
    }

    @Test
    void enrollingNeedsARecentLogin() {
        Tokens tokens = Tokens.of(login(mfa, registered(mfa), UA_FIRST));
        clock.advance(Duration.ofMinutes(11));
        assertStepUp(postEmpty(mfa, "auth/mfa/totp", Tokens.of(refresh(mfa, tokens)).auth()));
    }

    @Test
    void changingThePasswordNeedsARecentLogin() {
        String email = registered(mfa);
        Tokens tokens = Tokens.of(login(mfa, email, UA_FIRST));
        clock.advance(Duration.ofMinutes(11));
        Tokens stale = Tokens.of(refresh(mfa, tokens));
        String body = Json.object("current_password", PASSWORD, "new_password", "another passphrase, long enough");
        assertStepUp(post(mfa, "auth/password", body, stale.auth()));
        Tokens fresh = Tokens.of(login(mfa, email, UA_FIRST));
        Reply r = post(mfa, "auth/password", body, fresh.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
    }

    @Test
    void deletingTheAccountNeedsARecentLogin() {
        String email = newEmail();
        Reply registered = post(mfa, "auth/register", Json.credentials(email, PASSWORD));
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        String id = registered.json().get("id").asText();
        Tokens tokens = Tokens.of(login(mfa, email, UA_FIRST));
        clock.advance(Duration.ofMinutes(11));
        Tokens stale = Tokens.of(refresh(mfa, tokens));
        assertStepUp(delete(mfa, "auth/users/" + id, stale.auth()));
        assertThat(mfa.service.findUser(id)).isPresent();
        Tokens fresh = Tokens.of(login(mfa, email, UA_FIRST));
        Reply r = delete(mfa, "auth/users/" + id, fresh.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        assertThat(mfa.service.findUser(id)).isEmpty();
    }

    // ---- without a second factor, and the cookie transport ----

    @Test
    void theSecondFactorsEndpointsDoNotExistWithoutIt() {
        Tokens tokens = Tokens.of(login(plain, registered(plain), UA_FIRST));
        assertNotFound(get(plain, "auth/mfa", tokens.auth()));
        assertNotFound(postEmpty(plain, "auth/mfa/totp", tokens.auth()));
        assertNotFound(post(plain, "auth/mfa/totp/confirm", Json.object("code", "123456"), tokens.auth()));
        assertNotFound(delete(plain, "auth/mfa/totp", tokens.auth()));
        assertNotFound(postEmpty(plain, "auth/mfa/recovery-codes", tokens.auth()));
        assertNotFound(post(plain, "auth/login/mfa", Json.object("mfa_token", randomToken(), "code", "123456")));
        // sessions exist without a second factor
        assertThat(get(plain, "auth/sessions", tokens.auth()).status()).isEqualTo(200);
    }

    @Test
    void aNodeWithoutTheSecondFactorsSettingsRefusesAnEnrolledUserAsAWrongPassword() {
        Enrolled user = enrolled(mfa);
        String unenrolled = registered(mfa);

        Reply refused = login(unconfigured, user.email, UA_FIRST);
        Reply wrongPassword = new Client(unconfigured.base).postJson("auth/login", Json.credentials(unenrolled, "not the password at all"));

        assertProblem(refused, 401, "invalid-credentials", "Invalid credentials");
        assertThat(refused.headers("Set-Cookie")).isEmpty();
        assertThat(refused.json().has("access_token")).isFalse();
        assertThat(refused.json()).isEqualTo(wrongPassword.json());
        assertThat(refused.header("WWW-Authenticate")).isEqualTo(wrongPassword.header("WWW-Authenticate"));
        assertThat(unconfigured.events.of(SecurityEvent.Type.LOGIN_FAILED)).anyMatch(e -> "second-factor-not-configured".equals(e.reason()));
        // an account without a second factor logs in there as always
        assertThat(login(unconfigured, unenrolled, UA_FIRST).status()).isEqualTo(200);
    }

    @Test
    void theSecondStepByCookieSetsTheCookies() {
        Enrolled user = enrolled(mfa);
        Client browser = new Client(mfa.base);
        Reply first = browser.postJson("auth/login", Json.credentials(user.email, PASSWORD), "Auth-Transport", "cookie");
        assertThat(first.headers("Set-Cookie")).isEmpty();
        String challenge = first.json().get("mfa_token").asText();
        Reply r = browser.postJson("auth/login/mfa", Json.object("mfa_token", challenge, "code", user.code(clock.instant(), 0)),
                "Auth-Transport", "cookie");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().has("access_token")).isFalse();
        assertThat(r.json().has("refresh_token")).isFalse();
        assertThat(r.setCookie("__Host-access_token")).contains("HttpOnly", "Path=/;");
        assertThat(r.setCookie("__Secure-refresh_token")).contains("HttpOnly", "Path=/auth;");
        assertThat(r.setCookie("__Host-csrf_token")).doesNotContain("HttpOnly");
        assertThat(browser.get("api/me").status()).isEqualTo(200);
        JsonNode sessions = browser.get("auth/sessions").json().get("sessions");
        assertThat(sessions).hasSize(2);
    }

    @Test
    void theIndependentTotpMatchesRfc6238() {
        byte[] key = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        // RFC 6238 appendix B, SHA1, the last six of the eight digits
        assertThat(totp(key, 59 / 30)).isEqualTo("287082");
        assertThat(totp(key, 1111111109L / 30)).isEqualTo("081804");
        assertThat(totp(key, 1234567890L / 30)).isEqualTo("005924");
        assertThat(base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")).isEqualTo(key);
    }

    // ---- helpers ----

    static void assertStepUp(Reply r) {
        assertProblem(r, 401, "insufficient-user-authentication", "Stronger authentication required");
        assertThat(r.header("WWW-Authenticate")).as(r.toString()).contains("error=\"insufficient_user_authentication\"")
                .contains("max_age=\"600\"");
    }

    static void assertNotFound(Reply r) {
        assertProblem(r, 404, "not-found", "Not found");
    }

    static String newEmail() {
        return "mfa-" + UUID.randomUUID() + "@example.org";
    }

    static String registered(TestServer s) {
        String email = newEmail();
        Reply r = post(s, "auth/register", Json.credentials(email, PASSWORD));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return email;
    }

    static Reply login(TestServer s, String email, String userAgent) {
        return new Client(s.base).postJson("auth/login", Json.credentials(email, PASSWORD), "User-Agent", userAgent);
    }

    /** The first step of a two-step login: its {@code mfa_token}. */
    static String startLogin(TestServer s, String email) {
        Reply r = login(s, email, UA_FIRST);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("mfa_required").asBoolean()).as(r.toString()).isTrue();
        return r.json().get("mfa_token").asText();
    }

    static Reply completeLogin(TestServer s, String mfaToken, String code) {
        return post(s, "auth/login/mfa", Json.object("mfa_token", mfaToken, "code", code), "User-Agent", UA_FIRST);
    }

    static Reply refresh(TestServer s, Tokens tokens) {
        return post(s, "auth/refresh", Json.object("refresh_token", tokens.refresh));
    }

    static Reply confirm(TestServer s, Tokens tokens, String code) {
        return post(s, "auth/mfa/totp/confirm", Json.object("code", code), tokens.auth());
    }

    static Reply post(TestServer s, String path, String json, String... headers) {
        return new Client(s.base).postJson(path, json, headers);
    }

    /** A POST without a body. */
    static Reply postEmpty(TestServer s, String path, String... headers) {
        return new Client(s.base).post(path, null, null, headers);
    }

    static Reply get(TestServer s, String path, String... headers) {
        return new Client(s.base).get(path, headers);
    }

    static Reply delete(TestServer s, String path, String... headers) {
        return new Client(s.base).send(HttpRequest.newBuilder(s.base.resolve(path)).DELETE(), headers);
    }

    static Map<String, Object> status(TestServer s, Tokens tokens) {
        Reply r = get(s, "auth/mfa", tokens.auth());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = r.json();
        assertThat(body.get("totp_enabled").isBoolean()).isTrue();
        assertThat(body.get("recovery_codes_left").isInt()).isTrue();
        return Map.of("totp_enabled", body.get("totp_enabled").asBoolean(), "recovery_codes_left", body.get("recovery_codes_left").asInt());
    }

    /** The id of the caller's session whose user agent is {@code userAgent}. */
    static String idOf(TestServer s, Tokens tokens, String userAgent) {
        return sessionWith(get(s, "auth/sessions", tokens.auth()).json().get("sessions"), userAgent).get("id").asText();
    }

    static JsonNode sessionWith(JsonNode sessions, String userAgent) {
        for (JsonNode session : sessions) {
            if (userAgent.equals(session.path("user_agent").asText(null))) {
                return session;
            }
        }
        return null;
    }

    static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as(String.valueOf(array)).isTrue();
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<String> fieldNames(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static JsonNode payload(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String randomToken() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(UUID.randomUUID().toString().repeat(2).getBytes(StandardCharsets.US_ASCII))
                .substring(0, 43);
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** RFC 4648 base32, upper or lower case, padding optional. */
    static byte[] base32(String text) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        String s = text.replace("=", "").toUpperCase(Locale.ROOT);
        ByteBuffer out = ByteBuffer.allocate(s.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (char c : s.toCharArray()) {
            int value = alphabet.indexOf(c);
            assertThat(value).as("base32 symbol " + c).isNotNegative();
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out.put((byte) (buffer >>> (bits - 8)));
                bits -= 8;
                buffer &= (1 << bits) - 1;
            }
        }
        return out.array();
    }

    /** The TOTP step of an instant: 30-second steps from the Unix epoch. */
    static long step(Instant time) {
        return Math.floorDiv(time.getEpochSecond(), 30);
    }

    /** RFC 6238 TOTP (RFC 4226 HOTP of the step): HMAC-SHA1, dynamic truncation, six digits. */
    static String totp(byte[] key, long step) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16) | ((hash[offset + 2] & 0xff) << 8)
                    | (hash[offset + 3] & 0xff);
            String digits = Integer.toString(binary % 1_000_000);
            return "0".repeat(6 - digits.length()) + digits;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bearer login's tokens. */
    record Tokens(String access, String refresh) {
        static Tokens of(Reply r) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            return new Tokens(r.json().get("access_token").asText(), r.json().get("refresh_token").asText());
        }

        String[] auth() {
            return new String[] {"Authorization", "Bearer " + access};
        }
    }

    /** A user with a confirmed authenticator, its secret, recovery codes and the (one-step) session it enrolled in. */
    record Enrolled(String email, byte[] secret, List<String> recoveryCodes, Tokens tokens) {
        /** The code of the step {@code offset} steps from {@code now}'s. */
        String code(Instant now, int offset) {
            return totp(secret, step(now) + offset);
        }

        /** A code of no step near {@code now}. */
        String wrongCode(Instant now) {
            var near = new HashSet<String>();
            for (int i = -3; i <= 3; i++) {
                near.add(code(now, i));
            }
            for (int n = 0; ; n++) {
                String candidate = "0".repeat(6 - Integer.toString(n).length()) + n;
                if (!near.contains(candidate)) {
                    return candidate;
                }
            }
        }
    }

    /**
     * Registers, logs in, enrols and confirms with the current step's code, then moves the clock
     * one step on, so that the next login's code is of a later step than the confirmation's.
     */
    Enrolled enrolled(TestServer s) {
        String email = registered(s);
        Tokens tokens = Tokens.of(login(s, email, UA_SECOND));
        Reply begin = postEmpty(s, "auth/mfa/totp", tokens.auth());
        assertThat(begin.status()).as(begin.toString()).isEqualTo(200);
        byte[] secret = base32(query(URI.create(begin.json().get("otpauth_uri").asText())).get("secret"));
        Reply confirmed = confirm(s, tokens, totp(secret, step(clock.instant())));
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(30));
        return new Enrolled(email, secret, texts(confirmed.json().get("recovery_codes")), tokens);
    }

    /** RFC 3339 as the contract writes it: {@code DateTimeFormatter.ISO_INSTANT}, UTC. */
    static final class DateTimeFormat {
        private DateTimeFormat() {
        }

        static String of(Instant instant) {
            return java.time.format.DateTimeFormatter.ISO_INSTANT.format(instant);
        }
    }
}
