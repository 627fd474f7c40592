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

import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.GrizzlyServers;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.UserAuthentication;
import dev.gatehouse.web.AuthenticationRequirement;
import dev.gatehouse.web.InsufficientAuthenticationException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StepUp} on a real Jersey application behind Grizzly, over real HTTP: tokens from a real
 * issuer carrying {@code amr}/{@code auth_time} (or neither), judged against the verifier's clock,
 * which the test moves.
 */
class StepUpTest {
    private static final String MFA_CHALLENGE = "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
            + " error_description=\"A login with a second factor is required\", acr_values=\"mfa\"";
    private static final String RECENT_CHALLENGE = "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
            + " error_description=\"A recent login is required\", max_age=\"600\"";
    private static final String BOTH_CHALLENGE = "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
            + " error_description=\"A recent login with a second factor is required\", acr_values=\"mfa\", max_age=\"900\"";
    private static final String PROBLEM_TYPE = "urn:gatehouse:problem:insufficient-user-authentication";
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");

    private static final MutableClock CLOCK = new MutableClock(START);
    private static AccessTokenIssuer issuer;
    private static HttpServer server;
    private static Client client;

    @Path("stepup")
    @Produces("application/json")
    public static class MethodLevel {
        @GET
        @Path("mfa")
        @StepUp(secondFactor = true)
        public String mfa(@Context SecurityContext security) {
            return "{\"sub\":\"" + security.getUserPrincipal().getName() + "\"}";
        }

        @GET
        @Path("recent")
        @StepUp(maxAgeSeconds = 600)
        public String recent() {
            return "{\"ok\":true}";
        }

        @GET
        @Path("both")
        @StepUp(secondFactor = true, maxAgeSeconds = 900)
        public String both() {
            return "{\"ok\":true}";
        }

        @GET
        @Path("admin")
        @RolesAllowed("admin")
        @StepUp(secondFactor = true)
        public String admin() {
            return "{\"ok\":true}";
        }

        @GET
        @Path("open")
        public String open() {
            return "{\"ok\":true}";
        }

        @GET
        @Path("thrown")
        @Authenticated
        public String thrown() {
            throw new InsufficientAuthenticationException(AuthenticationRequirement.maxAgeSeconds(600));
        }
    }

    @Path("account")
    @Produces("application/json")
    @StepUp(maxAgeSeconds = 600)
    public static class ClassLevel {
        @GET
        @Path("plain")
        public String plain() {
            return "{\"ok\":true}";
        }

        @GET
        @Path("mfa")
        @StepUp(secondFactor = true)
        public String mfa() {
            return "{\"ok\":true}";
        }
    }

    @Path("nothing")
    public static class RequiresNothing {
        @GET
        @StepUp
        public String get() {
            return "x";
        }
    }

    @Path("zero")
    @StepUp(maxAgeSeconds = 0)
    public static class ZeroAge {
        @GET
        public String get() {
            return "x";
        }
    }

