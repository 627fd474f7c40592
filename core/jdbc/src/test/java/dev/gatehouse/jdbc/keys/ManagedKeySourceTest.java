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

package dev.gatehouse.jdbc.keys;

import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.keys.KeyStatus.State;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;

import static dev.gatehouse.jdbc.keys.KeyTestSupport.KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.T0;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.issue;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.rows;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.tokenSettings;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The life of managed keys, driven by a clock the test moves: on H2 for the lifecycle, on
 * PostgreSQL for nodes racing each other. Rotation period 30 days, publish lead 1 hour, token
 * lifetime 5 min 30 s (TTL 5 min + leeway 30 s), no refresh thread unless a test says so.
 */
class ManagedKeySourceTest {
    private static final Duration PERIOD = Duration.ofDays(30);
    private static final Duration LEAD = Duration.ofHours(1);
    private static final Duration LIFETIME = Duration.ofMinutes(5).plusSeconds(30);
    /** When the second key is created: the lead before the first key's period ends. */
    private static final Instant DUE = T0.plus(PERIOD).minus(LEAD);
    /** When the second key starts signing. */
    private static final Instant SWITCH = T0.plus(PERIOD);

    private final MutableClock clock = new MutableClock(T0);
    private final List<AutoCloseable> closeLater = new CopyOnWriteArrayList<>();
    private Database db;

    @BeforeEach
    void openDatabase() {
        db = TestDatabases.h2();
        JdbcSchema.createIfAbsent(db.dataSource());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private ManagedKeySource.Builder builder(DataSource dataSource) {
        return ManagedKeySource.builder(dataSource)
                .algorithm(SigningAlgorithm.ES256)
                .rotationPeriod(PERIOD)
                .publishLead(LEAD)
                .tokenLifetime(tokenSettings(clock))
                .refreshInterval(Duration.ZERO)
                .keyEncryptionKey(KEK)
                .clock(clock);
    }

    private ManagedKeySource start(DataSource dataSource) {
        return track(builder(dataSource).build());
    }

    /** Starts the source, and closes it after the test. */
    private ManagedKeySource track(ManagedKeySource source) {
        closeLater.add(source);
        source.start();
        return source;
    }

    private static List<String> kids(List<SigningKey> keys) {
        return keys.stream().map(SigningKey::kid).collect(Collectors.toList());
    }

    private static Map<String, State> states(ManagedKeySource source) {
        return source.keys().stream().collect(Collectors.toMap(KeyStatus::kid, KeyStatus::state));
    }

    // ---- the first key ------------------------------------------------------------------------

    @Test
    void firstStartCreatesOneRs256KeyThatSignsAtOnceAndIsStoredEncrypted() {
        ManagedKeySource source = track(ManagedKeySource.builder(db.dataSource()).keyEncryptionKey(KEK).clock(clock)
                .refreshInterval(Duration.ZERO).build());

        SigningKey key = source.signingKey();
        assertThat(key.algorithm()).isEqualTo(SigningAlgorithm.RS256);
        assertThat(source.keys()).singleElement().satisfies(s -> {
            assertThat(s.kid()).isEqualTo(key.kid());
            assertThat(s.generation()).isEqualTo(1);
            assertThat(s.state()).isEqualTo(State.ACTIVE);
            assertThat(s.activatesAt()).isEqualTo(T0);
            assertThat(s.storage()).isEqualTo(KeyStatus.Storage.ENCRYPTED);
        });
        assertThat(kids(source.publishedKeys())).containsExactly(key.kid());
        assertThat(JwkSets.toPublicJson(source)).contains(key.kid()).doesNotContain("\"d\"");
        assertThat(rows(db.dataSource())).singleElement().satisfies(row -> {
            assertThat(row.get("kid")).isEqualTo(key.kid());
            assertThat(row.get("generation")).isEqualTo("1");
            assertThat(row.get("alg")).isEqualTo("RS256");
            assertThat(row.get("private_key")).startsWith("v1:");
            assertThat(row.get("retired_at")).isNull();
            assertThat(row.get("revoked_at")).isNull();
        });
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(key.kid());
    }

    @Test
    void aSecondNodeOnTheSameDatabaseUsesTheSameKey() {
        ManagedKeySource a = start(db.dataSource());
        ManagedKeySource b = start(db.dataSource());

        assertThat(b.signingKey().kid()).isEqualTo(a.signingKey().kid());
        assertThat(rows(db.dataSource())).hasSize(1);
        assertThat(verify(clock, b, issue(clock, a)).keyId()).isEqualTo(a.signingKey().kid());
    }

    // ---- scheduled rotation -------------------------------------------------------------------

    @Test
    void theNextKeyIsPublishedAtLeastThePublishLeadBeforeItSigns() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();

        clock.set(DUE.minusSeconds(1));
        source.refresh();
        assertThat(source.keys()).hasSize(1);

        clock.set(DUE);
        source.refresh();
        List<KeyStatus> keys = source.keys();
        assertThat(keys).hasSize(2);
        KeyStatus next = keys.get(1);
        assertThat(next.generation()).isEqualTo(2);
        assertThat(next.state()).isEqualTo(State.PENDING);
        assertThat(next.activatesAt()).isEqualTo(SWITCH);
        assertThat(Duration.between(clock.instant(), next.activatesAt())).isGreaterThanOrEqualTo(LEAD);
        // published (and verifying) from the moment it exists, but not signing
        assertThat(kids(source.publishedKeys())).containsExactly(first, next.kid());
        assertThat(JwkSets.toPublicJson(source)).contains(next.kid());
        assertThat(source.verificationKey(next.kid())).isPresent();
        assertThat(source.signingKey().kid()).isEqualTo(first);

        // the switch is decided by the clock: no reload needed
        clock.set(SWITCH.minusSeconds(1));
        assertThat(source.signingKey().kid()).isEqualTo(first);
        clock.set(SWITCH);
        assertThat(source.signingKey().kid()).isEqualTo(next.kid());
        assertThat(states(source)).containsEntry(first, State.RETIRED).containsEntry(next.kid(), State.ACTIVE);
        assertThat(kids(source.publishedKeys())).containsExactly(first, next.kid());
    }

