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

import dev.gatehouse.testing.LocalAddresses;
import dev.gatehouse.filter.support.EchoServlet;
import dev.gatehouse.filter.support.EmbeddedTomcat;
import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import dev.gatehouse.filter.support.TestTokens;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The servlet filter on a real Tomcat refuses tokens over plain HTTP from other than loopback:
 * the remote client is this machine reached through its non-loopback address (the connector
 * listens on every interface), and a trusted proxy on loopback that forwards for a remote client.
 * A client's own forwarding headers change nothing, and a loopback peer that forwards without
 * being a trusted proxy (a reverse proxy on this host the operator forgot to list) loses the
 * loopback exemption.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportSecurityFilterTest {
    private static final String STRICT = "/strict";
    private static final String LAX = "/lax";
    /** No trusted proxies at all: a proxy on this host would be unlisted. */
    private static final String UNLISTED = "/unlisted";
    private static final String HTTPS_REQUIRED = "urn:gatehouse:problem:https-required";

    private TestTokens tokens;
    private EmbeddedTomcat server;
    private String remoteOrigin;

    @BeforeAll
    void start() throws Exception {
        tokens = TestTokens.generate();
        server = new EmbeddedTomcat();
        String keys = tokens.writePublicJwks(server.baseDir()).toString();
        deploy(STRICT, keys, Map.of(GatehouseFilter.TRUSTED_PROXIES_PARAM, "127.0.0.1",
                GatehouseFilter.PUBLIC_PATHS_PARAM, "/public/*"));
        deploy(LAX, keys, Map.of(GatehouseFilter.REQUIRE_HTTPS_PARAM, "false"));
        deploy(UNLISTED, keys, Map.of(GatehouseFilter.PUBLIC_PATHS_PARAM, "/public/*"));
        server.start();
        remoteOrigin = "http://" + LocalAddresses.nonLoopbackHost() + ":" + server.port();
    }

    private void deploy(String path, String keys, Map<String, String> params) {
        Context context = server.addContext(path);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilterClass(GatehouseFilter.class.getName());
        filter.addInitParameter(GatehouseFilter.ISSUER_PARAM, TestTokens.ISSUER);
        filter.addInitParameter(GatehouseFilter.AUDIENCE_PARAM, TestTokens.AUDIENCE);
        filter.addInitParameter(GatehouseFilter.KEYS_FILE_PARAM, keys);
        params.forEach(filter::addInitParameter);
        context.addFilterDef(filter);
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

    private Reply get(String origin, String path, String token, String... headers) {
        HttpRequest.Builder request = Http.get(URI.create(origin + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return Http.send(request);
    }

    private static void assertHttpsRequired(Reply reply, String token) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.json().get("type").asText()).isEqualTo(HTTPS_REQUIRED);
        assertThat(reply.json().get("status").asInt()).isEqualTo(403);
        assertThat(reply.header("WWW-Authenticate")).as("no challenge inviting a retry over the same channel").isNull();
        assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
        if (token != null) {
            assertThat(reply.body()).doesNotContain(token);
        }
    }

    @Test
    void loopbackClientKeepsWorkingOverPlainHttp() {
        Reply reply = get(server.origin(), STRICT + "/api", tokens.token("alice", "user"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo("alice");
    }

    @Test
    void remoteClientsTokenOverPlainHttpIsRefusedUnread() {
        String token = tokens.token("alice", "user");

        assertHttpsRequired(get(remoteOrigin, STRICT + "/api", token), token);
    }

    @Test
    void remoteClientsForgedTokenGetsTheSameAnswerAsAValidOne() {
        // Refused before verification: the answer must not reveal whether the token was any good.
        assertHttpsRequired(get(remoteOrigin, STRICT + "/api", "not.a.token"), null);
    }

    @Test
    void remoteClientWithoutTokenIsNotInvitedToSendOne() {
        assertHttpsRequired(get(remoteOrigin, STRICT + "/api", null), null);
    }

    @Test
    void publicPathsStillAnswerRemotePlainHttpAnonymously() {
        String token = tokens.token("alice", "user");
        Reply reply = get(remoteOrigin, STRICT + "/public/page", token);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").isNull()).as("the token is not honoured").isTrue();
    }

    @Test
    void forwardedProtoFromAnUntrustedPeerIsIgnored() {
        String token = tokens.token("alice", "user");

        assertHttpsRequired(get(remoteOrigin, STRICT + "/api", token, "X-Forwarded-Proto", "https"), token);
        assertHttpsRequired(get(remoteOrigin, STRICT + "/api", token, "Forwarded", "for=127.0.0.1;proto=https"), token);
        assertHttpsRequired(get(remoteOrigin, STRICT + "/api", token, "X-Forwarded-For", "127.0.0.1"), token);
    }

    @Test
    void trustedProxyForwardingPlainHttpForARemoteClientIsRefused() {
        String token = tokens.token("alice", "user");

        assertHttpsRequired(get(server.origin(), STRICT + "/api", token,
                "X-Forwarded-Proto", "http", "X-Forwarded-For", "203.0.113.7"), token);
        assertHttpsRequired(get(server.origin(), STRICT + "/api", token,
                "Forwarded", "for=203.0.113.7;proto=http"), token);
        // The proxy names a remote client but not the scheme: the hop to us was plain HTTP.
        assertHttpsRequired(get(server.origin(), STRICT + "/api", token, "X-Forwarded-For", "203.0.113.7"), token);
        // One hop said http: the token crossed it in clear.
        assertHttpsRequired(get(server.origin(), STRICT + "/api", token,
                "X-Forwarded-Proto", "https, http", "X-Forwarded-For", "203.0.113.7"), token);
    }

    @Test
    void trustedProxyForwardingHttpsIsBelieved() {
        String token = tokens.token("alice", "user");

        Reply xfp = get(server.origin(), STRICT + "/api", token, "X-Forwarded-Proto", "https", "X-Forwarded-For", "203.0.113.7");
        Reply rfc7239 = get(server.origin(), STRICT + "/api", token, "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https");

        assertThat(xfp.status()).as(xfp.toString()).isEqualTo(200);
        assertThat(xfp.json().get("name").asText()).isEqualTo("alice");
        assertThat(rfc7239.status()).as(rfc7239.toString()).isEqualTo(200);
    }

    @Test
    void aLoopbackPeerThatForwardsWithoutBeingTrustedHasItsTokensRefusedInEitherTransport() {
        String token = tokens.token("alice", "user");
        String[][] forwarding = {{"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-Proto", "https"},
                {"X-Forwarded-Host", "app.example"}, {"Forwarded", "for=203.0.113.7;proto=https"}};
        for (String[] header : forwarding) {
            assertHttpsRequired(get(server.origin(), UNLISTED + "/api", token, header), token);
            Reply cookie = get(server.origin(), UNLISTED + "/api", null, "Cookie", "__Host-access_token=" + token, header[0], header[1]);
            assertHttpsRequired(cookie, token);
            Reply none = get(server.origin(), UNLISTED + "/api", null, header);
            assertHttpsRequired(none, null);
        }
        // the same loopback client without forwarding headers keeps its exemption, and public paths answer
        Reply direct = get(server.origin(), UNLISTED + "/api", token);
        assertThat(direct.status()).as(direct.toString()).isEqualTo(200);
        assertThat(direct.json().get("name").asText()).isEqualTo("alice");
        Reply cookie = get(server.origin(), UNLISTED + "/api", null, "Cookie", "__Host-access_token=" + token);
        assertThat(cookie.status()).as(cookie.toString()).isEqualTo(200);
        Reply publicPage = get(server.origin(), UNLISTED + "/public/page", token, "X-Forwarded-For", "203.0.113.7");
        assertThat(publicPage.status()).as(publicPage.toString()).isEqualTo(200);
        assertThat(publicPage.json().get("name").isNull()).as("the token is not honoured").isTrue();
    }

    @Test
    void requireHttpsFalseAcceptsRemotePlainHttp() {
        Reply reply = get(remoteOrigin, LAX + "/api", tokens.token("bob", "user"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("name").asText()).isEqualTo("bob");
    }
}
