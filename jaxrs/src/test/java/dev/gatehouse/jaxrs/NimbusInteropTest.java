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
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.IssuerServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.URL;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tokens that Gatehouse issued over HTTP (Grizzly + H2, a real register and login) are verified
 * by Nimbus JOSE+JWT, a JOSE library nobody here wrote, configured as a standard resource server
 * would be: it is given the issuer URL only, finds {@code jwks_uri} in the issuer's
 * {@code /.well-known/openid-configuration}, fetches the keys from there, accepts
 * {@code typ: at+jwt} (RFC 9068) and requires {@code iss}, {@code aud}, {@code sub} and {@code exp}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NimbusInteropTest {
    private final TestDatabases.Database db = TestDatabases.h2();
    private final Map<SigningAlgorithm, IssuerServer> issuers = new EnumMap<>(SigningAlgorithm.class);

    @BeforeAll
    void start() {
        for (SigningAlgorithm alg : List.of(SigningAlgorithm.RS256, SigningAlgorithm.ES256)) {
            issuers.put(alg, IssuerServer.start(db.dataSource(), alg, f -> f));
        }
    }

    @AfterAll
    void stop() {
        issuers.values().forEach(IssuerServer::close);
        db.close();
    }

    /** The Nimbus side: everything it knows is the issuer URL and the audience. */
    private static DefaultJWTProcessor<SecurityContext> resourceServer(String issuer, String audience) throws Exception {
        URI metadataUrl = URI.create(issuer + "/.well-known/openid-configuration");
        JsonNode metadata = new Client(metadataUrl).get(metadataUrl.toString()).json();
        assertThat(metadata.get("issuer").asText()).isEqualTo(issuer);
        URL jwksUri = new URL(metadata.get("jwks_uri").asText());

        JWKSource<SecurityContext> keys = JWKSourceBuilder.create(jwksUri).retrying(false).build();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("iss", "aud", "sub", "exp")));
        return processor;
    }

    @ParameterizedTest
    @EnumSource(value = SigningAlgorithm.class, names = {"RS256", "ES256"})
    void nimbusVerifiesAGatehouseTokenFindingTheKeysFromTheIssuerUrlAlone(SigningAlgorithm alg) throws Exception {
        IssuerServer issuer = issuers.get(alg);
        IssuerServer.Login login = issuer.registerAndLogIn("interop-" + UUID.randomUUID() + "@example.org");

        JWTClaimsSet claims = resourceServer(issuer.issuer, IssuerServer.AUDIENCE).process(login.accessToken, null);

        assertThat(claims.getSubject()).isEqualTo(login.userId);
        assertThat(claims.getIssuer()).isEqualTo(issuer.issuer);
        assertThat(claims.getAudience()).containsExactly(IssuerServer.AUDIENCE);
        assertThat(claims.getStringListClaim("roles")).containsExactly("user");
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getIssueTime()).isBefore(claims.getExpirationTime());
    }

    @ParameterizedTest
    @EnumSource(value = SigningAlgorithm.class, names = {"RS256", "ES256"})
    void nimbusRefusesATamperedGatehouseToken(SigningAlgorithm alg) throws Exception {
        IssuerServer issuer = issuers.get(alg);
        IssuerServer.Login login = issuer.registerAndLogIn("tamper-" + UUID.randomUUID() + "@example.org");
        String[] parts = login.accessToken.split("\\.");
        Base64.Decoder dec = Base64.getUrlDecoder();
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String payload = new String(dec.decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"user\"", "\"admin\"");
        String tampered = parts[0] + "." + enc.encodeToString(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];

        DefaultJWTProcessor<SecurityContext> processor = resourceServer(issuer.issuer, IssuerServer.AUDIENCE);

        assertThatThrownBy(() -> processor.process(tampered, null)).isInstanceOf(BadJOSEException.class);
    }

    @ParameterizedTest
    @EnumSource(value = SigningAlgorithm.class, names = {"RS256", "ES256"})
    void nimbusRefusesAGatehouseTokenMeantForAnotherAudience(SigningAlgorithm alg) throws Exception {
        IssuerServer issuer = issuers.get(alg);
        IssuerServer.Login login = issuer.registerAndLogIn("audience-" + UUID.randomUUID() + "@example.org");

        DefaultJWTProcessor<SecurityContext> processor = resourceServer(issuer.issuer, "some-other-service");

        assertThatThrownBy(() -> processor.process(login.accessToken, null)).isInstanceOf(BadJOSEException.class);
    }

    /**
     * Why the resource-server docs say to accept {@code at+jwt}: a processor left at its default
     * {@code typ} check (only {@code JWT} or none) refuses RFC 9068 access tokens.
     */
    @ParameterizedTest
    @EnumSource(value = SigningAlgorithm.class, names = {"RS256"})
    void aProcessorThatOnlyAcceptsTypJwtRefusesGatehouseAccessTokens(SigningAlgorithm alg) throws Exception {
        IssuerServer issuer = issuers.get(alg);
        IssuerServer.Login login = issuer.registerAndLogIn("typ-" + UUID.randomUUID() + "@example.org");
        DefaultJWTProcessor<SecurityContext> processor = resourceServer(issuer.issuer, IssuerServer.AUDIENCE);
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));

        assertThatThrownBy(() -> processor.process(login.accessToken, null))
                .isInstanceOf(BadJOSEException.class).hasMessageContaining("type");
    }
}