    @Test
    void aRetiredKeyStaysPublishedAndVerifyingUntilEveryTokenItSignedHasExpired() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();
        clock.set(DUE);
        source.refresh();
        String second = source.keys().get(1).kid();

        clock.set(SWITCH.minusSeconds(1));
        String lastOfFirst = issue(clock, source);
        clock.set(SWITCH);
        String firstOfSecond = issue(clock, source);
        assertThat(verify(clock, source, lastOfFirst).keyId()).isEqualTo(first);
        assertThat(verify(clock, source, firstOfSecond).keyId()).isEqualTo(second);

        // the last token of the first key expires at SWITCH - 1 s + 5 min, plus 30 s of leeway
        clock.set(SWITCH.plus(LIFETIME).minusSeconds(2));
        source.refresh();
        assertThat(verify(clock, source, lastOfFirst).keyId()).isEqualTo(first);
        assertThat(kids(source.publishedKeys())).containsExactly(first, second);

        clock.set(SWITCH.plus(LIFETIME));
        assertThat(kids(source.publishedKeys())).contains(first);

        clock.set(SWITCH.plus(LIFETIME).plusSeconds(1));
        assertThat(kids(source.publishedKeys())).containsExactly(second);
        assertThat(source.verificationKey(first)).isEmpty();
        assertThatThrownBy(() -> verify(clock, source, lastOfFirst))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
        assertThat(states(source)).containsEntry(first, State.EXPIRED);

