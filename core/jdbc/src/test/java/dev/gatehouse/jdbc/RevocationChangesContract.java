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

import dev.gatehouse.auth.CachedRevocationCheck;
import dev.gatehouse.auth.CachedRevocationCheck.Refresh;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.store.AccountStore;
import dev.gatehouse.auth.store.AccountStore.AccountToken;
import dev.gatehouse.auth.store.AccountStore.Purpose;
import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.RevocationChange;
import dev.gatehouse.auth.store.RevocationChange.Kind;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.TokenSettings;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The numbered revocations of the JDBC stores (schema version 4), run against a real database by
 * each subclass: every statement that changes what verification refuses, reached through the
 * public store APIs, shows up in {@link RevocationStore#changesAfter} as exactly the change the
 * test wrote (kind, id, time, generation), under the number the database holds for that row (read
 * here by plain SQL), above every number before it. And a {@link CachedRevocationCheck} on the
 * JDBC store reads a change whose transaction took its number before another one and committed
 * after it, while each refresh after the first reads only a handful of rows.
 *
 * <p>The tests share one schema and each looks only at the numbers above the latest one when it
 * started (the tests of a class run one after the other); the empty schema is a database of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RevocationChangesContract {
    /** Times with whole microseconds, as the stores keep them. */
    private static final Instant AT = Instant.parse("2026-11-23T10:15:30.123456Z");
    private static final Instant LATER = Instant.parse("2026-11-23T10:45:00.654321Z");
    private static final Instant EARLIER = Instant.parse("2026-11-23T09:00:00.000001Z");
    private static final Instant FAMILY_END = Instant.parse("2026-12-23T10:00:00Z");
    private static final String OLD_HASH = "$2a$04$old-password-hash";

    private Database db;
    private UserRepository users;
    private RefreshTokenStore tokens;
    private RevocationStore revocations;
    private AccountStore accounts;

    /** Opens the database under test (skipping or failing the class when it is unreachable). */
    abstract Database openDatabase();

    @BeforeAll
    void openDatabaseAndMigrate() {
        db = openDatabase();
        JdbcSchema.migrate(db.dataSource());
        JdbcStores stores = new JdbcStores(db.dataSource());
        users = stores.users();
        tokens = stores.refreshTokens();
        revocations = stores.revocations();
        accounts = stores.accounts();
    }

    @AfterAll
    void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    // ---- the latest number and the changes after one -------------------------------------------

    @Test
    void anEmptySchemaHasNoChangeAndItsLatestNumberIsZero() {
        try (Database empty = openDatabase()) {
            JdbcSchema.migrate(empty.dataSource());
            RevocationStore store = new JdbcStores(empty.dataSource()).revocations();

            assertThat(store.latestChange()).isEqualTo(OptionalLong.of(0));
            assertThat(store.changesAfter(0)).isEmpty();
            assertThat(store.changesAfter(-1)).isEmpty();
        }
    }

    @Test
    void theLatestNumberIsTheHighestOfTheThreeTables() {
        String jti = newJti();
        String userId = UUID.randomUUID().toString();
        User owner = newUser();
        String family = newFamily(owner);

        revocations.revokeToken(jti, LATER);
        long token = tokenNumber(jti);
        assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(token));

        revocations.refuseGenerationsBelow(userId, 1, AT);
        long generation = generationNumber(userId);
        assertThat(generation).isGreaterThan(token);
        assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(generation));

        assertThat(tokens.revokeFamily(family, AT)).isTrue();
        long session = sessionNumber(family);
        assertThat(session).isGreaterThan(generation);
        assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(session));

        // the highest number is in the token table again
        revocations.revokeToken(jti, LATER);
        assertThat(tokenNumber(jti)).isGreaterThan(session);
        assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(tokenNumber(jti)));
    }

    @Test
    void changesAfterANumberAreTheChangesNumberedAboveIt() {
        long before = latest();
        String first = newJti();
        String second = newJti();
        String userId = UUID.randomUUID().toString();
        revocations.revokeToken(first, LATER);
        revocations.revokeToken(second, LATER);
        revocations.refuseGenerationsBelow(userId, 4, AT);
        long n1 = tokenNumber(first);
        long n2 = tokenNumber(second);
        long n3 = generationNumber(userId);
        assertThat(List.of(before, n1, n2, n3)).as("numbered in the order written").isSorted().doesNotHaveDuplicates();

        assertThat(revocations.changesAfter(before)).containsExactlyInAnyOrder(
                new RevocationChange(n1, Kind.TOKEN, first, LATER, 0),
                new RevocationChange(n2, Kind.TOKEN, second, LATER, 0),
                new RevocationChange(n3, Kind.GENERATION, userId, AT, 4));
        assertThat(revocations.changesAfter(n1)).containsExactlyInAnyOrder(
                new RevocationChange(n2, Kind.TOKEN, second, LATER, 0),
                new RevocationChange(n3, Kind.GENERATION, userId, AT, 4));
        assertThat(revocations.changesAfter(n2)).containsExactly(new RevocationChange(n3, Kind.GENERATION, userId, AT, 4));
        assertThat(revocations.changesAfter(n3)).isEmpty();
        assertThat(revocations.changesAfter(n3 + 1_000_000)).isEmpty();
    }

    @Test
    void successiveWritesGetStrictlyIncreasingNumbers() {
        List<Long> numbers = new ArrayList<>();
        numbers.add(latest());
        for (int i = 0; i < 5; i++) {
            String jti = newJti();
            revocations.revokeToken(jti, LATER);
            numbers.add(tokenNumber(jti));
            String userId = UUID.randomUUID().toString();
            revocations.refuseGenerationsBelow(userId, i + 1, AT);
            numbers.add(generationNumber(userId));
            String family = newFamily(newUser());
            assertThat(tokens.revokeFamily(family, AT)).isTrue();
            numbers.add(sessionNumber(family));
            assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(numbers.get(numbers.size() - 1)));
        }
        assertThat(numbers).hasSize(16).isSorted().doesNotHaveDuplicates();
    }

    // ---- access tokens -------------------------------------------------------------------------

    @Test
    void aRevokedTokenIsOneChangeUntilItsEnd() {
        long before = latest();
        String jti = newJti();

        revocations.revokeToken(jti, LATER);

        assertThat(revocations.changesAfter(before)).containsExactly(new RevocationChange(tokenNumber(jti), Kind.TOKEN, jti, LATER, 0));
        assertThat(tokenNumber(jti)).isGreaterThan(before);
        assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(tokenNumber(jti)));
    }

    @Test
    void aTokenRevokedAgainGetsANewNumberAndKeepsTheLaterTime() {
        String jti = newJti();
        revocations.revokeToken(jti, AT);
        long first = tokenNumber(jti);

        revocations.revokeToken(jti, LATER);
        long second = tokenNumber(jti);

        assertThat(second).isGreaterThan(first);
        assertThat(revocations.changesAfter(first)).containsExactly(new RevocationChange(second, Kind.TOKEN, jti, LATER, 0));
        assertThat(revocations.changesAfter(first - 1)).as("only the newest number of a change is kept")
                .containsExactly(new RevocationChange(second, Kind.TOKEN, jti, LATER, 0));

        revocations.revokeToken(jti, EARLIER);
        long third = tokenNumber(jti);

        assertThat(third).isGreaterThan(second);
        assertThat(revocations.changesAfter(second)).containsExactly(new RevocationChange(third, Kind.TOKEN, jti, LATER, 0));
        assertThat(revocations.revokedTokens(AT)).containsEntry(jti, LATER);
    }

    // ---- generation cut-offs -------------------------------------------------------------------

    @Test
    void aCutOffSetRaisedOrAskedLowerIsNumberedEachTimeAndKeepsTheHigherGenerationAndTheLaterTime() {
        String userId = UUID.randomUUID().toString();
        long before = latest();

        revocations.refuseGenerationsBelow(userId, 2, AT);
        long set = generationNumber(userId);
        assertThat(revocations.changesAfter(before)).containsExactly(new RevocationChange(set, Kind.GENERATION, userId, AT, 2));

        revocations.refuseGenerationsBelow(userId, 5, LATER);
        long raised = generationNumber(userId);
        assertThat(raised).isGreaterThan(set);
        assertThat(revocations.changesAfter(set)).containsExactly(new RevocationChange(raised, Kind.GENERATION, userId, LATER, 5));

        revocations.refuseGenerationsBelow(userId, 3, EARLIER);
        long lower = generationNumber(userId);
        assertThat(lower).isGreaterThan(raised);
        assertThat(revocations.changesAfter(raised)).containsExactly(new RevocationChange(lower, Kind.GENERATION, userId, LATER, 5));
        assertThat(revocations.changesAfter(before)).as("one row, under its newest number").hasSize(1);
    }

    // ---- sessions (refresh-token families) -----------------------------------------------------

    @Test
    void revokingAFamilyIsOneSessionChangeAndRevokingItAgainIsNone() {
        String family = newFamily(newUser());
        long before = latest();

        assertThat(tokens.revokeFamily(family, AT)).isTrue();

        assertThat(revocations.changesAfter(before)).containsExactly(new RevocationChange(sessionNumber(family), Kind.SESSION, family, AT, 0));
        long number = sessionNumber(family);
        assertThat(tokens.revokeFamily(family, LATER)).isFalse();
        assertThat(sessionNumber(family)).isEqualTo(number);
        assertThat(revocations.changesAfter(number)).isEmpty();
    }

    @Test
    void revokingEveryFamilyOfAUserNumbersEachLiveFamilyOnItsOwn() {
        User user = newUser();
        String a = newFamily(user);
        String b = newFamily(user);
        String c = newFamily(user);
        String ended = newFamily(user);
        assertThat(tokens.revokeFamily(ended, EARLIER)).isTrue();
        String someoneElses = newFamily(newUser());
        long before = latest();

        assertThat(tokens.revokeAllOfUser(user.id(), AT)).isEqualTo(3);

        assertChanges(before, session(a, AT), session(b, AT), session(c, AT));
        assertThat(List.of(sessionNumber(a), sessionNumber(b), sessionNumber(c))).as("one number each").doesNotHaveDuplicates()
                .allSatisfy(n -> assertThat(n).isGreaterThan(before));
        assertThat(sessionNumber(ended)).isLessThanOrEqualTo(before);
        assertThat(sessionNumber(someoneElses)).isNull();
    }

    @Test
    void endingASessionIsOneSessionChangeAndOnlyForItsOwner() {
        User user = newUser();
        String family = newFamily(user);
        String other = newFamily(user);
        long before = latest();

        assertThat(tokens.revokeSession(UUID.randomUUID().toString(), family, AT)).as("someone else's session").isFalse();
        assertThat(revocations.changesAfter(before)).isEmpty();

        assertThat(tokens.revokeSession(user.id(), family, AT)).isTrue();

        assertChanges(before, session(family, AT));
        assertThat(sessionNumber(other)).isNull();
    }

    @Test
    void endingTheOtherSessionsNumbersEachOfThemAndNotTheKeptOne() {
        User user = newUser();
        String kept = newFamily(user);
        String a = newFamily(user);
        String b = newFamily(user);
        long before = latest();

        assertThat(tokens.revokeOtherSessions(user.id(), kept, AT)).isEqualTo(2);

        assertChanges(before, session(a, AT), session(b, AT));
        assertThat(sessionNumber(a)).isNotEqualTo(sessionNumber(b));
        assertThat(sessionNumber(kept)).isNull();
    }

    // ---- the user repository and the account store ---------------------------------------------

    @Test
    void loggingOutEverywhereNumbersEachLiveFamilyAndTheNewCutOff() {
        User user = newUser();
        String a = newFamily(user);
        String b = newFamily(user);
        String ended = newFamily(user);
        assertThat(tokens.revokeFamily(ended, EARLIER)).isTrue();
        long before = latest();

        assertThat(users.revokeAllSessions(user.id(), AT)).hasValue(1);

        assertChanges(before, session(a, AT), session(b, AT), generation(user.id(), AT, 1));
        assertThat(List.of(sessionNumber(a), sessionNumber(b), generationNumber(user.id()))).doesNotHaveDuplicates();
    }

    @Test
    void aChangeOfRolesIsOneCutOffChangeAndTheSameRolesAreNone() {
        User user = newUser();
        String family = newFamily(user);
        long before = latest();

        assertThat(users.changeRoles(user.id(), roles -> List.of("user"), AT)).map(User::tokenGeneration).contains(0);
        assertThat(revocations.changesAfter(before)).as("same roles: nothing written").isEmpty();

        assertThat(users.changeRoles(user.id(), roles -> List.of("user", "admin"), AT)).map(User::tokenGeneration).contains(1);

        assertChanges(before, generation(user.id(), AT, 1));
        assertThat(sessionNumber(family)).as("the sessions stay").isNull();
    }

    @Test
    void deletingAUserIsOneCutOffChangeAboveEveryGeneration() {
        User user = newUser();
        newFamily(user);
        long before = latest();

        assertThat(users.deleteAndRevoke(user.id(), AT)).isTrue();

        assertChanges(before, generation(user.id(), AT, Integer.MAX_VALUE));
        assertThat(users.deleteAndRevoke(user.id(), LATER)).isFalse();
        assertThat(revocations.changesAfter(generationNumber(user.id()))).isEmpty();
    }

    @Test
    void aPasswordChangeNumbersEachSessionItEndsAndNotTheKeptOne() {
        User user = newUser();
        String kept = newFamily(user);
        String a = newFamily(user);
        String b = newFamily(user);
        long before = latest();

        assertThat(accounts.changePassword(user.id(), OLD_HASH, "$2a$04$new-password-hash", kept, AT, null)).hasValueSatisfying(ended ->
                assertThat(ended).containsExactlyInAnyOrder(a, b));

        assertChanges(before, session(a, AT), session(b, AT));
        assertThat(sessionNumber(kept)).isNull();
    }

    @Test
    void aPasswordResetNumbersEachSessionAndTheNewCutOff() {
        User user = newUser();
        String a = newFamily(user);
        String b = newFamily(user);
        AccountToken reset = new AccountToken(StoreContract.hash("reset " + UUID.randomUUID()), Purpose.PASSWORD_RESET, EARLIER,
                LATER);
        assertThat(accounts.issueToken(user.id(), reset, false, u -> mail(u.email()))).isPresent();
        long before = latest();

        assertThat(accounts.resetPassword(reset.tokenHash(), "$2a$04$reset-password-hash", AT, u -> mail(u.email())))
                .map(User::tokenGeneration).contains(1);

        assertChanges(before, session(a, AT), session(b, AT), generation(user.id(), AT, 1));
    }

    @Test
    void deletingAnAccountIsOneCutOffChangeAboveEveryGeneration() {
        User user = newUser();
        newFamily(user);
        long before = latest();

        assertThat(accounts.deleteAndRevoke(user.id(), AT, u -> mail(u.email()))).isTrue();

        assertChanges(before, generation(user.id(), AT, Integer.MAX_VALUE));
    }

    // ---- the revocation cache on this store ----------------------------------------------------

    @Test
    void aRevocationCommittedAfterALaterOneIsStillReadAndEachRefreshReadsOnlyTheChanges() throws SQLException {
        seedLiveRevocations(2_000);
        TokenSettings settings = Fixtures.settings();
        AccessTokenIssuer issuer = new AccessTokenIssuer(settings, Fixtures.keys());
        String first = issuer.issue("late-" + UUID.randomUUID(), List.of("user")).token();
        String second = issuer.issue("early-" + UUID.randomUUID(), List.of("user")).token();
        try (CachedRevocationCheck cache = new CachedRevocationCheck(revocations, Duration.ofHours(1), Duration.ofMinutes(10),
                Fixtures.CLOCK)) {
            long seenAtStart = maxNumber();
            cache.start();
            assertThat(cache.lastRefresh().full()).isTrue();
            assertThat(cache.lastRefresh().rowsRead()).as("the whole live set, at start").isGreaterThanOrEqualTo(2_000);
            AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys(), cache);
            String firstJti = verifier.verify(first).tokenId();
            String secondJti = verifier.verify(second).tokenId();

            Refresh before;
            try (Connection late = db.dataSource().getConnection()) {
                late.setAutoCommit(false);
                // another node revokes the first token and has taken its number, but not committed yet
                long firstNumber = insertRevokedToken(late, firstJti, Fixtures.NOW.plus(Duration.ofHours(1)));
                // meanwhile this store revokes the second, under a higher number, and commits
                revocations.revokeToken(secondJti, Fixtures.NOW.plus(Duration.ofHours(1)));
                long secondNumber = tokenNumber(secondJti);
                assertThat(firstNumber).as("the premise: the first took its number first").isGreaterThan(seenAtStart)
                        .isLessThan(secondNumber);

                before = cache.refreshNow();

                assertThat(before.full()).isFalse();
                assertThat(before.rowsRead()).as("the changes only").isEqualTo(1);
                assertThat(before.awaited()).as("the numbers skipped, the first's among them").isEqualTo(secondNumber - seenAtStart - 1);
                Fixtures.assertRefused(verifier, second, Reason.REVOKED);
                assertThat(verifier.verify(first).tokenId()).as("not committed yet").isEqualTo(firstJti);

                late.commit();
            }

            Refresh after = cache.refreshNow();

            assertThat(after.full()).isFalse();
            assertThat(after.rowsRead()).as("the late one, and the second again: not the live set").isEqualTo(2);
            assertThat(after.awaited()).as("the late one's number is no longer awaited").isEqualTo(before.awaited() - 1);
            assertThat(cache.lastRefresh()).isEqualTo(after);
            Fixtures.assertRefused(verifier, first, Reason.REVOKED);
            Fixtures.assertRefused(verifier, second, Reason.REVOKED);

            Refresh quiet = cache.refreshNow();
            assertThat(quiet.full()).isFalse();
            assertThat(quiet.rowsRead()).as("nothing changed").isZero();
        }
    }

    @Test
    void aRolledBackNumberNeverShowsAndIsGivenUpAfterTheOverlap() throws SQLException {
        MutableClock clock = new MutableClock(Fixtures.NOW);
        try (CachedRevocationCheck cache = new CachedRevocationCheck(revocations, Duration.ofHours(1), Duration.ofMinutes(10), clock)) {
            long seenAtStart = maxNumber();
            cache.start();

            long rolledBack;
            String lost = newJti();
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                rolledBack = insertRevokedToken(c, lost, Fixtures.NOW.plus(Duration.ofHours(1)));
                c.rollback();
            }
            String kept = newJti();
            revocations.revokeToken(kept, Fixtures.NOW.plus(Duration.ofHours(1)));
            long keptNumber = tokenNumber(kept);
            assertThat(rolledBack).isGreaterThan(seenAtStart).isLessThan(keptNumber);
            assertThat(revocations.changesAfter(seenAtStart)).containsExactly(
                    new RevocationChange(keptNumber, Kind.TOKEN, kept, Fixtures.NOW.plus(Duration.ofHours(1)), 0));

            clock.advance(Duration.ofSeconds(1));
            Refresh skipped = cache.refreshNow();
            assertThat(skipped.full()).isFalse();
            assertThat(skipped.awaited()).isEqualTo(keptNumber - seenAtStart - 1);

            // still awaited before the overlap (CachedRevocationCheck.DEFAULT_OVERLAP) has passed
            clock.advance(Duration.ofSeconds(30));
            assertThat(cache.refreshNow().awaited()).isEqualTo(keptNumber - seenAtStart - 1);

            // the first full read is due an overlap after start; the skipped number stays awaited through it
            clock.advance(CachedRevocationCheck.DEFAULT_OVERLAP);
            Refresh full = cache.refreshNow();
            assertThat(full.full()).isTrue();

            clock.advance(Duration.ofSeconds(1));
            Refresh givenUp = cache.refreshNow();
            assertThat(givenUp.full()).isFalse();
            assertThat(givenUp.awaited()).as("given up once the overlap has passed").isZero();

            clock.advance(Duration.ofSeconds(1));
            Refresh next = cache.refreshNow();
            assertThat(next.rowsRead()).as("read after the kept number now").isZero();
            assertThat(revocations.changesAfter(seenAtStart)).extracting(RevocationChange::sequence).containsExactly(keptNumber);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private long latest() {
        OptionalLong latest = revocations.latestChange();
        assertThat(latest).as("the JDBC store numbers its changes").isPresent();
        return latest.getAsLong();
    }

    /** Asserts the changes after {@code before} are exactly these (kind, id, time, generation), each under the number its row holds. */
    private void assertChanges(long before, Tuple... expected) {
        List<RevocationChange> changes = revocations.changesAfter(before);
        assertThat(changes).extracting(RevocationChange::kind, RevocationChange::id, RevocationChange::at, RevocationChange::generation)
                .containsExactlyInAnyOrder(expected);
        for (RevocationChange change : changes) {
            Long stored = switch (change.kind()) {
                case TOKEN -> tokenNumber(change.id());
                case SESSION -> sessionNumber(change.id());
                case GENERATION -> generationNumber(change.id());
            };
            assertThat(change.sequence()).as("number of %s", change).isEqualTo(stored).isGreaterThan(before);
        }
        assertThat(changes).extracting(RevocationChange::sequence).doesNotHaveDuplicates();
    }

    private static Tuple session(String familyId, Instant at) {
        return tuple(Kind.SESSION, familyId, at, 0);
    }

    private static Tuple generation(String userId, Instant at, int generation) {
        return tuple(Kind.GENERATION, userId, at, generation);
    }

    private static String newJti() {
        return "jti-" + UUID.randomUUID();
    }

    private User newUser() {
        return users.create(UUID.randomUUID().toString(), "changes-" + UUID.randomUUID() + "@example.org", OLD_HASH, List.of("user"), EARLIER);
    }

    /** A live family of the user with its first token; returns its id. */
    private String newFamily(User user) {
        String familyId = UUID.randomUUID().toString();
        RefreshTokenRecord first = new RefreshTokenRecord(StoreContract.hash(UUID.randomUUID().toString()), familyId, null, user.id(),
                EARLIER, FAMILY_END, FAMILY_END, null, null);
        tokens.createFamily(new Session(familyId, user.id(), EARLIER, EARLIER, FAMILY_END, null, null, null, null), first);
        return familyId;
    }

    private static MailMessage mail(String to) {
        String id = UUID.randomUUID().toString();
        return new MailMessage(id, to, "Subject " + id.substring(0, 8), "Text of " + id, "<p>HTML of " + id + "</p>");
    }

    /** The number a revoked token's row holds, read by plain SQL. */
    private long tokenNumber(String jti) {
        Long n = number("SELECT seq FROM gh_revoked_tokens WHERE jti = ?", jti);
        assertThat(n).as("number of token %s", jti).isNotNull();
        return n;
    }

    /** The number a cut-off's row holds, read by plain SQL. */
    private long generationNumber(String userId) {
        Long n = number("SELECT seq FROM gh_user_revocations WHERE user_id = ?", userId);
        assertThat(n).as("number of the cut-off of %s", userId).isNotNull();
        return n;
    }

    /** The revocation number a family's row holds, or {@code null} (not revoked since version 4), read by plain SQL. */
    private Long sessionNumber(String familyId) {
        return number("SELECT revoked_seq FROM gh_refresh_families WHERE family_id = ?", familyId);
    }

    private Long number(String sql, String key) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for %s (%s)", sql, key).isTrue();
                long n = rs.getLong(1);
                return rs.wasNull() ? null : n;
            }
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    /** The highest number in the three tables, by plain SQL ({@code 0} when none). */
    private long maxNumber() {
        long max = 0;
        for (String sql : List.of("SELECT MAX(seq) FROM gh_revoked_tokens", "SELECT MAX(seq) FROM gh_user_revocations",
                "SELECT MAX(revoked_seq) FROM gh_refresh_families")) {
            try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                max = Math.max(max, rs.getLong(1));
            } catch (SQLException e) {
                throw new AssertionError(sql, e);
            }
        }
        return max;
    }

    /**
     * Revokes a token on the caller's connection by plain SQL, as another node's statement would
     * (numbered by the column's default), and returns the number it took, read in the same transaction.
     */
    private static long insertRevokedToken(Connection c, String jti, Instant until) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES (?, ?)")) {
            ps.setString(1, jti);
            setUtc(c, ps, 2, until);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM gh_revoked_tokens WHERE jti = ?")) {
            ps.setString(1, jti);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                long n = rs.getLong(1);
                assertThat(rs.wasNull()).as("numbered by the column's default").isFalse();
                return n;
            }
        }
    }

    /** Revocations in force for a day from {@link Fixtures#NOW}, inserted by plain SQL in one transaction. */
    private void seedLiveRevocations(int count) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES (?, ?)")) {
                for (int i = 0; i < count; i++) {
                    ps.setString(1, newJti());
                    setUtc(c, ps, 2, Fixtures.NOW.plus(Duration.ofDays(1)));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** Binds an instant as UTC: with its offset for PostgreSQL's TIMESTAMPTZ, as a UTC wall-clock time for H2's and MariaDB's columns. */
    private static void setUtc(Connection c, PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (c.getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
            ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        } else {
            ps.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }
}