    @BeforeAll
    static void start() {
        SigningKey key = SigningKey.generate(SigningAlgorithm.RS256);
        TokenSettings settings = TokenSettings.builder("https://issuer.test", "gatehouse-test")
                .accessTokenTtl(Duration.ofMinutes(30))
                .clock(CLOCK)
                .build();
        issuer = new AccessTokenIssuer(settings, KeySet.of(key));
        ResourceConfig app = new ResourceConfig(MethodLevel.class, ClassLevel.class)
                .register(GatehouseFeature.verifyOnly(new AccessTokenVerifier(settings, KeySet.of(key))).build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        server = GrizzlyServers.server(URI.create("http://127.0.0.1:0/"), app, true);
        client = new Client(URI.create("http://127.0.0.1:" + server.getListener("grizzly").getPort() + "/"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    @BeforeEach
    void resetClock() {
        CLOCK.set(START);
    }

    private static String token(UserAuthentication authentication, String... roles) {
        return issuer.issue("user-1", List.of(roles), UUID.randomUUID().toString(), 0, authentication).token();
    }

    private static Reply get(String path, String token) {
        return client.get(path, "Authorization", "Bearer " + token);
    }

    private static void assertStepUp(Reply reply, String challenge) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).isEqualTo(challenge);
        assertThat(reply.header("Content-Type")).isEqualToIgnoringCase("application/problem+json;charset=UTF-8");
        assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
        assertThat(reply.json().get("type").asText()).isEqualTo(PROBLEM_TYPE);
        assertThat(reply.json().get("status").asInt()).isEqualTo(401);
    }

    @Test
    void aPasswordLoginIsAskedForASecondFactor() {
        assertStepUp(get("stepup/mfa", token(UserAuthentication.password(START), "user")), MFA_CHALLENGE);
    }

    @Test
    void aLoginWithASecondFactorPasses() {
        Reply reply = get("stepup/mfa", token(UserAuthentication.passwordAndOneTimePassword(START), "user"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("sub").asText()).isEqualTo("user-1");
    }

    @Test
    void aTokenWithoutAmrOrAuthTimeMeetsNoRequirement() {
        String bare = issuer.issue("user-1", List.of("user")).token();

        assertStepUp(get("stepup/mfa", bare), MFA_CHALLENGE);
        assertStepUp(get("stepup/recent", bare), RECENT_CHALLENGE);
        assertThat(get("stepup/open", bare).status()).isEqualTo(200);
    }

    @Test
    void maxAgeBoundaryWithAMovingClock() {
        String token = token(UserAuthentication.password(START), "user");

        assertThat(get("stepup/recent", token).status()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(600));
        assertThat(get("stepup/recent", token).status()).as("exactly the maximum age").isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(1));
        assertStepUp(get("stepup/recent", token), RECENT_CHALLENGE);
    }

    @Test
    void anOldLoginInAFreshTokenIsRefused() {
        // a token just issued by a refresh, for a login 601 seconds ago
        String token = token(UserAuthentication.passwordAndOneTimePassword(START.minusSeconds(601)), "user");

        assertStepUp(get("stepup/recent", token), RECENT_CHALLENGE);
        assertThat(get("stepup/mfa", token).status()).isEqualTo(200);
    }

    @Test
    void bothRequirementsTogether() {
        assertStepUp(get("stepup/both", token(UserAuthentication.password(START), "user")), BOTH_CHALLENGE);
        String mfa = token(UserAuthentication.passwordAndOneTimePassword(START), "user");
        assertThat(get("stepup/both", mfa).status()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(901));
        assertStepUp(get("stepup/both", mfa), BOTH_CHALLENGE);
    }

    @Test
    void theExceptionThrownByApplicationCodeIsAnsweredAlike() {
        assertStepUp(get("stepup/thrown", token(UserAuthentication.passwordAndOneTimePassword(START), "user")), RECENT_CHALLENGE);
    }

    @Test
    void withoutATokenTheAnswerIsTheUsualUnauthenticatedOne() {
        Reply none = client.get("stepup/mfa");

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse\"");
        assertThat(none.json().get("type").asText()).isEqualTo("urn:gatehouse:problem:unauthenticated");

        Reply invalid = get("stepup/mfa", "not.a.token");
        assertThat(invalid.status()).isEqualTo(401);
        assertThat(invalid.header("WWW-Authenticate")).startsWith("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
    }

    @Test
    void aCallerWithoutTheRoleGets403NotAStepUpPrompt() {
        Reply noRole = get("stepup/admin", token(UserAuthentication.password(START), "user"));
        assertThat(noRole.status()).isEqualTo(403);
        assertThat(noRole.header("WWW-Authenticate")).isNull();
        assertThat(noRole.json().get("type").asText()).isEqualTo("urn:gatehouse:problem:forbidden");

        assertStepUp(get("stepup/admin", token(UserAuthentication.password(START), "admin")), MFA_CHALLENGE);
        assertThat(get("stepup/admin", token(UserAuthentication.passwordAndOneTimePassword(START), "admin")).status()).isEqualTo(200);
    }

    @Test
    void theClassAnnotationAppliesWhereTheMethodHasNone() {
        String password = token(UserAuthentication.password(START), "user");
        assertThat(get("account/plain", password).status()).isEqualTo(200);
        CLOCK.advance(Duration.ofSeconds(601));
        assertStepUp(get("account/plain", password), RECENT_CHALLENGE);
    }

    @Test
    void theMethodAnnotationReplacesTheClassAnnotation() {
        String oldMfa = token(UserAuthentication.passwordAndOneTimePassword(START.minusSeconds(3600)), "user");
        // the class's max age is not added to the method's second factor
        assertThat(get("account/mfa", oldMfa).status()).isEqualTo(200);
        assertStepUp(get("account/plain", oldMfa), RECENT_CHALLENGE);
        assertStepUp(get("account/mfa", token(UserAuthentication.password(START), "user")), MFA_CHALLENGE);
    }

    @Test
    void anAnnotationRequiringNothingStopsTheApplication() {
        assertDeploymentFails(RequiresNothing.class, "requires nothing");
    }

    @Test
    void aMaxAgeOfZeroStopsTheApplication() {
        assertDeploymentFails(ZeroAge.class, "maxAgeSeconds is 0");
    }

    private static void assertDeploymentFails(Class<?> resource, String message) {
        SigningKey key = SigningKey.generate(SigningAlgorithm.RS256);
        TokenSettings settings = TokenSettings.builder("https://issuer.test", "gatehouse-test").build();
        ResourceConfig app = new ResourceConfig(resource)
                .register(GatehouseFeature.verifyOnly(new AccessTokenVerifier(settings, KeySet.of(key))).build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        HttpServer[] started = new HttpServer[1];
        try {
            assertThatThrownBy(() -> started[0] = GrizzlyServers.server(URI.create("http://127.0.0.1:0/"), app, true))
                    .satisfies(e -> assertThat(rootMessages(e)).contains(message).contains(resource.getSimpleName()));
        } finally {
            if (started[0] != null) {
                started[0].shutdownNow();
            }
        }
    }

    private static String rootMessages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append('\n');
        }
        return b.toString();
    }
}
