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
import com.fasterxml.jackson.databind.node.TextNode;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.internal.DiscoveryResource;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.IssuerServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /.well-known/jwks.json} and the discovery metadata over real HTTP on Grizzly, for an
 * issuer of each algorithm: the JWK Set never carries a private member, an HS256 issuer publishes
 * no key, and the metadata lets a client that knows only the issuer URL find the keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WellKnownEndpointsTest {
    private static final Duration MAX_AGE = Duration.ofSeconds(123);
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "k", "oth");
    private static final Map<String, Set<String>> MEMBERS_BY_KTY = Map.of(
            "RSA", Set.of("kty", "kid", "use", "alg", "n", "e"),
            "EC", Set.of("kty", "kid", "use", "alg", "crv", "x", "y"));

    private final TestDatabases.Database db = TestDatabases.h2();
    private final Map<SigningAlgorithm, IssuerServer> servers = new EnumMap<>(SigningAlgorithm.class);
    private IssuerServer notAUrl;

    @BeforeAll
    void start() {
        for (SigningAlgorithm alg : SigningAlgorithm.values()) {
            servers.put(alg, IssuerServer.start(db.dataSource(), alg, f -> f.jwksMaxAge(MAX_AGE)));
        }
        notAUrl = IssuerServer.start(db.dataSource(), SigningAlgorithm.RS256, "gatehouse-issuer", f -> f);
    }

    @AfterAll
    void stop() {
        servers.values().forEach(IssuerServer::close);
        if (notAUrl != null) {
            notAUrl.close();
        }
        db.close();
    }

    private static Reply get(IssuerServer server, String path) {
        return new Client(server.base).get(path);
    }

    // ---------------------------------------------------------------- the JWK Set

    @ParameterizedTest
    @EnumSource(value = SigningAlgorithm.class, names = {"RS256", "ES256"})
    void theJwksHasThePublicKeyAndNoPrivateMember(SigningAlgorithm alg) throws Exception {
        IssuerServer server = servers.get(alg);
        Reply reply = get(server, ".well-known/jwks.json");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        JsonNode keys = reply.json().get("keys");
        assertThat(keys.size()).isEqualTo(1);
        for (JsonNode key : keys) {
            List<String> members = new ArrayList<>();
            key.fieldNames().forEachRemaining(members::add);
            assertThat(members).doesNotContainAnyElementsOf(PRIVATE_MEMBERS);
            assertThat(members).containsExactlyInAnyOrderElementsOf(MEMBERS_BY_KTY.get(key.get("kty").asText()));
            assertThat(key.get("use").asText()).isEqualTo("sig");
            assertThat(key.get("alg").asText()).isEqualTo(alg.name());
            assertThat(key.get("kid").asText()).isEqualTo(server.key.kid());
        }
        // The published numbers are the signing key's public half, as an independent parser reads them.
        JWK parsed = JWKSet.parse(reply.body()).getKeyByKeyId(server.key.kid());
        assertThat(parsed.isPrivate()).isFalse();
        if (alg == SigningAlgorithm.RS256) {
            RSAPublicKey expected = (RSAPublicKey) server.key.publicKey();
            assertThat(parsed.toRSAKey().toRSAPublicKey().getModulus()).isEqualTo(expected.getModulus());
            assertThat(parsed.toRSAKey().toRSAPublicKey().getPublicExponent()).isEqualTo(expected.getPublicExponent());
        } else {
            ECPublicKey expected = (ECPublicKey) server.key.publicKey();
            assertThat(parsed.toECKey().toECPublicKey().getW()).isEqualTo(expected.getW());
        }
    }

    @Test
    void anHs256IssuerPublishesAnEmptyKeySet() {
        Reply reply = get(servers.get(SigningAlgorithm.HS256), ".well-known/jwks.json");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("keys").isArray()).isTrue();
        assertThat(reply.json().get("keys").size()).isZero();
        assertThat(reply.json().size()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void theJwksMayBeCachedForTheConfiguredMaxAge(SigningAlgorithm alg) {
        Reply reply = get(servers.get(alg), ".well-known/jwks.json");

        assertThat(reply.header("Cache-Control")).isEqualTo("public, max-age=123");
    }

    @Test
    void theDefaultMaxAgeIsFiveMinutes() {
        assertThat(get(notAUrl, ".well-known/jwks.json").header("Cache-Control")).isEqualTo("public, max-age=300");
    }

    // ---------------------------------------------------------------- discovery

    @ParameterizedTest
    @ValueSource(strings = {".well-known/openid-configuration", ".well-known/oauth-authorization-server"})
    void discoveryNamesTheIssuerExactlyAndAnAbsoluteJwksUri(String path) {
        for (IssuerServer server : servers.values()) {
            Reply reply = get(server, path);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("application/json");
            assertThat(reply.header("Cache-Control")).isEqualTo("public, max-age=123");
            JsonNode doc = reply.json();
            assertThat(doc.get("issuer").asText()).isEqualTo(server.issuer);
            assertThat(doc.get("jwks_uri").asText()).isEqualTo(server.issuer + "/.well-known/jwks.json");
            assertThat(URI.create(doc.get("jwks_uri").asText()).isAbsolute()).isTrue();
            assertThat(doc.get("subject_types_supported")).containsExactly(TextNode.valueOf("public"));
            assertThat(doc.get("response_types_supported").isArray()).isTrue();
            // Nothing that Gatehouse does not do.
            assertThat(doc.has("token_endpoint")).isFalse();
            assertThat(doc.has("authorization_endpoint")).isFalse();
            assertThat(doc.has("id_token_signing_alg_values_supported")).isFalse();
        }
    }

    @Test
    void theJwksUriFromDiscoveryServesTheJwks() throws Exception {
        IssuerServer server = servers.get(SigningAlgorithm.RS256);
        String jwksUri = get(server, ".well-known/openid-configuration").json().get("jwks_uri").asText();

        Reply jwks = new Client(URI.create(jwksUri)).get(jwksUri);

        assertThat(jwks.status()).isEqualTo(200);
        assertThat(JWKSet.parse(jwks.body()).getKeyByKeyId(server.key.kid())).isNotNull();
    }

    /** What Spring Security's issuer-location lookup does: the OIDC path under the issuer, then its two checks. */
    @Test
    void aClientThatKnowsOnlyTheIssuerFindsTheKeysAsSpringSecurityDoes() {
        for (IssuerServer server : servers.values()) {
            URI metadata = URI.create(server.issuer + "/.well-known/openid-configuration");
            JsonNode doc = new Client(metadata).get(metadata.toString()).json();

            assertThat(doc.get("jwks_uri")).isNotNull();
            assertThat(server.issuer.equals(doc.get("issuer").asText())).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {".well-known/openid-configuration", ".well-known/oauth-authorization-server"})
    void anIssuerThatIsNotAUrlServesNoDiscoveryButStillItsJwks(String path) {
        assertThat(get(notAUrl, path).status()).isEqualTo(404);
        assertThat(get(notAUrl, ".well-known/jwks.json").status()).isEqualTo(200);
    }

    @Test
    void otherWellKnownPathsAreNotFound() {
        assertThat(get(servers.get(SigningAlgorithm.RS256), ".well-known/security.txt").status()).isEqualTo(404);
    }

    @Test
    void jwksUriIsDerivedFromTheIssuerAsConfigured() {
        assertThat(jwksUri("https://auth.example.com")).isEqualTo("https://auth.example.com/.well-known/jwks.json");
        assertThat(jwksUri("https://auth.example.com/")).isEqualTo("https://auth.example.com/.well-known/jwks.json");
        assertThat(jwksUri("https://example.com/tenant-a")).isEqualTo("https://example.com/tenant-a/.well-known/jwks.json");
        assertThat(DiscoveryResource.metadata("https://auth.example.com/").map(d -> d.contains("\"issuer\":\"https://auth.example.com/\"")))
                .contains(true);
        for (String notUsable : List.of("gatehouse", "urn:example:issuer", "https://a.example?x=1", "https://a.example#f",
                "ftp://a.example", "https://user@a.example", "https:///path")) {
            assertThat(DiscoveryResource.metadata(notUsable)).as(notUsable).isEmpty();
        }
    }

    private static String jwksUri(String issuer) {
        try {
            return new ObjectMapper().readTree(DiscoveryResource.metadata(issuer).orElseThrow())
                    .get("jwks_uri").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
