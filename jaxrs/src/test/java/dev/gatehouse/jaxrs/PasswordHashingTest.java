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

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mindrot.jbcrypt.BCrypt;

import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How passwords are stored, seen from outside: bcrypt of the configured cost, upgraded at the next
 * login when the cost is raised, never of the raw password, and a damaged stored hash is a refused
 * login rather than a server error.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PasswordHashingTest {
    private static final String PASSWORD = "correct horse battery staple";

    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = TestServer.start(db.dataSource());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        db.close();
    }

    private static String newEmail() {
        return "hash-" + UUID.randomUUID() + "@example.org";
    }

    private static Reply register(TestServer s, String email, String password) {
        Reply r = new Client(s.base).postJson("auth/register", Json.credentials(email, password));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r;
    }

    private static Reply login(TestServer s, String email, String password) {
        return new Client(s.base).postJson("auth/login", Json.credentials(email, password));
    }

    private String storedHash(String email) {
        return (String) Sql.one(db.dataSource(), "SELECT password_hash FROM gh_users WHERE email = ?", email);
    }

    @Test
    void storedHashIsBcryptOfTheConfiguredCostAndNotOfTheRawPassword() {
        String email = newEmail();
        register(server, email, PASSWORD);
        String hash = storedHash(email);
        assertThat(hash).startsWith("$2a$04$").hasSize(60).doesNotContain(PASSWORD);
        // pre-hashed before bcrypt: the raw password does not match the stored hash on its own
        assertThat(BCrypt.checkpw(PASSWORD, hash)).isFalse();
    }

    @Test
    void sameLoginOnTwoAccountsGivesDifferentSalts() {
        String a = newEmail();
        String b = newEmail();
        register(server, a, PASSWORD);
        register(server, b, PASSWORD);
        assertThat(storedHash(a)).isNotEqualTo(storedHash(b));
        assertThat(storedHash(a).substring(0, 29)).isNotEqualTo(storedHash(b).substring(0, 29));
    }

    @Test
    void raisingTheCostUpgradesTheStoredHashAtTheNextLogin() throws Exception {
        TestDatabases.Database own = TestDatabases.h2();
        try (own) {
            String email = newEmail();
            try (TestServer a = TestServer.start(own.dataSource(), b -> b.bcryptCostForTests(4), b -> b)) {
                register(a, email, PASSWORD);
                assertThat(login(a, email, PASSWORD).status()).isEqualTo(200);
            }
            String before = (String) Sql.one(own.dataSource(), "SELECT password_hash FROM gh_users WHERE email = ?", email);
            assertThat(before).startsWith("$2a$04$");

            try (TestServer b = TestServer.start(own.dataSource(), s -> s.bcryptCostForTests(5), s -> s)) {
                // a wrong password does not upgrade anything
                assertInvalidCredentials(login(b, email, PASSWORD + "!"));
                assertThat(Sql.one(own.dataSource(), "SELECT password_hash FROM gh_users WHERE email = ?", email)).isEqualTo(before);

                Reply ok = login(b, email, PASSWORD);
                assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
                assertThat(ok.header("Cache-Control")).isEqualTo("no-store");
                String after = (String) Sql.one(own.dataSource(), "SELECT password_hash FROM gh_users WHERE email = ?", email);
                assertThat(after).startsWith("$2a$05$").hasSize(60);
                assertThat(after.substring(7, 29)).as("a new salt").isNotEqualTo(before.substring(7, 29));

                // the upgraded hash still works, and is not rewritten again
                assertThat(login(b, email, PASSWORD).status()).isEqualTo(200);
                assertThat(Sql.one(own.dataSource(), "SELECT password_hash FROM gh_users WHERE email = ?", email)).isEqualTo(after);
                assertInvalidCredentials(login(b, email, "not the password at all"));
            }

            // a server with the old, lower cost accepts the stronger hash and never downgrades it
            try (TestServer c = TestServer.start(own.dataSource(), s -> s.bcryptCostForTests(4), s -> s)) {
                assertThat(login(c, email, PASSWORD).status()).isEqualTo(200);
                assertThat((String) Sql.one(own.dataSource(), "SELECT password_hash FROM gh_users WHERE email = ?", email))
                        .startsWith("$2a$05$");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not-a-hash",
            "",
            "$2a$04$",
            "$2a$04$tooshort",
            "$2a$xx$abcdefghijklmnopqrstuvabcdefghijklmnopqrstuvwxyz01234",
            "$2y$04$abcdefghijklmnopqrstuvabcdefghijklmnopqrstuvwxyz01234",
            "$2a$03$abcdefghijklmnopqrstuvabcdefghijklmnopqrstuvwxyz01234",
            "$2a$31$abcdefghijklmnopqrstuvabcdefghijklmnopqrstuvwxyz01234",
            "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
            "correct horse battery staple"})
    void malformedStoredHashIsA401LikeAWrongPasswordNeverA500(String damaged) {
        String victim = newEmail();
        String other = newEmail();
        register(server, victim, PASSWORD);
        register(server, other, PASSWORD);
        assertThat(Sql.update(db.dataSource(), "UPDATE gh_users SET password_hash = ? WHERE email = ?", damaged, victim)).isEqualTo(1);

        Reply damagedLogin = login(server, victim, PASSWORD);
        Reply wrongPassword = login(server, other, PASSWORD + "?");
        assertInvalidCredentials(damagedLogin);
        assertInvalidCredentials(wrongPassword);
        assertThat(damagedLogin.body()).isEqualTo(wrongPassword.body());
        assertThat(damagedLogin.header("WWW-Authenticate")).isEqualTo(wrongPassword.header("WWW-Authenticate"));
        assertThat(damagedLogin.header("Content-Type")).isEqualTo(wrongPassword.header("Content-Type"));
        // and the damaged hash is left for an operator, not "repaired" by a login
        assertThat(storedHash(victim)).isEqualTo(damaged);
        // the server keeps serving
        assertThat(login(server, other, PASSWORD).status()).isEqualTo(200);
    }
}
