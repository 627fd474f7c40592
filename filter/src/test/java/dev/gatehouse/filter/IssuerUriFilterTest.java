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

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.filter.support.EchoServlet;
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import dev.gatehouse.testing.LoopbackIssuerServer;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static dev.gatehouse.testing.LoopbackIssuerServer.JWKS;
import static dev.gatehouse.testing.LoopbackIssuerServer.OIDC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The servlet filter configured by {@code issuer-uri} alone, in an embedded Tomcat, against an
 * issuer's discovery metadata and JWK Set served over real HTTP; tokens signed by Nimbus. A
 * document naming another issuer keeps the web application from starting, naming the init-param.
 * Also the init-param rules of {@code issuer-uri}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IssuerUriFilterTest {
    private static final String AUDIENCE = "orders";

    private RSAKey rsa;
    private LoopbackIssuerServer issuer;
    private LoopbackIssuerServer mixedUp;
    private EmbeddedTomcat server;
    private Context app;
    private Context mixedUpApp;
    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger containerLog = Logger.getLogger("org.apache.catalina.core.ContainerBase");

    @BeforeAll
    void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("nimbus-rsa-1").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        String jwks = new JWKSet(rsa.toPublicJWK()).toString();
        issuer = LoopbackIssuerServer.start();
        issuer.discovery(OIDC, issuer.base(), issuer.base() + JWKS).jwks(jwks);
        mixedUp = LoopbackIssuerServer.start();
        mixedUp.discovery(OIDC, "https://auth.example.com", mixedUp.base() + JWKS).jwks(jwks);

        containerLog.addHandler(capture);
        server = new EmbeddedTomcat();
        app = addContext("/app", issuer.base());
        mixedUpApp = addContext("/mixed-up", mixedUp.base());
        server.start();
    }

    private Context addContext(String path, String issuerUri) {
        Context context = server.addContext(path);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilterClass(GatehouseFilter.class.getName());
        filter.addInitParameter(GatehouseFilter.ISSUER_URI_PARAM, issuerUri);
        filter.addInitParameter(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
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
        containerLog.removeHandler(capture);
        if (server != null) {
            server.close();
        }
        for (LoopbackIssuerServer s : new LoopbackIssuerServer[] {issuer, mixedUp}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private String token(String iss, String subject) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).type(new JOSEObjectType("at+jwt")).build(),
                new JWTClaimsSet.Builder()
                        .issuer(iss)
                        .audience(AUDIENCE)
                        .subject(subject)
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                        .jwtID(UUID.randomUUID().toString())
                        .claim("roles", List.of("user"))
                        .build());
        jwt.sign(new RSASSASigner(rsa));
        return jwt.serialize();
    }

    private Reply get(String path, String token) {
        return Http.send(Http.get(server.uri(path)).header("Authorization", "Bearer " + token));
    }

    @Test
    void aTokenOfTheIssuerIsVerifiedWithTheKeysItsDiscoveryMetadataPointsTo() throws Exception {
        Reply reply = get("/app/api/resource", token(issuer.base(), "nimbus-user-1"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo("nimbus-user-1");
        assertThat(issuer.requests(OIDC)).isEqualTo(1);
    }

    @Test
    void theIssuerUriIsAlsoTheExpectedIssOfTokens() throws Exception {
        Reply reply = get("/app/api/resource", token("https://auth.example.com", "mallory"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }

    @Test
    void aDocumentNamingAnotherIssuerKeepsTheApplicationFromStartingAndNamesTheInitParam() throws Exception {
        assertThat(app.getState().isAvailable()).isTrue();
        assertThat(mixedUpApp.getState().isAvailable()).as("state " + mixedUpApp.getState()).isFalse();
        String failure = records.stream()
                .filter(r -> r.getThrown() != null)
                .map(r -> messages(r.getThrown()))
                .filter(m -> m.contains("Gatehouse"))
                .findFirst().orElseThrow(() -> new AssertionError("no start-up failure was logged"));
        assertThat(failure).contains("'" + GatehouseFilter.ISSUER_URI_PARAM + "'")
                .contains("'https://auth.example.com'").contains("'" + mixedUp.base() + "'");

        Reply refused = get("/mixed-up/api/resource", token("https://auth.example.com", "mallory"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(404);
        assertThat(mixedUp.requests(JWKS)).as("no key taken from a mixed-up document").isZero();
    }

    // ---------------------------------------------------------------- init-params

    static Stream<Arguments> misconfigurations() {
        String uri = "https://issuer.test";
        return Stream.of(
                Arguments.of("issuer-uri and jwks-url", Map.of(GatehouseFilter.ISSUER_URI_PARAM, uri,
                        GatehouseFilter.JWKS_URL_PARAM, uri + "/.well-known/jwks.json"), GatehouseFilter.ISSUER_URI_PARAM,
                        GatehouseFilter.JWKS_URL_PARAM),
                Arguments.of("issuer-uri and keys-file", Map.of(GatehouseFilter.ISSUER_URI_PARAM, uri,
                        GatehouseFilter.KEYS_FILE_PARAM, "/etc/gatehouse/jwks.json"), GatehouseFilter.ISSUER_URI_PARAM,
                        GatehouseFilter.KEYS_FILE_PARAM),
                Arguments.of("issuer differs", Map.of(GatehouseFilter.ISSUER_URI_PARAM, uri,
                        GatehouseFilter.ISSUER_PARAM, uri + "/"), GatehouseFilter.ISSUER_PARAM, GatehouseFilter.ISSUER_URI_PARAM),
                Arguments.of("http to another host", Map.of(GatehouseFilter.ISSUER_URI_PARAM, "http://issuer.test",
                        GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true"), GatehouseFilter.ISSUER_URI_PARAM, "loopback"),
                Arguments.of("http to loopback without the flag", Map.of(GatehouseFilter.ISSUER_URI_PARAM, "http://127.0.0.1:1"),
                        GatehouseFilter.ISSUER_URI_PARAM, GatehouseFilter.ISSUER_URI_PARAM),
                Arguments.of("a query", Map.of(GatehouseFilter.ISSUER_URI_PARAM, uri + "?tenant=a"),
                        GatehouseFilter.ISSUER_URI_PARAM, "query"),
                Arguments.of("with verifier-attribute", Map.of(GatehouseFilter.ISSUER_URI_PARAM, uri,
                        GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM, "gatehouse.verifier"), GatehouseFilter.ISSUER_URI_PARAM,
                        GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misconfigurations")
    void aWrongIssuerUriSettingStopsTheFilterNamingTheInitParam(String name, Map<String, String> keyParams, String param, String named) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
        params.putAll(keyParams);
        if (params.containsKey(GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM)) {
            params.remove(GatehouseFilter.AUDIENCE_PARAM);
        }

        assertThatThrownBy(() -> new GatehouseFilter().init(config(params)))
                .isInstanceOf(ServletException.class)
                .hasMessageStartingWith("Invalid Gatehouse setting '" + param + "'")
                .hasMessageContaining(named);
    }

    @Test
    void theFilterStartsWhileTheIssuerIsUnreachable() {
        LoopbackIssuerServer down = LoopbackIssuerServer.start();
        String uri = down.base();
        down.close();
        Map<String, String> params = Map.of(GatehouseFilter.ISSUER_URI_PARAM, uri, GatehouseFilter.AUDIENCE_PARAM, AUDIENCE,
                GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true");
        GatehouseFilter filter = new GatehouseFilter();
        try {
            assertThatCode(() -> filter.init(config(params))).doesNotThrowAnyException();
        } finally {
            filter.destroy();
        }
    }

    private static String messages(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c.getMessage()).append('\n');
        }
        return out.toString();
    }

    private static FilterConfig config(Map<String, String> params) {
        ServletContext context = (ServletContext) Proxy.newProxyInstance(IssuerUriFilterTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (p, method, args) -> {
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
