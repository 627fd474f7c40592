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
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.TestServer;
import dev.gatehouse.jdbc.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions across three nodes of one service on one PostgreSQL database, on the system clock: a
 * session ended on one node is refused by the others, its refresh token at once and its access
 * token within the revocation staleness.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresSessionsAcrossNodesTest {
    static final String PASSWORD = "correct horse battery staple";
    static final Duration STALENESS = Duration.ofMillis(500);

    private final TestDatabases.Database db = TestDatabases.postgres();
    private TestServer a;
    private TestServer b;
    private TestServer c;

    @BeforeAll
    void start() throws Exception {
        a = node();
        b = node();
        c = node();
    }

    private TestServer node() throws Exception {
        return TestServer.setup(db.dataSource()).mfa().auth(s -> s.revocationStaleness(STALENESS)).start();
    }

    @AfterAll
    void stop() {
        for (TestServer s : new TestServer[] {a, b, c}) {
            if (s != null) {
                s.close();
            }
        }
        db.close();
    }

    @Test
    void aSessionEndedOnOneNodeIsRefusedOnTheOthers() throws Exception {
        String email = "nodes-" + UUID.randomUUID() + "@example.org";
        assertThat(new Client(a.base).postJson("auth/register", Json.credentials(email, PASSWORD)).status()).isEqualTo(201);
        Reply login1 = new Client(a.base).postJson("auth/login", Json.credentials(email, PASSWORD), "User-Agent", "node-test/1");
        Reply login2 = new Client(a.base).postJson("auth/login", Json.credentials(email, PASSWORD), "User-Agent", "node-test/2");
        assertThat(login1.status()).as(login1.toString()).isEqualTo(200);
        assertThat(login2.status()).as(login2.toString()).isEqualTo(200);
        String[] auth1 = bearer(login1.json().get("access_token").asText());
        String[] auth2 = bearer(login2.json().get("access_token").asText());
        // the token verified (and the revocation view cached) on B before the session ends
        assertThat(new Client(b.base).get("api/me", auth2).status()).isEqualTo(200);

        Reply list = new Client(b.base).get("auth/sessions", auth1);
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        JsonNode sessions = list.json().get("sessions");
        assertThat(sessions).hasSize(2);
        String second = null;
        for (JsonNode s : sessions) {
            if (s.get("user_agent").asText().equals("node-test/2")) {
                second = s.get("id").asText();
                assertThat(s.get("current").asBoolean()).isFalse();
            } else {
                assertThat(s.get("current").asBoolean()).isTrue();
            }
        }
        assertThat(second).isNotNull();

        Reply ended = new Client(c.base).send(HttpRequest.newBuilder(c.base.resolve("auth/sessions/" + second)).DELETE(), auth1);
        assertThat(ended.status()).as(ended.toString()).isEqualTo(204);

        assertInvalidCredentials(new Client(a.base).postJson("auth/refresh",
                Json.object("refresh_token", login2.json().get("refresh_token").asText())));
        long deadline = System.nanoTime() + STALENESS.plusSeconds(5).toNanos();
        int status;
        do {
            status = new Client(b.base).get("api/me", auth2).status();
            if (status != 401) {
                Thread.sleep(50);
            }
        } while (status != 401 && System.nanoTime() < deadline);
        assertThat(status).as("the ended session's access token on node B").isEqualTo(401);

        // the other session keeps working everywhere
        for (TestServer node : new TestServer[] {a, b, c}) {
            assertThat(new Client(node.base).get("api/me", auth1).status()).isEqualTo(200);
        }
        Reply refreshed = new Client(a.base).postJson("auth/refresh", Json.object("refresh_token", login1.json().get("refresh_token").asText()));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(new Client(b.base).get("auth/sessions", bearer(refreshed.json().get("access_token").asText())).json().get("sessions"))
                .hasSize(1);
    }

    private static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token};
    }
}
