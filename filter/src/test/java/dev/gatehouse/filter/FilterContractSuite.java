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

package dev.gatehouse.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.testing.TokenForge;
import dev.gatehouse.filter.support.EchoServlet;
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import dev.gatehouse.filter.support.TestTokens;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static dev.gatehouse.web.Challenge.AUDIENCE_DESCRIPTION;
import static dev.gatehouse.web.Challenge.EXPIRED_DESCRIPTION;
import static dev.gatehouse.web.Challenge.ISSUER_DESCRIPTION;
import static dev.gatehouse.web.Challenge.MALFORMED_DESCRIPTION;
import static dev.gatehouse.web.Challenge.NOT_YET_VALID_DESCRIPTION;
import static dev.gatehouse.web.Challenge.SIGNATURE_DESCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/**
 * The HTTP contract of {@link GatehouseFilter}, run over real HTTP against an embedded Tomcat in
 * which the filter is configured only by init-params. Each subclass sends the token in one
 * transport (as Dropwizard's {@code AuthBaseTest} does per credential scheme), so every case here
 * holds for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FilterContractSuite {
    static final String CONTEXT = "/app";
    static final String PROTECTED = CONTEXT + "/api/resource";
    static final String PUBLIC = CONTEXT + "/public/page";
    static final String BARE_CHALLENGE = "Bearer realm=\"gatehouse\"";
    static final String INVALID_TOKEN_CHALLENGE = "Bearer realm=\"gatehouse\", error=\"invalid_token\"";
    static final String INVALID_REQUEST_CHALLENGE = "Bearer realm=\"gatehouse\", error=\"invalid_request\"";
    static final String ACCESS_COOKIE = "__Host-access_token";
    static final String CSRF_COOKIE = "__Host-csrf_token";

    /** Keys are generated, and Tomcat started, once per test class. */
    TestTokens tokens;
    EmbeddedTomcat server;

    /** Puts the token into the request the way this transport carries it. */
    protected abstract HttpRequest.Builder withToken(HttpRequest.Builder request, String token);

    @BeforeAll
    void startServer() throws Exception {
        tokens = TestTokens.generate();
        server = new EmbeddedTomcat();
        Context context = server.addContext(CONTEXT);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilterClass(GatehouseFilter.class.getName());
        filter.addInitParameter(GatehouseFilter.ISSUER_PARAM, TestTokens.ISSUER);
        filter.addInitParameter(GatehouseFilter.AUDIENCE_PARAM, TestTokens.AUDIENCE);
        filter.addInitParameter(GatehouseFilter.KEYS_FILE_PARAM, tokens.writePublicJwks(server.baseDir()).toString());
        filter.addInitParameter(GatehouseFilter.PUBLIC_PATHS_PARAM, "/public/*");
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatehouse");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMapping("/*", "echo");
        server.start();
        assertThat(context.getState().isAvailable()).as("context started").isTrue();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    // ---------------------------------------------------------------- valid tokens

    @Test
    void validUserTokenMakesSubjectThePrincipal() {
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.token("user-42", "user")));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void validAdminTokenGrantsEveryRoleItNames() {
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.token("admin-7", "user", "admin")));

        assertPrincipal(reply, "admin-7", true, true);
    }

    @Test
    void validTokenWithoutRolesIsInNoRole() {
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.token("nobody-1")));

        assertPrincipal(reply, "nobody-1", false, false);
    }

    @Test
    void forgedBaselineTokenIsAccepted() {
        // The control for every invalid-token case below: each differs from this token in one way only.
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.signTrusted(tokens.forge())));

        assertPrincipal(reply, "forged-user", true, false);
    }

    @Test
    void successfulResponseNeverEchoesTheToken() {
        String token = tokens.token("user-42", "user");

        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), token));

        assertThat(reply.status()).isEqualTo(200);
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertThat(reply.everything()).doesNotContain(token).doesNotContain(signature);
        assertThat(reply.all("Set-Cookie")).isEmpty();
    }

    // ---------------------------------------------------------------- no token

    @Test
    void noTokenGets401WithBareChallenge() {
        Reply reply = send(Http.get(server.uri(PROTECTED)));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
        assertProblem(reply, 401, "urn:gatehouse:problem:unauthenticated");
    }

    @Test
    void noTokenOnStateChangingRequestGets401WithBareChallenge() {
        Reply reply = send(Http.request("POST", server.uri(PROTECTED)));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
        assertProblem(reply, 401, "urn:gatehouse:problem:unauthenticated");
    }

    // ---------------------------------------------------------------- invalid tokens

    Stream<Arguments> invalidTokens() {
        long now = Instant.now().getEpochSecond();
        String valid = tokens.token("user-42", "user");
        String[] parts = valid.split("\\.");
        String hugePad = "x".repeat(9000);
        return Stream.of(
                invalid("expired", EXPIRED_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("iat", now - 7200).claim("exp", now - 3600))),
                invalid("expired just beyond the leeway", EXPIRED_DESCRIPTION,
                        tokens.signTrusted(tokens.forge().claim("iat", now - 600).claim("exp", now - 60))),
                invalid("nbf in the future", NOT_YET_VALID_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("nbf", now + 3600).claim("exp", now + 7200))),
                invalid("iat in the future", NOT_YET_VALID_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("iat", now + 3600).claim("exp", now + 7200))),
                invalid("wrong iss", ISSUER_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("iss", "https://evil.example"))),
                invalid("iss differing only in a trailing slash", ISSUER_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("iss", TestTokens.ISSUER + "/"))),
                invalid("wrong aud", AUDIENCE_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("aud", "another-service"))),
                invalid("aud array without ours", AUDIENCE_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("aud", List.of("a", "b")))),
                invalid("missing exp", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("exp", null))),
                invalid("null exp", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().claimNull("exp"))),
                invalid("missing sub", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("sub", null))),
                invalid("missing roles", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("roles", null))),
                invalid("wrong typ JWT", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().header("typ", "JWT"))),
                invalid("missing typ", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().header("typ", null))),
                invalid("typ of a refresh token", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().header("typ", "rt+jwt"))),
                invalid("alg none", MALFORMED_DESCRIPTION, tokens.forge().header("alg", "none").withSignature("")),
                invalid("alg None", MALFORMED_DESCRIPTION, tokens.forge().header("alg", "None").withSignature("")),
                invalid("alg NONE", MALFORMED_DESCRIPTION, tokens.forge().header("alg", "NONE").withSignature("")),
                invalid("alg nOnE", MALFORMED_DESCRIPTION, tokens.forge().header("alg", "nOnE").withSignature("")),
                invalid("alg none with a signature segment", SIGNATURE_DESCRIPTION, tokens.signTrusted(tokens.forge().header("alg", "none"))),
                invalid("empty signature", MALFORMED_DESCRIPTION, parts[0] + "." + parts[1] + "."),
                invalid("signature from another key", SIGNATURE_DESCRIPTION, tokens.signAttacker(tokens.forge())),
                invalid("tampered payload", SIGNATURE_DESCRIPTION, tokens.forge().claim("roles", List.of("user", "admin")).signingInput() + "." + parts[2]),
                invalid("RS256 to HS256 with the public key PEM as secret", SIGNATURE_DESCRIPTION,
                        tokens.forge().header("alg", "HS256").signHs256(tokens.trustedPublicKeyPem().getBytes(StandardCharsets.US_ASCII))),
                invalid("RS256 to HS256 with the PEM without its final newline", SIGNATURE_DESCRIPTION,
                        tokens.forge().header("alg", "HS256").signHs256(tokens.trustedPublicKeyPem().strip().getBytes(StandardCharsets.US_ASCII))),
                invalid("ES256 from another key under our kid", SIGNATURE_DESCRIPTION, tokens.signAttackerEc(tokens.forge().header("alg", "ES256"))),
                invalid("unknown kid", SIGNATURE_DESCRIPTION, tokens.signTrusted(tokens.forge().header("kid", "no-such-key"))),
                invalid("missing kid", SIGNATURE_DESCRIPTION, tokens.signTrusted(tokens.forge().header("kid", null))),
                invalid("kid with path traversal", SIGNATURE_DESCRIPTION, tokens.signTrusted(tokens.forge().header("kid", "../../../../../../dev/null"))),
                invalid("kid with SQL", SIGNATURE_DESCRIPTION, tokens.signTrusted(tokens.forge().header("kid", "x' UNION SELECT 'secret' --"))),
                invalid("kid with a NUL", SIGNATURE_DESCRIPTION, tokens.signTrusted(tokens.forge().header("kid", TestTokens.KID + "\u0000"))),
                invalid("embedded jwk under our kid", SIGNATURE_DESCRIPTION, tokens.signAttacker(tokens.forge().header("jwk", tokens.attackerPublicJwk()))),
                invalid("embedded jwk with its own kid", SIGNATURE_DESCRIPTION, tokens.signAttacker(tokens.forge()
                        .header("kid", tokens.attackerKid()).header("jwk", tokens.attackerPublicJwk()))),
                invalid("jku pointing elsewhere", SIGNATURE_DESCRIPTION, tokens.signAttacker(tokens.forge()
                        .header("kid", tokens.attackerKid()).header("jku", "http://evil.example/jwks.json"))),
                invalid("crit header", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().header("crit", List.of("exp")))),
                invalid("oversized (> 8192 characters), validly signed", MALFORMED_DESCRIPTION, tokens.signTrusted(tokens.forge().claim("pad", hugePad))),
                invalid("2 segments", MALFORMED_DESCRIPTION, parts[0] + "." + parts[1]),
                invalid("4 segments", MALFORMED_DESCRIPTION, valid + "." + parts[2]),
                invalid("base64 padding added", MALFORMED_DESCRIPTION, valid + "="),
                invalid("garbage", MALFORMED_DESCRIPTION, "this-is-not-a-token"),
                invalid("garbage with dots", MALFORMED_DESCRIPTION, "a.b.c"),
                invalid("header that is not JSON", MALFORMED_DESCRIPTION, TokenForge.b64("not json") + "." + parts[1] + "." + parts[2]));
    }

    /** A refused token and the {@code error_description} its 401 must carry (docs/http-api.md). */
    private static Arguments invalid(String name, String description, String token) {
        return Arguments.of(named(name, token), description);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTokens")
    void invalidTokenGets401InvalidTokenNamingTheFailedCheck(String token, String description) {
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), token));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate"))
                .containsExactly(INVALID_TOKEN_CHALLENGE + ", error_description=\"" + description + "\"");
        assertProblem(reply, 401, "urn:gatehouse:problem:invalid-token");
        assertThat(reply.json().get("detail").asText()).isEqualTo(description);
        assertThat(reply.body()).doesNotContain(token);
    }

    // ---------------------------------------------------------------- public paths

    @Test
    void publicPathWithoutTokenIsServedAnonymously() {
        assertAnonymous(send(Http.get(server.uri(PUBLIC))));
    }

    @Test
    void publicPrefixItselfIsPublic() {
        assertAnonymous(send(Http.get(server.uri(CONTEXT + "/public"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTokens")
    void publicPathWithInvalidTokenIsServedAnonymously(String token) {
        // A stale cookie must never block the login page.
        assertAnonymous(send(withToken(Http.get(server.uri(PUBLIC)), token)));
    }

    @Test
    void publicPathWithValidTokenSeesThePrincipal() {
        Reply reply = send(withToken(Http.get(server.uri(PUBLIC)), tokens.token("admin-7", "user", "admin")));

        assertPrincipal(reply, "admin-7", true, true);
    }

    @Test
    void pathThatOnlyStartsLikeThePublicPrefixIsProtected() {
        Reply reply = send(Http.get(server.uri(CONTEXT + "/publicity")));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @Test
    void dotSegmentsOutOfThePublicPrefixAreProtected() {
        Reply reply = send(Http.get(server.uri(CONTEXT + "/public/../api/resource")));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @Test
    void encodedDotSegmentsOutOfThePublicPrefixAreProtected() {
        Reply reply = send(Http.get(server.uri(CONTEXT + "/public/%2e%2e/api/resource")));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @Test
    void pathParameterDoesNotMakeAProtectedPathPublic() {
        Reply reply = send(Http.get(server.uri(CONTEXT + "/public;x=1/../api/resource")));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    // ---------------------------------------------------------------- helpers

    static Reply send(HttpRequest.Builder request) {
        return Http.send(request);
    }

    static void assertPrincipal(Reply reply, String subject, boolean user, boolean admin) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.header("WWW-Authenticate")).isNull();
        JsonNode json = reply.json();
        assertThat(json.get("name").asText()).isEqualTo(subject);
        assertThat(json.get("remoteUser").asText()).isEqualTo(subject);
        assertThat(json.get("authType").asText()).isEqualTo("Bearer");
        assertThat(json.get("user").asBoolean()).as("isUserInRole(user)").isEqualTo(user);
        assertThat(json.get("admin").asBoolean()).as("isUserInRole(admin)").isEqualTo(admin);
        assertThat(json.get("principalClass").asText()).isEqualTo(AccessTokenPrincipal.class.getName());
    }

    static void assertAnonymous(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.header("WWW-Authenticate")).isNull();
        JsonNode json = reply.json();
        assertThat(json.get("name").isNull()).as("no principal").isTrue();
        assertThat(json.get("remoteUser").isNull()).isTrue();
        assertThat(json.get("authType").isNull()).isTrue();
        assertThat(json.get("user").asBoolean()).isFalse();
        assertThat(json.get("admin").asBoolean()).isFalse();
    }

    /** An RFC 9457 body with {@code type/title/status/detail}, not cached. */
    static void assertProblem(Reply reply, int status, String type) {
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.all("Cache-Control")).containsExactly("no-store");
        JsonNode json = reply.json();
        assertThat(json.get("type").asText()).isEqualTo(type);
        assertThat(json.get("title").asText()).isNotBlank();
        assertThat(json.get("status").asInt()).isEqualTo(status);
        assertThat(json.get("detail").asText()).isNotBlank();
        assertThat(json.has("trace") || json.has("exception") || reply.body().contains("Exception")).isFalse();
    }

    static void assertInvalidRequest(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(INVALID_REQUEST_CHALLENGE);
        assertProblem(reply, 400, "urn:gatehouse:problem:invalid-request");
    }

    static void assertForbidden(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
        assertThat(reply.header("WWW-Authenticate")).isNull();
        assertProblem(reply, 403, "urn:gatehouse:problem:forbidden");
    }
}
