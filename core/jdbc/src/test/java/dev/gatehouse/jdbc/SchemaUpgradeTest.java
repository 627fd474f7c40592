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
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.mail.MailSender;
import dev.gatehouse.auth.mail.MailSettings;
import dev.gatehouse.jdbc.keys.KeyStatus;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An upgrade from the release before versions: its schema (the frozen scripts of
 * {@link PreviousRelease}) holding the rows a running service wrote (users, refresh families,
 * rotated and spent tokens, seals, a logout, a logout everywhere, throttle buckets, managed signing
 * keys), then {@link JdbcSchema#migrate}, then a new node on the same database. Every row must
 * survive unchanged, and still work: the access token issued before the upgrade verifies, its
 * refresh token rotates, the password logs in, and what was revoked stays revoked. The users of
 * that release are taken as verified as of their registration, so that they still log in when
 * verified emails are required.
 *
 * <p>This release's code can no longer run on the schema of the release before versions (it reads
 * version 2's columns). So the service of the "before" phase runs on a scratch database of the same
 * product at the latest version, and the rows it wrote, version 1's tables and columns only, are
 * copied into the schema that {@link PreviousRelease#createSchema} created: the rows that release
 * wrote, of the shape it wrote them in.
 */
class SchemaUpgradeTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final String PASSWORD = "upgrade-Kettle-7-orbit";
    private static final byte[] PEPPER = "a pepper for the upgrade test, of at least 32 bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEK_BYTES = new byte[32];
    private static final String KEK;
    /** Every table of version 1, in foreign-key order, with the column that orders its rows. */
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

    /** Records every mail the service hands over; delivers nothing. */
    private static final class RecordingMailSender implements MailSender {
        final List<MailMessage> sent = new CopyOnWriteArrayList<>();

        @Override
        public void send(MailMessage message) {
            sent.add(message);
        }
    }

    /** One node of the deployment: managed keys under the KEK, and the flow on the JDBC stores. */
    private final class Node implements AutoCloseable {
        final ManagedKeySource keys;
        final AuthService service;

        /** A node without mail, whose users need not verify their emails. */
        Node(DataSource dataSource) {
            this(dataSource, null);
        }

        /** With {@code mail}: a node that sends mail through it and requires verified emails. */
        Node(DataSource dataSource, MailSender mail) {
            TokenSettings tokens = TokenSettings.builder("https://upgrade.test", "upgrade").clock(clock).build();
            keys = ManagedKeySource.builder(dataSource).algorithm(SigningAlgorithm.ES256).keyEncryptionKey(KEK)
                    .tokenLifetime(tokens).clock(clock).build();
            keys.start();
            JdbcStores stores = new JdbcStores(dataSource);
            AuthSettings settings = AuthSettings.builder().bcryptCostForTests(4).pepper(PEPPER).requireVerifiedEmail(mail != null).build();
            AuthService.Builder builder = mail == null
                    ? AuthService.builder(tokens, settings, keys,
                            new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                    : AuthService.builder(tokens, settings, keys, stores.forService())
                            .mail(MailSettings.builder(URI.create("http://localhost")).build(), mail);
            service = builder.build();
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
        try (Database db = SchemaProbe.database(product); Database scratch = SchemaProbe.database(product)) {
            DataSource ds = db.dataSource();
            PreviousRelease.createSchema(ds);

            // ---- the release before versions, in service (this release's code, on the scratch database)
            JdbcSchema.migrate(scratch.dataSource());
            String alice;
            String bobId;
            String carol;
            TokenPair aliceFirst;
            TokenPair aliceSecond;
            TokenPair bob;
            TokenPair carolLogin;
            String secondKid;
            try (Node before = new Node(scratch.dataSource())) {
                alice = before.register("alice@example.org");
                bobId = before.register("bob@example.org");
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
            Map<String, List<Map<String, String>>> written = snapshot(scratch.dataSource());
            copyVersion1Rows(scratch.dataSource(), ds);
            Map<String, List<Map<String, String>>> rowsBefore = snapshot(ds);
            assertThat(rowsBefore).as("the rows as the release before versions holds them").isEqualTo(written);
            rowsBefore.forEach((table, rows) -> assertThat(rows).as("rows of %s before the upgrade", table).isNotEmpty());
            assertThat(rowsBefore.get("gh_users")).hasSize(3);
            assertThat(rowsBefore.get("gh_signing_keys")).extracting(r -> r.get("kid")).hasSize(2).contains(secondKid);
            assertThat(SchemaProbe.tables(ds)).as("still the schema of the release before versions")
                    .containsExactlyInAnyOrderEntriesOf(SchemaProbe.VERSION_1_TABLES);

            // ---- the upgrade: adopted as version 1, then every later version applied
            SchemaMigrationResult result = JdbcSchema.migrate(ds);

            assertThat(result.adopted()).isTrue();
            assertThat(result.version()).isEqualTo(SchemaProbe.LATEST_VERSION);
            assertThat(result.appliedVersions()).containsExactlyElementsOf(SchemaProbe.VERSIONS.subList(1, SchemaProbe.VERSIONS.size()));
            List<String> history = new ArrayList<>();
            history.add(SchemaProbe.ADOPTED_VERSION_1);
            history.addAll(SchemaProbe.appliedAfter("1"));
            assertThat(SchemaProbe.history(ds)).containsExactlyElementsOf(history);
            assertThat(snapshot(ds)).isEqualTo(rowsBefore);
            // every user of the release before versions is taken as verified, as of the registration
            List<Map<String, String>> users = SchemaProbe.rows(ds, "gh_users", List.of("id", "created_at", "email_verified_at", "language"), "id");
            assertThat(users).hasSize(3).allSatisfy(u -> {
                assertThat(u.get("email_verified_at")).as("user %s", u.get("id")).isNotNull().isEqualTo(u.get("created_at"));
                assertThat(u.get("language")).isNull();
            });

            // ---- a node of the new release, a minute later, requiring verified emails
            clock.advance(Duration.ofMinutes(1));
            RecordingMailSender mail = new RecordingMailSender();
            try (Node after = new Node(ds, mail)) {
                after.service.revocationCache().refreshNow();
                AccessTokenPrincipal verified = after.service.verifier().verify(aliceSecond.access().token());
                assertThat(verified.subject()).isEqualTo(alice);
                for (String email : List.of("alice@example.org", "bob@example.org", "carol@example.org")) {
                    assertThat(after.service.findUserByEmail(email)).as(email).hasValueSatisfying(u -> {
                        assertThat(u.emailVerified()).isTrue();
                        assertThat(u.emailVerifiedAt()).isEqualTo(u.createdAt());
                    });
                }

                TokenPair rotated = after.service.refresh(aliceSecond.refreshToken());
                SecretLedger.record(rotated.refreshToken());
                SecretLedger.record(rotated.access().token());
                assertThat(after.service.verifier().verify(rotated.access().token()).subject()).isEqualTo(alice);
                assertThat(after.login("alice@example.org", PASSWORD).access().principal().subject()).isEqualTo(alice);
                assertThat(after.login("bob@example.org", PASSWORD).access().principal().subject()).isEqualTo(bobId);

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

                // the logins above are not let through regardless: a user not taken as verified is refused
                // (as after the operator's "UPDATE gh_users SET email_verified_at = NULL" of version 2's script)
                SchemaProbe.execute(ds, "UPDATE gh_users SET email_verified_at = NULL WHERE id = '" + bobId + "'");
                assertThatThrownBy(() -> after.login("bob@example.org", PASSWORD))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidCredentialsException.class);
                assertThat(mail.sent).as("no mail for any of this").isEmpty();

                assertThat(after.keys.keys()).extracting(KeyStatus::kid)
                        .containsExactlyElementsOf(rowsBefore.get("gh_signing_keys").stream().map(r -> r.get("kid")).toList());
            }

            // and the next start changes nothing
            SchemaMigrationResult again = JdbcSchema.migrate(ds);
            assertThat(again.previousVersion()).contains(SchemaProbe.LATEST_VERSION);
            assertThat(again.appliedVersions()).isEmpty();
            assertThat(again.adopted()).isFalse();
        }
    }

    /** Every row of every table of version 1, version 1's columns only, every column as text. */
    private static Map<String, List<Map<String, String>>> snapshot(DataSource ds) {
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        TABLES.forEach((table, orderBy) -> rows.put(table, SchemaProbe.rows(ds, table, SchemaProbe.VERSION_1_TABLES.get(table), orderBy)));
        return rows;
    }

    /**
     * Copies the rows of version 1's tables, version 1's columns only, from one database to another
     * of the same product, as the driver reads and writes them (no conversion of ours), tables in
     * foreign-key order.
     */
    private static void copyVersion1Rows(DataSource from, DataSource to) throws SQLException {
        try (Connection source = from.getConnection(); Connection target = to.getConnection()) {
            target.setAutoCommit(false);
            for (Map.Entry<String, List<String>> table : SchemaProbe.VERSION_1_TABLES.entrySet()) {
                List<String> columns = table.getValue();
                String names = String.join(", ", columns);
                String marks = String.join(", ", Collections.nCopies(columns.size(), "?"));
                try (PreparedStatement select = source.prepareStatement("SELECT " + names + " FROM " + table.getKey());
                     ResultSet rs = select.executeQuery();
                     PreparedStatement insert = target.prepareStatement("INSERT INTO " + table.getKey() + " (" + names + ") VALUES (" + marks + ")")) {
                    while (rs.next()) {
                        for (int i = 1; i <= columns.size(); i++) {
                            insert.setObject(i, rs.getObject(i));
                        }
                        insert.executeUpdate();
                    }
                }
            }
            target.commit();
        }
    }
}
