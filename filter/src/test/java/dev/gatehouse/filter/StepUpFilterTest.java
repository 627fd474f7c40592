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

import dev.gatehouse.filter.support.EchoServlet;
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import dev.gatehouse.filter.support.TestTokens;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.UserAuthentication;
import dev.gatehouse.web.AuthenticationRequirement;
import jakarta.servlet.Filter;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Step-up paths of the filter in a real embedded Tomcat, over real HTTP: configured by init-params
 * ({@value GatehouseFilter#STEP_UP_PATHS_PARAM}) and in code ({@link GatehouseFilter.Builder#stepUp}),
 * the latter with a clock the test moves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepUpFilterTest {
    private static final String PROBLEM_TYPE = "urn:gatehouse:problem:insufficient-user-authentication";
    private static final String RECENT_600 = "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
            + " error_description=\"A recent login is required\", max_age=\"600\"";
    private static final String MFA_900 = "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
            + " error_description=\"A recent login with a second factor is required\", acr_values=\"mfa\", max_age=\"900\"";
    private static final String MFA_ONLY = "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
            + " error_description=\"A login with a second factor is required\", acr_values=\"mfa\"";
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private TestTokens tokens;
    private AccessTokenIssuer codeIssuer;
    private EmbeddedTomcat server;

    @BeforeAll
    void start() throws Exception {
        tokens = TestTokens.generate();
        server = new EmbeddedTomcat();
        String keys = tokens.writePublicJwks(server.baseDir()).toString();

        Context params = server.addContext("/params");
        FilterDef def = filterDef();
        def.setFilterClass(GatehouseFilter.class.getName());
        def.addInitParameter(GatehouseFilter.ISSUER_PARAM, TestTokens.ISSUER);
        def.addInitParameter(GatehouseFilter.AUDIENCE_PARAM, TestTokens.AUDIENCE);
        def.addInitParameter(GatehouseFilter.KEYS_FILE_PARAM, keys);
        def.addInitParameter(GatehouseFilter.PUBLIC_PATHS_PARAM, "/account/public, /open/*");
        // first match wins: /account/email needs only the second factor, the rest of /account/* a recent login
        def.addInitParameter(GatehouseFilter.STEP_UP_PATHS_PARAM, "/account/email mfa\n  /account/*  max_age=600\n/admin/* mfa max_age=900");
        finish(params, def);

        SigningKey key = SigningKey.generate(SigningAlgorithm.RS256);
        SecretLedger.recordKey(key);
        TokenSettings settings = TokenSettings.builder(TestTokens.ISSUER, TestTokens.AUDIENCE)
                .accessTokenTtl(Duration.ofHours(1))
                .clock(clock)
                .build();
        codeIssuer = new AccessTokenIssuer(settings, KeySet.of(key));
        GatehouseFilter filter = GatehouseFilter.builder(new AccessTokenVerifier(settings, KeySet.verifyOnly(List.of(key))))
                .allowAnonymous(true)
                .stepUp("/account/*", AuthenticationRequirement.maxAgeSeconds(600))
                .stepUp("/admin/*", AuthenticationRequirement.secondFactor())
                .build();
        Context code = server.addContext("/code");
        FilterDef codeDef = filterDef();
        codeDef.setFilter(filter);
        codeDef.setFilterClass(GatehouseFilter.class.getName());
        finish(code, codeDef);

        server.start();
    }

    private static FilterDef filterDef() {
        FilterDef def = new FilterDef();
        def.setFilterName("gatehouse");
        return def;
    }

    private static void finish(Context context, FilterDef def) {
        context.addFilterDef(def);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatehouse");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "echo", new EchoServlet());
        context.addServletMapping("/*", "echo");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void resetClock() {
        clock.set(START);
    }

    private Reply get(String path, String token) {
        var request = Http.get(server.uri(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Http.send(request);
    }

    private String codeToken(UserAuthentication authentication, String... roles) {
        String token = codeIssuer.issue("user-9", List.of(roles), UUID.randomUUID().toString(), 0, authentication).token();
        SecretLedger.record(token);
        return token;
    }

    private static void assertStepUp(Reply reply, String challenge) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).isEqualTo(challenge);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
        assertThat(reply.json().get("type").asText()).isEqualTo(PROBLEM_TYPE);
        assertThat(reply.json().get("status").asInt()).isEqualTo(401);
        assertThat(reply.body()).doesNotContain("user-9").doesNotContain("servletPath");
    }

    // ---------------------------------------------------------------- init-params

    @Test
    void anOldPasswordLoginIsRefusedWithTheMaxAgeChallenge() {
        Instant now = Instant.now();
        String old = tokens.token(UserAuthentication.password(now.minusSeconds(3600)), "user-9", "user");

        assertStepUp(get("/params/account/settings", old), RECENT_600);
        assertThat(get("/params/other", old).status()).as("a path without a rule").isEqualTo(200);
    }

    @Test
    void aRecentLoginPasses() {
        String fresh = tokens.token(UserAuthentication.password(Instant.now()), "user-9", "user");

        Reply reply = get("/params/account/settings", fresh);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo("user-9");
    }

    @Test
    void theFirstMatchingRuleApplies() {
        Instant now = Instant.now();
        String oldMfa = tokens.token(UserAuthentication.passwordAndOneTimePassword(now.minusSeconds(3600)), "user-9", "user");
        String freshPassword = tokens.token(UserAuthentication.password(now), "user-9", "user");

        // /account/email matches "mfa" first; the max_age of /account/* is not added
        assertThat(get("/params/account/email", oldMfa).status()).isEqualTo(200);
        assertStepUp(get("/params/account/email", freshPassword), MFA_ONLY);
        assertStepUp(get("/params/account/name", oldMfa), RECENT_600);
    }

    @Test
    void bothRequirementsOfOneRule() {
        Instant now = Instant.now();
        assertStepUp(get("/params/admin/users", tokens.token(UserAuthentication.password(now), "user-9", "admin")), MFA_900);
        assertStepUp(get("/params/admin/users",
                tokens.token(UserAuthentication.passwordAndOneTimePassword(now.minusSeconds(1000)), "user-9", "admin")), MFA_900);
        assertThat(get("/params/admin/users",
                tokens.token(UserAuthentication.passwordAndOneTimePassword(now), "user-9", "admin")).status()).isEqualTo(200);
    }

    @Test
    void aTokenWithoutAmrMeetsNoRule() {
        String bare = tokens.token("user-9", "user");

        assertStepUp(get("/params/account/settings", bare), RECENT_600);
        assertThat(get("/params/other", bare).status()).isEqualTo(200);
    }

    @Test
    void withoutATokenTheAnswerIsTheProtectedPathOne() {
        Reply none = get("/params/account/settings", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse\"");
        assertThat(none.json().get("type").asText()).isEqualTo("urn:gatehouse:problem:unauthenticated");

        Reply invalid = get("/params/admin/x", "not-a-token");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.header("WWW-Authenticate")).startsWith("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
    }

    @Test
    void aStepUpPathIsProtectedEvenWhenListedAsPublic() {
        assertThat(get("/params/open/page", null).status()).as("a public path without a rule").isEqualTo(200);
        assertThat(get("/params/account/public", null).status()).isEqualTo(401);
        String old = tokens.token(UserAuthentication.password(Instant.now().minusSeconds(3600)), "user-9", "user");
        assertStepUp(get("/params/account/public", old), RECENT_600);
    }

    // ---------------------------------------------------------------- builder, moving clock

    @Test
    void maxAgeBoundaryWithAMovingClock() {
        String token = codeToken(UserAuthentication.password(START), "user");

        assertThat(get("/code/account/x", token).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(600));
        assertThat(get("/code/account/x", token).status()).as("exactly the maximum age").isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertStepUp(get("/code/account/x", token), RECENT_600);
        assertThat(get("/code/elsewhere", token).status()).isEqualTo(200);
    }

    @Test
    void theBuilderRuleForASecondFactor() {
        assertStepUp(get("/code/admin/x", codeToken(UserAuthentication.password(START), "admin")), MFA_ONLY);
        clock.advance(Duration.ofMinutes(50));
        assertThat(get("/code/admin/x", codeToken(UserAuthentication.passwordAndOneTimePassword(START), "admin")).status())
                .isEqualTo(200);
    }

    @Test
    void allowAnonymousDoesNotOpenAStepUpPath() {
        assertThat(get("/code/elsewhere", null).status()).isEqualTo(200);
        Reply none = get("/code/admin/x", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse\"");
    }

    @Test
    void theBuilderRefusesABadPatternOrATwiceGivenOne() {
        GatehouseFilter.Builder builder = GatehouseFilter.builder(
                new AccessTokenVerifier(TokenSettings.builder(TestTokens.ISSUER, TestTokens.AUDIENCE).build(),
                        KeySet.verifyOnly(List.of(SigningKey.generate(SigningAlgorithm.RS256)))));

        assertThatThrownBy(() -> builder.stepUp("admin/*", AuthenticationRequirement.secondFactor()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'step-up-paths'");
        builder.stepUp("/admin/*", AuthenticationRequirement.secondFactor());
        assertThatThrownBy(() -> builder.stepUp("/admin/*", AuthenticationRequirement.maxAgeSeconds(60)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("/admin/*");
        Filter built = builder.build();
        assertThat(built).isNotNull();
    }
}
