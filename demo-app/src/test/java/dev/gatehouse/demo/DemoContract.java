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
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.demo.support.WebClient.SetCookie;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo app's HTTP contract (docs/http-api.md, "Demo app" and the auth endpoints), black-box over real
 * HTTP against a running demo at {@link #base()}: the same checks run against the standalone
 * Grizzly app and against the WAR in a real Tomcat, at the root and under a context path.
 *
 * <p>A subclass starts the demo with {@value #BCRYPT_COST} as bcrypt cost (a test cost: with
 * {@code GATEHOUSE_TEST_MODE=true}), the default token
 * lifetimes and transports, and {@value #ADMIN_EMAIL} in {@code GATEHOUSE_ADMIN_EMAILS}, on a
 * fresh database. Each demo allows 30 credential attempts a minute from one client address, so
 * these checks share two accounts and make about fifteen attempts in all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DemoContract {
    public static final String ADMIN_EMAIL = "admin@gatehouse.test";
    public static final int BCRYPT_COST = 4;
    protected static final String PASSWORD = "plum-Kettle-4-orbit";
    static final String ACCESS_COOKIE = "__Host-access_token";
    static final String REFRESH_COOKIE = "__Secure-refresh_token";
    static final String CSRF_COOKIE = "__Host-csrf_token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Default access-token lifetime (PT5M) and verification leeway (30 s). */
    private static final long ACCESS_TTL_SECONDS = 300;
    private static final long LEEWAY_SECONDS = 30;

    private Account user;
    private Account admin;

    /** The running demo's base URI, ending with {@code /} (e.g. {@code http://127.0.0.1:8080/app/}). */
    protected abstract URI base();

    /** A registered account. */
    protected record Account(String id, String email, String password) {
    }

    // ---- the page and the public routes ----

    @Test
    void pageIsHtmlWithAStrictContentSecurityPolicy() {
        Reply page = client().get("");
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).as("CSP")
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.body()).contains("id=\"register-form\"", "id=\"login-form\"", "id=\"signed-in\"", "src=\"app.js\"")
                .doesNotContain("<script>");

        Reply script = client().get("app.js");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.contentType()).startsWith("text/javascript");
        assertThat(script.body()).contains("__Host-csrf_token");
        Reply css = client().get("app.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.contentType()).startsWith("text/css");
    }

    @Test
    void theFaviconThePageNamesIsServedWithoutAToken() {
        assertThat(client().get("").body()).contains("<link rel=\"icon\" href=\"favicon.svg\" type=\"image/svg+xml\">");
        Reply icon = client().get("favicon.svg");
        assertThat(icon.status()).as("%s", icon).isEqualTo(200);
        assertThat(icon.contentType()).startsWith("image/svg+xml");
        assertThat(icon.body()).startsWith("<svg ").contains("xmlns=\"http://www.w3.org/2000/svg\"");
        assertThat(icon.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void plainHttpResponsesNeverCarryHsts() {
        assertThat(base().getScheme()).isEqualTo("http");
        // RFC 6797 §7.2: never over plain HTTP, where it could be stripped or forged.
        assertThat(client().get("").header("Strict-Transport-Security")).isNull();
        assertThat(client().get("api/me").header("Strict-Transport-Security")).isNull();
    }

    @Test
    void pingIsPublic() {
        Reply ping = client().get("api/ping");
        assertThat(ping.status()).as("%s", ping).isEqualTo(200);
        assertThat(ping.contentType()).startsWith("application/json");
        assertThat(ping.json().path("status").asText()).isEqualTo("ok");
    }

    @Test
    void jwksPublishesThePublicSigningKeysOnly() {
        Reply jwks = client().get(".well-known/jwks.json");
        assertThat(jwks.status()).as("%s", jwks).isEqualTo(200);
        assertThat(jwks.contentType()).startsWith("application/json");
        assertThat(jwks.header("Cache-Control")).matches("public, max-age=\\d+");
        JsonNode keys = jwks.json().path("keys");
        assertThat(keys.isArray() && keys.size() > 0).as("keys in %s", jwks.body()).isTrue();
        for (JsonNode key : keys) {
            assertThat(key.path("kty").asText()).isEqualTo("RSA");
            assertThat(key.path("use").asText()).isEqualTo("sig");
            assertThat(key.path("alg").asText()).isEqualTo("RS256");
            assertThat(key.path("kid").asText()).isNotBlank();
            assertThat(key.has("n") && key.has("e")).isTrue();
            assertThat(fieldNames(key)).doesNotContainAnyElementsOf(List.of("d", "p", "q", "dp", "dq", "qi", "k"));
        }
        // the kid that signs the tokens is published
        String kid = header(loginBearer(user()).path("access_token").asText()).path("kid").asText();
        assertThat(keys.findValuesAsText("kid")).contains(kid);
    }

    // ---- the links of mail and the demo's mailbox ----

    @Test
    void theLinksOfMailOpenThePageWithoutATokenInAnyCacheOrReferrer() {
        for (String page : List.of("verify-email", "reset-password")) {
            Reply reply = client().get(page + "?token=" + "A".repeat(43));
            assertThat(reply.status()).as("%s: %s", page, reply).isEqualTo(200);
            assertThat(reply.contentType()).startsWith("text/html");
            assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
            assertThat(reply.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(reply.header("Content-Security-Policy")).contains("script-src 'self'").doesNotContain("unsafe-inline");
            assertThat(reply.body()).contains("id=\"verify-view\"", "id=\"reset-form\"", "src=\"app.js\"").doesNotContain("<script>");
        }
    }

    @Test
    void theLocalMailboxHoldsTheVerificationMailWithALinkToThisDemo() {
        // without GATEHOUSE_REQUIRE_VERIFIED_EMAIL the account logs in at once, and the link is sent all the same
        Account account = register(uniqueEmail());
        Reply mailbox = Poll.until(Duration.ofSeconds(20), () -> client().get("demo/mailbox"),
                r -> r.status() != 200 || r.body().contains(account.email()));
        assertThat(mailbox.status()).as("%s", mailbox).isEqualTo(200);
        assertThat(mailbox.contentType()).startsWith("application/json");
        assertThat(mailbox.header("Cache-Control")).isEqualTo("no-store");
        List<String> texts = new ArrayList<>();
        mailbox.json().path("messages").forEach(m -> {
            if (m.path("to").asText().equals(account.email())) {
                texts.add(m.path("text").asText());
            }
        });
        assertThat(texts).as("the mail to %s", account.email()).hasSize(1);
        assertThat(texts.get(0)).contains(base() + "verify-email?token=");
        String token = texts.get(0).substring(texts.get(0).indexOf("verify-email?token=") + "verify-email?token=".length()).split("\\s", 2)[0];
        SecretLedger.record(token);
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
    }

    // ---- registration ----

    @Test
    void registrationCreatesAUserWithTheRoleUserOnly() {
        String email = uniqueEmail();
        Reply created = client().postJson("auth/register",
                "{\"email\":\"" + email.toUpperCase(Locale.ROOT) + "\",\"password\":\"" + PASSWORD + "\",\"roles\":[\"admin\"]}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = created.json();
        String id = body.path("id").asText();
        assertThat(id).isNotBlank();
        assertThat(body.path("email").asText()).as("normalised").isEqualTo(email);
        assertThat(URI.create(created.header("Location")).getRawPath()).isEqualTo(base().getRawPath() + "auth/users/" + id);

        JsonNode tokens = loginBearer(new Account(id, email, PASSWORD));
        JsonNode me = client().get("api/me", bearer(tokens)).json();
        assertThat(me.path("sub").asText()).isEqualTo(id);
        assertThat(texts(me.path("roles"))).as("a 'roles' field in the registration changes nothing").containsExactly("user");

        Reply self = client().get("auth/users/" + id, bearer(tokens));
        assertThat(self.status()).as("%s", self).isEqualTo(200);
        assertThat(fieldNames(self.json())).containsExactlyInAnyOrder("id", "email", "roles", "created_at");
        assertThat(self.json().path("email").asText()).isEqualTo(email);
        assertThat(Instant.parse(self.json().path("created_at").asText())).isBetween(Instant.now().minusSeconds(120), Instant.now());
        Reply other = client().get("auth/users/" + user().id(), bearer(tokens));
        assertThat(other.status()).as("another user's id: %s", other).isEqualTo(404);
    }

    @Test
    void registrationRefusesAnInvalidEmailAndATooShortPasswordWithFieldErrors() {
        Reply refused = client().postJson("auth/register", "{\"email\":\"not-an-email\",\"password\":\"short\"}");
        assertThat(refused.status()).as("%s", refused).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        JsonNode problem = refused.json();
        assertThat(problem.path("status").asInt()).isEqualTo(400);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("errors").findValuesAsText("field")).containsExactlyInAnyOrder("email", "password");
        assertThat(refused.body()).doesNotContain("Exception", "at dev.");
    }

    @Test
    void registrationRefusesAnEmailThatIsAlreadyRegisteredInAnotherCase() {
        Reply duplicate = client().postJson("auth/register",
                "{\"email\":\"" + user().email().toUpperCase(Locale.ROOT) + "\",\"password\":\"" + PASSWORD + "x\"}");
        assertThat(duplicate.status()).as("%s", duplicate).isEqualTo(409);
        assertThat(duplicate.contentType()).startsWith("application/problem+json");
        assertThat(duplicate.json().path("status").asInt()).isEqualTo(409);
    }

    @Test
    void authRequestsMustBeJson() {
        Reply plain = client().post("auth/login", "text/plain", "email=a@b.test&password=x");
        assertThat(plain.status()).as("%s", plain).isEqualTo(415);
        assertThat(plain.contentType()).startsWith("application/problem+json");
        Reply broken = client().postJson("auth/login", "{\"email\": ");
        assertThat(broken.status()).as("%s", broken).isEqualTo(400);
        assertThat(broken.contentType()).startsWith("application/problem+json");
    }

    // ---- login, bearer transport ----

    @Test
    void wrongPasswordAndUnknownEmailGetTheSameAnswer() {
        Reply wrong = client().postJson("auth/login", credentials(user().email(), PASSWORD + "-wrong"));
        Reply unknown = client().postJson("auth/login", credentials(uniqueEmail(), PASSWORD));
        assertThat(wrong.status()).as("%s", wrong).isEqualTo(401);
        assertThat(unknown.status()).as("%s", unknown).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(wrong.body());
        assertThat(unknown.contentType()).isEqualTo(wrong.contentType()).startsWith("application/problem+json");
        assertThat(unknown.header("WWW-Authenticate")).isEqualTo(wrong.header("WWW-Authenticate"));
        assertThat(wrong.setCookies()).isEmpty();
    }

    @Test
    void bearerLoginReturnsTheTokensInTheBody() {
        Reply login = client().postJson("auth/login", credentials(user().email(), PASSWORD), "Auth-Transport", "bearer");
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        assertThat(login.header("Cache-Control")).isEqualTo("no-store");
        assertThat(login.setCookies()).isEmpty();
        JsonNode tokens = login.json();
        assertThat(tokens.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(tokens.path("expires_in").asLong()).isBetween(ACCESS_TTL_SECONDS - 5, ACCESS_TTL_SECONDS);
        assertThat(tokens.path("refresh_expires_in").asLong()).isGreaterThan(ACCESS_TTL_SECONDS);
        assertThat(tokens.path("refresh_token").asText()).hasSizeGreaterThanOrEqualTo(43);

        JsonNode header = header(tokens.path("access_token").asText());
        JsonNode claims = payload(tokens.path("access_token").asText());
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(header.path("typ").asText()).isEqualTo("at+jwt");
        assertThat(fieldNames(claims)).containsExactlyInAnyOrder("iss", "aud", "sub", "iat", "exp", "jti", "roles", "amr", "auth_time");
        assertThat(claims.path("sub").asText()).isEqualTo(user().id());
        // how and when the user logged in (RFC 8176 amr): a password, just now
        assertThat(claims.path("amr").toString()).isEqualTo("[\"pwd\"]");
        assertThat(claims.path("auth_time").asLong()).isBetween(claims.path("iat").asLong() - 5, claims.path("iat").asLong());
        assertThat(claims.path("aud").isArray() ? claims.path("aud").get(0).asText() : claims.path("aud").asText())
                .isEqualTo("gatehouse-demo");
    }

    @Test
    void meAndClaimsDescribeTheBearerOfAValidToken() {
        JsonNode tokens = loginBearer(user());
        Reply me = client().get("api/me", bearer(tokens));
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(me.contentType()).startsWith("application/json");
        assertThat(fieldNames(me.json())).containsExactlyInAnyOrder("sub", "email", "roles");
        assertThat(me.json().path("sub").asText()).isEqualTo(user().id());
        assertThat(me.json().path("email").asText()).isEqualTo(user().email());
        assertThat(texts(me.json().path("roles"))).containsExactly("user");

        Reply claims = client().get("api/claims", bearer(tokens));
        assertThat(claims.status()).as("%s", claims).isEqualTo(200);
        assertThat(fieldNames(claims.json())).containsExactlyInAnyOrder("sub", "roles", "exp");
        assertThat(claims.json().path("sub").asText()).isEqualTo(user().id());
        assertThat(texts(claims.json().path("roles"))).containsExactly("user");
        long now = Instant.now().getEpochSecond();
        assertThat(claims.json().path("exp").asLong()).isBetween(now, now + ACCESS_TTL_SECONDS + 5);
    }

    /**
     * The demo's step-up resource: a valid token of a password login falls short of the second
     * factor it needs (on Grizzly {@code @StepUp}; in the WAR the filter's {@code step-up-paths}
     * answers first), with the RFC 9470 challenge.
     */
    @Test
    void secureNeedsALoginWithASecondFactor() {
        JsonNode tokens = loginBearer(user());
        Reply secure = client().get("api/secure", bearer(tokens));
        assertThat(secure.status()).as("%s", secure).isEqualTo(401);
        assertThat(secure.header("WWW-Authenticate")).startsWith("Bearer realm=\"gatehouse\"")
                .contains("error=\"insufficient_user_authentication\"").contains("acr_values=\"mfa\"");
        assertThat(secure.contentType()).startsWith("application/problem+json");
        assertThat(client().get("api/me", bearer(tokens)).status()).as("the same token elsewhere").isEqualTo(200);
    }

    @Test
    void protectedRoutesWithoutATokenGetABareBearerChallenge() {
        for (String path : List.of("api/me", "api/claims", "api/admin", "api/secure")) {
            Reply reply = client().get(path);
            assertThat(reply.status()).as("%s", reply).isEqualTo(401);
            assertThat(reply.header("WWW-Authenticate")).as(path).startsWith("Bearer realm=\"gatehouse\"").doesNotContain("error=");
            assertThat(reply.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void anInvalidTokenGetsInvalidToken() {
        String token = loginBearer(user()).path("access_token").asText();
        String tampered = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        for (String bad : List.of("not.a.jwt", tampered)) {
            Reply reply = client().get("api/me", "Authorization", "Bearer " + bad);
            assertThat(reply.status()).as("%s", reply).isEqualTo(401);
            assertThat(reply.header("WWW-Authenticate")).contains("realm=\"gatehouse\"", "error=\"invalid_token\"");
        }
    }

    @Test
    void aTokenInTheHeaderAndInTheCookieIsABadRequest() {
        String token = loginBearer(user()).path("access_token").asText();
        WebClient both = client().withCookie(ACCESS_COOKIE, token, "/");
        Reply reply = both.get("api/me", "Authorization", "Bearer " + token);
        assertThat(reply.status()).as("%s", reply).isEqualTo(400);
        assertThat(reply.header("WWW-Authenticate")).contains("error=\"invalid_request\"");
    }

    @Test
    void theAdminRouteNeedsTheAdminRole() {
        Reply asUser = client().get("api/admin", bearer(loginBearer(user())));
        assertThat(asUser.status()).as("%s", asUser).isEqualTo(403);
        assertThat(asUser.contentType()).startsWith("application/problem+json");

        JsonNode adminTokens = loginBearer(admin());
        Reply asAdmin = client().get("api/admin", bearer(adminTokens));
        assertThat(asAdmin.status()).as("%s", asAdmin).isEqualTo(200);
        assertThat(texts(client().get("api/me", bearer(adminTokens)).json().path("roles"))).containsExactlyInAnyOrder("user", "admin");
    }

    @Test
    void bearerRefreshRotatesBothTokens() {
        JsonNode first = loginBearer(user());
        Reply refreshed = client().postJson("auth/refresh", refreshBody(first));
        assertThat(refreshed.status()).as("%s", refreshed).isEqualTo(200);
        assertThat(refreshed.header("Cache-Control")).isEqualTo("no-store");
        JsonNode second = refreshed.json();
        assertThat(second.path("access_token").asText()).isNotEqualTo(first.path("access_token").asText());
        assertThat(second.path("refresh_token").asText()).isNotEqualTo(first.path("refresh_token").asText());
        assertThat(client().get("api/me", bearer(second)).status()).isEqualTo(200);

        Reply accessAsRefresh = client().postJson("auth/refresh",
                "{\"refresh_token\":\"" + second.path("access_token").asText() + "\"}");
        assertThat(accessAsRefresh.status()).as("%s", accessAsRefresh).isEqualTo(401);
        Reply refreshAsAccess = client().get("api/me", "Authorization", "Bearer " + second.path("refresh_token").asText());
        assertThat(refreshAsAccess.status()).as("%s", refreshAsAccess).isEqualTo(401);
        Reply unknownTransport = client().postJson("auth/refresh", refreshBody(second), "Auth-Transport", "carrier-pigeon");
        assertThat(unknownTransport.status()).as("%s", unknownTransport).isEqualTo(400);
    }

    @Test
    void bearerLogoutRevokesTheAccessTokenAndTheRefreshTokens() {
        JsonNode tokens = loginBearer(user());
        Reply logout = client().post("auth/logout", null, null, bearer(tokens));
        assertThat(logout.status()).as("%s", logout).isEqualTo(204);
        Reply after = Poll.until(Duration.ofSeconds(10), () -> client().get("api/me", bearer(tokens)), r -> r.status() == 401);
        assertThat(after.status()).as("%s", after).isEqualTo(401);
        assertThat(after.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        Reply refresh = client().postJson("auth/refresh", refreshBody(tokens));
        assertThat(refresh.status()).as("%s", refresh).isEqualTo(401);
    }

    @Test
    void logoutAllEndsEveryLoginOfTheUser() {
        Account account = register(uniqueEmail());
        JsonNode laptop = loginBearer(account);
        JsonNode phone = loginBearer(account);
        JsonNode bystander = loginBearer(user());
        Reply all = client().post("auth/logout-all", null, null, bearer(phone));
        assertThat(all.status()).as("%s", all).isEqualTo(204);
        for (JsonNode tokens : List.of(laptop, phone)) {
            Reply me = Poll.until(Duration.ofSeconds(10), () -> client().get("api/me", bearer(tokens)), r -> r.status() == 401);
            assertThat(me.status()).as("%s", me).isEqualTo(401);
            assertThat(client().postJson("auth/refresh", refreshBody(tokens)).status()).isEqualTo(401);
        }
        assertThat(client().get("api/me", bearer(bystander)).status()).as("another user's login").isEqualTo(200);
    }

    // ---- cookie transport ----

    @Test
    void cookieLoginSetsTheThreeCookiesAndNoTokenInTheBody() {
        WebClient browser = client();
        Reply login = browser.postJson("auth/login", credentials(user().email(), PASSWORD), "Auth-Transport", "cookie");
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        assertThat(login.header("Cache-Control")).isEqualTo("no-store");
        JsonNode body = login.json();
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("token_type", "expires_in", "refresh_expires_in");
        long expiresIn = body.path("expires_in").asLong();

        SetCookie access = login.setCookie(ACCESS_COOKIE);
        SetCookie refresh = login.setCookie(REFRESH_COOKIE);
        SetCookie csrf = login.setCookie(CSRF_COOKIE);
        assertThat(access).as("%s", login).isNotNull();
        assertThat(refresh).as("%s", login).isNotNull();
        assertThat(csrf).as("%s", login).isNotNull();
        assertThat(access.has("HttpOnly") && access.has("Secure")).as("%s", access).isTrue();
        assertThat(access.attribute("SameSite")).hasValue("Strict");
        assertThat(access.attribute("Path")).hasValue("/");
        assertThat(access.attribute("Max-Age")).hasValue(String.valueOf(expiresIn));
        assertThat(refresh.has("HttpOnly") && refresh.has("Secure")).as("%s", refresh).isTrue();
        assertThat(refresh.attribute("SameSite")).hasValue("Strict");
        assertThat(refresh.attribute("Path")).as("the refresh cookie goes to the auth endpoints only")
                .hasValue(base().getRawPath() + "auth");
        assertThat(refresh.attribute("Max-Age")).hasValue(String.valueOf(body.path("refresh_expires_in").asLong()));
        assertThat(csrf.has("HttpOnly")).as("scripts read the CSRF cookie: %s", csrf).isFalse();
        assertThat(csrf.has("Secure")).isTrue();
        assertThat(csrf.attribute("SameSite")).hasValue("Strict");
        assertThat(csrf.attribute("Path")).hasValue("/");
        assertThat(login.body()).doesNotContain(access.value, refresh.value);

        Reply me = browser.get("api/me");
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).isEqualTo(user().email());
        assertThat(browser.get("api/claims").json().path("sub").asText()).isEqualTo(user().id());
        assertThat(browser.get("api/admin").status()).isEqualTo(403);
    }

    @Test
    void cookieStateChangesNeedTheCsrfHeaderAndTheSameSite() {
        WebClient browser = loginCookie(user());
        String csrf = browser.cookie(CSRF_COOKIE);
        String oldAccess = browser.cookie(ACCESS_COOKIE);
        String cookie = "cookie";

        assertThat(browser.post("auth/refresh", null, null, "Auth-Transport", cookie).status()).as("no CSRF header").isEqualTo(403);
        assertThat(browser.post("auth/refresh", null, null, "Auth-Transport", cookie, "X-CSRF-Token", csrf + "x").status())
                .as("wrong CSRF header").isEqualTo(403);
        assertThat(browser.post("auth/refresh", null, null, "Auth-Transport", cookie, "X-CSRF-Token", csrf,
                "Sec-Fetch-Site", "cross-site").status()).as("cross-site").isEqualTo(403);
        assertThat(browser.post("auth/refresh", null, null, "Auth-Transport", cookie, "X-CSRF-Token", csrf,
                "Origin", "https://evil.example").status()).as("foreign Origin").isEqualTo(403);
        Reply logoutAll = browser.post("auth/logout-all", null, null);
        assertThat(logoutAll.status()).as("logout-all without CSRF: %s", logoutAll).isEqualTo(403);
        assertThat(browser.get("api/me").status()).as("still signed in").isEqualTo(200);

        Reply refreshed = browser.post("auth/refresh", null, null, "Auth-Transport", cookie, "X-CSRF-Token", csrf,
                "Origin", browser.origin(), "Sec-Fetch-Site", "same-origin");
        assertThat(refreshed.status()).as("%s", refreshed).isEqualTo(200);
        assertThat(fieldNames(refreshed.json())).doesNotContain("access_token", "refresh_token");
        assertThat(browser.cookie(ACCESS_COOKIE)).isNotNull().isNotEqualTo(oldAccess);
        assertThat(browser.cookie(CSRF_COOKIE)).isNotNull();
        assertThat(browser.get("api/me").status()).isEqualTo(200);
    }

    @Test
    void cookieLogoutClearsTheCookiesAndEndsTheSession() {
        WebClient browser = loginCookie(user());
        String access = browser.cookie(ACCESS_COOKIE);
        String refresh = browser.cookie(REFRESH_COOKIE);
        Reply logout = browser.post("auth/logout", null, null, "X-CSRF-Token", browser.cookie(CSRF_COOKIE));
        assertThat(logout.status()).as("%s", logout).isEqualTo(204);
        for (String name : List.of(ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE)) {
            SetCookie cleared = logout.setCookie(name);
            assertThat(cleared).as("%s cleared in %s", name, logout).isNotNull();
            assertThat(cleared.attribute("Max-Age")).as("%s", cleared).hasValue("0");
            assertThat(cleared.attribute("Path")).as("%s", cleared)
                    .hasValue(name.equals(REFRESH_COOKIE) ? base().getRawPath() + "auth" : "/");
        }
        assertThat(browser.cookieNames()).isEmpty();
        assertThat(browser.get("api/me").status()).isEqualTo(401);

        // the old cookies, kept by someone, are dead too
        WebClient replay = client().withCookie(ACCESS_COOKIE, access, "/");
        Reply me = Poll.until(Duration.ofSeconds(10), () -> replay.get("api/me"), r -> r.status() == 401);
        assertThat(me.status()).as("%s", me).isEqualTo(401);
        WebClient replayRefresh = client().withCookie(REFRESH_COOKIE, refresh, "/").withCookie(CSRF_COOKIE, "c", "/");
        assertThat(replayRefresh.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", "c").status())
                .isEqualTo(401);
    }

    // ---- helpers ----

    protected WebClient client() {
        return new WebClient(base());
    }

    protected synchronized Account user() {
        if (user == null) {
            user = register(uniqueEmail());
        }
        return user;
    }

    protected synchronized Account admin() {
        if (admin == null) {
            admin = register(ADMIN_EMAIL);
        }
        return admin;
    }

    protected Account register(String email) {
        Reply created = client().postJson("auth/register", credentials(email, PASSWORD));
        assertThat(created.status()).as("register %s: %s", email, created).isEqualTo(201);
        return new Account(created.json().path("id").asText(), created.json().path("email").asText(), PASSWORD);
    }

    protected JsonNode loginBearer(Account account) {
        Reply login = client().postJson("auth/login", credentials(account.email(), account.password()));
        assertThat(login.status()).as("login %s: %s", account.email(), login).isEqualTo(200);
        return login.json();
    }

    protected WebClient loginCookie(Account account) {
        WebClient browser = client();
        Reply login = browser.postJson("auth/login", credentials(account.email(), account.password()), "Auth-Transport", "cookie");
        assertThat(login.status()).as("login %s: %s", account.email(), login).isEqualTo(200);
        assertThat(browser.cookieNames()).containsExactlyInAnyOrder(ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE);
        return browser;
    }

    /**
     * A fresh key-encryption key (base64 of 32 random bytes) for demos started in-process, so that
     * they do not generate the demo one into the working directory's {@code ./data}.
     */
    public static String newKeyEncryptionKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        SecretLedger.record(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * A fresh password pepper (base64 of 32 random bytes) for demos started in-process, so that
     * they do not generate the demo one into the working directory's {@code ./data}.
     */
    public static String newPepper() {
        byte[] pepper = new byte[32];
        new java.security.SecureRandom().nextBytes(pepper);
        SecretLedger.record(pepper);
        return Base64.getEncoder().encodeToString(pepper);
    }

    protected static String uniqueEmail() {
        return "user" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8) + "@gatehouse.test";
    }

    protected static String credentials(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private static String refreshBody(JsonNode tokens) {
        return "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}";
    }

    protected static String[] bearer(JsonNode tokens) {
        return new String[] {"Authorization", "Bearer " + tokens.path("access_token").asText()};
    }

    private static JsonNode header(String jwt) {
        return decode(jwt.split("\\.")[0]);
    }

    private static JsonNode payload(String jwt) {
        return decode(jwt.split("\\.")[1]);
    }

    private static JsonNode decode(String part) {
        try {
            return JSON.readTree(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    protected static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
