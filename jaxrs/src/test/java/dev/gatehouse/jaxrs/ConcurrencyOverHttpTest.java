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
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.jaxrs.support.Race;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

import static dev.gatehouse.jaxrs.support.Problems.assertEmailTaken;
import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Races over real HTTP, all requests released at once: one account per email however many register
 * it together, and refresh-token rotation with and without the reuse grace period, checked in the
 * rows as well as in the responses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyOverHttpTest {
    private static final String PASSWORD = "correct horse battery staple";

    private final TestDatabases.Database db = TestDatabases.h2();
    /** Default reuse grace (10 s). */
    private TestServer graceServer;
    /** No reuse grace: any second use of a refresh token is reuse. */
    private TestServer strictServer;
    /** No reuse grace, on a clock that stands still: two uses in the same instant. */
    private TestServer strictFrozenServer;

    @BeforeAll
    void start() throws Exception {
        graceServer = TestServer.start(db.dataSource());
        strictServer = TestServer.start(db.dataSource(), b -> b.refreshReuseGrace(Duration.ZERO), b -> b);
        MutableClock frozen = MutableClock.atNow();
        strictFrozenServer = TestServer.start(db.dataSource(), t -> t.clock(frozen), b -> b.refreshReuseGrace(Duration.ZERO), b -> b);
    }

    @AfterAll
    void stop() {
        if (graceServer != null) {
            graceServer.close();
        }
        if (strictServer != null) {
            strictServer.close();
        }
        if (strictFrozenServer != null) {
            strictFrozenServer.close();
        }
        db.close();
    }

    private static String newEmail() {
        return "race-" + UUID.randomUUID() + "@example.org";
    }

    private static String sha256Hex(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String refresh(TestServer s, String refreshToken, List<Reply> into) {
        Reply r = new Client(s.base).postJson("auth/refresh", Json.object("refresh_token", refreshToken));
        if (into != null) {
            into.add(r);
        }
        return r.status() == 200 ? r.json().get("refresh_token").asText() : null;
    }

    /** Registers and logs in on {@code s}; returns the refresh token. */
    private static String loggedIn(TestServer s) {
        Client c = new Client(s.base);
        String email = newEmail();
        assertThat(c.postJson("auth/register", Json.credentials(email, PASSWORD)).status()).isEqualTo(201);
        Reply login = c.postJson("auth/login", Json.credentials(email, PASSWORD));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        return login.json().get("refresh_token").asText();
    }

    private String familyOf(String refreshToken) throws Exception {
        return (String) Sql.one(db.dataSource(), "SELECT family_id FROM gh_refresh_tokens WHERE token_hash = ?", sha256Hex(refreshToken));
    }

    @Test
    void fiftySimultaneousRegistrationsOfOneEmailMakeOneAccount() throws Exception {
        String email = newEmail();
        List<Callable<Reply>> racers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Client c = new Client(graceServer.base);
            // different spellings of the one address race too
            String spelling = i % 3 == 0 ? email.toUpperCase(java.util.Locale.ROOT) : i % 3 == 1 ? " " + email : email;
            racers.add(() -> c.postJson("auth/register", Json.credentials(spelling, PASSWORD + " " + spelling.length())));
        }
        List<Reply> replies = Race.run(racers);
        List<Reply> created = replies.stream().filter(r -> r.status() == 201).toList();
        List<Reply> taken = replies.stream().filter(r -> r.status() == 409).toList();
        assertThat(created).as(replies.toString()).hasSize(1);
        assertThat(taken).as(replies.toString()).hasSize(49);
        taken.forEach(r -> assertEmailTaken(r));
        assertThat(taken.stream().map(Reply::body).distinct()).hasSize(1);
        assertThat(created.get(0).header("Cache-Control")).isEqualTo("no-store");
        assertThat(created.get(0).json().get("email").asText()).isEqualTo(email);
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email)).isEqualTo(1);
        assertThat(Sql.one(db.dataSource(), "SELECT id FROM gh_users WHERE email = ?", email))
                .isEqualTo(created.get(0).json().get("id").asText());
    }

    @Test
    void twentySimultaneousRefreshesWithinTheGraceAllGetTheOneSuccessorAndAnAccessTokenEach() throws Exception {
        String token = loggedIn(graceServer);
        String family = familyOf(token);
        List<Reply> replies = Race.run(20, () -> new Client(graceServer.base)
                .postJson("auth/refresh", Json.object("refresh_token", token)));

        Set<String> refreshTokens = new HashSet<>();
        Set<String> accessTokens = new HashSet<>();
        for (Reply r : replies) {
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.header("Cache-Control")).isEqualTo("no-store");
            refreshTokens.add(r.json().get("refresh_token").asText());
            accessTokens.add(r.json().get("access_token").asText());
        }
        assertThat(refreshTokens).as("one live refresh token per family").hasSize(1).doesNotContain(token);
        assertThat(accessTokens).hasSize(20);
        for (String access : accessTokens) {
            assertThat(new Client(graceServer.base).get("api/me", "Authorization", "Bearer " + access).status()).isEqualTo(200);
        }

        // rows: the parent spent once, one child, and the child's seal under the parent's hash
        assertThat(Sql.one(db.dataSource(), "SELECT used_at FROM gh_refresh_tokens WHERE token_hash = ?", sha256Hex(token))).isNotNull();
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_refresh_tokens WHERE family_id = ?", family)).isEqualTo(2);
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_refresh_seals WHERE token_hash = ?", sha256Hex(token)))
                .isEqualTo(1);
        assertThat(Sql.one(db.dataSource(), "SELECT revoked_at FROM gh_refresh_families WHERE family_id = ?", family)).isNull();

        // the successor works, once; then the parent's replay is reuse, grace or not, and kills the family
        String successor = refreshTokens.iterator().next();
        List<Reply> used = new ArrayList<>();
        String next = refresh(graceServer, successor, used);
        assertThat(next).as(used.toString()).isNotNull();
        Reply replay = new Client(graceServer.base).postJson("auth/refresh", Json.object("refresh_token", token));
        assertThat(replay.status()).as(replay.toString()).isEqualTo(401);
        assertThat(Sql.one(db.dataSource(), "SELECT revoked_at FROM gh_refresh_families WHERE family_id = ?", family)).isNotNull();
        for (String access : accessTokens) {
            assertThat(new Client(graceServer.base).get("api/me", "Authorization", "Bearer " + access).status()).isEqualTo(401);
        }
        Reply afterReuse = new Client(graceServer.base).postJson("auth/refresh", Json.object("refresh_token", next));
        assertThat(afterReuse.status()).isEqualTo(401);
    }

    @Test
    void twentySimultaneousRefreshesWithoutGraceLetExactlyOneThroughAndRevokeTheFamily() throws Exception {
        String token = loggedIn(strictServer);
        String family = familyOf(token);
        List<Reply> replies = Race.run(20, () -> new Client(strictServer.base)
                .postJson("auth/refresh", Json.object("refresh_token", token)));

        List<Reply> won = replies.stream().filter(r -> r.status() == 200).toList();
        List<Reply> lost = replies.stream().filter(r -> r.status() != 200).toList();
        assertThat(won).as(replies.toString()).hasSize(1);
        assertThat(lost).hasSize(19);
        lost.forEach(r -> assertInvalidCredentials(r));
        String winnersToken = won.get(0).json().get("refresh_token").asText();

        // a replay of the spent token (after the race, certainly after a zero grace) revokes the family
        assertInvalidCredentials(new Client(strictServer.base).postJson("auth/refresh", Json.object("refresh_token", token)));
        List<Reply> afterReplay = new ArrayList<>();
        assertThat(refresh(strictServer, winnersToken, afterReplay)).isNull();
        assertInvalidCredentials(afterReplay.get(0));

        assertThat(Sql.one(db.dataSource(), "SELECT revoked_at FROM gh_refresh_families WHERE family_id = ?", family)).isNotNull();
        assertThat(Sql.one(db.dataSource(), "SELECT used_at FROM gh_refresh_tokens WHERE token_hash = ?", sha256Hex(token))).isNotNull();
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_refresh_tokens WHERE family_id = ?", family))
                .as("the original and the winner's token, nothing else").isEqualTo(2);
        assertThat(Sql.one(db.dataSource(), "SELECT used_at FROM gh_refresh_tokens WHERE token_hash = ?", sha256Hex(winnersToken)))
                .as("the winner's token was refused, not spent").isNull();
    }

    /**
     * With a zero grace, a second use is reuse even in the same instant as the first (a coarse
     * clock, or two requests in one tick): it must revoke the family, not earn a pair of its own.
     */
    @Test
    void withoutGraceASecondUseInTheSameInstantIsStillReuse() throws Exception {
        String token = loggedIn(strictFrozenServer);
        String family = familyOf(token);
        List<Reply> first = new ArrayList<>();
        String next = refresh(strictFrozenServer, token, first);
        assertThat(next).as(first.toString()).isNotNull();

        Reply replay = new Client(strictFrozenServer.base).postJson("auth/refresh", Json.object("refresh_token", token));
        assertInvalidCredentials(replay);
        assertThat(Sql.one(db.dataSource(), "SELECT revoked_at FROM gh_refresh_families WHERE family_id = ?", family)).isNotNull();
        List<Reply> afterReplay = new ArrayList<>();
        assertThat(refresh(strictFrozenServer, next, afterReplay)).isNull();
        assertInvalidCredentials(afterReplay.get(0));
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_refresh_tokens WHERE family_id = ?", family)).isEqualTo(2);
    }
}
