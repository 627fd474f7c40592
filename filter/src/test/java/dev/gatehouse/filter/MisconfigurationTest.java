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

import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.filter.support.EchoServlet;
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import dev.gatehouse.filter.support.TestTokens;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

/**
 * A misconfigured filter refuses to start, naming the init-param at fault (STYLE.md §3), and a web
 * application whose filter cannot start serves nothing: the filter never fails open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MisconfigurationTest {
    private TestTokens tokens;
    private Path dir;
    private Path keysFile;

    @BeforeAll
    void keys() throws Exception {
        tokens = TestTokens.generate();
        dir = Files.createTempDirectory("gatehouse-misconfig-");
        keysFile = tokens.writePublicJwks(dir);
    }

    @AfterAll
    void cleanUp() throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Map<String, String> validParams() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GatehouseFilter.ISSUER_PARAM, TestTokens.ISSUER);
        params.put(GatehouseFilter.AUDIENCE_PARAM, TestTokens.AUDIENCE);
        params.put(GatehouseFilter.KEYS_FILE_PARAM, keysFile.toString());
        return params;
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- init() directly

    @Test
    void validInitParamsStart() {
        Map<String, String> params = validParams();
        params.put(GatehouseFilter.PUBLIC_PATHS_PARAM, "/public/*, /health");
        params.put(GatehouseFilter.ALLOWED_ORIGINS_PARAM, "https://app.example");
        params.put(GatehouseFilter.CLOCK_LEEWAY_PARAM, "PT10S");
        params.put(GatehouseFilter.ALGORITHMS_PARAM, "RS256");
        params.put(GatehouseFilter.VERIFIED_TOKEN_CACHE_PARAM, "FALSE");
        params.put(GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM, " 500 ");
        params.put(GatehouseFilter.TOKEN_TYPE_PARAM, "JWT");
        params.put(GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM, "at+jwt, jwt");

        assertThatCode(() -> new GatehouseFilter().init(config(params, Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void verifierFromAContextAttributeStarts() {
        AccessTokenVerifier verifier = new AccessTokenVerifier(TokenSettings.builder(TestTokens.ISSUER, TestTokens.AUDIENCE).build(),
                KeyFiles.load(keysFile));

        assertThatCode(() -> new GatehouseFilter().init(config(Map.of(GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM, "gatehouse.verifier"),
                Map.of("gatehouse.verifier", verifier)))).doesNotThrowAnyException();
    }

    Stream<Arguments> misconfigurations() throws Exception {
        Path missing = dir.resolve("no-such-file.json");
        Path notKeys = file("not-keys.txt", "hello, I am not a key file");
        Path emptySet = file("empty.json", "{\"keys\":[]}");
        Path badJson = file("bad.json", "{\"keys\": [");
        Path weakRsa = file("weak.json", "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"weak\",\"alg\":\"RS256\",\"e\":\"AQAB\",\"n\":\""
                + java.util.Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(new java.math.BigInteger(1, new byte[128]).setBit(1023).setBit(0).toByteArray())
                + "\"}]}");
        return Stream.of(
                misconfig("issuer missing", without(GatehouseFilter.ISSUER_PARAM), GatehouseFilter.ISSUER_PARAM),
                misconfig("issuer blank", with(GatehouseFilter.ISSUER_PARAM, "   "), GatehouseFilter.ISSUER_PARAM),
                misconfig("issuer not a URI", with(GatehouseFilter.ISSUER_PARAM, "https://exa mple"), GatehouseFilter.ISSUER_PARAM),
                misconfig("audience missing", without(GatehouseFilter.AUDIENCE_PARAM), GatehouseFilter.AUDIENCE_PARAM),
                misconfig("keys-file missing", without(GatehouseFilter.KEYS_FILE_PARAM), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("keys-file names a missing file", with(GatehouseFilter.KEYS_FILE_PARAM, missing.toString()), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("keys-file names a directory", with(GatehouseFilter.KEYS_FILE_PARAM, dir.toString()), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("keys-file holds no keys", with(GatehouseFilter.KEYS_FILE_PARAM, notKeys.toString()), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("keys-file is broken JSON", with(GatehouseFilter.KEYS_FILE_PARAM, badJson.toString()), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("keys-file is an empty JWK Set", with(GatehouseFilter.KEYS_FILE_PARAM, emptySet.toString()), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("keys-file has a 1024-bit RSA key", with(GatehouseFilter.KEYS_FILE_PARAM, weakRsa.toString()), GatehouseFilter.KEYS_FILE_PARAM),
                misconfig("algorithms HS512", with(GatehouseFilter.ALGORITHMS_PARAM, "HS512"), GatehouseFilter.ALGORITHMS_PARAM),
                misconfig("algorithms empty", with(GatehouseFilter.ALGORITHMS_PARAM, " , "), GatehouseFilter.ALGORITHMS_PARAM),
                misconfig("algorithms not covering the key", with(GatehouseFilter.ALGORITHMS_PARAM, "ES256"), GatehouseFilter.ALGORITHMS_PARAM),
                misconfig("clock-leeway soon", with(GatehouseFilter.CLOCK_LEEWAY_PARAM, "soon"), GatehouseFilter.CLOCK_LEEWAY_PARAM),
                misconfig("clock-leeway an hour", with(GatehouseFilter.CLOCK_LEEWAY_PARAM, "PT1H"), GatehouseFilter.CLOCK_LEEWAY_PARAM),
                misconfig("clock-leeway negative", with(GatehouseFilter.CLOCK_LEEWAY_PARAM, "-PT1S"), GatehouseFilter.CLOCK_LEEWAY_PARAM),
                misconfig("token-type at-jwt", with(GatehouseFilter.TOKEN_TYPE_PARAM, "at-jwt"), GatehouseFilter.TOKEN_TYPE_PARAM),
                misconfig("token-type Bearer", with(GatehouseFilter.TOKEN_TYPE_PARAM, "Bearer"), GatehouseFilter.TOKEN_TYPE_PARAM),
                misconfig("accepted-token-types with JOSE", with(GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM, "at+jwt,JOSE"),
                        GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM),
                misconfig("accepted-token-types without the token-type", with(GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM, "JWT"),
                        GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM),
                misconfig("max-token-size big", with(GatehouseFilter.MAX_TOKEN_SIZE_PARAM, "big"), GatehouseFilter.MAX_TOKEN_SIZE_PARAM),
                misconfig("max-token-size too small", with(GatehouseFilter.MAX_TOKEN_SIZE_PARAM, "100"), GatehouseFilter.MAX_TOKEN_SIZE_PARAM),
                misconfig("verified-token-cache maybe", with(GatehouseFilter.VERIFIED_TOKEN_CACHE_PARAM, "maybe"),
                        GatehouseFilter.VERIFIED_TOKEN_CACHE_PARAM),
                misconfig("verified-token-cache-size lots", with(GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM, "lots"),
                        GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM),
                misconfig("verified-token-cache-size zero", with(GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM, "0"),
                        GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM),
                misconfig("verified-token-cache-size too big", with(GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM, "2000000"),
                        GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM),
                misconfig("realm with a quote", with(GatehouseFilter.REALM_PARAM, "a\"b"), GatehouseFilter.REALM_PARAM),
                misconfig("transports unknown", with(GatehouseFilter.TRANSPORTS_PARAM, "bearer,carrier-pigeon"), GatehouseFilter.TRANSPORTS_PARAM),
                misconfig("transports empty", with(GatehouseFilter.TRANSPORTS_PARAM, ","), GatehouseFilter.TRANSPORTS_PARAM),
                misconfig("access-cookie not a cookie name", with(GatehouseFilter.ACCESS_COOKIE_PARAM, "access token"), GatehouseFilter.ACCESS_COOKIE_PARAM),
                misconfig("csrf-cookie not a cookie name", with(GatehouseFilter.CSRF_COOKIE_PARAM, "a;b"), GatehouseFilter.CSRF_COOKIE_PARAM),
                misconfig("csrf-header not a header name", with(GatehouseFilter.CSRF_HEADER_PARAM, "X CSRF"), GatehouseFilter.CSRF_HEADER_PARAM),
                misconfig("allowed-origins not an origin", with(GatehouseFilter.ALLOWED_ORIGINS_PARAM, "evil.example"), GatehouseFilter.ALLOWED_ORIGINS_PARAM),
                misconfig("allowed-origins with a path", with(GatehouseFilter.ALLOWED_ORIGINS_PARAM, "https://app.example/login"),
                        GatehouseFilter.ALLOWED_ORIGINS_PARAM),
                misconfig("public-paths without a leading slash", with(GatehouseFilter.PUBLIC_PATHS_PARAM, "api/*"), GatehouseFilter.PUBLIC_PATHS_PARAM),
                misconfig("public-paths with an inner wildcard", with(GatehouseFilter.PUBLIC_PATHS_PARAM, "/a/*/b"), GatehouseFilter.PUBLIC_PATHS_PARAM),
                misconfig("step-up-paths without a requirement", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/*"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with an unknown requirement", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/* otp"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with max_age zero", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/* max_age=0"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with max_age negative", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/* max_age=-5"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with max_age as a duration", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/* max_age=PT10M"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with max_age empty", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/* max_age="),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with mfa twice", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/admin/* mfa mfa"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with two ages", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/admin/* max_age=60 max_age=90"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths without a leading slash", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "admin/* mfa"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with the requirement first", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "mfa /admin/*"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("step-up-paths with one bad rule of two", with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/admin/* mfa\n/account/* max-age=600"),
                        GatehouseFilter.STEP_UP_PATHS_PARAM),
                misconfig("allow-anonymous yes", with(GatehouseFilter.ALLOW_ANONYMOUS_PARAM, "yes"), GatehouseFilter.ALLOW_ANONYMOUS_PARAM),
                misconfig("container-security maybe", with(GatehouseFilter.CONTAINER_SECURITY_PARAM, "maybe"), GatehouseFilter.CONTAINER_SECURITY_PARAM),
                misconfig("require-https on", with(GatehouseFilter.REQUIRE_HTTPS_PARAM, "on"), GatehouseFilter.REQUIRE_HTTPS_PARAM),
                misconfig("error-descriptions maybe", with(GatehouseFilter.ERROR_DESCRIPTIONS_PARAM, "maybe"),
                        GatehouseFilter.ERROR_DESCRIPTIONS_PARAM),
                misconfig("trusted-proxies with a host name", with(GatehouseFilter.TRUSTED_PROXIES_PARAM, "127.0.0.1, proxy.internal"),
                        GatehouseFilter.TRUSTED_PROXIES_PARAM),
                misconfig("trusted-proxies with a CIDR range", with(GatehouseFilter.TRUSTED_PROXIES_PARAM, "10.0.0.0/8"),
                        GatehouseFilter.TRUSTED_PROXIES_PARAM),
                misconfig("unknown init-param", with("issuer-url", TestTokens.ISSUER), "issuer-url"),
                misconfig("init-param in the wrong spelling", with("publicPaths", "/public/*"), "publicPaths"),
                misconfig("verifier-attribute together with issuer",
                        with(GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM, "gatehouse.verifier"), GatehouseFilter.ISSUER_PARAM),
                misconfig("verifier-attribute naming nothing",
                        params -> Map.of(GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM, "gatehouse.nothing"), GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM));
    }

    private static Arguments misconfig(String name, java.util.function.UnaryOperator<Map<String, String>> change, String param) {
        return Arguments.of(named(name, change), param);
    }

    private static java.util.function.UnaryOperator<Map<String, String>> with(String name, String value) {
        return params -> {
            params.put(name, value);
            return params;
        };
    }

    private static java.util.function.UnaryOperator<Map<String, String>> without(String name) {
        return params -> {
            params.remove(name);
            return params;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misconfigurations")
    void misconfiguredFilterRefusesToStartNamingTheInitParam(java.util.function.UnaryOperator<Map<String, String>> change, String param) {
        FilterConfig config = config(change.apply(validParams()), Map.of());

        assertThatThrownBy(() -> new GatehouseFilter().init(config))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("'" + param + "'");
    }

    @Test
    void stepUpPathsInAllTheirFormsStart() {
        Map<String, String> params = validParams();
        params.put(GatehouseFilter.STEP_UP_PATHS_PARAM, "\n  /account/*  max_age=600\r\n/admin/* mfa max_age=900,/export mfa , \n");

        assertThatCode(() -> new GatehouseFilter().init(config(params, Map.of()))).doesNotThrowAnyException();
    }

    @Test
    void aBadStepUpRuleIsQuotedInTheError() {
        FilterConfig config = config(with(GatehouseFilter.STEP_UP_PATHS_PARAM, "/admin/* mfa, /account/* max_age=ten").apply(validParams()),
                Map.of());

        assertThatThrownBy(() -> new GatehouseFilter().init(config))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("'step-up-paths'")
                .hasMessageContaining("/account/* max_age=ten")
                .hasMessageContaining("'ten'");
    }

    @Test
    void errorDescriptionsFalseIsAccepted() {
        FilterConfig config = config(with(GatehouseFilter.ERROR_DESCRIPTIONS_PARAM, "false").apply(validParams()), Map.of());

        assertThatCode(() -> new GatehouseFilter().init(config)).doesNotThrowAnyException();
    }

    @Test
    void anEmptyJwkSetSaysTheFileHasNoKeys() throws Exception {
        Path empty = file("no-keys.json", "{\"keys\":[]}");
        FilterConfig config = config(with(GatehouseFilter.KEYS_FILE_PARAM, empty.toString()).apply(validParams()), Map.of());

        assertThatThrownBy(() -> new GatehouseFilter().init(config))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("'" + GatehouseFilter.KEYS_FILE_PARAM + "'")
                .hasMessageContaining("'" + empty + "' has no keys (its \"keys\" array is empty)");
    }

    @Test
    void anHttpJwksUrlNamesTheInitParamThatAllowsLoopback() {
        Map<String, String> params = without(GatehouseFilter.KEYS_FILE_PARAM).apply(validParams());
        params.put(GatehouseFilter.JWKS_URL_PARAM, "http://127.0.0.1:9/jwks.json");
        FilterConfig config = config(params, Map.of());

        assertThatThrownBy(() -> new GatehouseFilter().init(config))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("'" + GatehouseFilter.JWKS_URL_PARAM + "'")
                .hasMessageContaining("only with " + GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM + "=true");
    }

    @Test
    void aKeyOfAnAlgorithmNotListedIsNamedAsUsersWriteIt() {
        FilterConfig config = config(with(GatehouseFilter.ALGORITHMS_PARAM, "ES256").apply(validParams()), Map.of());

        assertThatThrownBy(() -> new GatehouseFilter().init(config))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("'" + GatehouseFilter.ALGORITHMS_PARAM + "'")
                .hasMessageContaining(" is RS256, which is not listed")
                .hasMessageNotContaining("rs256").hasMessageNotContaining("RSA256");
    }

    @Test
    void errorNeverEchoesKeyMaterial() throws Exception {
        Path privateKeyFile = file("private.pem", "-----BEGIN RSA PRIVATE KEY-----\nTUlJQ1NFQ1JFVEtFWU1BVEVSSUFM\n-----END RSA PRIVATE KEY-----\n");
        FilterConfig config = config(with(GatehouseFilter.KEYS_FILE_PARAM, privateKeyFile.toString()).apply(validParams()), Map.of());

        assertThatThrownBy(() -> new GatehouseFilter().init(config))
                .isInstanceOf(ServletException.class)
                .hasMessageContaining("'" + GatehouseFilter.KEYS_FILE_PARAM + "'")
                .hasMessageNotContaining("TUlJQ1NFQ1JFVEtFWU1BVEVSSUFM");
    }

    @Test
    void filterWhoseInitFailedRefusesEveryRequest() throws Exception {
        GatehouseFilter filter = new GatehouseFilter();
        assertThatThrownBy(() -> filter.init(config(without(GatehouseFilter.ISSUER_PARAM).apply(validParams()), Map.of())))
                .isInstanceOf(ServletException.class);
        AtomicInteger error = new AtomicInteger();
        AtomicInteger chained = new AtomicInteger();
        HttpServletRequest request = proxy(HttpServletRequest.class, (method, args) -> null);
        HttpServletResponse response = proxy(HttpServletResponse.class, (method, args) -> {
            if (method.equals("sendError")) {
                error.set((Integer) args[0]);
            }
            return null;
        });

        filter.doFilter(request, response, (req, res) -> chained.incrementAndGet());

        assertThat(chained).hasValue(0);
        assertThat(error).hasValue(503);
    }

    // ---------------------------------------------------------------- a real Tomcat

    @Test
    void webApplicationWhoseFilterLacksIssuerDoesNotStartAndServesNothing() throws Exception {
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
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
        Logger containerLog = Logger.getLogger("org.apache.catalina.core.ContainerBase");
        containerLog.addHandler(capture);
        try (EmbeddedTomcat server = new EmbeddedTomcat()) {
            Map<String, String> broken = validParams();
            broken.remove(GatehouseFilter.ISSUER_PARAM);
            Context brokenContext = filteredContext(server, "/broken", broken);
            Context healthyContext = filteredContext(server, "/healthy", validParams());

            assertThatCode(server::start).as("one failed application must not stop the container").doesNotThrowAnyException();

            assertThat(healthyContext.getState().isAvailable()).isTrue();
            assertThat(brokenContext.getState().isAvailable()).as("state " + brokenContext.getState()).isFalse();
            String failure = records.stream()
                    .filter(r -> r.getThrown() != null)
                    .map(r -> messages(r.getThrown()))
                    .filter(m -> m.contains("Gatehouse"))
                    .findFirst().orElseThrow(() -> new AssertionError("no start-up failure was logged"));
            assertThat(failure).contains("'" + GatehouseFilter.ISSUER_PARAM + "'");

            String token = tokens.token("admin-7", "user", "admin");
            Reply refused = Http.send(Http.get(server.uri("/broken/api/x")).header("Authorization", "Bearer " + token));
            Reply served = Http.send(Http.get(server.uri("/healthy/api/x")).header("Authorization", "Bearer " + token));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(404);
            assertThat(refused.body()).doesNotContain("admin-7");
            assertThat(served.status()).as(served.toString()).isEqualTo(200);
            assertThat(served.json().get("name").asText()).isEqualTo("admin-7");
        } finally {
            containerLog.removeHandler(capture);
        }
    }

    @Test
    void tokenTypeInitParamsDecideWhichTypIsAccepted() throws Exception {
        Map<String, String> jwt = validParams();
        jwt.put(GatehouseFilter.TOKEN_TYPE_PARAM, "JWT");
        Map<String, String> both = validParams();
        both.put(GatehouseFilter.TOKEN_TYPE_PARAM, "JWT");
        both.put(GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM, "at+jwt,JWT");
        String atJwtToken = tokens.token("user-42", "user");
        String jwtToken = tokens.signTrusted(tokens.forge().header("typ", "JWT"));
        try (EmbeddedTomcat server = new EmbeddedTomcat()) {
            filteredContext(server, "/default", validParams());
            filteredContext(server, "/jwt", jwt);
            filteredContext(server, "/both", both);
            server.start();

            assertThat(status(server, "/default", atJwtToken)).isEqualTo(200);
            assertThat(status(server, "/default", jwtToken)).isEqualTo(401);
            assertThat(status(server, "/jwt", jwtToken)).isEqualTo(200);
            assertThat(status(server, "/jwt", atJwtToken)).isEqualTo(401);
            assertThat(status(server, "/both", atJwtToken)).isEqualTo(200);
            assertThat(status(server, "/both", jwtToken)).isEqualTo(200);
        }
    }

    private static int status(EmbeddedTomcat server, String context, String token) {
        return Http.send(Http.get(server.uri(context + "/api/x")).header("Authorization", "Bearer " + token)).status();
    }

    private static Context filteredContext(EmbeddedTomcat server, String path, Map<String, String> params) {
        Context context = server.addContext(path);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilterClass(GatehouseFilter.class.getName());
        params.forEach(filter::addInitParameter);
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatehouse");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMapping("/*", "echo");
        return context;
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- fakes

    private static FilterConfig config(Map<String, String> params, Map<String, Object> attributes) {
        Map<String, String> copy = new LinkedHashMap<>(params);
        Map<String, Object> attrs = new HashMap<>(attributes);
        ServletContext context = proxy(ServletContext.class, (method, args) -> {
            switch (method) {
                case "getAttribute":
                    return attrs.get((String) args[0]);
                case "getContextPath":
                    return "/test";
                default:
                    return null;
            }
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
                return copy.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(copy.keySet());
            }
        };
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(MisconfigurationTest.class.getClassLoader(), new Class<?>[] {type},
                (p, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        switch (method.getName()) {
                            case "equals":
                                return p == args[0];
                            case "hashCode":
                                return System.identityHashCode(p);
                            default:
                                return type.getSimpleName() + " fake";
                        }
                    }
                    Object result = answer.answer(method.getName(), args);
                    if (result == null && method.getReturnType() == boolean.class) {
                        return false;
                    }
                    if (result == null && method.getReturnType() == int.class) {
                        return 0;
                    }
                    return result;
                }));
    }
}
