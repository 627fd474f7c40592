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

package dev.gatehouse.jdbc;

import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;
import dev.gatehouse.jdbc.StoreContract.Outcome;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import dev.gatehouse.token.UserAuthentication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sessions of {@link RefreshTokenStore} (schema version 3: what a family shows, its last use,
 * ending one session or all but one), run against a real database by each subclass. Every test
 * works on users and families of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionStoreContract {
    /** Whole microseconds, as the stores keep instants. */
    static final Instant T = Instant.parse("2026-11-23T10:15:30.123456Z");
    static final Instant END = Instant.parse("2026-12-23T10:15:30.123456Z");
    /** 256 characters, with accents, CJK and a character outside the BMP (two UTF-16 units). */
    static final String LONG_USER_AGENT = longUserAgent();
    static final String IPV6_CLIENT = "2001:db8:85a3::/48";

    private Database db;
    private UserRepository users;
    private RefreshTokenStore tokens;
    private TestSql sql;

    /** Opens the database under test (skipping or failing the class when it is unreachable). */
    abstract Database openDatabase();

    @BeforeAll
    void openDatabaseAndMigrate() {
        db = openDatabase();
        JdbcSchema.migrate(db.dataSource());
        JdbcStores stores = new JdbcStores(db.dataSource());
        users = stores.users();
        tokens = stores.refreshTokens();
        sql = new TestSql(db.dataSource(), stores.dialect());
    }

    @AfterAll
    void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    private static String longUserAgent() {
        String start = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 — Grüße aus Zürich, 日本語のブラウザ 😀 ";
        return start + "x".repeat(256 - start.length());
    }

    // ---- create and find -----------------------------------------------------------------------

    @Test
    void aSessionRoundTripsWithEveryField() {
        assertThat(LONG_USER_AGENT).hasSize(256).contains("😀");
        User user = newUser();
        String id = UUID.randomUUID().toString();
        UserAuthentication amr = new UserAuthentication(List.of("pwd", "otp", "mfa"), Instant.parse("2026-11-23T10:15:29Z"));

        tokens.createFamily(new Session(id, user.id(), T, T, END, null, LONG_USER_AGENT, IPV6_CLIENT, amr), first(id, user.id(), T));

        assertThat(tokens.findSession(id)).contains(new Session(id, user.id(), T, T, END, null, LONG_USER_AGENT, IPV6_CLIENT,
                new UserAuthentication(List.of("pwd", "otp", "mfa"), Instant.parse("2026-11-23T10:15:29Z"))));
        assertThat(sql.text("SELECT amr FROM gh_refresh_families WHERE family_id = ?", id)).isEqualTo("pwd otp mfa");
        assertThat(sql.text("SELECT user_agent FROM gh_refresh_families WHERE family_id = ?", id)).isEqualTo(LONG_USER_AGENT);
        assertThat(sql.instant("SELECT last_used_at FROM gh_refresh_families WHERE family_id = ?", id)).isEqualTo(T);
        assertThat(tokens.listSessions(user.id(), T, 10)).extracting(Session::id).containsExactly(id);
    }

    @Test
    void aTokenIsFoundWithItsSessionInOneReadAsByTheTwoLookUps() {
        User user = newUser();
        String id = UUID.randomUUID().toString();
        UserAuthentication amr = new UserAuthentication(List.of("pwd"), Instant.parse("2026-11-23T10:15:00Z"));
        tokens.createFamily(new Session(id, user.id(), T, T, END, null, "curl/8.5.0", "192.0.2.0/24", amr), first(id, user.id(), T));
        RefreshTokenRecord first = firstToken(id);
        rotate(id, T.plusSeconds(40));

        RefreshTokenStore.TokenInSession found = tokens.findWithSession(first.tokenHash()).orElseThrow();

        assertThat(found.token()).isEqualTo(tokens.findByHash(first.tokenHash()).orElseThrow());
        assertThat(found.token().usedAt()).isEqualTo(T.plusSeconds(40));
        assertThat(found.session()).isEqualTo(new Session(id, user.id(), T, T.plusSeconds(40), END, null, "curl/8.5.0", "192.0.2.0/24",
                new UserAuthentication(List.of("pwd"), Instant.parse("2026-11-23T10:15:00Z"))));
        assertThat(tokens.findWithSession("0".repeat(64))).isEmpty();
        tokens.revokeSession(user.id(), id, T.plusSeconds(50));
        assertThat(tokens.findWithSession(first.tokenHash()).orElseThrow().session().revokedAt()).isEqualTo(T.plusSeconds(50));
    }

    @Test
    void aSessionWithoutWhatIsShownOfItHasNulls() {
        User user = newUser();
        String id = UUID.randomUUID().toString();
        Instant createdWithNanos = T.plusNanos(789);

        tokens.createFamily(new Session(id, user.id(), createdWithNanos, createdWithNanos, END, null, null, null, null),
                first(id, user.id(), T));

        assertThat(tokens.findSession(id)).contains(new Session(id, user.id(), T, T, END, null, null, null, null));
    }

    @Test
    void aFamilyWrittenWithoutTheNewColumnsWasLastUsedWhenItWasCreated() {
        // as a node of the release before version 3 writes it during a rolling upgrade
        User user = newUser();
        String old = UUID.randomUUID().toString();
        sql.execute("INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, NULL)",
                old, user.id(), T.plusSeconds(60), END);
        String used = newSession(user, T);
        rotate(used, T.plusSeconds(30));
        String recent = newSession(user, T.plusSeconds(90));

        assertThat(tokens.findSession(old)).contains(new Session(old, user.id(), T.plusSeconds(60), T.plusSeconds(60), END, null, null,
                null, null));
        assertThat(tokens.listSessions(user.id(), T.plusSeconds(120), 10)).extracting(Session::id).containsExactly(recent, old, used);
    }

    @Test
    void amrAndAuthTimeMakeAnAuthenticationOnlyTogether() {
        User user = newUser();
        String both = newSession(user, T);
        String noTime = newSession(user, T);
        String noAmr = newSession(user, T);
        String unreadable = newSession(user, T);
        sql.execute("UPDATE gh_refresh_families SET amr = 'pwd', auth_time = NULL WHERE family_id = ?", noTime);
        sql.execute("UPDATE gh_refresh_families SET amr = NULL, auth_time = ? WHERE family_id = ?", T, noAmr);
        sql.execute("UPDATE gh_refresh_families SET amr = 'pwd not/a/method', auth_time = ? WHERE family_id = ?", T, unreadable);

        assertThat(tokens.findSession(both)).map(Session::authentication)
                .contains(new UserAuthentication(List.of("pwd"), Instant.parse("2026-11-23T10:15:30Z")));
        assertThat(tokens.findSession(noTime)).hasValueSatisfying(s -> assertThat(s.authentication()).isNull());
        assertThat(tokens.findSession(noAmr)).hasValueSatisfying(s -> assertThat(s.authentication()).isNull());
        assertThat(tokens.findSession(unreadable)).hasValueSatisfying(s -> assertThat(s.authentication()).isNull());
    }

    @Test
    void anUnknownSessionIsNotFound() {
        assertThat(tokens.findSession(UUID.randomUUID().toString())).isEmpty();
        assertThat(tokens.listSessions(UUID.randomUUID().toString(), T, 10)).isEmpty();
    }

    @Test
    void valuesTheColumnsCannotHoldAreRefusedBeforeAnythingIsWritten() {
        User user = newUser();
        String id = UUID.randomUUID().toString();
        assertThatThrownBy(() -> tokens.createFamily(new Session(id, user.id(), T, T, END, null, "agent\0", null, null),
                first(id, user.id(), T))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userAgent");
        assertThatThrownBy(() -> tokens.createFamily(new Session(id, user.id(), T, T, END, T, null, null, null),
                first(id, user.id(), T))).isInstanceOf(IllegalArgumentException.class);
        String other = UUID.randomUUID().toString();
        assertThatThrownBy(() -> tokens.createFamily(new Session(id, user.id(), T, T, END, null, null, null, null),
                first(other, user.id(), T))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tokens.listSessions(user.id(), T, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(sql.count("SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", user.id())).isZero();
    }

    // ---- list ----------------------------------------------------------------------------------

    @Test
    void sessionsAreListedByLastUseNewestFirstThenByLoginThenById() {
        User user = newUser();
        String prefix = UUID.randomUUID().toString().substring(0, 24);
        String a = newSession(user, T, prefix + "00000000000a");
        String b = newSession(user, T.plus(Duration.ofHours(1)), prefix + "00000000000b");
        String c = newSession(user, T.plus(Duration.ofHours(2)), prefix + "00000000000c");
        String d = newSession(user, T.plus(Duration.ofHours(3)), prefix + "00000000000d");
        // two logins at the same instant, never used since: ordered by id
        String f = newSession(user, T.plus(Duration.ofHours(4)), prefix + "00000000000f");
        String e = newSession(user, T.plus(Duration.ofHours(4)), prefix + "00000000000e");
        // a and d used at the same instant: d, the later login, first
        rotate(a, T.plus(Duration.ofHours(5)));
        rotate(d, T.plus(Duration.ofHours(5)));
        Instant now = T.plus(Duration.ofHours(6));

        assertThat(tokens.listSessions(user.id(), now, 100)).extracting(Session::id).containsExactly(d, a, e, f, c, b);
        assertThat(tokens.listSessions(user.id(), now, 3)).extracting(Session::id).containsExactly(d, a, e);
        assertThat(tokens.listSessions(user.id(), now, 1)).extracting(Session::id).containsExactly(d);
        assertThat(tokens.listSessions(user.id(), now, 100)).extracting(Session::lastUsedAt).containsExactly(
                T.plus(Duration.ofHours(5)), T.plus(Duration.ofHours(5)), T.plus(Duration.ofHours(4)), T.plus(Duration.ofHours(4)),
                T.plus(Duration.ofHours(2)), T.plus(Duration.ofHours(1)));
    }

    @Test
    void otherUsersSessionsAreNotListed() {
        User ann = newUser();
        User ben = newUser();
        String anns = newSession(ann, T);
        String bens = newSession(ben, T);

        assertThat(tokens.listSessions(ann.id(), T, 10)).extracting(Session::id).containsExactly(anns);
        assertThat(tokens.listSessions(ben.id(), T, 10)).extracting(Session::id).containsExactly(bens);
    }

    @Test
    void endedAndExpiredSessionsAreNotListed() {
        User user = newUser();
        Instant now = T.plus(Duration.ofDays(1));
        String live = newSession(user, T);
        String ended = newSession(user, T);
        String endsNow = newSession(user, T, now);
        String endsJustAfter = newSession(user, T, now.plus(1, ChronoUnit.MICROS));
        String ended2 = newSession(user, T);
        assertThat(tokens.revokeFamily(ended, T.plusSeconds(1))).isTrue();
        assertThat(tokens.revokeAllOfUser(user.id(), T.plusSeconds(2))).isEqualTo(4);
        String afterLogoutEverywhere = newSession(user, T.plusSeconds(3));

        assertThat(tokens.listSessions(user.id(), now, 10)).extracting(Session::id).containsExactly(afterLogoutEverywhere);
        assertThat(tokens.findSession(ended)).map(Session::revokedAt).contains(T.plusSeconds(1));
        assertThat(tokens.findSession(ended2)).map(Session::revokedAt).contains(T.plusSeconds(2));
        // before the logout everywhere: every session but the one that ends now
        sql.execute("UPDATE gh_refresh_families SET revoked_at = NULL WHERE user_id = ? AND family_id <> ?", user.id(), ended);
        assertThat(tokens.listSessions(user.id(), now, 10)).extracting(Session::id)
                .containsExactlyInAnyOrder(live, endsJustAfter, ended2, afterLogoutEverywhere)
                .doesNotContain(endsNow, ended);
    }

    // ---- end -----------------------------------------------------------------------------------

    @Test
    void aUserEndsOneOfTheirSessionsOnce() {
        User user = newUser();
        String kept = newSession(user, T);
        String ended = newSession(user, T);
        RefreshTokenRecord endedToken = firstToken(ended);

        assertThat(tokens.revokeSession(user.id(), ended, T.plusSeconds(10))).isTrue();
        assertThat(tokens.revokeSession(user.id(), ended, T.plusSeconds(20))).isFalse();

        assertThat(tokens.findSession(ended)).map(Session::revokedAt).contains(T.plusSeconds(10));
        assertThat(tokens.listSessions(user.id(), T, 10)).extracting(Session::id).containsExactly(kept);
        assertThat(tokens.findByHash(endedToken.tokenHash())).map(RefreshTokenRecord::revokedAt).contains(T.plusSeconds(10));
        assertThat(tokens.rotate(endedToken.tokenHash(), T.plusSeconds(30), child(endedToken), null)).isFalse();
    }

    @Test
    void aSessionOfAnotherUserCannotBeEndedAndIsLeftAsItWas() {
        User ann = newUser();
        User mallory = newUser();
        String anns = newSession(ann, T);

        assertThat(tokens.revokeSession(mallory.id(), anns, T.plusSeconds(10))).isFalse();
        assertThat(tokens.revokeSession(mallory.id(), UUID.randomUUID().toString(), T.plusSeconds(10))).isFalse();

        assertThat(tokens.findSession(anns)).hasValueSatisfying(s -> assertThat(s.revokedAt()).isNull());
        assertThat(sql.count("SELECT COUNT(*) FROM gh_refresh_families WHERE family_id = ? AND revoked_at IS NULL", anns)).isOne();
        assertThat(tokens.listSessions(ann.id(), T, 10)).extracting(Session::id).containsExactly(anns);
        RefreshTokenRecord first = firstToken(anns);
        assertThat(tokens.rotate(first.tokenHash(), T.plusSeconds(20), child(first), null)).isTrue();
    }

    @Test
    void endingTheOtherSessionsKeepsExactlyOne() {
        User user = newUser();
        User other = newUser();
        String kept = newSession(user, T);
        String second = newSession(user, T);
        String third = newSession(user, T);
        String endedBefore = newSession(user, T);
        String othersSession = newSession(other, T);
        assertThat(tokens.revokeFamily(endedBefore, T.plusSeconds(1))).isTrue();

        assertThat(tokens.revokeOtherSessions(user.id(), kept, T.plusSeconds(10))).isEqualTo(2);
        assertThat(tokens.revokeOtherSessions(user.id(), kept, T.plusSeconds(20))).isZero();

        assertThat(tokens.listSessions(user.id(), T, 10)).extracting(Session::id).containsExactly(kept);
        assertThat(tokens.findSession(second)).map(Session::revokedAt).contains(T.plusSeconds(10));
        assertThat(tokens.findSession(third)).map(Session::revokedAt).contains(T.plusSeconds(10));
        assertThat(tokens.findSession(endedBefore)).map(Session::revokedAt).contains(T.plusSeconds(1));
        assertThat(tokens.listSessions(other.id(), T, 10)).extracting(Session::id).containsExactly(othersSession);
        RefreshTokenRecord first = firstToken(kept);
        assertThat(tokens.rotate(first.tokenHash(), T.plusSeconds(30), child(first), null)).isTrue();
    }

    // ---- last use ------------------------------------------------------------------------------

    @Test
    void aRotationSetsTheLastUseAndARefusedOneDoesNot() {
        User user = newUser();
        String id = newSession(user, T);
        RefreshTokenRecord first = firstToken(id);
        RefreshTokenRecord second = child(first);

        assertThat(tokens.rotate(first.tokenHash(), T.plus(Duration.ofMinutes(10)).plusNanos(999), second, null)).isTrue();
        assertThat(tokens.findSession(id)).hasValueSatisfying(s -> {
            assertThat(s.createdAt()).isEqualTo(T);
            assertThat(s.lastUsedAt()).isEqualTo(T.plus(Duration.ofMinutes(10)));
        });

        // a replay of the spent token is refused and leaves the last use alone
        assertThat(tokens.rotate(first.tokenHash(), T.plus(Duration.ofMinutes(20)), child(first), null)).isFalse();
        assertThat(tokens.findSession(id)).map(Session::lastUsedAt).contains(T.plus(Duration.ofMinutes(10)));
        // so is a rotation of an ended session
        assertThat(tokens.revokeSession(user.id(), id, T.plus(Duration.ofMinutes(25)))).isTrue();
        assertThat(tokens.rotate(second.tokenHash(), T.plus(Duration.ofMinutes(30)), child(second), null)).isFalse();
        assertThat(tokens.findSession(id)).map(Session::lastUsedAt).contains(T.plus(Duration.ofMinutes(10)));
    }

    @Test
    void theLastUseOfRacingRotationsIsTheWinnersOnly() throws Exception {
        User user = newUser();
        String id = newSession(user, T);
        RefreshTokenRecord first = firstToken(id);

        List<Outcome<Boolean>> outcomes = StoreContract.race(10,
                i -> tokens.rotate(first.tokenHash(), T.plusSeconds(100 + i), child(first), null));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).value) {
                winners.add(i);
            }
        }
        assertThat(winners).hasSize(1);
        assertThat(tokens.findSession(id)).map(Session::lastUsedAt).contains(T.plusSeconds(100 + winners.get(0)));
        assertThat(sql.count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE family_id = ?", id)).isEqualTo(2);
    }

    // ---- deletion ------------------------------------------------------------------------------

    @Test
    void aDeletedUsersSessionsAreGone() {
        User user = newUser();
        String one = newSession(user, T);
        String two = newSession(user, T);

        assertThat(users.delete(user.id())).isTrue();

        assertThat(tokens.findSession(one)).isEmpty();
        assertThat(tokens.findSession(two)).isEmpty();
        assertThat(tokens.listSessions(user.id(), T, 10)).isEmpty();
        assertThat(sql.count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE user_id = ?", user.id())).isZero();
    }

    @Test
    void expiredSessionsArePurgedWithTheirTokens() {
        User user = newUser();
        String expired = newSession(user, Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-01-31T00:00:00Z"));
        String live = newSession(user, T);

        assertThat(tokens.deleteExpired(Instant.parse("2020-02-01T00:00:00Z"))).isOne();

        assertThat(tokens.findSession(expired)).isEmpty();
        assertThat(tokens.findSession(live)).isPresent();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private User newUser() {
        return users.create(UUID.randomUUID().toString(), "user-" + UUID.randomUUID() + "@example.org", "$2a$04$x", List.of("user"), T);
    }

    private String newSession(User user, Instant createdAt) {
        return newSession(user, createdAt, END);
    }

    private String newSession(User user, Instant createdAt, Instant end) {
        String id = UUID.randomUUID().toString();
        tokens.createFamily(new Session(id, user.id(), createdAt, createdAt, end, null, "agent", "192.0.2.0/24",
                UserAuthentication.password(createdAt)), first(id, user.id(), createdAt, end));
        return id;
    }

    private String newSession(User user, Instant createdAt, String id) {
        tokens.createFamily(new Session(id, user.id(), createdAt, createdAt, END, null, null, null, null), first(id, user.id(), createdAt));
        return id;
    }

    private static RefreshTokenRecord first(String familyId, String userId, Instant at) {
        return first(familyId, userId, at, END);
    }

    private static RefreshTokenRecord first(String familyId, String userId, Instant at, Instant end) {
        return new RefreshTokenRecord(StoreContract.hash("first " + familyId), familyId, null, userId, at, end, end, null, null);
    }

    private RefreshTokenRecord firstToken(String familyId) {
        return tokens.findByHash(StoreContract.hash("first " + familyId)).orElseThrow();
    }

    /** Spends the family's first token at {@code at}. */
    private void rotate(String familyId, Instant at) {
        RefreshTokenRecord first = firstToken(familyId);
        assertThat(tokens.rotate(first.tokenHash(), at, child(first), null)).isTrue();
    }

    private static RefreshTokenRecord child(RefreshTokenRecord parent) {
        return new RefreshTokenRecord(StoreContract.hash(UUID.randomUUID().toString()), parent.familyId(), parent.tokenHash(),
                parent.userId(), T, END, parent.familyExpiresAt(), null, null);
    }
}
