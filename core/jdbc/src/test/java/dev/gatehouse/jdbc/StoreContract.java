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

import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.auth.store.ThrottleStore;
import dev.gatehouse.auth.store.ThrottleStore.Bucket;
import dev.gatehouse.auth.store.ThrottleStore.Limit;
import dev.gatehouse.auth.store.ThrottleStore.Reservation;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract of the JDBC stores, run against a real database by each subclass. Every test
 * works on its own rows (random ids, emails and hashes), so the tests share one schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoreContract {
    /** A fixed "now" with nanoseconds, which the stores truncate to microseconds. */
    static final Instant NOW = Instant.parse("2026-11-23T10:15:30.123456789Z");
    static final Instant NOW_MICROS = NOW.truncatedTo(ChronoUnit.MICROS);
    static final Instant FAMILY_END = NOW.plus(Duration.ofDays(30));
    static final Instant TOKEN_END = NOW.plus(Duration.ofDays(14));

    private Database db;
    private JdbcStores stores;
    private UserRepository users;
    private RefreshTokenStore tokens;
    private RevocationStore revocations;
    private ThrottleStore throttle;

    /** Opens the database under test (skipping or failing the class when it is unreachable). */
    abstract Database openDatabase();

    abstract Dialect expectedDialect();

    /** An SQL expression that renders a timestamp column as {@code yyyy-MM-dd HH:mm:ss.SSSSSS} in UTC. */
    abstract String utcText(String column);

    /** A statement that sets the session's time zone to New York's (UTC-5 in winter). */
    abstract String newYorkSessionSql();

    @BeforeAll
    void openDatabaseAndCreateSchema() {
        db = openDatabase();
        JdbcSchema.createIfAbsent(db.dataSource());
        stores = new JdbcStores(db.dataSource());
        users = stores.users();
        tokens = stores.refreshTokens();
        revocations = stores.revocations();
        throttle = stores.throttle();
    }

    @AfterAll
    void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    // ---- schema and dialect --------------------------------------------------------------------

    @Test
    void dialectIsDetectedFromTheConnection() {
        assertThat(stores.dialect()).isEqualTo(expectedDialect());
    }

    @Test
    @SuppressWarnings("deprecation") // script(dialect): version 1, still for operators who read it
    void creatingTheSchemaAgainChangesNothing() {
        User user = newUser();
        JdbcSchema.createIfAbsent(db.dataSource());
        SchemaMigrationResult again = JdbcSchema.migrate(db.dataSource());
        assertThat(users.findById(user.id())).isPresent();
        assertThat(again.previousVersion()).contains(SchemaProbe.LATEST_VERSION);
        assertThat(again.appliedVersions()).isEmpty();
        assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(SchemaProbe.APPLIED_HISTORY);
        assertThat(JdbcSchema.statements(JdbcSchema.script(expectedDialect())))
                .anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS gh_users"))
                .allSatisfy(s -> assertThat(s).doesNotEndWith(";"));
    }

    // ---- users ---------------------------------------------------------------------------------

    @Test
    void createdUserIsFoundByEmailAndById() {
        String id = UUID.randomUUID().toString();
        String email = uniqueEmail();
        User created = users.create(id, email, "$2a$12$hash", List.of("user", "admin"), NOW);

        assertThat(created.createdAt()).isEqualTo(NOW_MICROS);
        for (Optional<User> found : List.of(users.findByEmail(email), users.findById(id))) {
            assertThat(found).hasValueSatisfying(u -> {
                assertThat(u.id()).isEqualTo(id);
                assertThat(u.email()).isEqualTo(email);
                assertThat(u.passwordHash()).isEqualTo("$2a$12$hash");
                assertThat(u.roles()).containsExactly("user", "admin");
                assertThat(u.createdAt()).isEqualTo(NOW_MICROS);
            });
        }
        assertThat(users.findByEmail("nobody-" + email)).isEmpty();
        assertThat(users.findById(UUID.randomUUID().toString())).isEmpty();
    }

    @Test
    void userWithoutRolesHasAnEmptyRoleList() {
        User user = users.create(UUID.randomUUID().toString(), uniqueEmail(), "h", List.of(), NOW);
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> assertThat(u.roles()).isEmpty());
    }

    @Test
    void duplicateEmailIsRefusedAndTheFirstUserIsKept() {
        String email = uniqueEmail();
        User first = users.create(UUID.randomUUID().toString(), email, "first", List.of("user"), NOW);

        assertThatThrownBy(() -> users.create(UUID.randomUUID().toString(), email, "second", List.of("admin"), NOW))
                .isExactlyInstanceOf(DuplicateEmailException.class);
        assertThat(users.findByEmail(email)).hasValueSatisfying(u -> {
            assertThat(u.id()).isEqualTo(first.id());
            assertThat(u.passwordHash()).isEqualTo("first");
        });
    }

    @Test
    void duplicateIdIsNotReportedAsADuplicateEmail() {
        User first = newUser();
        assertThatThrownBy(() -> users.create(first.id(), uniqueEmail(), "h", List.of("user"), NOW))
                .isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emailsThatDifferOnlyInCaseOrAccentsAreDifferentUsers() {
        // Normalisation is the caller's job: the store compares exactly, whatever its collation.
        String local = "x" + UUID.randomUUID().toString().substring(0, 8);
        List<String> emails = List.of(local + "-Alice@example.org", local + "-alice@example.org",
                local + "-ALICE@EXAMPLE.ORG", local + "-résumé@example.org", local + "-resume@example.org",
                local + "-straße@example.org", local + "-strasse@example.org");
        List<String> ids = new ArrayList<>();
        for (String email : emails) {
            ids.add(users.create(UUID.randomUUID().toString(), email, "h", List.of("user"), NOW).id());
        }
        for (int i = 0; i < emails.size(); i++) {
            assertThat(users.findByEmail(emails.get(i))).map(User::id).contains(ids.get(i));
        }
        assertThat(count("SELECT COUNT(*) FROM gh_users WHERE email LIKE ?", local + "-%")).isEqualTo(emails.size());
    }

    @Test
    void fiftyConcurrentRegistrationsOfOneEmailLeaveExactlyOneUser() throws Exception {
        String email = uniqueEmail();
        List<Outcome<User>> outcomes = race(50, i ->
                users.create(UUID.randomUUID().toString(), email, "h" + i, List.of("user"), NOW));

        assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .hasSize(49)
                .allSatisfy(o -> assertThat(o.error).isExactlyInstanceOf(DuplicateEmailException.class));
        assertThat(count("SELECT COUNT(*) FROM gh_users WHERE email = ?", email)).isEqualTo(1);
        User winner = outcomes.stream().filter(Outcome::succeeded).findFirst().orElseThrow().value;
        assertThat(users.findByEmail(email)).map(User::id).contains(winner.id());
    }

    @Test
    void sqlMetacharactersAreStoredAndFoundVerbatim() {
        List<String> emails = List.of("o'brien@example.org", "'; DROP TABLE gh_users; --", "back\\slash\\'@example.org",
                "100%_match@example.org", "quote\"d@example.org", "emoji😀@example.org");
        for (String raw : emails) {
            String email = UUID.randomUUID().toString().substring(0, 6) + raw;
            String hash = "'; DELETE FROM gh_users; -- " + raw;
            User created = users.create(UUID.randomUUID().toString(), email, hash, List.of("o'role", "x\\y"), NOW);
            assertThat(users.findByEmail(email)).hasValueSatisfying(u -> {
                assertThat(u.id()).isEqualTo(created.id());
                assertThat(u.email()).isEqualTo(email);
                assertThat(u.passwordHash()).isEqualTo(hash);
                assertThat(u.roles()).containsExactly("o'role", "x\\y");
            });
        }
        assertThat(users.findByEmail("100%_match@example.org")).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_users WHERE email LIKE ?", "%o'brien@example.org")).isEqualTo(1);
    }

    @Test
    void valuesTooLongForTheirColumnsAreRefusedAsBadArguments() {
        String id = UUID.randomUUID().toString();
        String tooLong = "a".repeat(250) + "@example.org";
        assertThatThrownBy(() -> users.create(id, tooLong, "h", List.of("user"), NOW))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(tooLong);
        assertThatThrownBy(() -> users.create(id, uniqueEmail() + " ", "h", List.of("user"), NOW))
                .isExactlyInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> users.create(id, uniqueEmail(), "h", List.of("two words"), NOW))
                .isExactlyInstanceOf(IllegalArgumentException.class);
        assertThat(users.findById(id)).isEmpty();
    }

    @Test
    void passwordHashIsReplacedOnlyForAnExistingUser() {
        User user = newUser();
        assertThat(users.updatePasswordHash(user.id(), "$2a$13$new")).isTrue();
        assertThat(users.findById(user.id())).map(User::passwordHash).contains("$2a$13$new");
        assertThat(users.updatePasswordHash(UUID.randomUUID().toString(), "x")).isFalse();
    }

    @Test
    void deletingAUserDeletesItsFamiliesAndTokens() {
        User user = newUser();
        Family family = newFamily(user);
        RefreshTokenRecord child = child(family.first);
        assertThat(tokens.rotate(family.first.tokenHash(), NOW, child, null)).isTrue();

        assertThat(users.delete(user.id())).isTrue();

        assertThat(users.findById(user.id())).isEmpty();
        assertThat(tokens.findByHash(family.first.tokenHash())).isEmpty();
        assertThat(tokens.findByHash(child.tokenHash())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", user.id())).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE user_id = ?", user.id())).isZero();
        assertThat(users.delete(user.id())).isFalse();
    }

    @Test
    void deleteAndRevokeRemovesTheUserAndItsTokensAndRecordsTheCutoff() {
        User user = newUser();
        Family family = newFamily(user);
        RefreshTokenRecord child = child(family.first);
        assertThat(tokens.rotate(family.first.tokenHash(), NOW, child, null)).isTrue();
        revocations.refuseGenerationsBelow(user.id(), 1, NOW.minusSeconds(60)); // an earlier logout-all

        assertThat(users.deleteAndRevoke(user.id(), NOW)).isTrue();

        assertThat(users.findById(user.id())).isEmpty();
        assertThat(users.findByEmail(user.email())).isEmpty();
        assertThat(tokens.findByHash(family.first.tokenHash())).isEmpty();
        assertThat(tokens.findByHash(child.tokenHash())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", user.id())).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE user_id = ?", user.id())).isZero();
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1))))
                .as("every generation of the user is refused").containsEntry(user.id(), Integer.MAX_VALUE);
        assertRecordedAt(user.id(), NOW_MICROS);
        // a second deletion finds nothing and writes nothing
        String unknown = UUID.randomUUID().toString();
        assertThat(users.deleteAndRevoke(user.id(), NOW.plusSeconds(60))).isFalse();
        assertThat(users.deleteAndRevoke(unknown, NOW)).isFalse();
        assertThat(users.deleteAndRevoke("x".repeat(37), NOW)).as("an id no user can have").isFalse();
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user.id(), Integer.MAX_VALUE)
                .doesNotContainKey(unknown);
        assertRecordedAt(user.id(), NOW_MICROS);
    }

    @Test
    void deleteAndRevokeIsAllOrNothing() throws SQLException {
        User user = newUser();
        Family family = newFamily(user);
        // The cut-off is written last: without its table the transaction fails after the deletes.
        execute("ALTER TABLE gh_user_revocations RENAME TO gh_user_revocations_away");
        try {
            assertThatThrownBy(() -> users.deleteAndRevoke(user.id(), NOW)).isInstanceOf(StoreUnavailableException.class);
        } finally {
            execute("ALTER TABLE gh_user_revocations_away RENAME TO gh_user_revocations");
        }
        assertThat(users.findById(user.id())).as("the user row is back (rolled back)").isPresent();
        assertThat(tokens.findByHash(family.first.tokenHash())).as("the refresh token is back").isPresent();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", user.id())).isOne();
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).doesNotContainKey(user.id());

        assertThat(users.deleteAndRevoke(user.id(), NOW)).isTrue();
        assertThat(users.findById(user.id())).isEmpty();
    }

    @Test
    void aNewUserIsOfTokenGenerationZero() {
        User user = newUser();
        assertThat(user.tokenGeneration()).isZero();
        assertThat(users.findById(user.id())).map(User::tokenGeneration).contains(0);
        assertThat(users.findByEmail(user.email())).map(User::tokenGeneration).contains(0);
    }

    @Test
    void revokingAllSessionsStartsTheNextGenerationRevokesEveryFamilyAndRecordsTheCutoff() {
        User user = newUser();
        User other = newUser();
        Family a = newFamily(user);
        Family b = newFamily(user);
        Family others = newFamily(other);

        assertThat(users.revokeAllSessions(user.id(), NOW)).hasValue(1);

        assertThat(users.findById(user.id())).map(User::tokenGeneration).contains(1);
        for (Family f : List.of(a, b)) {
            assertThat(tokens.findByHash(f.first.tokenHash())).map(RefreshTokenRecord::revokedAt).contains(NOW_MICROS);
        }
        assertThat(tokens.findByHash(others.first.tokenHash())).hasValueSatisfying(r -> assertThat(r.revokedAt()).isNull());
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user.id(), 1)
                .doesNotContainKey(other.id());
        assertRecordedAt(user.id(), NOW_MICROS);
        assertThat(users.findById(other.id())).map(User::tokenGeneration).contains(0);

        // again: the generation after that, and a family made in between is revoked too
        Family c = newFamily(user);
        assertThat(users.revokeAllSessions(user.id(), NOW.plusSeconds(1))).hasValue(2);
        assertThat(tokens.findByHash(c.first.tokenHash())).map(RefreshTokenRecord::revokedAt)
                .contains(NOW.plusSeconds(1).truncatedTo(ChronoUnit.MICROS));
        assertThat(tokens.findByHash(a.first.tokenHash())).as("an earlier revocation keeps its time")
                .map(RefreshTokenRecord::revokedAt).contains(NOW_MICROS);
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user.id(), 2);

        String unknown = UUID.randomUUID().toString();
        assertThat(users.revokeAllSessions(unknown, NOW)).isEmpty();
        assertThat(users.revokeAllSessions("x".repeat(37), NOW)).isEmpty();
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).doesNotContainKey(unknown);
    }

    @Test
    void changingRolesStoresThemStartsTheNextGenerationAndRecordsTheCutoff() {
        User user = newUser();
        Family family = newFamily(user);

        Optional<User> granted = users.changeRoles(user.id(), roles -> List.of("user", "admin"), NOW);

        assertThat(granted).hasValueSatisfying(u -> {
            assertThat(u.roles()).containsExactly("user", "admin");
            assertThat(u.tokenGeneration()).isEqualTo(1);
        });
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.roles()).containsExactly("user", "admin");
            assertThat(u.tokenGeneration()).isEqualTo(1);
        });
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user.id(), 1);
        assertRecordedAt(user.id(), NOW_MICROS);
        assertThat(tokens.findByHash(family.first.tokenHash())).as("sessions stay")
                .hasValueSatisfying(r -> assertThat(r.revokedAt()).isNull());

        // the same roles again: nothing written
        assertThat(users.changeRoles(user.id(), roles -> List.of("user", "admin"), NOW.plusSeconds(5)))
                .map(User::tokenGeneration).contains(1);
        assertRecordedAt(user.id(), NOW_MICROS);
        // taken away: the next generation
        assertThat(users.changeRoles(user.id(), roles -> List.of("user"), NOW.plusSeconds(6)))
                .map(User::tokenGeneration).contains(2);
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user.id(), 2);

        assertThat(users.changeRoles(UUID.randomUUID().toString(), roles -> List.of("admin"), NOW)).isEmpty();
        assertThatThrownBy(() -> users.changeRoles(user.id(), roles -> List.of("user", "two words"), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.roles()).as("a refused change writes nothing").containsExactly("user");
            assertThat(u.tokenGeneration()).isEqualTo(2);
        });
    }

    @Test
    void concurrentRoleChangesOfOneUserLoseNoUpdate() throws Exception {
        User user = newUser();
        List<Outcome<Optional<User>>> outcomes = race(10, i -> users.changeRoles(user.id(), roles -> {
            List<String> more = new ArrayList<>(roles);
            more.add("role-" + i);
            return more;
        }, NOW.plusSeconds(i)));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.roles()).hasSize(11).contains("user", "role-0", "role-9");
            assertThat(u.tokenGeneration()).isEqualTo(10);
        });
        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user.id(), 10);
    }

    // ---- refresh tokens ------------------------------------------------------------------------

    @Test
    void familyIsCreatedWithItsFirstTokenAndFoundByHash() {
        User user = newUser();
        Family family = newFamily(user);

        assertThat(tokens.findByHash(family.first.tokenHash())).hasValueSatisfying(r -> {
            assertThat(r.tokenHash()).isEqualTo(family.first.tokenHash());
            assertThat(r.familyId()).isEqualTo(family.id);
            assertThat(r.parentHash()).isNull();
            assertThat(r.userId()).isEqualTo(user.id());
            assertThat(r.issuedAt()).isEqualTo(NOW_MICROS);
            assertThat(r.expiresAt()).isEqualTo(TOKEN_END.truncatedTo(ChronoUnit.MICROS));
            assertThat(r.familyExpiresAt()).isEqualTo(FAMILY_END.truncatedTo(ChronoUnit.MICROS));
            assertThat(r.usedAt()).isNull();
            assertThat(r.revokedAt()).isNull();
        });
        assertThat(tokens.findByHash(hash("unknown " + UUID.randomUUID()))).isEmpty();
    }

    @Test
    void rotationSpendsTheParentOnce() {
        Family family = newFamily(newUser());
        RefreshTokenRecord child = child(family.first);
        RefreshTokenRecord second = child(family.first);

        assertThat(tokens.rotate(family.first.tokenHash(), NOW.plusSeconds(60), child, null)).isTrue();
        assertThat(tokens.rotate(family.first.tokenHash(), NOW.plusSeconds(61), second, null)).isFalse();

        assertThat(tokens.findByHash(family.first.tokenHash()))
                .map(RefreshTokenRecord::usedAt).contains(NOW.plusSeconds(60).truncatedTo(ChronoUnit.MICROS));
        assertThat(tokens.findByHash(child.tokenHash())).hasValueSatisfying(r -> {
            assertThat(r.parentHash()).isEqualTo(family.first.tokenHash());
            assertThat(r.familyId()).isEqualTo(family.id);
            assertThat(r.usedAt()).isNull();
            assertThat(r.revokedAt()).isNull();
        });
        assertThat(tokens.findByHash(second.tokenHash())).isEmpty();
        // the child can be rotated in turn
        assertThat(tokens.rotate(child.tokenHash(), NOW.plusSeconds(120), child(child), null)).isTrue();
    }

    @Test
    void rotationOfAnUnknownTokenWritesNothing() {
        Family family = newFamily(newUser());
        RefreshTokenRecord orphan = new RefreshTokenRecord(hash(UUID.randomUUID().toString()), family.id,
                hash("unknown " + UUID.randomUUID()), family.userId, NOW, TOKEN_END, FAMILY_END, null, null);
        assertThat(tokens.rotate(orphan.parentHash(), NOW, orphan, null)).isFalse();
        assertThat(tokens.findByHash(orphan.tokenHash())).isEmpty();
    }

    @Test
    void rotationIntoAnotherFamilyIsRefusedAsABadArgument() {
        Family family = newFamily(newUser());
        Family other = newFamily(newUser());
        RefreshTokenRecord wrong = new RefreshTokenRecord(hash(UUID.randomUUID().toString()), other.id,
                family.first.tokenHash(), family.userId, NOW, TOKEN_END, FAMILY_END, null, null);

        assertThatThrownBy(() -> tokens.rotate(family.first.tokenHash(), NOW, wrong, null))
                .isExactlyInstanceOf(IllegalArgumentException.class);
        assertThat(tokens.findByHash(family.first.tokenHash())).hasValueSatisfying(r -> assertThat(r.usedAt()).isNull());
        assertThat(tokens.findByHash(wrong.tokenHash())).isEmpty();
    }

    @Test
    void twentyConcurrentRotationsOfOneParentHaveExactlyOneWinner() throws Exception {
        Family family = newFamily(newUser());
        List<RefreshTokenRecord> children = IntStream.range(0, 20).mapToObj(i -> child(family.first)).collect(Collectors.toList());

        List<Outcome<Boolean>> outcomes = race(20, i -> tokens.rotate(family.first.tokenHash(), NOW, children.get(i), null));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes).filteredOn(o -> o.value).hasSize(1);
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE parent_hash = ?", family.first.tokenHash())).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE token_hash = ? AND used_at IS NOT NULL",
                family.first.tokenHash())).isEqualTo(1);
        int winner = IntStream.range(0, 20).filter(i -> outcomes.get(i).value).findFirst().orElseThrow();
        assertThat(tokens.findByHash(children.get(winner).tokenHash())).isPresent();
    }

    @Test
    void theSealIsStoredWithTheRotationUnderTheSpentTokensHashAndDeletedOnceOld() {
        Family family = newFamily(newUser());
        RefreshTokenRecord child = child(family.first);
        String seal = "seal-" + UUID.randomUUID();
        assertThat(tokens.findSeal(family.first.tokenHash())).isEmpty();

        assertThat(tokens.rotate(family.first.tokenHash(), NOW, child, seal)).isTrue();

        assertThat(tokens.findSeal(family.first.tokenHash())).contains(seal);
        assertThat(tokens.findSeal(child.tokenHash())).as("the child is unspent: nothing sealed for it").isEmpty();
        // a rotation without a seal (no reuse grace) stores none
        RefreshTokenRecord grandchild = child(child);
        assertThat(tokens.rotate(child.tokenHash(), NOW.plusSeconds(1), grandchild, null)).isTrue();
        assertThat(tokens.findSeal(child.tokenHash())).isEmpty();
        // a losing rotation stores no seal of its own
        assertThat(tokens.rotate(family.first.tokenHash(), NOW.plusSeconds(2), child(family.first), "other")).isFalse();
        assertThat(tokens.findSeal(family.first.tokenHash())).contains(seal);

        // seals are deleted by the time they were stored (the rotation's time), and only those before the cut-off
        assertThat(tokens.deleteSealsBefore(NOW.minusSeconds(1))).as("nothing this old").isZero();
        assertThat(tokens.findSeal(family.first.tokenHash())).contains(seal);
        tokens.deleteSealsBefore(NOW.plusNanos(1000));
        assertThat(tokens.findSeal(family.first.tokenHash())).isEmpty();
    }

    @Test
    void revokedFamilyRefusesRotations() {
        Family family = newFamily(newUser());
        RefreshTokenRecord child = child(family.first);
        assertThat(tokens.rotate(family.first.tokenHash(), NOW, child, null)).isTrue();
        Instant revokedAt = NOW.plusSeconds(5);

        assertThat(tokens.revokeFamily(family.id, revokedAt)).isTrue();
        assertThat(tokens.revokeFamily(family.id, revokedAt.plusSeconds(1))).isFalse();

        RefreshTokenRecord grandchild = child(child);
        assertThat(tokens.rotate(child.tokenHash(), NOW.plusSeconds(6), grandchild, "seal")).isFalse();
        assertThat(tokens.findByHash(grandchild.tokenHash())).isEmpty();
        assertThat(tokens.findSeal(child.tokenHash())).isEmpty();
        for (RefreshTokenRecord r : List.of(family.first, child)) {
            assertThat(tokens.findByHash(r.tokenHash()))
                    .map(RefreshTokenRecord::revokedAt).contains(revokedAt.truncatedTo(ChronoUnit.MICROS));
        }
        assertThat(tokens.findByHash(child.tokenHash())).hasValueSatisfying(r -> assertThat(r.usedAt()).isNull());
    }

    @Test
    void revocationRacingTwentyRotationsLeavesNoUsableTokenInTheFamily() throws Exception {
        Family family = newFamily(newUser());
        List<RefreshTokenRecord> children = IntStream.range(0, 20).mapToObj(i -> child(family.first)).collect(Collectors.toList());

        // 21 racers: 20 rotate the same token, one revokes the family
        List<Outcome<Boolean>> outcomes = race(21, i -> i == 20
                ? tokens.revokeFamily(family.id, NOW.plusSeconds(1))
                : tokens.rotate(family.first.tokenHash(), NOW, children.get(i), "seal-" + i));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes.get(20).value).as("revokeFamily").isTrue();
        assertThat(outcomes.subList(0, 20)).as("at most one rotation wins").filteredOn(o -> o.value).hasSizeLessThanOrEqualTo(1);
        for (int i = 0; i < 20; i++) {
            Optional<RefreshTokenRecord> stored = tokens.findByHash(children.get(i).tokenHash());
            if (outcomes.get(i).value) {
                assertThat(stored).hasValueSatisfying(r -> assertThat(r.revokedAt()).isNotNull());
            } else {
                assertThat(stored).isEmpty();
            }
        }
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens t JOIN gh_refresh_families f ON f.family_id = t.family_id"
                + " WHERE t.family_id = ? AND t.revoked_at IS NULL AND f.revoked_at IS NULL", family.id)).isZero();
    }

    @Test
    void revocationWaitsForATransactionHoldingTheFamilyLock() throws Exception {
        Family family = newFamily(newUser());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection holder = db.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement(
                    "SELECT revoked_at FROM gh_refresh_families WHERE family_id = ? FOR UPDATE")) {
                ps.setString(1, family.id);
                ps.executeQuery().close();
            }
            Future<Boolean> revoke = executor.submit(() -> tokens.revokeFamily(family.id, NOW));

            assertThatThrownBy(() -> revoke.get(400, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            holder.commit();
            assertThat(revoke.get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void rotationWaitingForAnUncommittedRevocationSeesItAndWritesNothing() throws Exception {
        Family family = newFamily(newUser());
        RefreshTokenRecord child = child(family.first);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection revoker = db.dataSource().getConnection()) {
            revoker.setAutoCommit(false);
            try (PreparedStatement ps = revoker.prepareStatement(
                    "UPDATE gh_refresh_families SET revoked_at = ? WHERE family_id = ?")) {
                expectedDialect().setInstant(ps, 1, NOW);
                ps.setString(2, family.id);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            Future<Boolean> rotate = executor.submit(() -> tokens.rotate(family.first.tokenHash(), NOW, child, null));

            assertThatThrownBy(() -> rotate.get(400, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            revoker.commit();
            assertThat(rotate.get(10, TimeUnit.SECONDS)).isFalse();
        } finally {
            executor.shutdownNow();
        }
        assertThat(tokens.findByHash(child.tokenHash())).isEmpty();
        assertThat(tokens.findByHash(family.first.tokenHash())).hasValueSatisfying(r -> {
            assertThat(r.usedAt()).isNull();
            assertThat(r.revokedAt()).isEqualTo(NOW_MICROS);
        });
    }

    @Test
    void revokingAllOfAUserRevokesOnlyThatUsersUnrevokedFamilies() {
        User user = newUser();
        User other = newUser();
        Family a = newFamily(user);
        Family b = newFamily(user);
        Family alreadyRevoked = newFamily(user);
        Family others = newFamily(other);
        assertThat(tokens.revokeFamily(alreadyRevoked.id, NOW)).isTrue();

        assertThat(tokens.revokeAllOfUser(user.id(), NOW.plusSeconds(1))).isEqualTo(2);
        assertThat(tokens.revokeAllOfUser(user.id(), NOW.plusSeconds(2))).isZero();

        for (Family f : List.of(a, b)) {
            assertThat(tokens.findByHash(f.first.tokenHash())).map(RefreshTokenRecord::revokedAt)
                    .contains(NOW.plusSeconds(1).truncatedTo(ChronoUnit.MICROS));
        }
        assertThat(tokens.findByHash(alreadyRevoked.first.tokenHash())).map(RefreshTokenRecord::revokedAt).contains(NOW_MICROS);
        assertThat(tokens.findByHash(others.first.tokenHash())).hasValueSatisfying(r -> assertThat(r.revokedAt()).isNull());
    }

    @Test
    void revokedSessionsAreListedWithTheTimeTheyWereRevoked() {
        Family revoked = newFamily(newUser());
        Family early = newFamily(newUser());
        Family live = newFamily(newUser());
        assertThat(tokens.revokeFamily(revoked.id, NOW.plusSeconds(10))).isTrue();
        assertThat(tokens.revokeFamily(early.id, NOW.minus(Duration.ofHours(2)))).isTrue();

        Map<String, Instant> sessions = revocations.revokedSessions(NOW.minus(Duration.ofHours(1)));

        assertThat(sessions).containsEntry(revoked.id, NOW.plusSeconds(10).truncatedTo(ChronoUnit.MICROS))
                .as("revoked before the horizon").doesNotContainKey(early.id)
                .doesNotContainKey(live.id);
    }

    @Test
    void deleteExpiredDeletesWholeFamiliesPastTheirAbsoluteExpiry() {
        // Far in the past, so that no other test's family is affected.
        Instant longAgo = Instant.parse("2001-01-01T00:00:00Z");
        User user = newUser();
        Family expired = newFamily(user, longAgo.minus(Duration.ofDays(30)), longAgo);
        RefreshTokenRecord expiredChild = child(expired.first);
        assertThat(tokens.rotate(expired.first.tokenHash(), longAgo.minusSeconds(10), expiredChild, null)).isTrue();
        Family live = newFamily(user, longAgo.minus(Duration.ofDays(30)), longAgo.plusSeconds(1));

        assertThat(tokens.deleteExpired(longAgo.plusNanos(1000))).isEqualTo(1);

        assertThat(tokens.findByHash(expired.first.tokenHash())).isEmpty();
        assertThat(tokens.findByHash(expiredChild.tokenHash())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens WHERE family_id = ?", expired.id)).isZero();
        assertThat(tokens.findByHash(live.first.tokenHash())).isPresent();
        assertThat(tokens.deleteExpired(longAgo.plusNanos(1000))).isZero();
    }

    // ---- revocations ---------------------------------------------------------------------------

    @Test
    void revokedAccessTokensAreListedUntilTheyExpire() {
        String jti = "jti-" + UUID.randomUUID();
        String expired = "jti-" + UUID.randomUUID();
        Instant expiresAt = NOW.plusSeconds(300);
        revocations.revokeToken(jti, expiresAt);
        revocations.revokeToken(jti, expiresAt); // idempotent
        revocations.revokeToken(jti, NOW.plusSeconds(10)); // an earlier expiry does not shorten it
        revocations.revokeToken(expired, NOW.minusSeconds(1));

        Map<String, Instant> revoked = revocations.revokedTokens(NOW);
        assertThat(revoked).containsEntry(jti, expiresAt.truncatedTo(ChronoUnit.MICROS)).doesNotContainKey(expired);
        assertThat(count("SELECT COUNT(*) FROM gh_revoked_tokens WHERE jti = ?", jti)).isEqualTo(1);

        revocations.revokeToken(jti, NOW.plusSeconds(600)); // a later one extends it
        assertThat(revocations.revokedTokens(NOW)).containsEntry(jti, NOW.plusSeconds(600).truncatedTo(ChronoUnit.MICROS));
    }

    @Test
    void generationCutoffKeepsTheHigherGenerationAndTheLaterTime() {
        String user = UUID.randomUUID().toString();
        String old = UUID.randomUUID().toString();
        revocations.refuseGenerationsBelow(user, 3, NOW);
        revocations.refuseGenerationsBelow(user, 2, NOW.plusSeconds(30)); // lower: the generation stays, the time moves on
        revocations.refuseGenerationsBelow(old, 7, NOW.minus(Duration.ofDays(1)));

        assertThat(revocations.userGenerations(NOW.minus(Duration.ofHours(1)))).containsEntry(user, 3).doesNotContainKey(old);
        assertThat(revocations.userGenerations(NOW.plusSeconds(29))).as("recorded at the later time").containsEntry(user, 3);

        revocations.refuseGenerationsBelow(user, 4, NOW.plusSeconds(10)); // higher: replaces, the later time stays
        assertThat(revocations.userGenerations(NOW.plusSeconds(29))).containsEntry(user, 4);
        assertThat(revocations.userGenerations(NOW.plusSeconds(30))).doesNotContainKey(user);
        assertThatThrownBy(() -> revocations.refuseGenerationsBelow(user, -1, NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void purgeDeletesOnlyEntriesThatCanNoLongerMatter() {
        // In 1990, so that no other test's entries are in range.
        Instant t = Instant.parse("1990-06-01T12:00:00Z");
        String gone = "jti-" + UUID.randomUUID();
        String kept = "jti-" + UUID.randomUUID();
        String goneUser = UUID.randomUUID().toString();
        String keptUser = UUID.randomUUID().toString();
        revocations.revokeToken(gone, t.minusSeconds(1));
        revocations.revokeToken(kept, t.plusSeconds(1));
        revocations.refuseGenerationsBelow(goneUser, 1, t.minusSeconds(1));
        revocations.refuseGenerationsBelow(keptUser, 1, t.plusSeconds(1));

        assertThat(revocations.purge(t, t)).isEqualTo(2);

        assertThat(count("SELECT COUNT(*) FROM gh_revoked_tokens WHERE jti IN (?, ?)", gone, kept)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM gh_revoked_tokens WHERE jti = ?", kept)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM gh_user_revocations WHERE user_id = ?", keptUser)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM gh_user_revocations WHERE user_id = ?", goneUser)).isZero();
        assertThat(revocations.purge(t, t)).isZero();
    }

    @Test
    void concurrentRevocationsOfOneTokenAndOneUserAllSucceedAndKeepTheLatest() throws Exception {
        // Many rounds: a lost update shows up in a small share of races only (H2's update-then-insert
        // once lost the later cut-off in about 1.5 % of them).
        for (int round = 0; round < 50; round++) {
            String jti = "jti-" + UUID.randomUUID();
            String user = UUID.randomUUID().toString();
            List<Outcome<Object>> outcomes = race(20, i -> {
                if (i % 2 == 0) {
                    revocations.revokeToken(jti, NOW.plusSeconds(100 + i));
                } else {
                    revocations.refuseGenerationsBelow(user, i, NOW.plusSeconds(i));
                }
                return null;
            });
            assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
            assertThat(revocations.revokedTokens(NOW)).as("round %d", round)
                    .containsEntry(jti, NOW.plusSeconds(118).truncatedTo(ChronoUnit.MICROS));
            assertThat(revocations.userGenerations(NOW)).as("round %d", round).containsEntry(user, 19);
            assertThat(revocations.userGenerations(NOW.plusSeconds(19))).as("round %d: the latest time", round).doesNotContainKey(user);
            assertThat(revocations.userGenerations(NOW.plusSeconds(18))).as("round %d", round).containsEntry(user, 19);
        }
    }

    // ---- throttle ------------------------------------------------------------------------------

    /** Whole microseconds, as the store keeps them, so that waits come out exact. */
    private static final Instant T0 = NOW_MICROS;

    /** A client bucket of 3 then one a minute, an account bucket of 10 then one every 10 s, known clients for an hour. */
    private static final ThrottleStore.Limits LIMITS = new ThrottleStore.Limits(new Bucket(3, Duration.ofMinutes(1)),
            new Bucket(10, Duration.ofSeconds(10)), Duration.ofHours(1));

    @Test
    void reservationsGrantTheBurstThenOnePerIntervalAndRefusalsTakeNothing() {
        String account = hash("account " + UUID.randomUUID());
        String client = hash("client " + UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            Reservation r = throttle.reserve(account, client, T0, LIMITS);
            assertThat(r.granted()).as("attempt %d", i + 1).isTrue();
            assertThat(r.retryAfter()).isZero();
            assertThat(r.knownClient()).isFalse();
        }
        Reservation fourth = throttle.reserve(account, client, T0, LIMITS);
        assertThat(fourth.granted()).isFalse();
        assertThat(fourth.refusedBy()).isEqualTo(Limit.ACCOUNT_CLIENT);
        assertThat(fourth.retryAfter()).isEqualTo(Duration.ofMinutes(1));
        // the client bucket's arrival time is three minutes ahead, the account's three times 10 s
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", client)).isEqualTo(T0.plusSeconds(180));
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account)).isEqualTo(T0.plusSeconds(30));

        // refused attempts take nothing: half way, half the wait is left, and at the minute one more is granted
        assertThat(throttle.reserve(account, client, T0.plusSeconds(30), LIMITS).retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(throttle.reserve(account, client, T0.plusSeconds(60), LIMITS).granted()).isTrue();
        Reservation again = throttle.reserve(account, client, T0.plusSeconds(60), LIMITS);
        assertThat(again.granted()).isFalse();
        assertThat(again.retryAfter()).isEqualTo(Duration.ofMinutes(1));
        // after three quiet minutes the whole burst is back
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.reserve(account, client, T0.plusSeconds(240), LIMITS).granted()).as("after the decay, %d", i + 1).isTrue();
        }
        assertThat(throttle.reserve(account, client, T0.plusSeconds(240), LIMITS).granted()).isFalse();
    }

    @Test
    void theAccountBucketBoundsAllClientsTogetherAndARefusedClientLeavesNoRow() {
        String account = hash("account " + UUID.randomUUID());
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.reserve(account, hash("client " + i + " " + account), T0, LIMITS).granted())
                    .as("client %d", i).isTrue();
        }
        String late = hash("late client " + account);
        Reservation refused = throttle.reserve(account, late, T0, LIMITS);

        assertThat(refused.granted()).isFalse();
        assertThat(refused.refusedBy()).isEqualTo(Limit.ACCOUNT);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(count("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key = ?", late)).isZero();
        assertThat(throttle.reserve(account, late, T0.plusSeconds(10), LIMITS).granted()).isTrue();
    }

    @Test
    void whenBothBucketsAreEmptyTheLongerWaitIsReported() {
        ThrottleStore.Limits tight = new ThrottleStore.Limits(new Bucket(1, Duration.ofSeconds(20)),
                new Bucket(1, Duration.ofSeconds(90)), Duration.ofHours(1));
        String account = hash("account " + UUID.randomUUID());
        String client = hash("client " + account);
        assertThat(throttle.reserve(account, client, T0, tight).granted()).isTrue();

        Reservation refused = throttle.reserve(account, client, T0, tight);

        assertThat(refused.refusedBy()).isEqualTo(Limit.ACCOUNT);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void aKnownClientIsExemptFromTheAccountBucketButNotFromItsOwn() {
        String account = hash("account " + UUID.randomUUID());
        String owner = hash("owner " + account);
        assertThat(throttle.reserve(account, owner, T0, LIMITS).granted()).isTrue();
        throttle.recordSuccess(account, owner, T0, true, LIMITS);
        // others empty the account bucket
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.reserve(account, hash("guesser " + i + " " + account), T0, LIMITS).granted()).isTrue();
        }
        assertThat(throttle.reserve(account, hash("guesser 10 " + account), T0, LIMITS).refusedBy()).isEqualTo(Limit.ACCOUNT);
        Instant accountTat = instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account);

        for (int i = 0; i < 3; i++) {
            Reservation r = throttle.reserve(account, owner, T0.plusSeconds(1), LIMITS);
            assertThat(r.granted()).as("the owner's attempt %d", i + 1).isTrue();
            assertThat(r.knownClient()).isTrue();
        }
        Reservation ownLimit = throttle.reserve(account, owner, T0.plusSeconds(1), LIMITS);
        assertThat(ownLimit.refusedBy()).isEqualTo(Limit.ACCOUNT_CLIENT);
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account))
                .as("the owner's attempts were not charged to the account").isEqualTo(accountTat);

        // once the success is older than the window, the client is a stranger again
        Instant later = T0.plus(Duration.ofHours(1)).plusSeconds(1);
        Reservation stranger = throttle.reserve(account, owner, later, LIMITS);
        assertThat(stranger.granted()).isTrue();
        assertThat(stranger.knownClient()).isFalse();
    }

    @Test
    void aSuccessEmptiesTheClientBucketAndGivesTheAccountItsOneBack() {
        String account = hash("account " + UUID.randomUUID());
        String client = hash("client " + account);
        for (int i = 0; i < 3; i++) {
            throttle.reserve(account, client, T0, LIMITS);
        }
        assertThat(throttle.reserve(account, client, T0, LIMITS).granted()).isFalse();

        throttle.recordSuccess(account, client, T0.plusSeconds(1), true, LIMITS);

        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", client)).isEqualTo(T0.plusSeconds(1));
        assertThat(instant("SELECT last_success_at FROM gh_login_buckets WHERE bucket_key = ?", client))
                .isEqualTo(T0.plusSeconds(1));
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account)).isEqualTo(T0.plusSeconds(20));
        assertThat(throttle.reserve(account, client, T0.plusSeconds(1), LIMITS).knownClient()).isTrue();

        // a known client's success gives nothing back to the account, which it was not charged
        throttle.recordSuccess(account, client, T0.plusSeconds(2), false, LIMITS);
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account)).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void thirtyConcurrentReservationsFromOneClientGrantExactlyTheBurst() throws Exception {
        String account = hash("account " + UUID.randomUUID());
        String client = hash("client " + account);
        List<Outcome<Reservation>> outcomes = race(30, i -> throttle.reserve(account, client, T0, LIMITS));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes.stream().filter(o -> o.value.granted()).count()).isEqualTo(3);
        assertThat(outcomes.stream().filter(o -> !o.value.granted()).map(o -> o.value.refusedBy()).distinct())
                .containsExactly(Limit.ACCOUNT_CLIENT);
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", client)).isEqualTo(T0.plusSeconds(180));
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account)).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void thirtyConcurrentReservationsFromThirtyClientsGrantExactlyTheAccountBurst() throws Exception {
        String account = hash("account " + UUID.randomUUID());
        List<Outcome<Reservation>> outcomes = race(30, i -> throttle.reserve(account, hash("client " + i + " " + account), T0, LIMITS));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes.stream().filter(o -> o.value.granted()).count()).isEqualTo(10);
        assertThat(outcomes.stream().filter(o -> !o.value.granted()).map(o -> o.value.refusedBy()).distinct())
                .containsExactly(Limit.ACCOUNT);
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", account)).isEqualTo(T0.plusSeconds(100));
        long clientRows = IntStream.range(0, 30)
                .mapToLong(i -> count("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key = ?", hash("client " + i + " " + account)))
                .sum();
        assertThat(clientRows).as("only the granted clients' buckets were written").isEqualTo(10);
    }

    @Test
    void purgeDeletesBucketsThatAreFullAndRememberNoRecentSuccess() {
        String account = hash("account " + UUID.randomUUID());
        String stranger = hash("stranger " + account);
        String owner = hash("owner " + account);
        String busy = hash("busy " + account);
        Instant t = T0.plus(Duration.ofDays(400)); // after every other test's rows are full again
        throttle.reserve(account, stranger, t, LIMITS);
        throttle.reserve(account, owner, t, LIMITS);
        throttle.recordSuccess(account, owner, t, true, LIMITS);
        for (int i = 0; i < 3; i++) {
            throttle.reserve(account, busy, t.plusSeconds(50), LIMITS);
        }

        // at t + 2 min: the account and the stranger are full again, the busy client is not, the owner is known
        int purged = throttle.purge(t.plusSeconds(120), t.plusSeconds(120).minus(Duration.ofHours(1)));

        assertThat(purged).isGreaterThanOrEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key IN (?, ?)", account, stranger)).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key IN (?, ?)", owner, busy)).isEqualTo(2);
        // an hour after the success the owner's row goes too; the busy client's once it is full
        throttle.purge(t.plusSeconds(50 + 180), t.plus(Duration.ofHours(1)).plusSeconds(1));
        assertThat(count("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key IN (?, ?)", owner, busy)).isZero();
    }

    @Test
    void throttleKeysMustBeTwoDifferentKeysThatFitTheColumn() {
        String key = hash("account " + UUID.randomUUID());
        assertThatThrownBy(() -> throttle.reserve(key, key, T0, LIMITS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> throttle.reserve(key + "x", key, T0, LIMITS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> throttle.recordSuccess(key, null, T0, true, LIMITS)).isInstanceOf(NullPointerException.class);
        assertThat(count("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key = ?", key)).isZero();
    }

    // ---- time ----------------------------------------------------------------------------------

    @Test
    void instantsRoundTripToTheMicrosecondInUtcWhateverTheJvmOrSessionTimeZone() {
        // 07:30Z on 2026-03-08 is 02:30 in New York, a local time that does not exist (DST gap);
        // 05:30Z on 2026-11-01 is 01:30 EDT, a local time that exists twice.
        Instant inGap = Instant.parse("2026-03-08T07:30:00.123456789Z");
        Instant inOverlap = Instant.parse("2026-11-01T05:30:00.000001Z");
        TimeZone original = TimeZone.getDefault();
        String userId;
        String familyId;
        String tokenHash;
        String key = hash("account " + UUID.randomUUID());
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
            HikariDataSource newYork = db.newPool(2, newYorkSessionSql());
            JdbcStores nyStores = new JdbcStores(newYork);
            User user = nyStores.users().create(UUID.randomUUID().toString(), uniqueEmail(), "h", List.of("user"), inGap);
            userId = user.id();
            familyId = UUID.randomUUID().toString();
            RefreshTokenRecord first = new RefreshTokenRecord(hash(familyId), familyId, null, userId, inGap, inOverlap,
                    inOverlap, null, null);
            nyStores.refreshTokens().createFamily(new Session(familyId, userId, inGap, inGap, inOverlap, null, null, null, null), first);
            tokenHash = first.tokenHash();
            String client = hash("client " + key);
            assertThat(nyStores.throttle().reserve(key, client, inGap, LIMITS).granted()).isTrue();

            assertThat(nyStores.users().findById(userId)).map(User::createdAt).contains(inGap.truncatedTo(ChronoUnit.MICROS));
            assertThat(nyStores.refreshTokens().findByHash(tokenHash)).hasValueSatisfying(r -> {
                assertThat(r.issuedAt()).isEqualTo(inGap.truncatedTo(ChronoUnit.MICROS));
                assertThat(r.expiresAt()).isEqualTo(inOverlap);
            });
            newYork.close();
        } finally {
            TimeZone.setDefault(original);
        }

        // Read back through connections opened in the original zone, and as stored text in UTC.
        assertThat(users.findById(userId)).map(User::createdAt).contains(inGap.truncatedTo(ChronoUnit.MICROS));
        assertThat(tokens.findByHash(tokenHash)).map(RefreshTokenRecord::expiresAt).contains(inOverlap);
        assertThat(text("SELECT " + utcText("created_at") + " FROM gh_users WHERE id = ?", userId))
                .isEqualTo("2026-03-08 07:30:00.123456");
        assertThat(text("SELECT " + utcText("expires_at") + " FROM gh_refresh_families WHERE family_id = ?", familyId))
                .isEqualTo("2026-11-01 05:30:00.000001");
        // the account bucket's arrival time: one interval (10 s) after the instant in the gap
        assertThat(text("SELECT " + utcText("tat") + " FROM gh_login_buckets WHERE bucket_key = ?", key))
                .isEqualTo("2026-03-08 07:30:10.123456");
        assertThat(instant("SELECT tat FROM gh_login_buckets WHERE bucket_key = ?", key))
                .isEqualTo(inGap.plusSeconds(10).truncatedTo(ChronoUnit.MICROS));
    }

    // ---- failures ------------------------------------------------------------------------------

    @Test
    void closedPoolFailsEveryMethodWithStoreUnavailable() {
        HikariDataSource pool = db.newPool(1);
        JdbcStores detected = new JdbcStores(pool);
        assertThat(detected.dialect()).isEqualTo(expectedDialect());
        pool.close();

        assertEveryMethodFailsWithStoreUnavailable(detected);
        assertEveryMethodFailsWithStoreUnavailable(new JdbcStores(pool, expectedDialect(), Duration.ofSeconds(2)));
        assertThatThrownBy(() -> JdbcSchema.createIfAbsent(pool)).isExactlyInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void unreachableDatabaseFailsEveryMethodWithStoreUnavailable() {
        DataSource unreachable = db.unreachableDataSource();
        assertEveryMethodFailsWithStoreUnavailable(new JdbcStores(unreachable));
        assertThatThrownBy(() -> new JdbcStores(unreachable).dialect()).isExactlyInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> JdbcSchema.createIfAbsent(unreachable)).isExactlyInstanceOf(StoreUnavailableException.class);
    }

    private static void assertEveryMethodFailsWithStoreUnavailable(JdbcStores down) {
        String email = "secret-" + UUID.randomUUID() + "@example.org";
        String hash = hash(email);
        RefreshTokenRecord r = new RefreshTokenRecord(hash, "family", null, "user", NOW, TOKEN_END, FAMILY_END, null, null);
        RefreshTokenRecord c = new RefreshTokenRecord(hash(hash), "family", hash, "user", NOW, TOKEN_END, FAMILY_END, null, null);
        List<Executable> calls = List.of(
                () -> down.users().create(UUID.randomUUID().toString(), email, "h", List.of("user"), NOW),
                () -> down.users().findByEmail(email),
                () -> down.users().findById("id"),
                () -> down.users().updatePasswordHash("id", "h"),
                () -> down.users().delete("id"),
                () -> down.users().deleteAndRevoke("id", NOW),
                () -> down.users().revokeAllSessions("id", NOW),
                () -> down.users().changeRoles("id", roles -> List.of("user", "admin"), NOW),
                () -> down.refreshTokens().createFamily(new Session("family", "user", NOW, NOW, FAMILY_END, null, null, null, null), r),
                () -> down.refreshTokens().findSession("family"),
                () -> down.refreshTokens().listSessions("user", NOW, 10),
                () -> down.refreshTokens().revokeSession("user", "family", NOW),
                () -> down.refreshTokens().revokeOtherSessions("user", "family", NOW),
                () -> down.refreshTokens().findByHash(hash),
                () -> down.refreshTokens().rotate(hash, NOW, c, "seal"),
                () -> down.refreshTokens().findSeal(hash),
                () -> down.refreshTokens().revokeFamily("family", NOW),
                () -> down.refreshTokens().revokeAllOfUser("user", NOW),
                () -> down.refreshTokens().deleteExpired(NOW),
                () -> down.refreshTokens().deleteSealsBefore(NOW),
                () -> down.revocations().revokeToken("jti", NOW),
                () -> down.revocations().refuseGenerationsBelow("user", 1, NOW),
                () -> down.revocations().revokedTokens(NOW),
                () -> down.revocations().revokedSessions(NOW),
                () -> down.revocations().userGenerations(NOW),
                () -> down.revocations().purge(NOW, NOW),
                () -> down.throttle().reserve(hash, hash(hash), NOW, LIMITS),
                () -> down.throttle().recordSuccess(hash, hash(hash), NOW, true, LIMITS),
                () -> down.throttle().purge(NOW, NOW));
        for (Executable call : calls) {
            assertThatThrownBy(call::execute)
                    .isExactlyInstanceOf(StoreUnavailableException.class)
                    .hasMessageNotContaining(email)
                    .hasMessageNotContaining(hash)
                    .hasCauseInstanceOf(SQLException.class);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The user's generation cut-off was recorded at exactly {@code at} (the query bound is exclusive). */
    private void assertRecordedAt(String userId, Instant at) {
        assertThat(revocations.userGenerations(at.minusNanos(1000))).containsKey(userId);
        assertThat(revocations.userGenerations(at)).doesNotContainKey(userId);
    }

    private static String uniqueEmail() {
        return "user-" + UUID.randomUUID() + "@example.org";
    }

    private User newUser() {
        return users.create(UUID.randomUUID().toString(), uniqueEmail(), "$2a$12$x", List.of("user"), NOW);
    }

    /** A family and its first token. */
    private static final class Family {
        final String id;
        final String userId;
        final RefreshTokenRecord first;

        Family(String id, String userId, RefreshTokenRecord first) {
            this.id = id;
            this.userId = userId;
            this.first = first;
        }
    }

    private Family newFamily(User user) {
        return newFamily(user, NOW, FAMILY_END);
    }

    private Family newFamily(User user, Instant createdAt, Instant familyEnd) {
        String familyId = UUID.randomUUID().toString();
        Instant tokenEnd = createdAt.plus(Duration.ofDays(14)).isBefore(familyEnd) ? createdAt.plus(Duration.ofDays(14)) : familyEnd;
        RefreshTokenRecord first = new RefreshTokenRecord(hash(UUID.randomUUID().toString()), familyId, null, user.id(),
                createdAt, tokenEnd, familyEnd, null, null);
        tokens.createFamily(new Session(familyId, user.id(), createdAt, createdAt, familyEnd, null, null, null, null), first);
        return new Family(familyId, user.id(), first);
    }

    /** A fresh token that replaces {@code parent}. */
    private static RefreshTokenRecord child(RefreshTokenRecord parent) {
        return new RefreshTokenRecord(hash(UUID.randomUUID().toString()), parent.familyId(), parent.tokenHash(),
                parent.userId(), NOW, TOKEN_END, parent.familyExpiresAt(), null, null);
    }

    static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    /** An instant column of the first row, read as the stores read it. */
    private Instant instant(String sql, String key) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for %s", sql).isTrue();
                return expectedDialect().getInstant(rs, 1);
            }
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    private long count(String sql, Object... params) {
        return Long.parseLong(text(sql, params));
    }

    private String text(String sql, Object... params) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row for %s", sql).isTrue();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    /** The result of one racer: a value or an error. */
    static final class Outcome<T> {
        final T value;
        final Throwable error;

        Outcome(T value, Throwable error) {
            this.value = value;
            this.error = error;
        }

        boolean succeeded() {
            return error == null;
        }
    }

    @FunctionalInterface
    interface Racer<T> {
        T run(int index) throws Exception;
    }

    /**
     * Runs {@code n} racers on {@code n} threads, all released at once by a start gate; returns
     * their outcomes in racer order.
     */
    static <T> List<Outcome<T>> race(int n, Racer<T> racer) throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<T> task = () -> {
                    ready.countDown();
                    start.await();
                    return racer.run(index);
                };
                futures.add(executor.submit(task));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).as("all racers ready").isTrue();
            start.countDown();
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    outcomes.add(new Outcome<>(f.get(60, TimeUnit.SECONDS), null));
                } catch (java.util.concurrent.ExecutionException e) {
                    outcomes.add(new Outcome<>(null, e.getCause()));
                } catch (TimeoutException e) {
                    throw new AssertionError("a racer did not finish", e);
                }
            }
            return outcomes;
        } finally {
            executor.shutdownNow();
        }
    }
}
