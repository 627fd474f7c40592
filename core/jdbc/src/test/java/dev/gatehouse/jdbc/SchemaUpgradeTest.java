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

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.InvalidCredentialsException;
import dev.gatehouse.auth.TokenPair;
import dev.gatehouse.jdbc.keys.KeyStatus;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An upgrade from the release before versions: its schema (the frozen scripts of
 * {@link PreviousRelease}) filled by a running service (users, refresh families, rotated and
 * spent tokens, seals, a logout, a logout everywhere, throttle buckets, managed signing keys),
 * then {@link JdbcSchema#migrate}, then a new node on the same database. Every row must survive
 * unchanged, and still work: the access token issued before the upgrade verifies, its refresh
 * token rotates, the password logs in, and what was revoked stays revoked.
 */
class SchemaUpgradeTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final String PASSWORD = "upgrade-Kettle-7-orbit";
    private static final byte[] PEPPER = "a pepper for the upgrade test, of at least 32 bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEK_BYTES = new byte[32];
    private static final String KEK;
    /** Every table of version 1, with the column that orders its rows. */
    private static final Map<String, String> TABLES = new LinkedHashMap<>();

    static {
        for (int i = 0; i < KEK_BYTES.length; i++) {
            KEK_BYTES[i] = (byte) (97 + i * 13);
        }
        KEK = Base64.getEncoder().encodeToString(KEK_BYTES);
        TABLES.put("gh_users", "id");
        TABLES.put("gh_refresh_families", "family_id");
        TABLES.put("gh_refresh_tokens", "token_hash");
        TABLES.put("gh_refresh_seals", "token_hash");
        TABLES.put("gh_revoked_tokens", "jti");
        TABLES.put("gh_user_revocations", "user_id");
        TABLES.put("gh_login_buckets", "bucket_key");
        TABLES.put("gh_signing_keys", "generation");
    }

    private final MutableClock clock = new MutableClock(T0);

    /** One node of the deployment: managed keys under the KEK, and the flow on the JDBC stores. */
    private final class Node implements AutoCloseable {
        final ManagedKeySource keys;
        final AuthService service;

        Node(DataSource dataSource) {
            TokenSettings tokens = TokenSettings.builder("https://upgrade.test", "upgrade").clock(clock).build();
            keys = ManagedKeySource.builder(dataSource).algorithm(SigningAlgorithm.ES256).keyEncryptionKey(KEK)
                    .tokenLifetime(tokens).clock(clock).build();
            keys.start();
            JdbcStores stores = new JdbcStores(dataSource);
            service = AuthService.builder(tokens,
                    AuthSettings.builder().bcryptCostForTests(4).pepper(PEPPER).build(), keys,
                    new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle())).build();
            service.start();
        }

        TokenPair login(String email, String password) throws Exception {
            TokenPair pair = service.login(email, password, "192.0.2.10").get();
            SecretLedger.record(pair.refreshToken());
            SecretLedger.record(pair.access().token());
            return pair;
        }

        String register(String email) throws Exception {
            return service.register(email, PASSWORD, "192.0.2.10").get().id();
        }

        @Override
        public void close() {
            service.close();
            keys.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void everyRowOfTheReleaseBeforeVersionsSurvivesTheUpgradeAndStillWorks(String product) throws Exception {
        SecretLedger.record(PASSWORD);
        SecretLedger.record(PEPPER);
        SecretLedger.record(KEK_BYTES);
        SecretLedger.record(KEK);
        try (Database db = SchemaProbe.database(product)) {
            DataSource ds = db.dataSource();
            PreviousRelease.createSchema(ds);

            // ---- the release before versions, in service
            String alice;
            String carol;
            TokenPair aliceFirst;
            TokenPair aliceSecond;
            TokenPair bob;
            TokenPair carolLogin;
            String secondKid;
            try (Node before = new Node(ds)) {
                alice = before.register("alice@example.org");
                before.register("bob@example.org");
                carol = before.register("carol@example.org");
                assertThatThrownBy(() -> before.login("alice@example.org", "wrong " + PASSWORD))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidCredentialsException.class);
                aliceFirst = before.login("alice@example.org", PASSWORD);
                aliceSecond = before.service.refresh(aliceFirst.refreshToken()); // spends the first, seals the second
                SecretLedger.record(aliceSecond.refreshToken());
                SecretLedger.record(aliceSecond.access().token());
                bob = before.login("bob@example.org", PASSWORD);
                before.service.logout(bob.access().principal(), bob.refreshToken());
                carolLogin = before.login("carol@example.org", PASSWORD);
                before.service.logoutAll(carolLogin.access().principal());
                KeyStatus next = before.keys.rotateNow(false); // a second, pending key
                secondKid = next.kid();
            }
            Map<String, List<Map<String, String>>> rowsBefore = snapshot(ds);
            rowsBefore.forEach((table, rows) -> assertThat(rows).as("rows of %s before the upgrade", table).isNotEmpty());
            assertThat(rowsBefore.get("gh_users")).hasSize(3);
            assertThat(rowsBefore.get("gh_signing_keys")).extracting(r -> r.get("kid")).hasSize(2).contains(secondKid);

            // ---- the upgrade
            SchemaMigrationResult result = JdbcSchema.migrate(ds);

            assertThat(result.adopted()).isTrue();
            assertThat(result.version()).isEqualTo("1");
            assertThat(SchemaProbe.history(ds)).hasSize(1);
            assertThat(snapshot(ds)).isEqualTo(rowsBefore);

            // ---- a node of the new release, a minute later
            clock.advance(Duration.ofMinutes(1));
            try (Node after = new Node(ds)) {
                after.service.revocationCache().refreshNow();
                AccessTokenPrincipal verified = after.service.verifier().verify(aliceSecond.access().token());
                assertThat(verified.subject()).isEqualTo(alice);

                TokenPair rotated = after.service.refresh(aliceSecond.refreshToken());
                SecretLedger.record(rotated.refreshToken());
                SecretLedger.record(rotated.access().token());
                assertThat(after.service.verifier().verify(rotated.access().token()).subject()).isEqualTo(alice);
                assertThat(after.login("alice@example.org", PASSWORD).access().principal().subject()).isEqualTo(alice);

                // what was revoked before the upgrade stays revoked
                assertThatThrownBy(() -> after.service.verifier().verify(bob.access().token()))
                        .isInstanceOfSatisfying(InvalidTokenException.class,
                                e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.REVOKED));
                assertThatThrownBy(() -> after.service.refresh(bob.refreshToken())).isInstanceOf(InvalidCredentialsException.class);
                assertThatThrownBy(() -> after.service.verifier().verify(carolLogin.access().token()))
                        .isInstanceOfSatisfying(InvalidTokenException.class,
                                e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.REVOKED));
                assertThat(after.login("carol@example.org", PASSWORD).access().principal().subject()).isEqualTo(carol);
                // the token spent before the upgrade is a replay now (past the reuse grace)
                assertThatThrownBy(() -> after.service.refresh(aliceFirst.refreshToken())).isInstanceOf(InvalidCredentialsException.class);

                assertThat(after.keys.keys()).extracting(KeyStatus::kid)
                        .containsExactlyElementsOf(rowsBefore.get("gh_signing_keys").stream().map(r -> r.get("kid")).toList());
            }

            // and the next start changes nothing
            SchemaMigrationResult again = JdbcSchema.migrate(ds);
            assertThat(again.previousVersion()).contains("1");
            assertThat(again.appliedVersions()).isEmpty();
            assertThat(again.adopted()).isFalse();
        }
    }

    /** Every row of every table of version 1, every column as text. */
    private static Map<String, List<Map<String, String>>> snapshot(DataSource ds) {
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        TABLES.forEach((table, orderBy) -> rows.put(table, SchemaProbe.rows(ds, table, orderBy)));
        return rows;
    }
}
