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

package dev.gatehouse.token.keys;

import dev.gatehouse.testing.GatehouseThreads;
import dev.gatehouse.testing.LoopbackIssuerServer;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.TokenForge;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.gatehouse.testing.LoopbackIssuerServer.JWKS;
import static dev.gatehouse.testing.LoopbackIssuerServer.OIDC;
import static dev.gatehouse.testing.LoopbackIssuerServer.RFC_8414;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RemoteJwksKeySource#fromIssuer}: the JWK Set URL found in the issuer's discovery
 * metadata, served by a real HTTP server on loopback. The issuer named by the document must be
 * the configured one exactly; a document that breaks the rules stops {@code start()}, an issuer
 * that cannot be read does not (tokens are refused until a retry succeeds).
 */
class IssuerDiscoveryTest {
    private static final String AUDIENCE = "orders";
    private static final KeyPair RSA_1 = generate();
    private static final KeyPair RSA_2 = generate();
    private static final SigningKey KEY_1 = SigningKey.rsa("rsa-1", (RSAPublicKey) RSA_1.getPublic(), (RSAPrivateKey) RSA_1.getPrivate());
    private static final SigningKey KEY_2 = SigningKey.rsa("rsa-2", (RSAPublicKey) RSA_2.getPublic(), (RSAPrivateKey) RSA_2.getPrivate());

    private final MutableClock clock = MutableClock.atNow();
    private final List<RemoteJwksKeySource> sources = new ArrayList<>();
    private LoopbackIssuerServer server;
    private String issuer;

    @BeforeEach
    void startIssuer() {
        server = LoopbackIssuerServer.start();
        issuer = server.base();
        server.discovery(OIDC, issuer, issuer + JWKS).jwks(JwkSets.toPublicJson(List.of(KEY_1)));
    }

    @AfterEach
    void stopAll() {
        sources.forEach(RemoteJwksKeySource::close);
        server.close();
    }

    private RemoteJwksKeySource built(String issuerUri, UnaryOperator<RemoteJwksKeySource.Builder> custom) {
        RemoteJwksKeySource source = custom.apply(RemoteJwksKeySource.fromIssuer(issuerUri).allowHttpLoopback(true).clock(clock)).build();
        sources.add(source);
        return source;
    }

    private RemoteJwksKeySource started(String issuerUri) {
        RemoteJwksKeySource source = built(issuerUri, b -> b);
        source.start();
        return source;
    }

    private AccessTokenVerifier verifier(String expectedIssuer, RemoteJwksKeySource keys) {
        return new AccessTokenVerifier(TokenSettings.builder(expectedIssuer, AUDIENCE).build(), keys);
    }

    private static String token(String iss, KeyPair pair, String kid) {
        long now = Instant.now().getEpochSecond();
        return TokenForge.accessToken("RS256", kid, iss, AUDIENCE, "user-1", now, now + 300).signRs256(pair.getPrivate());
    }