        // the table tells the same story, and the expired key's private part is gone
        source.refresh();
        Map<String, String> row = rows(db.dataSource()).get(0);
        assertThat(row.get("kid")).isEqualTo(first);
        assertThat(row.get("retired_at")).startsWith("2026-12-23 10:00:00");
        assertThat(row.get("private_key")).isNull();
        assertThat(rows(db.dataSource()).get(1).get("private_key")).startsWith("v1:");
        assertThat(source.keys().get(0).storage()).isEqualTo(KeyStatus.Storage.DESTROYED);
    }

    @Test
    void rotationKeepsGoingGenerationAfterGeneration() {
        ManagedKeySource source = start(db.dataSource());
        List<String> signers = new ArrayList<>();
        signers.add(source.signingKey().kid());
        for (int round = 1; round <= 3; round++) {
            clock.set(T0.plus(PERIOD.multipliedBy(round)).minus(LEAD));
            source.refresh();
            clock.set(T0.plus(PERIOD.multipliedBy(round)));
            signers.add(source.signingKey().kid());
        }
        assertThat(signers).doesNotHaveDuplicates().hasSize(4);
        assertThat(source.keys()).extracting(KeyStatus::generation).containsExactly(1, 2, 3, 4);
        assertThat(source.keys()).extracting(KeyStatus::state)
                .containsExactly(State.EXPIRED, State.EXPIRED, State.RETIRED, State.ACTIVE);
        assertThat(kids(source.publishedKeys())).containsExactly(signers.get(2), signers.get(3));
    }

    @Test
    void aNodeThatWasDownPastTheRotationStillPublishesTheNextKeyForTheWholeLead() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();
        source.close();

        clock.set(T0.plus(Duration.ofDays(45)));
        ManagedKeySource restarted = start(db.dataSource());
        KeyStatus next = restarted.keys().get(1);
        assertThat(next.activatesAt()).isEqualTo(clock.instant().plus(LEAD));
        assertThat(restarted.signingKey().kid()).isEqualTo(first);
    }

    @Test
    void tokensSignedBeforeARotationStillVerifyAfterIt() {
        ManagedKeySource source = start(db.dataSource());
        String before = issue(clock, source);

        KeyStatus next = source.rotateNow(true);
        assertThat(source.signingKey().kid()).isEqualTo(next.kid());
        String after = issue(clock, source);

        clock.advance(Duration.ofMinutes(4));
        assertThat(verify(clock, source, before).keyId()).isNotEqualTo(next.kid());
        assertThat(verify(clock, source, after).keyId()).isEqualTo(next.kid());
    }

    // ---- operators: rotate ------------------------------------------------------------------------

    @Test
    void rotateNowPublishesANewKeyThatSignsAfterTheLeadAndIsIdempotentWhilePending() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();
        clock.advance(Duration.ofDays(2));

        KeyStatus next = source.rotateNow(false);
        assertThat(next.state()).isEqualTo(State.PENDING);
        assertThat(next.activatesAt()).isEqualTo(clock.instant().plus(LEAD));
        assertThat(kids(source.publishedKeys())).containsExactly(first, next.kid());
        assertThat(source.signingKey().kid()).isEqualTo(first);

        clock.advance(Duration.ofMinutes(10));
        KeyStatus again = source.rotateNow(false);
        assertThat(again.kid()).isEqualTo(next.kid());
        assertThat(again.activatesAt()).isEqualTo(next.activatesAt());
        assertThat(rows(db.dataSource())).hasSize(2);

        // forcing makes the pending key sign now, instead of creating yet another
        KeyStatus forced = source.rotateNow(true);
        assertThat(forced.kid()).isEqualTo(next.kid());
        assertThat(forced.state()).isEqualTo(State.ACTIVE);
        assertThat(source.signingKey().kid()).isEqualTo(next.kid());
        assertThat(rows(db.dataSource())).hasSize(2);
    }

    @Test
    void aKeyThatWasRetiredNeverSignsAgain() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();
        KeyStatus second = source.rotateNow(true);
        clock.advance(Duration.ofSeconds(1));
        source.refresh();

        assertThat(source.revoke(second.kid())).isTrue();

        String replacement = source.signingKey().kid();
        assertThat(replacement).isNotIn(first, second.kid());
        assertThat(source.keys()).extracting(KeyStatus::generation).containsExactly(1, 2, 3);
    }

    // ---- operators: revoke --------------------------------------------------------------------

    @Test
    void aRevokedKeysTokensAreRefusedAndANewKeyTakesOverAtOnce() {
        ManagedKeySource source = start(db.dataSource());
        String compromised = source.signingKey().kid();
        String token = issue(clock, source);

        assertThat(source.revoke(compromised)).isTrue();

        assertThatThrownBy(() -> verify(clock, source, token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED));
        SigningKey replacement = source.signingKey();
        assertThat(replacement.kid()).isNotEqualTo(compromised);
        assertThat(kids(source.publishedKeys())).containsExactly(replacement.kid());
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(replacement.kid());
        assertThat(states(source)).containsEntry(compromised, State.REVOKED).containsEntry(replacement.kid(), State.ACTIVE);
        Map<String, String> row = rows(db.dataSource()).get(0);
        assertThat(row.get("revoked_at")).isNotNull();
        assertThat(row.get("private_key")).isNull();

        // a restarted node agrees
        ManagedKeySource restarted = start(db.dataSource());
        assertThat(restarted.signingKey().kid()).isEqualTo(replacement.kid());
        assertThatThrownBy(() -> verify(clock, restarted, token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED));
    }

    @Test
    void revokingTheActiveKeyLetsThePendingKeyTakeOverInsteadOfMakingAnother() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();
        clock.set(DUE);
        source.refresh();
        String pending = source.keys().get(1).kid();

        source.revoke(first);

        assertThat(source.signingKey().kid()).isEqualTo(pending);
        assertThat(source.keys()).hasSize(2);
        assertThat(source.keys().get(1).activatesAt()).isEqualTo(DUE);
    }

    @Test
    void revokingThePendingKeyKeepsTheActiveKeyAndSchedulesAnother() {
        ManagedKeySource source = start(db.dataSource());
        String first = source.signingKey().kid();
        clock.set(DUE);
        source.refresh();
        String pending = source.keys().get(1).kid();

        source.revoke(pending);

        assertThat(source.signingKey().kid()).isEqualTo(first);
        assertThat(source.keys()).extracting(KeyStatus::state).containsExactly(State.ACTIVE, State.REVOKED, State.PENDING);
        clock.set(SWITCH);
        assertThat(source.signingKey().kid()).isEqualTo(source.keys().get(2).kid());
    }

    @Test
    void revokeOfAnUnknownKeyFailsAndRevokingTwiceIsHarmless() {
        ManagedKeySource source = start(db.dataSource());
        String kid = source.signingKey().kid();

        assertThatThrownBy(() -> source.revoke("no-such-key")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-key");
        assertThat(source.revoke(kid)).isTrue();
        assertThat(source.revoke(kid)).isFalse();
        assertThat(source.keys()).hasSize(2);
    }

    @Test
    void otherNodesApplyARevocationAtTheirNextRefresh() {
        ManagedKeySource a = start(db.dataSource());
        ManagedKeySource b = start(db.dataSource());
        String compromised = a.signingKey().kid();
        String token = issue(clock, a);

        a.revoke(compromised);

        // documented staleness: until B reloads, B still accepts the key
        assertThat(verify(clock, b, token).keyId()).isEqualTo(compromised);
        b.refresh();
        assertThatThrownBy(() -> verify(clock, b, token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED));
        assertThat(b.signingKey().kid()).isEqualTo(a.signingKey().kid()).isNotEqualTo(compromised);
    }

    @Test
    void theRefreshThreadBringsARevocationToAnotherNode() {
        ManagedKeySource a = start(db.dataSource());
        ManagedKeySource b = track(builder(db.dataSource()).refreshInterval(Duration.ofMillis(50)).build());
        String token = issue(clock, a);

        a.revoke(a.signingKey().kid());

        KeyTestSupport.await("node B refuses the revoked key", () -> {
            try {
                verify(clock, b, token);
                return false;
            } catch (InvalidTokenException e) {
                return e.reason() == Reason.REVOKED;
            }
        });
        assertThat(b.signingKey().kid()).isEqualTo(a.signingKey().kid());
    }

    // ---- the database failing -----------------------------------------------------------------

    @Test
    void databaseErrorsWhileRefreshingKeepTheKeysLoadedLast() {
        SwitchableDataSource flaky = new SwitchableDataSource(db.dataSource());
        ManagedKeySource source = start(flaky);
        String kid = source.signingKey().kid();
        clock.set(DUE);
        String token = issue(clock, source);

        flaky.down(true);
        assertThatThrownBy(source::refresh).isInstanceOf(StoreUnavailableException.class)
                .hasMessageNotContaining("v1:");
        assertThat(source.signingKey().kid()).isEqualTo(kid);
        assertThat(verify(clock, source, token).keyId()).isEqualTo(kid);
        assertThat(kids(source.publishedKeys())).containsExactly(kid);

        flaky.down(false);
        source.refresh();
        assertThat(source.keys()).hasSize(2);
    }

    @Test
    void aSourceThatNeverLoadedKeysRefusesToSignAndToVerify() {
        SwitchableDataSource flaky = new SwitchableDataSource(db.dataSource());
        flaky.down(true);
        ManagedKeySource source = start(flaky);

        assertThatThrownBy(source::signingKey).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(source::publishedKeys).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> source.verificationKey("any"))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
        assertThatThrownBy(() -> new AccessTokenIssuer(tokenSettings(clock), source)).isInstanceOf(StoreUnavailableException.class);

        flaky.down(false);
        source.refresh();
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(source.signingKey().kid());
    }

    // ---- algorithms and settings --------------------------------------------------------------

    @Test
    void hs256KeysSignAndVerifyButAreNeverPublished() {
        ManagedKeySource source = track(builder(db.dataSource()).algorithm(SigningAlgorithm.HS256).build());

        assertThat(source.signingKey().algorithm()).isEqualTo(SigningAlgorithm.HS256);
        assertThat(source.publishedKeys()).isEmpty();
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(source.signingKey().kid());
        assertThat(rows(db.dataSource()).get(0).get("public_jwk")).doesNotContain("\"k\"");

        // a retired secret still verifies the tokens it signed
        String before = issue(clock, source);
        source.rotateNow(true);
        assertThat(verify(clock, source, before).keyId()).isNotEqualTo(source.signingKey().kid());
    }

    @Test
    void settingsAreValidatedNamingTheSetting() {
        DataSource ds = db.dataSource();
        assertThatThrownBy(() -> ManagedKeySource.builder(ds).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("keyEncryptionKey");
                    assertThat(e.getMessage()).contains("openssl rand -base64 32").contains("allowUnencryptedPrivateKeys");
                });
        assertThatThrownBy(() -> ManagedKeySource.builder(ds).keyEncryptionKey(new byte[16]).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("keyEncryptionKey"));
        assertThatThrownBy(() -> ManagedKeySource.builder(ds).keyEncryptionKey(KEK).allowUnencryptedPrivateKeys(true).build())
                .isInstanceOfSatisfying(ConfigurationException.class,
                        e -> assertThat(e.setting()).isEqualTo("allowUnencryptedPrivateKeys"));
        assertThatThrownBy(() -> builder(ds).rotationPeriod(LEAD).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("rotationPeriod"));
        assertThatThrownBy(() -> builder(ds).publishLead(Duration.ZERO).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("publishLead"));
        assertThatThrownBy(() -> builder(ds).refreshInterval(LEAD).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("refreshInterval"));
        assertThatThrownBy(() -> builder(ds).tokenLifetime(Duration.ZERO).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("tokenLifetime"));
        assertThat(rows(ds)).isEmpty();
    }

    @Test
    void theRecommendedJwksMaxAgeLeavesRoomForTheRefreshInterval() {
        ManagedKeySource source = track(builder(db.dataSource()).refreshInterval(Duration.ofSeconds(30)).build());
        assertThat(source.recommendedJwksMaxAge()).isEqualTo(Duration.ofMinutes(29).plusSeconds(45));
        assertThat(source.recommendedJwksMaxAge().multipliedBy(2).plusSeconds(30)).isLessThanOrEqualTo(LEAD);
    }

    // ---- every database -----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void theLifecycleWorksOnEveryDatabase(String product) {
        try (Database other = product.equals("H2") ? TestDatabases.h2()
                : product.equals("PostgreSQL") ? TestDatabases.postgres() : TestDatabases.mariadb()) {
            JdbcSchema.createIfAbsent(other.dataSource());
            JdbcSchema.createIfAbsent(other.dataSource()); // again: changes nothing
            ManagedKeySource a = start(other.dataSource());
            ManagedKeySource b = start(other.dataSource());
            String first = a.signingKey().kid();
            String token = issue(clock, a);

            clock.set(DUE);
            a.refresh();
            b.refresh();
            assertThat(b.keys()).isEqualTo(a.keys());
            assertThat(a.keys().get(1).activatesAt()).isEqualTo(SWITCH);
            clock.set(SWITCH.plusSeconds(1));
            String second = b.signingKey().kid();
            assertThat(second).isNotEqualTo(first);
            assertThat(verify(clock, a, issue(clock, b)).keyId()).isEqualTo(second);

            a.revoke(first);
            b.refresh();
            assertThatThrownBy(() -> verify(clock, b, token))
                    .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED));
            clock.set(SWITCH.plus(LIFETIME).plusSeconds(2));
            a.refresh();
            assertThat(rows(other.dataSource())).extracting(r -> r.get("private_key") == null)
                    .containsExactly(true, false);
            assertThat(a.keys()).extracting(KeyStatus::state).containsExactly(State.REVOKED, State.ACTIVE);
        }
    }

    // ---- nodes racing, on PostgreSQL ----------------------------------------------------------

    /** Runs the tasks at the same instant (a start gate), returning their results. */
    private static <T> List<T> race(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch ready = new CountDownLatch(tasks.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoNodesRotatingAtTheSameInstantMakeExactlyOneNewKeyAndAgreeOnIt() throws Exception {
        try (Database pg = TestDatabases.postgres()) {
            JdbcSchema.createIfAbsent(pg.dataSource());
            // RS256 (the default): generating an RSA key between reading the table and inserting
            // keeps both nodes inside the race window
            ManagedKeySource a = track(builder(pg.dataSource()).algorithm(SigningAlgorithm.RS256).build());
            ManagedKeySource b = track(builder(pg.newPool(4)).algorithm(SigningAlgorithm.RS256).build());
            assertThat(b.signingKey().kid()).isEqualTo(a.signingKey().kid());

            for (int round = 1; round <= 3; round++) {
                Instant switchAt = T0.plus(PERIOD.multipliedBy(round));
                clock.set(switchAt.minus(LEAD));
                race(List.of(() -> {
                    a.refresh();
                    return null;
                }, () -> {
                    b.refresh();
                    return null;
                }));

                List<Map<String, String>> rows = rows(pg.dataSource());
                assertThat(rows).extracting(r -> r.get("generation")).as("round %d", round)
                        .containsExactlyElementsOf(generations(round + 1));
                a.refresh();
                b.refresh();
                assertThat(b.keys()).isEqualTo(a.keys());
                String next = a.keys().get(round).kid();
                assertThat(kids(b.publishedKeys())).contains(next);

                // a token that node A signs with the new key verifies on node B, and the other way round
                clock.set(switchAt);
                assertThat(a.signingKey().kid()).isEqualTo(next);
                assertThat(b.signingKey().kid()).isEqualTo(next);
                assertThat(verify(clock, b, issue(clock, a)).keyId()).isEqualTo(next);
                assertThat(verify(clock, a, issue(clock, b)).keyId()).isEqualTo(next);
            }
        }
    }

    private static List<String> generations(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    @Test
    void twoOperatorsRotatingAtOnceMakeOneKey() throws Exception {
        try (Database pg = TestDatabases.postgres()) {
            JdbcSchema.createIfAbsent(pg.dataSource());
            ManagedKeySource a = track(builder(pg.dataSource()).algorithm(SigningAlgorithm.RS256).build());
            ManagedKeySource b = track(builder(pg.newPool(4)).algorithm(SigningAlgorithm.RS256).build());
            clock.advance(Duration.ofDays(1));

            List<KeyStatus> results = race(List.<Callable<KeyStatus>>of(() -> a.rotateNow(false), () -> b.rotateNow(false)));

            assertThat(results.get(0).kid()).isEqualTo(results.get(1).kid());
            assertThat(rows(pg.dataSource())).hasSize(2);
            b.refresh();
            a.refresh();
            assertThat(a.keys()).isEqualTo(b.keys());
        }
    }

    @Test
    void twoNodesStartingOnAnEmptyDatabaseCreateOneFirstKey() throws Exception {
        try (Database pg = TestDatabases.postgres()) {
            JdbcSchema.createIfAbsent(pg.dataSource());
            DataSource other = pg.newPool(4);
            List<ManagedKeySource> sources = race(List.<Callable<ManagedKeySource>>of(
                    () -> track(builder(pg.dataSource()).algorithm(SigningAlgorithm.RS256).build()),
                    () -> track(builder(other).algorithm(SigningAlgorithm.RS256).build())));

            assertThat(rows(pg.dataSource())).hasSize(1);
            sources.get(0).refresh();
            sources.get(1).refresh();
            assertThat(sources.get(0).signingKey().kid()).isEqualTo(sources.get(1).signingKey().kid());
        }
    }

    @Test
    void theUniqueGenerationLetsExactlyOneOfTwoInsertsWin() {
        try (Database pg = TestDatabases.postgres()) {
            JdbcSchema.createIfAbsent(pg.dataSource());
            KeyTable table = new KeyTable(pg.dataSource(), Duration.ofSeconds(10));
            assertThat(table.insert(row("kid-a", 1))).isTrue();
            assertThat(table.insert(row("kid-b", 1))).isFalse();
            assertThat(table.insert(row("kid-a", 2))).isFalse();
            assertThat(table.load()).extracting(KeyRow::kid).containsExactly("kid-a");
        }
        // and the same on H2
        KeyTable table = new KeyTable(db.dataSource(), Duration.ofSeconds(10));
        assertThat(table.insert(row("kid-a", 1))).isTrue();
        assertThat(table.insert(row("kid-b", 1))).isFalse();
    }

    private static KeyRow row(String kid, int generation) {
        return new KeyRow(kid, generation, "ES256", "{}", null, T0, T0, null, null, null);
    }
}
