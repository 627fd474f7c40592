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
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import dev.gatehouse.filter.support.TestTokens;
import org.apache.catalina.Context;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter deployed the way an application deploys it: a web application directory whose
 * {@code WEB-INF/web.xml} declares the filter with init-params and a {@code <security-constraint>}.
 * Tomcat enforces constraints in its authenticator valve before any filter runs, so the constraint
 * only sees the token's caller through the Jakarta Authentication module the filter registers
 * ({@code container-security=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebXmlDeploymentTest {
    private static final String CONTEXT = "/shop";
    private static final String ADMIN = CONTEXT + "/admin/report";
    private static final String MEMBERS = CONTEXT + "/members/home";
    private static final String OPEN = CONTEXT + "/api/things";
    private static final String PUBLIC = CONTEXT + "/public/about";
    private static final String BARE = "Bearer realm=\"gatehouse\"";
    private static final String INVALID_TOKEN = "Bearer realm=\"gatehouse\", error=\"invalid_token\"";
    private static final String CSRF = "Y3NyZi12YWx1ZQ";

    private TestTokens tokens;
    private EmbeddedTomcat server;
    private Context context;

    @BeforeAll
    void deploy() throws Exception {
        // On this test class path the jakarta.authentication-api jar (a provided dependency) comes
        // before tomcat-embed-core, and its AuthConfigFactory finds no factory unless the standard
        // security property names one. Inside a real Tomcat only Tomcat's own copy exists, which
        // defaults to this class.
        Security.setProperty("authconfigprovider.factory", "org.apache.catalina.authenticator.jaspic.AuthConfigFactoryImpl");

        tokens = TestTokens.generate();
        server = new EmbeddedTomcat();
        Path keys = tokens.writePublicJwks(server.baseDir());
        Path webapp = Files.createDirectories(server.baseDir().resolve("shop-webapp/WEB-INF"));
        Files.writeString(webapp.resolve("web.xml"), webXml(keys), StandardCharsets.UTF_8);
        context = server.addWebapp(CONTEXT, webapp.getParent());
        server.start();
        assertThat(context.getState().isAvailable()).as("web application started").isTrue();
    }

    private static String webXml(Path keys) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                         version="6.0" metadata-complete="true">
                  <filter>
                    <filter-name>gatehouse</filter-name>
                    <filter-class>dev.gatehouse.filter.GatehouseFilter</filter-class>
                    <init-param><param-name>issuer</param-name><param-value>%s</param-value></init-param>
                    <init-param><param-name>audience</param-name><param-value>%s</param-value></init-param>
                    <init-param><param-name>keys-file</param-name><param-value>%s</param-value></init-param>
                    <init-param><param-name>container-security</param-name><param-value>true</param-value></init-param>
                    <init-param><param-name>public-paths</param-name><param-value>/public/*</param-value></init-param>
                  </filter>
                  <filter-mapping>
                    <filter-name>gatehouse</filter-name>
                    <url-pattern>/*</url-pattern>
                  </filter-mapping>
                  <servlet>
                    <servlet-name>echo</servlet-name>
                    <servlet-class>dev.gatehouse.filter.support.EchoServlet</servlet-class>
                  </servlet>
                  <servlet-mapping>
                    <servlet-name>echo</servlet-name>
                    <url-pattern>/*</url-pattern>
                  </servlet-mapping>
                  <security-constraint>
                    <web-resource-collection>
                      <web-resource-name>administration</web-resource-name>
                      <url-pattern>/admin/*</url-pattern>
                    </web-resource-collection>
                    <auth-constraint><role-name>admin</role-name></auth-constraint>
                  </security-constraint>
                  <security-constraint>
                    <web-resource-collection>
                      <web-resource-name>members</web-resource-name>
                      <url-pattern>/members/*</url-pattern>
                    </web-resource-collection>
                    <auth-constraint><role-name>user</role-name></auth-constraint>
                  </security-constraint>
                  <security-role><role-name>admin</role-name></security-role>
                  <security-role><role-name>user</role-name></security-role>
                </web-app>
                """.formatted(TestTokens.ISSUER, TestTokens.AUDIENCE, keys.toAbsolutePath());
    }

    @AfterAll
    void undeploy() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private HttpRequest.Builder bearer(String path, String token) {
        return Http.get(server.uri(path)).header("Authorization", "Bearer " + token);
    }

    @Test
    void adminTokenPassesTheAdminConstraint() {
        Reply reply = Http.send(bearer(ADMIN, tokens.token("admin-7", "user", "admin")));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(json.get("name").asText()).isEqualTo("admin-7");
        assertThat(json.get("remoteUser").asText()).isEqualTo("admin-7");
        assertThat(json.get("admin").asBoolean()).isTrue();
        assertThat(json.get("user").asBoolean()).isTrue();
        assertThat(json.get("principalClass").asText()).isEqualTo(AccessTokenPrincipal.class.getName());
    }

    @Test
    void containerAuthenticatedCallerHasTheSameAuthTypeAsFilterAuthenticatedOne() {
        Reply constrained = Http.send(bearer(ADMIN, tokens.token("admin-7", "user", "admin")));
        Reply unconstrained = Http.send(bearer(OPEN, tokens.token("admin-7", "user", "admin")));

        assertThat(constrained.status()).isEqualTo(200);
        assertThat(unconstrained.status()).isEqualTo(200);
        assertThat(constrained.json().get("authType").asText()).isEqualTo("Bearer");
        assertThat(unconstrained.json().get("authType").asText()).isEqualTo("Bearer");
    }

    @Test
    void userTokenIsForbiddenFromTheAdminConstraint() {
        Reply reply = Http.send(bearer(ADMIN, tokens.token("user-42", "user")));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
        assertThat(reply.header("WWW-Authenticate")).isNull();
        assertThat(reply.body()).doesNotContain("\"name\"");
    }

    @Test
    void userTokenPassesTheMembersConstraint() {
        Reply reply = Http.send(bearer(MEMBERS, tokens.token("user-42", "user")));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo("user-42");
        assertThat(reply.json().get("admin").asBoolean()).isFalse();
    }

    @Test
    void noTokenOnTheAdminConstraintGetsTheBareChallenge() {
        Reply reply = Http.send(Http.get(server.uri(ADMIN)));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE);
        FilterContractSuite.assertProblem(reply, 401, "urn:gatehouse:problem:unauthenticated");
    }

    @Test
    void invalidTokenOnTheAdminConstraintGets401InvalidToken() {
        long now = Instant.now().getEpochSecond();
        String expiredAdmin = tokens.signTrusted(tokens.forge().claim("roles", java.util.List.of("admin"))
                .claim("iat", now - 7200).claim("exp", now - 3600));

        Reply reply = Http.send(bearer(ADMIN, expiredAdmin));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(INVALID_TOKEN + ", error_description=\"The token has expired\"");
        FilterContractSuite.assertProblem(reply, 401, "urn:gatehouse:problem:invalid-token");
    }

    @Test
    void forgedAdminTokenFromAnotherKeyGets401InvalidToken() {
        Reply reply = Http.send(bearer(ADMIN, tokens.signAttacker(tokens.forge().claim("roles", java.util.List.of("admin")))));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(INVALID_TOKEN + ", error_description=\"The token's signature is invalid\"");
    }

    @Test
    void malformedHeaderOnTheAdminConstraintGets400InvalidRequest() {
        Reply reply = Http.send(Http.get(server.uri(ADMIN)).header("Authorization", "Bearer a b"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.all("WWW-Authenticate")).containsExactly("Bearer realm=\"gatehouse\", error=\"invalid_request\"");
        FilterContractSuite.assertProblem(reply, 400, "urn:gatehouse:problem:invalid-request");
    }

    @Test
    void adminCookieGetPassesTheAdminConstraint() {
        Reply reply = Http.send(Http.get(server.uri(ADMIN))
                .header("Cookie", "__Host-access_token=" + tokens.token("admin-7", "user", "admin")));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo("admin-7");
    }

    @Test
    void adminCookiePostWithoutCsrfHeaderIsForbiddenByTheConstraint() {
        Reply reply = Http.send(Http.request("POST", server.uri(ADMIN))
                .header("Cookie", "__Host-access_token=" + tokens.token("admin-7", "user", "admin") + "; __Host-csrf_token=" + CSRF));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
        FilterContractSuite.assertProblem(reply, 403, "urn:gatehouse:problem:forbidden");
    }

    @Test
    void adminCookiePostWithCsrfHeaderPassesTheConstraint() {
        Reply reply = Http.send(Http.request("POST", server.uri(ADMIN))
                .header("Cookie", "__Host-access_token=" + tokens.token("admin-7", "user", "admin") + "; __Host-csrf_token=" + CSRF)
                .header("X-CSRF-Token", CSRF));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("admin").asBoolean()).isTrue();
    }

    @Test
    void cookiePostWithoutCsrfHeaderOnUnconstrainedPathIsForbiddenByTheFilter() {
        Reply reply = Http.send(Http.request("POST", server.uri(OPEN))
                .header("Cookie", "__Host-access_token=" + tokens.token("user-42", "user") + "; __Host-csrf_token=" + CSRF));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
        FilterContractSuite.assertProblem(reply, 403, "urn:gatehouse:problem:forbidden");
    }

    @Test
    void unconstrainedPathStillAuthenticatesThroughTheFilter() {
        Reply reply = Http.send(bearer(OPEN, tokens.token("user-42", "user")));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode json = reply.json();
        assertThat(json.get("name").asText()).isEqualTo("user-42");
        assertThat(json.get("remoteUser").asText()).isEqualTo("user-42");
        assertThat(json.get("user").asBoolean()).isTrue();
        assertThat(json.get("admin").asBoolean()).isFalse();
        assertThat(json.get("principalClass").asText()).isEqualTo(AccessTokenPrincipal.class.getName());
    }

    @Test
    void unconstrainedPathWithoutTokenIsRefusedByTheFilter() {
        Reply reply = Http.send(Http.get(server.uri(OPEN)));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE);
        FilterContractSuite.assertProblem(reply, 401, "urn:gatehouse:problem:unauthenticated");
    }

    @Test
    void unconstrainedPathWithInvalidTokenIsRefusedByTheFilter() {
        Reply reply = Http.send(bearer(OPEN, tokens.signTrusted(tokens.forge().header("typ", "JWT"))));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(INVALID_TOKEN + ", error_description=\"The token is malformed\"");
    }

    @Test
    void publicPathWithInvalidTokenIsServedAnonymously() {
        Reply reply = Http.send(bearer(PUBLIC, tokens.signAttacker(tokens.forge())));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").isNull()).isTrue();
        assertThat(reply.json().get("admin").asBoolean()).isFalse();
    }

    @Test
    void httpSessionDoesNotOutliveTheToken() {
        // An application that uses sessions must not turn one valid token into a session login:
        // Tomcat caches a container-authenticated principal in the session unless told otherwise.
        Reply login = Http.send(Http.get(server.uri(ADMIN + "?session=1"))
                .header("Authorization", "Bearer " + tokens.token("admin-7", "user", "admin")));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        String sessionCookie = login.all("Set-Cookie").stream()
                .filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.substring(0, c.indexOf(';')))
                .findFirst().orElseThrow(() -> new AssertionError("no session was created: " + login));

        Reply constrained = Http.send(Http.get(server.uri(ADMIN)).header("Cookie", sessionCookie));
        Reply unconstrained = Http.send(Http.get(server.uri(OPEN)).header("Cookie", sessionCookie));
        Reply withUserToken = Http.send(bearer(ADMIN, tokens.token("user-42", "user")).header("Cookie", sessionCookie));

        assertThat(constrained.status()).as(constrained.toString()).isEqualTo(401);
        assertThat(constrained.all("WWW-Authenticate")).containsExactly(BARE);
        assertThat(unconstrained.status()).as(unconstrained.toString()).isEqualTo(401);
        assertThat(unconstrained.all("WWW-Authenticate")).containsExactly(BARE);
        assertThat(withUserToken.status()).as(withUserToken.toString()).isEqualTo(403);
    }
}
