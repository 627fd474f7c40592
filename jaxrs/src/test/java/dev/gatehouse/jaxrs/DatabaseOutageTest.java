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

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertUnavailable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database that cannot be reached: the endpoints that need it answer {@code 503} with
 * {@code Retry-After} and a problem body (never a 500, never a hang), verifying access tokens goes
 * on without it, and nothing is left half-written for when it comes back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int POOL_SIZE = 3;

    private final TestDatabases.Database db = TestDatabases.h2();

    @AfterAll
    void stop() {
        db.close();
    }

    /** A pool on the test database that gives up waiting for a connection after 250 ms (HikariCP's minimum). */
    private HikariDataSource shortTimeoutPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(250);
        config.setValidationTimeout(250);
        config.setPoolName("outage-" + UUID.randomUUID());
        return new HikariDataSource(config);
    }

    private static String newEmail() {
        return "outage-" + UUID.randomUUID() + "@example.org";
    }

    /** A registered, logged-in user: [email, access token, refresh token]. */
    private static String[] loggedIn(Client c) {
        String email = newEmail();
        assertThat(c.postJson("auth/register", Json.credentials(email, PASSWORD)).status()).isEqualTo(201);
        Reply login = c.postJson("auth/login", Json.credentials(email, PASSWORD));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return new String[] {email, login.json().get("access_token").asText(), login.json().get("refresh_token").asText()};
    }

    /** What every client sees while the database is gone. */
    private static void assertOutageBehaviour(Client c, String[] user, String failedEmail) {
        long started = System.nanoTime();
        assertUnavailable(c.postJson("auth/register", Json.credentials(failedEmail, PASSWORD)));
        assertUnavailable(c.postJson("auth/login", Json.credentials(user[0], PASSWORD)));
        assertUnavailable(c.postJson("auth/login", Json.credentials(newEmail(), PASSWORD)));
        Reply refresh = c.postJson("auth/refresh", Json.object("refresh_token", user[2]));
        assertUnavailable(refresh);
        assertThat(refresh.body()).doesNotContain("refresh_token\":\"");
        assertUnavailable(c.post("auth/logout", null, null, "Authorization", "Bearer " + user[1]));

        // verification needs no database
        Reply me = c.get("api/me", "Authorization", "Bearer " + user[1]);
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(c.get("api/ping").status()).isEqualTo(200);
        assertThat(c.get(".well-known/jwks.json").status()).isEqualTo(200);
        assertThat(c.get("api/me", "Authorization", "Bearer not.a.token").status()).isEqualTo(401);
        assertThat((System.nanoTime() - started) / 1_000_000_000L).as("answers come quickly, not after a hang").isLessThan(15);
    }

    @Test
    void aClosedPoolGives503AndAccessTokensStillVerify() throws Exception {
        HikariDataSource pool = shortTimeoutPool();
        String[] user;
        try (TestServer server = TestServer.start(pool)) {
            Client c = new Client(server.base);
            user = loggedIn(c);
            String failedEmail = newEmail();
            long revokedBefore = Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_revoked_tokens");

            pool.close(); // the database is gone for this server

            assertOutageBehaviour(c, user, failedEmail);

            // checked through a second pool on the same in-memory database: nothing was written
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", failedEmail)).isZero();
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", user[0])).isEqualTo(1);
            assertThat(Sql.one(db.dataSource(), "SELECT used_at FROM gh_refresh_tokens t JOIN gh_users u ON u.id = t.user_id"
                    + " WHERE u.email = ?", user[0])).as("the refresh token was not spent").isNull();
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_revoked_tokens")).isEqualTo(revokedBefore);
        }
        // a server on a working pool takes over with the same rows: the refresh token still works
        try (TestServer healthy = TestServer.start(db.dataSource())) {
            Client c = new Client(healthy.base);
            Reply refresh = c.postJson("auth/refresh", Json.object("refresh_token", user[2]));
            assertThat(refresh.status()).as(refresh.toString()).isEqualTo(200);
            assertThat(c.post("auth/logout", null, null, "Authorization", "Bearer " + refresh.json().get("access_token").asText())
                    .status()).isEqualTo(204);
        }
    }

    @Test
    void anExhaustedPoolGives503AndEverythingWorksOnceItIsBack() throws Exception {
        try (HikariDataSource pool = shortTimeoutPool(); TestServer server = TestServer.start(pool)) {
            Client c = new Client(server.base);
            String[] user = loggedIn(c);
            String failedEmail = newEmail();

            // every connection taken: requests wait connectionTimeout and give up, as with an unreachable database
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < POOL_SIZE; i++) {
                    held.add(pool.getConnection());
                }
                assertOutageBehaviour(c, user, failedEmail);
            } finally {
                for (Connection connection : held) {
                    connection.close();
                }
            }

            // back: nothing half-written, nothing lost
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", failedEmail)).isZero();
            Reply register = c.postJson("auth/register", Json.credentials(failedEmail, PASSWORD));
            assertThat(register.status()).as(register.toString()).isEqualTo(201);
            Reply refresh = c.postJson("auth/refresh", Json.object("refresh_token", user[2]));
            assertThat(refresh.status()).as("the refresh token was not spent by the failed attempt: " + refresh).isEqualTo(200);
            assertThat(refresh.header("Cache-Control")).isEqualTo("no-store");
            Reply login = c.postJson("auth/login", Json.credentials(user[0], PASSWORD));
            assertThat(login.status()).as(login.toString()).isEqualTo(200);
            assertThat(c.post("auth/logout", null, null, "Authorization", "Bearer " + user[1]).status()).isEqualTo(204);
            assertThat(c.get("api/me", "Authorization", "Bearer " + user[1]).status()).isEqualTo(401);
        }
    }
}
