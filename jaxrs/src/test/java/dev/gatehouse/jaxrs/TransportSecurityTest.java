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

import dev.gatehouse.web.WebSettings;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.testing.LocalAddresses;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JAX-RS on Grizzly refuses passwords and tokens over plain HTTP from other than loopback, before
 * the body is read. Four servers share one database and key: one on loopback that trusts a proxy
 * at 127.0.0.1, one on loopback that trusts none (so a proxy on this host would be unlisted), one
 * listening on a non-loopback address of this machine (so its clients' peer address is not
 * loopback), and one there with the check turned off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportSecurityTest {
    private static final String PASSWORD = "correct horse battery";
    private static final String HTTPS_REQUIRED = "urn:gatehouse:problem:https-required";
    private static final String[] PROXY_PLAIN = {"X-Forwarded-Proto", "http", "X-Forwarded-For", "203.0.113.7"};
    private static final String[] PROXY_TLS = {"X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.7"};

    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer loopback;
    private TestServer unlisted;
    private TestServer remote;
    private TestServer lax;

    @BeforeAll
    void start() throws Exception {
        String host = LocalAddresses.nonLoopbackHost();
        loopback = TestServer.start(db.dataSource(), b -> b, b -> b, f -> f.web(WebSettings.builder().trustedProxies(Set.of("127.0.0.1")).build()));
        unlisted = TestServer.start(db.dataSource(), b -> b, b -> b, f -> f);
        remote = TestServer.startOn(host, db.dataSource(), b -> b, b -> b, f -> f);
        lax = TestServer.startOn(host, db.dataSource(), b -> b, b -> b, f -> f.web(WebSettings.builder().requireHttps(false).build()));
    }

    @AfterAll
    void stop() {
        for (TestServer s : new TestServer[] {loopback, unlisted, remote, lax}) {
            if (s != null) {
                s.close();
            }
        }
        db.close();
    }

    private static String credentials(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
    }

    /** Registers and logs in over loopback; returns the login body (access and refresh token). */
    private JsonNode session(String email) {
        Client c = new Client(loopback.base);
        assertThat(c.postJson("auth/register", credentials(email)).status()).isEqualTo(201);
        Reply login = c.postJson("auth/login", credentials(email));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return login.json();
    }

    private static void assertHttpsRequired(Reply r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("type").asText()).isEqualTo(HTTPS_REQUIRED);
        assertThat(r.header("WWW-Authenticate")).as("no challenge inviting a retry over the same channel").isNull();
        assertThat(r.header("Set-Cookie")).isNull();
    }

    @Test
    void registrationOverRemotePlainHttpIsRefusedAndCreatesNoAccount() {
        String email = "plain-" + UUID.randomUUID() + "@example.org";

        assertHttpsRequired(new Client(remote.base).postJson("auth/register", credentials(email)));
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email)).isZero();
    }

    @Test
    void loginOverRemotePlainHttpIsRefusedBeforeTheBodyIsRead() {
        String email = "login-" + UUID.randomUUID() + "@example.org";
        session(email);
        Client c = new Client(remote.base);

        assertHttpsRequired(c.postJson("auth/login", credentials(email)));
        // Bodies that would be a 400, a 415 and a 413 once read: the refusal comes first.
        assertHttpsRequired(c.postJson("auth/login", "{\"email\":"));
        assertHttpsRequired(c.post("auth/login", "text/plain", "email=" + email));
        assertHttpsRequired(c.postJson("auth/login", "{\"email\":\"" + "a".repeat(64 * 1024) + "\"}"));
    }

    @Test
    void refreshAndLogoutOverRemotePlainHttpAreRefusedAndLeaveTheTokensAlone() {
        JsonNode tokens = session("refresh-" + UUID.randomUUID() + "@example.org");
        String refresh = "{\"refresh_token\":\"" + tokens.get("refresh_token").asText() + "\"}";
        String[] bearer = {"Authorization", "Bearer " + tokens.get("access_token").asText()};
        Client c = new Client(remote.base);

        assertHttpsRequired(c.postJson("auth/refresh", refresh));
        assertHttpsRequired(c.postJson("auth/logout", refresh, bearer));
        assertHttpsRequired(c.send(java.net.http.HttpRequest.newBuilder(remote.base.resolve("auth/logout-all"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()), bearer));

        // None of them was acted on: the refresh token is unspent and the access token unrevoked.
        Client local = new Client(loopback.base);
        assertThat(local.get("api/me", bearer).status()).isEqualTo(200);
        assertThat(local.postJson("auth/refresh", refresh).status()).isEqualTo(200);
    }

    @Test
    void protectedResourcesRefuseRemotePlainHttpWithOrWithoutAToken() {
        JsonNode tokens = session("me-" + UUID.randomUUID() + "@example.org");
        String token = tokens.get("access_token").asText();
        Client c = new Client(remote.base);

        Reply withToken = c.get("api/me", "Authorization", "Bearer " + token);
        assertHttpsRequired(withToken);
        assertThat(withToken.body()).doesNotContain(token);
        assertHttpsRequired(c.get("api/me"));
        assertHttpsRequired(c.get("api/me", "Authorization", "Bearer not-even-a-jwt"));
        assertThat(c.get("api/ping").status()).as("public resources still answer").isEqualTo(200);
        assertThat(new Client(loopback.base).get("api/me", "Authorization", "Bearer " + token).status())
                .as("the same token over loopback").isEqualTo(200);
    }

    @Test
    void clientsOwnForwardedProtoIsIgnored() {
        JsonNode tokens = session("forge-" + UUID.randomUUID() + "@example.org");
        Client c = new Client(remote.base);

        assertHttpsRequired(c.get("api/me", "Authorization", "Bearer " + tokens.get("access_token").asText(),
                "X-Forwarded-Proto", "https"));
        assertHttpsRequired(c.postJson("auth/login", credentials("x@example.org"), "Forwarded", "proto=https"));
    }

    @Test
    void trustedProxyDecidesForItsClients() {
        String email = "proxied-" + UUID.randomUUID() + "@example.org";
        JsonNode tokens = session(email);
        String[] bearer = {"Authorization", "Bearer " + tokens.get("access_token").asText()};
        Client c = new Client(loopback.base);

        assertHttpsRequired(c.postJson("auth/login", credentials(email), PROXY_PLAIN));
        assertHttpsRequired(c.get("api/me", concat(bearer, PROXY_PLAIN)));
        assertHttpsRequired(c.get("api/me", concat(bearer, "Forwarded", "for=203.0.113.7;proto=http")));
        assertThat(c.postJson("auth/login", credentials(email), PROXY_TLS).status()).isEqualTo(200);
        assertThat(c.get("api/me", concat(bearer, PROXY_TLS)).status()).isEqualTo(200);
        assertThat(c.get("api/me", concat(bearer, "Forwarded", "for=203.0.113.7;proto=https")).status()).isEqualTo(200);
    }

    @Test
    void aLoopbackPeerThatForwardsWithoutBeingTrustedIsRefusedCredentialsInEitherTransport() {
        String email = "unlisted-" + UUID.randomUUID() + "@example.org";
        JsonNode tokens = session(email);
        String[] bearer = {"Authorization", "Bearer " + tokens.get("access_token").asText()};
        String refresh = "{\"refresh_token\":\"" + tokens.get("refresh_token").asText() + "\"}";
        Client browser = new Client(unlisted.base);
        assertThat(browser.postJson("auth/login", credentials(email), "Auth-Transport", "cookie").status()).isEqualTo(200);
        assertThat(browser.cookies).containsKey("__Host-access_token");
        String[][] forwarding = {{"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-Proto", "https"},
                {"X-Forwarded-Host", "app.example"}, {"Forwarded", "for=203.0.113.7;proto=https"}};

        for (String[] header : forwarding) {
            Client c = new Client(unlisted.base);
            String fresh = "never-" + UUID.randomUUID() + "@example.org";
            assertHttpsRequired(c.postJson("auth/register", credentials(fresh), header));
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", fresh)).isZero();
            assertHttpsRequired(c.postJson("auth/login", credentials(email), header));
            assertHttpsRequired(c.postJson("auth/login", credentials(email), concat(header, "Auth-Transport", "cookie")));
            assertHttpsRequired(c.postJson("auth/refresh", refresh, header));
            assertHttpsRequired(c.get("api/me", concat(bearer, header)));
            assertHttpsRequired(browser.get("api/me", header));
            assertThat(c.get("api/ping", header).status()).as("public resources still answer").isEqualTo(200);
        }
        // without forwarding headers the same loopback client keeps its exemption; nothing was spent
        assertThat(new Client(unlisted.base).get("api/me", bearer).status()).isEqualTo(200);
        assertThat(browser.get("api/me").status()).isEqualTo(200);
        assertThat(new Client(unlisted.base).postJson("auth/refresh", refresh).status()).isEqualTo(200);
    }

    @Test
    void requireHttpsFalseAcceptsRemotePlainHttp() {
        String email = "lax-" + UUID.randomUUID() + "@example.org";
        Client c = new Client(lax.base);

        assertThat(c.postJson("auth/register", credentials(email)).status()).isEqualTo(201);
        Reply login = c.postJson("auth/login", credentials(email));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(c.get("api/me", "Authorization", "Bearer " + login.json().get("access_token").asText()).status()).isEqualTo(200);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