    private void assertKeysUnavailable(AccessTokenVerifier verifier) {
        assertThatThrownBy(() -> verifier.verify(token(issuer, RSA_1, "rsa-1")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
    }

    // --- the normal case ---

    @Test
    void aMatchingIssuerLeadsToItsJwksUriAndTokensVerify() {
        RemoteJwksKeySource keys = started(issuer);

        assertThat(verifier(issuer, keys).verify(token(issuer, RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
        assertThat(keys.jwksUrl()).contains(URI.create(issuer + JWKS));
        assertThat(keys.issuer()).contains(issuer);
        assertThat(server.requests(OIDC)).isEqualTo(1);
        assertThat(server.requests(RFC_8414)).as("tried only when the first answers 4xx").isZero();
    }

    @Test
    void keysRotateAsWithAJwksUrlAndDiscoveryIsNotRepeated() {
        RemoteJwksKeySource keys = started(issuer);
        AccessTokenVerifier verifier = verifier(issuer, keys);
        assertThat(verifier.verify(token(issuer, RSA_1, "rsa-1")).subject()).isEqualTo("user-1");

        server.jwks(JwkSets.toPublicJson(List.of(KEY_1, KEY_2)));
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);

        assertThat(verifier.verify(token(issuer, RSA_2, "rsa-2")).subject()).isEqualTo("user-1");
        assertThat(server.requests(JWKS)).isEqualTo(2);
        assertThat(server.requests(OIDC)).as("the jwks_uri is kept once discovered").isEqualTo(1);
    }

    @Test
    void buildSendsNothingAndStartsNoThread() {
        Set<Thread> before = GatehouseThreads.live();

        RemoteJwksKeySource keys = built(issuer, b -> b);

        assertThat(server.requests(OIDC)).isZero();
        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThat(keys.jwksUrl()).isEmpty();
        assertThatThrownBy(() -> keys.verificationKey("rsa-1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anIssuerWithAPathIsFoundAtTheRfc8414LocationWhenTheOidcOneIs404() {
        String tenant = issuer + "/tenants/a";
        server.discovery(RFC_8414 + "/tenants/a", tenant, issuer + JWKS);

        RemoteJwksKeySource keys = started(tenant);

        assertThat(verifier(tenant, keys).verify(token(tenant, RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
        assertThat(server.requests("/tenants/a" + OIDC)).isEqualTo(1);
        assertThat(server.requests(RFC_8414 + "/tenants/a")).isEqualTo(1);
    }

    @Test
    void discoveryUrlsFollowBothSpecifications() {
        assertThat(RemoteJwksKeySource.discoveryUrls(URI.create("https://auth.example.com"))).containsExactly(
                URI.create("https://auth.example.com/.well-known/openid-configuration"),
                URI.create("https://auth.example.com/.well-known/oauth-authorization-server"));
        assertThat(RemoteJwksKeySource.discoveryUrls(URI.create("https://auth.example.com/tenant/"))).containsExactly(
                URI.create("https://auth.example.com/tenant/.well-known/openid-configuration"),
                URI.create("https://auth.example.com/.well-known/oauth-authorization-server/tenant"));
    }

    // --- documents refused at start ---

    @Test
    void aDocumentNamingAnotherIssuerIsRefusedAtStartNamingBothValues() {
        server.discovery(OIDC, "https://auth.example.com", issuer + JWKS);
        RemoteJwksKeySource keys = built(issuer, b -> b);
        Set<Thread> before = GatehouseThreads.live();

        assertThatThrownBy(keys::start)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("issuerUri"))
                .hasMessageContaining("'https://auth.example.com'")
                .hasMessageContaining("'" + issuer + "'");
        assertThat(server.requests(JWKS)).as("no key is taken from another issuer's document").isZero();
        GatehouseThreads.awaitGone(before, "gatehouse-jwks-");
        assertThat(keys.isRunning()).isFalse();
    }

    static Stream<Arguments> nearMisses() {
        return Stream.of(
                Arguments.of("a trailing slash more", "/"),
                Arguments.of("another case", "X"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nearMisses")
    void theIssuerMustMatchCharacterForCharacter(String name, String suffix) {
        String named = suffix.equals("X") ? issuer.replace("http://", "HTTP://") : issuer + suffix;
        server.discovery(OIDC, named, issuer + JWKS);

        assertThatThrownBy(() -> started(issuer)).isInstanceOf(ConfigurationException.class).hasMessageContaining("'" + named + "'");
    }

    static Stream<Arguments> unusableDocuments() {
        return Stream.of(
                Arguments.of("no issuer", null, "/.well-known/jwks.json", "no \"issuer\""),
                Arguments.of("no jwks_uri", "ISSUER", null, "no \"jwks_uri\""),
                Arguments.of("jwks_uri http to another host", "ISSUER", "http://example.org/jwks.json", "loopback"),
                Arguments.of("jwks_uri of another scheme", "ISSUER", "ftp://127.0.0.1/jwks.json", "https"),
                Arguments.of("jwks_uri relative", "ISSUER", "/.well-known/jwks.json", "absolute"),
                Arguments.of("jwks_uri with user information", "ISSUER", "https://user:pw@keys.example/jwks.json", "password"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableDocuments")
    void aDocumentWithoutAUsableJwksUriIsRefusedAtStart(String name, String docIssuer, String jwksUri, String problem) {
        server.discovery(OIDC, docIssuer == null ? null : issuer, jwksUri == null ? null
                : jwksUri.startsWith("/") && docIssuer == null ? issuer + jwksUri : jwksUri);

        assertThatThrownBy(() -> started(issuer))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("issuerUri"))
                .hasMessageContaining(problem);
    }

    @Test
    void aJwksUriOnAnotherHostAndSchemeIsUsedWhenItPassesTheRules() {
        server.discovery(OIDC, issuer, "https://127.0.0.1:1/keys");

        RemoteJwksKeySource keys = started(issuer);

        assertThat(keys.jwksUrl()).contains(URI.create("https://127.0.0.1:1/keys"));
        assertKeysUnavailable(verifier(issuer, keys));
    }

    // --- transport rules, checked when built ---

    static Stream<Arguments> refusedIssuers() {
        return Stream.of(
                Arguments.of("http to loopback without the flag", "http://127.0.0.1:8080", false),
                Arguments.of("http to another host", "http://auth.example.com", true),
                Arguments.of("another scheme", "ftp://auth.example.com", true),
                Arguments.of("relative", "auth.example.com", true),
                Arguments.of("a query", "https://auth.example.com?tenant=a", true),
                Arguments.of("a fragment", "https://auth.example.com#a", true),
                Arguments.of("user information", "https://user@auth.example.com", true),
                Arguments.of("blank", " ", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedIssuers")
    void anIssuerThatIsNotHttpsOrAllowedLoopbackIsRefusedWhenBuilt(String name, String issuerUri, boolean allowHttpLoopback) {
        assertThatThrownBy(() -> RemoteJwksKeySource.fromIssuer(issuerUri).allowHttpLoopback(allowHttpLoopback).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("issuerUri"));
    }

    @Test
    void anHttpsIssuerIsAcceptedWithoutTheFlag() {
        assertThatCode(() -> RemoteJwksKeySource.fromIssuer("https://auth.example.com").build()).doesNotThrowAnyException();
    }

    // --- an issuer that cannot be read: start returns, tokens wait ---

    @Test
    void anUnreachableIssuerDoesNotFailStartAndTokensAreRefusedMeanwhile() {
        server.close();

        RemoteJwksKeySource keys = started(issuer);

        assertThat(keys.isRunning()).isTrue();
        assertKeysUnavailable(verifier(issuer, keys));
    }

    static Stream<Arguments> unreadableDocuments() {
        String big = "{\"issuer\":\"x\",\"padding\":\"" + "a".repeat(2048) + "\"}";
        return Stream.of(
                Arguments.of("over the size limit", (UnaryOperator<LoopbackIssuerServer>) s -> s.serve(OIDC, 200, "application/json", big)),
                Arguments.of("HTML", (UnaryOperator<LoopbackIssuerServer>) s -> s.serve(OIDC, 200, "text/html", "<html>maintenance</html>")),
                Arguments.of("no content type", (UnaryOperator<LoopbackIssuerServer>) s -> s.serve(OIDC, 200, null, "{}")),
                Arguments.of("not JSON", (UnaryOperator<LoopbackIssuerServer>) s -> s.serve(OIDC, 200, "application/json", "{")),
                Arguments.of("503", (UnaryOperator<LoopbackIssuerServer>) s -> s.serve(OIDC, 503, "application/json", "{}")),
                Arguments.of("a redirect, not followed", (UnaryOperator<LoopbackIssuerServer>) s -> s.serve(OIDC, 302, null, "",
                        Map.of("Location", s.base() + "/elsewhere"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadableDocuments")
    void anUnreadableDocumentIsRetriedAndTokensVerifyOnceItCanBeRead(String name, UnaryOperator<LoopbackIssuerServer> bad) {
        bad.apply(server);
        RemoteJwksKeySource keys = built(issuer, b -> b.maxResponseBytes(1024));
        keys.start();
        AccessTokenVerifier verifier = verifier(issuer, keys);
        assertKeysUnavailable(verifier);
        assertThat(server.requests("/elsewhere")).isZero();
        assertThat(server.requests(JWKS)).isZero();

        server.discovery(OIDC, issuer, issuer + JWKS);
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);

        assertThat(verifier.verify(token(issuer, RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
    }

    @Test
    void aDocumentNamingAnotherIssuerOnARetryKeepsTokensRefused() {
        server.serve(OIDC, 503, "application/json", "{}");
        RemoteJwksKeySource keys = started(issuer);
        AccessTokenVerifier verifier = verifier(issuer, keys);

        server.discovery(OIDC, "https://auth.example.com", issuer + JWKS);
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);

        assertKeysUnavailable(verifier);
        assertThat(server.requests(JWKS)).isZero();
    }

    @Test
    void aVerifierExpectingAnotherIssuerThanTheKeysIsRefused() {
        RemoteJwksKeySource keys = built(issuer, b -> b);

        assertThatThrownBy(() -> verifier("https://auth.example.com", keys))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("issuer"))
                .hasMessageContaining("'https://auth.example.com'").hasMessageContaining("'" + issuer + "'");
    }

    @Test
    void toStringNamesTheIssuer() {
        assertThat(started(issuer).toString()).contains("issuer=" + issuer).contains(issuer + JWKS);
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
