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
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.testing.GatehouseThreads;
import dev.gatehouse.testing.LoopbackJwksServer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.keys.RemoteJwksKeySource;
import dev.gatehouse.filter.support.EchoServlet;
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
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

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The servlet filter configured by {@code jwks-url} alone, verifying tokens that a JOSE library
 * nobody here wrote (Nimbus JOSE+JWT) signed with keys it generated, published as a JWK Set by a
 * loopback HTTP server: Gatehouse's key handling is checked against an independent
 * implementation, not against itself. Also the init-param rules for {@code jwks-url}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteJwksFilterTest {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "orders";

    private RSAKey rsa;
    private ECKey ec;
    private RSAKey unpublished;
    private LoopbackJwksServer issuer;
    private LoopbackJwksServer outageIssuer;
    private LoopbackJwksServer closingIssuer;
    private LoopbackJwksServer unstartedIssuer;
    private EmbeddedTomcat server;
    private Context closingContext;

    @BeforeAll
    void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("nimbus-rsa-1").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("nimbus-ec-1").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
        unpublished = new RSAKeyGenerator(2048).keyID("nimbus-rsa-2").generate();
        String jwks = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
        issuer = LoopbackJwksServer.start().serve(jwks);
        outageIssuer = LoopbackJwksServer.start().serve(jwks);
        closingIssuer = LoopbackJwksServer.start().serve(jwks);
        unstartedIssuer = LoopbackJwksServer.start().serve(jwks);

        server = new EmbeddedTomcat();
        addContext("/app", issuer);
        addContext("/outage", outageIssuer);
        closingContext = addContext("/closing", closingIssuer);
        addUnstartedContext("/unstarted", unstartedIssuer);
        server.start();
    }

    /** A filter built in code on a verifier whose key source the application forgot to start. */
    private void addUnstartedContext(String path, LoopbackJwksServer jwks) {
        TokenSettings settings = TokenSettings.builder(ISSUER, AUDIENCE).build();
        RemoteJwksKeySource notStarted = RemoteJwksKeySource.builder(jwks.url()).allowHttpLoopback(true).build();
        Context context = server.addContext(path);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilter(GatehouseFilter.builder(new AccessTokenVerifier(settings, notStarted)).build());
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatehouse");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMapping("/*", "echo");
    }

    private Context addContext(String path, LoopbackJwksServer jwks) {
        Context context = server.addContext(path);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilterClass(GatehouseFilter.class.getName());
        filter.addInitParameter(GatehouseFilter.ISSUER_PARAM, ISSUER);
        filter.addInitParameter(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
        filter.addInitParameter(GatehouseFilter.JWKS_URL_PARAM, jwks.url());
        filter.addInitParameter(GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true");
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatehouse");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMapping("/*", "echo");
        return context;
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        for (LoopbackJwksServer s : new LoopbackJwksServer[] {issuer, outageIssuer, closingIssuer, unstartedIssuer}) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** An access token as Gatehouse requires it, made and signed by Nimbus. */
    private static String nimbusToken(JWSAlgorithm alg, String kid, JWSSigner signer, String subject) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(alg).keyID(kid).type(new JOSEObjectType("at+jwt")).build(),
                new JWTClaimsSet.Builder()
                        .issuer(ISSUER)
                        .audience(AUDIENCE)
                        .subject(subject)
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                        .jwtID(UUID.randomUUID().toString())
                        .claim("roles", List.of("user", "admin"))
                        .build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private Reply get(String path, String token) {
        return Http.send(Http.get(server.uri(path)).header("Authorization", "Bearer " + token));
    }

    private static void assertAuthenticatedAs(Reply reply, String subject) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.get("name").asText()).isEqualTo(subject);
        assertThat(body.get("remoteUser").asText()).isEqualTo(subject);
        assertThat(body.get("authType").asText()).isEqualTo("Bearer");
        assertThat(body.get("user").asBoolean()).isTrue();
        assertThat(body.get("admin").asBoolean()).isTrue();
    }

    @Test
    void anRs256TokenSignedByNimbusIsVerifiedWithTheKeyFromTheJwksUrl() throws Exception {
        String token = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-1", new RSASSASigner(rsa), "nimbus-user-1");

        assertAuthenticatedAs(get("/app/api/resource", token), "nimbus-user-1");
    }

    @Test
    void anEs256TokenSignedByNimbusIsVerifiedWithTheKeyFromTheJwksUrl() throws Exception {
        String token = nimbusToken(JWSAlgorithm.ES256, "nimbus-ec-1", new ECDSASigner(ec), "nimbus-user-2");

        assertAuthenticatedAs(get("/app/api/resource", token), "nimbus-user-2");
    }

    @Test
    void tokensTheIssuersKeysDidNotSignAreRefused() throws Exception {
        String unknownKid = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-2", new RSASSASigner(unpublished), "mallory");
        String stolenKid = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-1", new RSASSASigner(unpublished), "mallory");
        String wrongAlgForKid = nimbusToken(JWSAlgorithm.ES256, "nimbus-rsa-1", new ECDSASigner(ec), "mallory");

        for (String token : List.of(unknownKid, stolenKid, wrongAlgForKid)) {
            Reply reply = get("/app/api/resource", token);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.header("WWW-Authenticate"))
                    .isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"The token's signature is invalid\"");
        }
    }

    @Test
    void theJwksIsFetchedOnceForManyRequests() throws Exception {
        String token = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-1", new RSASSASigner(rsa), "nimbus-user-3");
        for (int i = 0; i < 10; i++) {
            assertThat(get("/app/api/resource", token).status()).isEqualTo(200);
        }
        // A few tokens naming unknown keys cost at most the one rate-limited re-fetch.
        for (int i = 0; i < 10; i++) {
            String random = nimbusToken(JWSAlgorithm.RS256, "random-" + i, new RSASSASigner(unpublished), "mallory");
            assertThat(get("/app/api/resource", random).status()).isEqualTo(401);
        }
        assertThat(issuer.requests()).isBetween(1, 2);
    }

    @Test
    void whenTheIssuerIsDownTheFilterKeepsVerifyingWithTheCachedKeys() throws Exception {
        String token = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-1", new RSASSASigner(rsa), "nimbus-user-4");
        assertAuthenticatedAs(get("/outage/api/resource", token), "nimbus-user-4");

        outageIssuer.stop();

        assertAuthenticatedAs(get("/outage/api/resource", token), "nimbus-user-4");
        String unknown = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-2", new RSASSASigner(unpublished), "mallory");
        assertThat(get("/outage/api/resource", unknown).status()).isEqualTo(401);
    }

    @Test
    void destroyStopsTheKeySourceThread() throws Exception {
        String token = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-1", new RSASSASigner(rsa), "nimbus-user-5");
        assertAuthenticatedAs(get("/closing/api/resource", token), "nimbus-user-5");
        String threadName = "gatehouse-jwks-" + closingIssuer.url().split("/")[2];
        assertThat(liveThread(threadName)).isTrue();

        closingContext.stop();

        awaitTrue(() -> !liveThread(threadName));
    }

    // ---------------------------------------------------------------- init-params

    static Stream<Arguments> misconfigurations() {
        return Stream.of(
                Arguments.of("jwks-url and keys-file", Map.of(GatehouseFilter.JWKS_URL_PARAM, "https://issuer.test/.well-known/jwks.json",
                        GatehouseFilter.KEYS_FILE_PARAM, "/etc/gatehouse/jwks.json"), GatehouseFilter.JWKS_URL_PARAM),
                Arguments.of("neither", Map.of(), GatehouseFilter.KEYS_FILE_PARAM),
                Arguments.of("http to another host", Map.of(GatehouseFilter.JWKS_URL_PARAM, "http://example.org/.well-known/jwks.json",
                        GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true"), GatehouseFilter.JWKS_URL_PARAM),
                Arguments.of("http to loopback without the flag", Map.of(GatehouseFilter.JWKS_URL_PARAM,
                        "http://127.0.0.1:1/.well-known/jwks.json"), GatehouseFilter.JWKS_URL_PARAM),
                Arguments.of("not a URL", Map.of(GatehouseFilter.JWKS_URL_PARAM, "jwks.json"), GatehouseFilter.JWKS_URL_PARAM),
                Arguments.of("the flag without jwks-url", Map.of(GatehouseFilter.KEYS_FILE_PARAM, "/etc/gatehouse/jwks.json",
                        GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true"), GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM),
                Arguments.of("the flag not a boolean", Map.of(GatehouseFilter.JWKS_URL_PARAM, "http://127.0.0.1:1/.well-known/jwks.json",
                        GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "yes"), GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM),
                Arguments.of("only HS256 accepted", Map.of(GatehouseFilter.JWKS_URL_PARAM, "https://issuer.test/.well-known/jwks.json",
                        GatehouseFilter.ALGORITHMS_PARAM, "HS256"), GatehouseFilter.ALGORITHMS_PARAM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misconfigurations")
    void aWrongJwksSettingStopsTheFilterNamingTheInitParam(String name, Map<String, String> keyParams, String param) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GatehouseFilter.ISSUER_PARAM, ISSUER);
        params.put(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
        params.putAll(keyParams);

        assertThatThrownBy(() -> new GatehouseFilter().init(config(params, Map.of())))
                .isInstanceOf(ServletException.class)
                .hasMessageStartingWith("Invalid Gatehouse setting '" + param + "'");
    }

    @Test
    void theMissingKeysMessageNamesBothWays() {
        Map<String, String> params = Map.of(GatehouseFilter.ISSUER_PARAM, ISSUER, GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);

        assertThatThrownBy(() -> new GatehouseFilter().init(config(params, Map.of())))
                .hasMessageContaining(GatehouseFilter.KEYS_FILE_PARAM).hasMessageContaining(GatehouseFilter.JWKS_URL_PARAM);
    }

    @Test
    void jwksUrlIsATokenSettingThatAVerifierAttributeExcludes() {
        Map<String, String> params = Map.of(GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM, "gatehouse.verifier",
                GatehouseFilter.JWKS_URL_PARAM, "https://issuer.test/.well-known/jwks.json");

        assertThatThrownBy(() -> new GatehouseFilter().init(config(params, Map.of())))
                .hasMessageStartingWith("Invalid Gatehouse setting '" + GatehouseFilter.JWKS_URL_PARAM + "'");
    }

    @Test
    void aRefusedSettingStartsNoKeySource() {
        try (LoopbackJwksServer jwks = LoopbackJwksServer.start().serve(new JWKSet(rsa.toPublicJWK()).toString())) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put(GatehouseFilter.ISSUER_PARAM, ISSUER);
            params.put(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
            params.put(GatehouseFilter.JWKS_URL_PARAM, jwks.url());
            params.put(GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true");
            params.put(GatehouseFilter.ALLOWED_ORIGINS_PARAM, "https://app.example.com/with-a-path");
            Set<Thread> before = GatehouseThreads.live();

            assertThatThrownBy(() -> new GatehouseFilter().init(config(params, Map.of())))
                    .hasMessageStartingWith("Invalid Gatehouse setting '" + GatehouseFilter.ALLOWED_ORIGINS_PARAM + "'");
            assertThat(jwks.requests()).as("nothing fetched").isZero();
            assertThat(GatehouseThreads.newSince(before)).as("no thread started").isEmpty();
        }
    }

    @Test
    void initFetchesTheKeysBeforeItReturnsAndDestroyStopsTheSource() throws Exception {
        try (LoopbackJwksServer jwks = LoopbackJwksServer.start().serve(new JWKSet(rsa.toPublicJWK()).toString())) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put(GatehouseFilter.ISSUER_PARAM, ISSUER);
            params.put(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
            params.put(GatehouseFilter.JWKS_URL_PARAM, jwks.url());
            params.put(GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true");
            Set<Thread> before = GatehouseThreads.live();
            GatehouseFilter filter = new GatehouseFilter();

            filter.init(config(params, Map.of()));

            assertThat(jwks.requests()).as("the first fetch, before init returned").isEqualTo(1);
            String threadName = "gatehouse-jwks-" + jwks.url().split("/")[2];
            assertThat(GatehouseThreads.newSince(before)).contains(threadName);

            filter.destroy();

            GatehouseThreads.awaitGone(before, threadName);
        }
    }

    @Test
    void aKeySourceTheApplicationDidNotStartFailsClosed() throws Exception {
        String token = nimbusToken(JWSAlgorithm.RS256, "nimbus-rsa-1", new RSASSASigner(rsa), "nimbus-user-6");

        Reply reply = get("/unstarted/api/resource", token);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(unstartedIssuer.requests()).as("a source that is not started fetches nothing").isZero();
    }

    @Test
    void theFilterStartsWhileTheIssuerIsUnreachable() {
        LoopbackJwksServer jwks = LoopbackJwksServer.start();
        String url = jwks.url();
        jwks.close();
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GatehouseFilter.ISSUER_PARAM, ISSUER);
        params.put(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
        params.put(GatehouseFilter.JWKS_URL_PARAM, url);
        params.put(GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true");
        GatehouseFilter filter = new GatehouseFilter();
        try {
            assertThatCode(() -> filter.init(config(params, Map.of()))).doesNotThrowAnyException();
        } finally {
            filter.destroy();
        }
    }

    private static boolean liveThread(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static FilterConfig config(Map<String, String> params, Map<String, Object> attributes) {
        ServletContext context = (ServletContext) Proxy.newProxyInstance(RemoteJwksFilterTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (p, method, args) -> {
                    if (method.getName().equals("getAttribute")) {
                        return attributes.get((String) args[0]);
                    }
                    if (method.getName().equals("equals")) {
                        return p == args[0];
                    }
                    if (method.getName().equals("hashCode")) {
                        return System.identityHashCode(p);
                    }
                    return null;
                });
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "gatehouse";
            }

            @Override
            public ServletContext getServletContext() {
                return context;
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(params.keySet());
            }
        };
    }
}
