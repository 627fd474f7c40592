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
import dev.gatehouse.auth.store.MfaStore;
import dev.gatehouse.auth.store.MfaStore.Challenge;
import dev.gatehouse.auth.store.MfaStore.Totp;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;
import dev.gatehouse.jdbc.StoreContract.Outcome;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract of {@link MfaStore} (the JDBC second-factor store, schema version 3), run against a
 * real database by each subclass. Every test works on users, codes and challenges of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MfaStoreContract {
    /** Whole microseconds, as the stores keep instants. */
    static final Instant T = Instant.parse("2026-11-23T10:15:30.123456Z");
    static final int MAX_FAILURES = 3;

    private Database db;
    private UserRepository users;
    private MfaStore mfa;
    private TestSql sql;

    /** Opens the database under test (skipping or failing the class when it is unreachable). */
    abstract Database openDatabase();

    @BeforeAll
    void openDatabaseAndMigrate() {
        db = openDatabase();
        JdbcSchema.migrate(db.dataSource());
        JdbcStores stores = new JdbcStores(db.dataSource());
        users = stores.users();
        mfa = stores.mfa();
        sql = new TestSql(db.dataSource(), stores.dialect());
    }

    @AfterAll
    void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    // ---- enrolment -----------------------------------------------------------------------------

    @Test
    void beginStoresAPendingEnrolment() {
        User user = newUser();
        String sealed = "v1:" + "s".repeat(197);

        assertThat(mfa.beginTotp(user.id(), sealed, T.plusNanos(999))).isTrue();

        assertThat(mfa.findTotp(user.id())).contains(new Totp(user.id(), sealed, T, null, -1));
        assertThat(mfa.findTotp(user.id())).hasValueSatisfying(t -> assertThat(t.confirmed()).isFalse());
        assertThat(mfa.findTotp(UUID.randomUUID().toString())).isEmpty();
    }

    @Test
    void aNewBeginReplacesAPendingEnrolmentAndOnlyItsSecretConfirms() {
        User user = newUser();
        assertThat(mfa.beginTotp(user.id(), "sealed-first", T)).isTrue();
        assertThat(mfa.beginTotp(user.id(), "sealed-second", T.plusSeconds(60))).isTrue();
        assertThat(mfa.findTotp(user.id())).contains(new Totp(user.id(), "sealed-second", T.plusSeconds(60), null, -1));

        // the first secret is stale: refused, nothing written
        assertThat(mfa.confirmTotp(user.id(), "sealed-first", 1000, codes("stale", 3), T.plusSeconds(90))).isFalse();
        assertThat(mfa.findTotp(user.id())).contains(new Totp(user.id(), "sealed-second", T.plusSeconds(60), null, -1));
        assertThat(mfa.unusedRecoveryCodes(user.id())).isZero();

        assertThat(mfa.confirmTotp(user.id(), "sealed-second", 1000, codes("fresh", 10), T.plusSeconds(120))).isTrue();
        assertThat(mfa.findTotp(user.id())).contains(new Totp(user.id(), "sealed-second", T.plusSeconds(60), T.plusSeconds(120), 1000));
        assertThat(mfa.unusedRecoveryCodes(user.id())).isEqualTo(10);
        assertThat(sql.count("SELECT COUNT(*) FROM gh_mfa_recovery_codes WHERE user_id = ?", user.id())).isEqualTo(10);
    }

    @Test
    void aConfirmedEnrolmentIsNeitherReplacedNorConfirmedAgain() {
        User user = newUser();
        confirmed(user, "sealed", 500, codes("codes " + user.id(), 2));

        assertThat(mfa.beginTotp(user.id(), "sealed-other", T.plusSeconds(300))).isFalse();
        assertThat(mfa.confirmTotp(user.id(), "sealed", 900, codes("again", 5), T.plusSeconds(300))).isFalse();

        assertThat(mfa.findTotp(user.id())).contains(new Totp(user.id(), "sealed", T, T.plusSeconds(1), 500));
        assertThat(mfa.unusedRecoveryCodes(user.id())).isEqualTo(2);
    }

    @Test
    void nothingIsConfirmedWithoutAnEnrolmentAndNothingBeginsForAMissingUser() {
        User user = newUser();
        String gone = UUID.randomUUID().toString();

        assertThat(mfa.confirmTotp(user.id(), "sealed", 1, codes("x", 1), T)).isFalse();
        assertThat(mfa.beginTotp(gone, "sealed", T)).isFalse();

        assertThat(mfa.findTotp(user.id())).isEmpty();
        assertThat(mfa.findTotp(gone)).isEmpty();
        assertThat(sql.count("SELECT COUNT(*) FROM gh_mfa_recovery_codes WHERE user_id = ?", user.id())).isZero();
    }

    @Test
    void valuesTheColumnsCannotHoldAreRefused() {
        User user = newUser();
        assertThatThrownBy(() -> mfa.beginTotp(user.id(), "s".repeat(201), T)).isInstanceOf(IllegalArgumentException.class);
        assertThat(mfa.beginTotp(user.id(), "sealed", T)).isTrue();
        String hash = StoreContract.hash("twice");
        assertThatThrownBy(() -> mfa.confirmTotp(user.id(), "sealed", 1, List.of(hash, hash), T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfa.confirmTotp(user.id(), "sealed", 1, List.of("h".repeat(65)), T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfa.useChallenge(hash, 0, T)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfa.failChallenge(hash, 0, T)).isInstanceOf(IllegalArgumentException.class);
        assertThat(mfa.findTotp(user.id())).map(Totp::confirmed).contains(false);
    }

    // ---- TOTP steps ----------------------------------------------------------------------------

    @Test
    void eachStepIsAcceptedOnceAndNeverAnEarlierOne() {
        User user = newUser();
        assertThat(mfa.beginTotp(user.id(), "sealed", T)).isTrue();
        assertThat(mfa.useTotpStep(user.id(), 101)).as("a pending enrolment accepts no step").isFalse();
        assertThat(mfa.confirmTotp(user.id(), "sealed", 100, codes("steps", 1), T)).isTrue();

        assertThat(mfa.useTotpStep(user.id(), 100)).isFalse();
        assertThat(mfa.useTotpStep(user.id(), 99)).isFalse();
        assertThat(mfa.useTotpStep(user.id(), 101)).isTrue();
        assertThat(mfa.useTotpStep(user.id(), 101)).isFalse();
        assertThat(mfa.useTotpStep(user.id(), 105)).isTrue();
        assertThat(mfa.useTotpStep(user.id(), 103)).isFalse();

        assertThat(mfa.findTotp(user.id())).map(Totp::lastUsedStep).contains(105L);
        assertThat(mfa.useTotpStep(UUID.randomUUID().toString(), 200)).isFalse();
    }

    @Test
    void aStepIsAcceptedForExactlyOneOfTenRacingRequests() throws Exception {
        User user = newUser();
        confirmed(user, "sealed", 58_000_000L, codes("race " + user.id(), 1));

        List<Outcome<Boolean>> outcomes = StoreContract.race(10, i -> mfa.useTotpStep(user.id(), 58_000_001L));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes).filteredOn(o -> o.value).hasSize(1);
        assertThat(mfa.findTotp(user.id())).map(Totp::lastUsedStep).contains(58_000_001L);
    }

    // ---- recovery codes ------------------------------------------------------------------------

    @Test
    void aRecoveryCodeIsSpentOnceByItsOwnerOnly() {
        User user = newUser();
        User other = newUser();
        List<String> codes = codes("recovery " + user.id(), 5);
        confirmed(user, "sealed", 1, codes);
        confirmed(other, "sealed", 1, codes("other " + other.id(), 5));

        assertThat(mfa.useRecoveryCode(user.id(), codes.get(0), T.plusSeconds(5))).isTrue();
        assertThat(mfa.useRecoveryCode(user.id(), codes.get(0), T.plusSeconds(6))).isFalse();
        assertThat(mfa.useRecoveryCode(other.id(), codes.get(1), T.plusSeconds(7))).as("another user's code").isFalse();
        assertThat(mfa.useRecoveryCode(user.id(), StoreContract.hash("unknown"), T.plusSeconds(8))).isFalse();

        assertThat(mfa.unusedRecoveryCodes(user.id())).isEqualTo(4);
        assertThat(mfa.unusedRecoveryCodes(other.id())).isEqualTo(5);
        assertThat(sql.instant("SELECT used_at FROM gh_mfa_recovery_codes WHERE user_id = ? AND code_hash = ?", user.id(), codes.get(0)))
                .isEqualTo(T.plusSeconds(5));
    }

    @Test
    void aRecoveryCodeIsSpentByExactlyOneOfTenRacingRequests() throws Exception {
        User user = newUser();
        List<String> codes = codes("racing codes " + user.id(), 3);
        confirmed(user, "sealed", 1, codes);

        List<Outcome<Boolean>> outcomes = StoreContract.race(10, i -> mfa.useRecoveryCode(user.id(), codes.get(1), T.plusSeconds(i)));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes).filteredOn(o -> o.value).hasSize(1);
        assertThat(mfa.unusedRecoveryCodes(user.id())).isEqualTo(2);
    }

    @Test
    void recoveryCodesWorkOnlyWithAConfirmedEnrolment() {
        User user = newUser();
        assertThat(mfa.beginTotp(user.id(), "sealed", T)).isTrue();
        String code = StoreContract.hash("pending " + user.id());
        sql.execute("INSERT INTO gh_mfa_recovery_codes (user_id, code_hash, created_at, used_at) VALUES (?, ?, ?, NULL)",
                user.id(), code, T);

        assertThat(mfa.useRecoveryCode(user.id(), code, T)).isFalse();
        assertThat(mfa.replaceRecoveryCodes(user.id(), codes("new " + user.id(), 2), T)).isFalse();
        assertThat(mfa.replaceRecoveryCodes(UUID.randomUUID().toString(), codes("nobody", 2), T)).isFalse();

        assertThat(sql.column("SELECT code_hash FROM gh_mfa_recovery_codes WHERE user_id = ?", user.id())).containsExactly(code);
    }

    @Test
    void replacingTheCodesInvalidatesEveryOldOne() {
        User user = newUser();
        List<String> old = codes("old " + user.id(), 3);
        List<String> fresh = codes("fresh " + user.id(), 4);
        confirmed(user, "sealed", 1, old);
        assertThat(mfa.useRecoveryCode(user.id(), old.get(0), T.plusSeconds(2))).isTrue();

        assertThat(mfa.replaceRecoveryCodes(user.id(), fresh, T.plusSeconds(10))).isTrue();

        assertThat(mfa.unusedRecoveryCodes(user.id())).isEqualTo(4);
        assertThat(mfa.useRecoveryCode(user.id(), old.get(1), T.plusSeconds(11))).isFalse();
        assertThat(mfa.useRecoveryCode(user.id(), fresh.get(3), T.plusSeconds(12))).isTrue();
        assertThat(sql.column("SELECT code_hash FROM gh_mfa_recovery_codes WHERE user_id = ? ORDER BY code_hash", user.id()))
                .containsExactlyInAnyOrderElementsOf(fresh);
        assertThat(sql.count("SELECT COUNT(*) FROM gh_mfa_recovery_codes WHERE user_id = ? AND created_at = ?", user.id(),
                T.plusSeconds(10))).isEqualTo(4);
    }

    // ---- removal -------------------------------------------------------------------------------

    @Test
    void removingAnEnrolmentRemovesItsCodesAndTheUsersChallengesOnly() {
        User user = newUser();
        User other = newUser();
        confirmed(user, "sealed", 1, codes("remove " + user.id(), 3));
        confirmed(other, "sealed", 1, codes("keep " + other.id(), 3));
        Challenge mine = challenge(user, T.plusSeconds(300));
        Challenge theirs = challenge(other, T.plusSeconds(300));

        assertThat(mfa.removeTotp(user.id())).isTrue();
        assertThat(mfa.removeTotp(user.id())).isFalse();

        assertThat(mfa.findTotp(user.id())).isEmpty();
        assertThat(sql.count("SELECT COUNT(*) FROM gh_mfa_recovery_codes WHERE user_id = ?", user.id())).isZero();
        assertThat(mfa.findChallenge(mine.tokenHash())).isEmpty();
        assertThat(mfa.findTotp(other.id())).isPresent();
        assertThat(mfa.unusedRecoveryCodes(other.id())).isEqualTo(3);
        assertThat(mfa.findChallenge(theirs.tokenHash())).isPresent();
        // and a new enrolment can begin
        assertThat(mfa.beginTotp(user.id(), "sealed-new", T.plusSeconds(400))).isTrue();
        assertThat(mfa.removeTotp(user.id())).as("a pending one is removed too").isTrue();
        assertThat(mfa.findTotp(user.id())).isEmpty();
    }

    @Test
    void aDeletedUsersEnrolmentCodesAndChallengesAreGone() {
        User user = newUser();
        confirmed(user, "sealed", 1, codes("deleted " + user.id(), 3));
        Challenge challenge = challenge(user, T.plusSeconds(300));

        assertThat(users.delete(user.id())).isTrue();

        assertThat(mfa.findTotp(user.id())).isEmpty();
        assertThat(mfa.unusedRecoveryCodes(user.id())).isZero();
        assertThat(sql.count("SELECT COUNT(*) FROM gh_mfa_recovery_codes WHERE user_id = ?", user.id())).isZero();
        assertThat(mfa.findChallenge(challenge.tokenHash())).isEmpty();
    }

    // ---- challenges ----------------------------------------------------------------------------

    @Test
    void aChallengeRoundTrips() {
        User user = newUser();
        String hash = StoreContract.hash("challenge " + UUID.randomUUID());

        mfa.createChallenge(new Challenge(hash, user.id(), T.plusNanos(999), T.plusSeconds(300), 0, null));

        assertThat(mfa.findChallenge(hash)).contains(new Challenge(hash, user.id(), T, T.plusSeconds(300), 0, null));
        assertThat(mfa.findChallenge(StoreContract.hash("unknown"))).isEmpty();
    }

    @Test
    void failuresUpToTheMaximumSpendAChallenge() {
        Challenge c = challenge(newUser(), T.plusSeconds(300));

        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(1))).as("first failure").isTrue();
        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(2))).as("second failure").isTrue();
        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(3))).as("third failure spends it").isFalse();
        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(4))).isFalse();

        assertThat(mfa.findChallenge(c.tokenHash())).map(Challenge::failures).contains(3);
        assertThat(mfa.useChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(5))).isFalse();
        assertThat(mfa.findChallenge(c.tokenHash())).hasValueSatisfying(found -> assertThat(found.usedAt()).isNull());
    }

    @Test
    void aChallengeBelowTheMaximumIsUsedOnceAndThenCountsNoFailure() {
        Challenge c = challenge(newUser(), T.plusSeconds(300));
        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(1))).isTrue();

        assertThat(mfa.useChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(2))).isTrue();
        assertThat(mfa.useChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(3))).isFalse();
        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(4))).isFalse();

        assertThat(mfa.findChallenge(c.tokenHash())).hasValueSatisfying(found -> {
            assertThat(found.usedAt()).isEqualTo(T.plusSeconds(2));
            assertThat(found.failures()).isOne();
        });
    }

    @Test
    void aChallengeIsUsedByExactlyOneOfTenRacingRequests() throws Exception {
        Challenge c = challenge(newUser(), T.plusSeconds(300));

        List<Outcome<Boolean>> outcomes = StoreContract.race(10, i -> mfa.useChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(1)));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes).filteredOn(o -> o.value).hasSize(1);
        assertThat(mfa.findChallenge(c.tokenHash())).map(Challenge::usedAt).contains(T.plusSeconds(1));
    }

    @Test
    void racingFailuresAreEachCountedAndSpendTheChallengeOnce() throws Exception {
        Challenge c = challenge(newUser(), T.plusSeconds(300));

        List<Outcome<Boolean>> outcomes = StoreContract.race(10, i -> mfa.failChallenge(c.tokenHash(), 5, T.plusSeconds(1)));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        assertThat(outcomes).as("failures 1 to 4 leave it usable").filteredOn(o -> o.value).hasSize(4);
        assertThat(mfa.findChallenge(c.tokenHash())).map(Challenge::failures).contains(5);
    }

    @Test
    void anExpiredChallengeIsRefused() {
        Challenge c = challenge(newUser(), T.plusSeconds(300));

        assertThat(mfa.useChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(300))).isFalse();
        assertThat(mfa.failChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(301))).isFalse();
        assertThat(mfa.useChallenge(StoreContract.hash("unknown"), MAX_FAILURES, T)).isFalse();
        assertThat(mfa.failChallenge(StoreContract.hash("unknown"), MAX_FAILURES, T)).isFalse();

        assertThat(mfa.findChallenge(c.tokenHash())).hasValueSatisfying(found -> {
            assertThat(found.usedAt()).isNull();
            assertThat(found.failures()).isZero();
        });
        // a microsecond before the end it is still usable
        assertThat(mfa.useChallenge(c.tokenHash(), MAX_FAILURES, T.plusSeconds(300).minusNanos(1000))).isTrue();
    }

    @Test
    void challengesThatExpiredBeforeTheCutoffArePurged() {
        User user = newUser();
        Challenge old1 = challenge(user, Instant.parse("2020-01-01T00:05:00Z"));
        Challenge old2 = challenge(user, Instant.parse("2020-01-01T00:10:00Z"));
        Challenge atCutoff = challenge(user, Instant.parse("2020-01-01T00:15:00Z"));
        Challenge live = challenge(user, T.plusSeconds(300));

        assertThat(mfa.deleteChallengesBefore(Instant.parse("2020-01-01T00:15:00Z"))).isEqualTo(2);

        assertThat(mfa.findChallenge(old1.tokenHash())).isEmpty();
        assertThat(mfa.findChallenge(old2.tokenHash())).isEmpty();
        assertThat(mfa.findChallenge(atCutoff.tokenHash())).isPresent();
        assertThat(mfa.findChallenge(live.tokenHash())).isPresent();
    }

    // ---- failures ------------------------------------------------------------------------------

    @Test
    void aClosedPoolFailsEveryMethodWithStoreUnavailable() {
        HikariDataSource pool = db.newPool(1);
        MfaStore down = new JdbcStores(pool).mfa();
        pool.close();
        String hash = StoreContract.hash("down");
        List<Executable> calls = List.of(
                () -> down.findTotp("user"),
                () -> down.beginTotp("user", "sealed", T),
                () -> down.confirmTotp("user", "sealed", 1, List.of(hash), T),
                () -> down.useTotpStep("user", 1),
                () -> down.useRecoveryCode("user", hash, T),
                () -> down.unusedRecoveryCodes("user"),
                () -> down.replaceRecoveryCodes("user", List.of(hash), T),
                () -> down.removeTotp("user"),
                () -> down.createChallenge(new Challenge(hash, "user", T, T, 0, null)),
                () -> down.findChallenge(hash),
                () -> down.failChallenge(hash, 3, T),
                () -> down.useChallenge(hash, 3, T),
                () -> down.deleteChallengesBefore(T));
        for (Executable call : calls) {
            assertThatThrownBy(call::execute).isExactlyInstanceOf(StoreUnavailableException.class)
                    .hasMessageNotContaining(hash)
                    .hasCauseInstanceOf(SQLException.class);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private User newUser() {
        return users.create(UUID.randomUUID().toString(), "user-" + UUID.randomUUID() + "@example.org", "$2a$04$x", List.of("user"), T);
    }

    /** A confirmed enrolment (begun at T, confirmed at T + 1 s, step {@code step}) with these codes. */
    private void confirmed(User user, String sealed, long step, List<String> codes) {
        assertThat(mfa.beginTotp(user.id(), sealed, T)).isTrue();
        assertThat(mfa.confirmTotp(user.id(), sealed, step, codes, T.plusSeconds(1))).isTrue();
    }

    private static List<String> codes(String seed, int n) {
        return IntStream.range(0, n).mapToObj(i -> StoreContract.hash(seed + " " + i)).toList();
    }

    private Challenge challenge(User user, Instant expiresAt) {
        Challenge c = new Challenge(StoreContract.hash("challenge " + UUID.randomUUID()), user.id(), T, expiresAt, 0, null);
        mfa.createChallenge(c);
        return c;
    }
}
