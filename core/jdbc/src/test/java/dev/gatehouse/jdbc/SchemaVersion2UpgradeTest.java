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

import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.store.AccountStore;
import dev.gatehouse.auth.store.AccountStore.AccountToken;
import dev.gatehouse.auth.store.AccountStore.Purpose;
import dev.gatehouse.auth.store.OutboxStore;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * An upgrade from version 1 to version 2 on H2, PostgreSQL and MariaDB: a database that Flyway
 * brought to version 1 only, filled with rows by plain SQL (version 1's columns), then
 * {@link JdbcSchema#migrate}. Every row stays as it was; the users, who could log in before, are
 * taken as verified as of their registration and have no language; the new tables are there,
 * empty, and work; the history shows version 1, then version 2.
 */
class SchemaVersion2UpgradeTest {
    private static final String ANN = "a1111111-1111-4111-8111-111111111111";
    private static final String BEN = "b2222222-2222-4222-8222-222222222222";
    private static final String FAMILY = "f3333333-3333-4333-8333-333333333333";
    private static final String FIRST_TOKEN = StoreContract.hash("first refresh token");
    private static final String SECOND_TOKEN = StoreContract.hash("second refresh token");
    /** After every instant of the rows below. */
    private static final Instant LATER = Instant.parse("2026-11-23T10:00:00Z");

    /** Version 1's tables with the column that orders their rows. */
    private static final Map<String, String> ORDER = new LinkedHashMap<>();

    static {
        ORDER.put("gh_users", "id");
        ORDER.put("gh_refresh_families", "family_id");
        ORDER.put("gh_refresh_tokens", "token_hash");
        ORDER.put("gh_refresh_seals", "token_hash");
        ORDER.put("gh_revoked_tokens", "jti");
        ORDER.put("gh_user_revocations", "user_id");
        ORDER.put("gh_login_buckets", "bucket_key");
        ORDER.put("gh_signing_keys", "generation");
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void rowsOfVersionOneSurviveVersionTwoAndItsUsersAreVerifiedAsOfTheirRegistration(String product) {
        try (Database db = SchemaProbe.database(product)) {
            DataSource ds = db.dataSource();
            JdbcSchema.flywayConfiguration(ds).target("1").load().migrate();
            assertThat(JdbcSchema.version(ds)).contains("1");
            assertThat(SchemaProbe.tables(ds)).containsOnlyKeys(withHistory(SchemaProbe.VERSION_1_TABLES.keySet()));
            insertVersion1Rows(ds);
            Map<String, List<Map<String, String>>> before = snapshot(ds);
            before.forEach((table, rows) -> assertThat(rows).as(table).isNotEmpty());

            SchemaMigrationResult result = JdbcSchema.migrate(ds);

            assertThat(result.previousVersion()).contains("1");
            assertThat(result.version()).isEqualTo(SchemaProbe.LATEST_VERSION);
            assertThat(result.appliedVersions()).startsWith("2")
                    .containsExactlyElementsOf(SchemaProbe.VERSIONS.subList(1, SchemaProbe.VERSIONS.size()));
            assertThat(SchemaProbe.history(ds)).startsWith("1|gatehouse|SQL|true", "2|account lifecycle|SQL|true")
                    .containsExactlyElementsOf(SchemaProbe.APPLIED_HISTORY);
            Map<String, List<String>> tables = SchemaProbe.tables(ds);
            assertThat(tables).containsOnlyKeys(withHistory(SchemaProbe.LATEST_TABLES.keySet()));
            SchemaProbe.LATEST_TABLES.forEach((table, columns) -> assertThat(tables).containsEntry(table, columns));

            // version 1's rows, unchanged
            assertThat(snapshot(ds)).isEqualTo(before);
            // the users: verified as of their registration, no language
            List<Map<String, String>> users = SchemaProbe.rows(ds, "gh_users", List.of("id", "created_at", "email_verified_at", "language"), "id");
            assertThat(users).extracting(u -> u.get("id")).containsExactly(ANN, BEN);
            assertThat(users).allSatisfy(u -> {
                assertThat(u.get("email_verified_at")).as(u.get("id")).isNotNull().isEqualTo(u.get("created_at"));
                assertThat(u.get("language")).as(u.get("id")).isNull();
            });
            // the new tables: empty
            assertThat(SchemaProbe.rows(ds, "gh_account_tokens", "token_hash")).isEmpty();
            assertThat(SchemaProbe.rows(ds, "gh_mail_outbox", "message_id")).isEmpty();

            // ... and read and used by this release's stores
            JdbcStores stores = new JdbcStores(ds);
            assertThat(stores.users().findById(BEN)).hasValueSatisfying(u -> {
                assertThat(u.email()).isEqualTo("ben@example.org");
                assertThat(u.roles()).containsExactly("user", "admin");
                assertThat(u.tokenGeneration()).isEqualTo(3);
                assertThat(u.emailVerifiedAt()).isEqualTo(u.createdAt());
                assertThat(u.language()).isNull();
            });
            AccountStore accounts = stores.accounts();
            OutboxStore outbox = stores.outbox();
            assertThat(accounts.issueToken(BEN, token(Purpose.VERIFY_EMAIL, "ben verify"), true, u -> mail(u.email())))
                    .as("a migrated user has nothing to verify").isEmpty();
            AccountToken reset = token(Purpose.PASSWORD_RESET, "ann reset");
            assertThat(accounts.issueToken(ANN, reset, false, u -> mail(u.email()))).map(User::id).contains(ANN);
            assertThat(SchemaProbe.rows(ds, "gh_account_tokens", "token_hash")).extracting(r -> r.get("token_hash"), r -> r.get("user_id"))
                    .containsExactly(tuple(reset.tokenHash(), ANN));
            List<OutboxStore.Entry> claimed = outbox.claimDue("claim-1", LATER, LATER.plusSeconds(60), 10);
            assertThat(claimed).extracting(OutboxStore.Entry::to).containsExactly("ann@example.org");
            assertThat(outbox.markSent(claimed.get(0).messageId(), "claim-1", LATER)).isTrue();
            User reset1 = accounts.resetPassword(reset.tokenHash(), "$2a$04$new", LATER, u -> mail(u.email())).orElseThrow();
            assertThat(reset1.tokenGeneration()).as("the generation after version 1's").isEqualTo(1);
            User newcomer = accounts.register(new AccountStore.NewUser(UUID.randomUUID().toString(), "cleo@example.org", "$2a$04$c",
                    List.of("user"), LATER, "de"), token(Purpose.VERIFY_EMAIL, "cleo verify"), List.of(mail("cleo@example.org")));
            assertThat(stores.users().findById(newcomer.id())).hasValueSatisfying(u -> {
                assertThat(u.emailVerified()).isFalse();
                assertThat(u.language()).isEqualTo("de");
            });

            // the next start changes nothing
            SchemaMigrationResult again = JdbcSchema.migrate(ds);
            assertThat(again.previousVersion()).contains(SchemaProbe.LATEST_VERSION);
            assertThat(again.appliedVersions()).isEmpty();
            assertThat(SchemaProbe.history(ds)).containsExactlyElementsOf(SchemaProbe.APPLIED_HISTORY);
        }
    }

    /** One row or two in every table of version 1, by plain SQL of version 1's columns. */
    private static void insertVersion1Rows(DataSource ds) {
        SchemaProbe.execute(ds,
                "INSERT INTO gh_users (id, email, password_hash, roles, created_at, token_generation) VALUES ('" + ANN
                        + "', 'ann@example.org', '$2a$04$ann', 'user', TIMESTAMP '2026-01-15 08:30:00.123456', 0)",
                "INSERT INTO gh_users (id, email, password_hash, roles, created_at, token_generation) VALUES ('" + BEN
                        + "', 'ben@example.org', '$2a$04$ben', 'user admin', TIMESTAMP '2025-12-31 23:59:59.999999', 3)",
                "INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at) VALUES ('" + FAMILY + "', '" + ANN
                        + "', TIMESTAMP '2026-01-15 09:00:00', TIMESTAMP '2026-02-14 09:00:00', NULL)",
                "INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at, expires_at, family_expires_at,"
                        + " used_at, revoked_at) VALUES ('" + FIRST_TOKEN + "', '" + FAMILY + "', NULL, '" + ANN
                        + "', TIMESTAMP '2026-01-15 09:00:00', TIMESTAMP '2026-01-29 09:00:00', TIMESTAMP '2026-02-14 09:00:00',"
                        + " TIMESTAMP '2026-01-16 09:00:00.5', NULL)",
                "INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at, expires_at, family_expires_at,"
                        + " used_at, revoked_at) VALUES ('" + SECOND_TOKEN + "', '" + FAMILY + "', '" + FIRST_TOKEN + "', '" + ANN
                        + "', TIMESTAMP '2026-01-16 09:00:00.5', TIMESTAMP '2026-01-30 09:00:00.5', TIMESTAMP '2026-02-14 09:00:00',"
                        + " NULL, NULL)",
                "INSERT INTO gh_refresh_seals (token_hash, seal, sealed_at) VALUES ('" + FIRST_TOKEN
                        + "', 'sealed-successor', TIMESTAMP '2026-01-16 09:00:00.5')",
                "INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES ('revoked-jti', TIMESTAMP '2026-01-15 09:15:00')",
                "INSERT INTO gh_user_revocations (user_id, min_generation, revoked_at) VALUES ('" + BEN
                        + "', 3, TIMESTAMP '2026-01-10 12:00:00')",
                "INSERT INTO gh_login_buckets (bucket_key, tat, last_success_at) VALUES ('" + StoreContract.hash("bucket")
                        + "', TIMESTAMP '2026-01-15 09:00:10', TIMESTAMP '2026-01-15 09:00:00')",
                "INSERT INTO gh_signing_keys (kid, generation, alg, public_jwk, private_key, created_at, activates_at, retired_at,"
                        + " revoked_at, row_mac) VALUES ('kid-1', 1, 'ES256', '{\"kty\":\"EC\"}', NULL, TIMESTAMP '2026-01-01 00:00:00',"
                        + " TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP '2026-01-08 00:00:00', NULL, NULL)");
    }

    /** Every row of version 1's tables, version 1's columns only, as text. */
    private static Map<String, List<Map<String, String>>> snapshot(DataSource ds) {
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        ORDER.forEach((table, orderBy) -> rows.put(table, SchemaProbe.rows(ds, table, SchemaProbe.VERSION_1_TABLES.get(table), orderBy)));
        return rows;
    }

    private static List<String> withHistory(Collection<String> tables) {
        List<String> all = new ArrayList<>(tables);
        all.add(JdbcSchema.HISTORY_TABLE);
        return all;
    }

    private static AccountToken token(Purpose purpose, String seed) {
        return new AccountToken(StoreContract.hash(seed + " " + UUID.randomUUID()), purpose, LATER, LATER.plus(Duration.ofHours(1)));
    }

    private static MailMessage mail(String to) {
        return new MailMessage(UUID.randomUUID().toString(), to, "Subject", "text", "<p>html</p>");
    }
}
