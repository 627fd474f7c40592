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

import dev.gatehouse.auth.store.MfaStore;
import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade from version 2 to version 3 on H2, PostgreSQL and MariaDB: a database that Flyway
 * brought to version 2 only, filled with rows by plain SQL (version 2's columns), then
 * Flyway's migration to version 3 (as {@link JdbcSchema#migrate} of the release that brought it).
 * Every row stays as it was; the families (sessions) were last used when they were created and show
 * nothing else; the second factor's tables are there, empty; the history shows versions 1, 2, then 3.
 * Brought to the latest version, the families keep working (rotation, ending) and so does the second
 * factor.
 */
class SchemaVersion3UpgradeTest {
    private static final String ANN = "a1111111-1111-4111-8111-111111111111";
    private static final String LIVE = "f3333333-3333-4333-8333-333333333333";
    private static final String ENDED = "f4444444-4444-4444-8444-444444444444";
    private static final String FIRST_TOKEN = StoreContract.hash("first refresh token");
    private static final String SECOND_TOKEN = StoreContract.hash("second refresh token");
    private static final String ENDED_TOKEN = StoreContract.hash("ended refresh token");
    private static final Instant LIVE_CREATED = Instant.parse("2026-11-20T09:00:00.654321Z");
    private static final Instant LIVE_END = Instant.parse("2026-12-20T09:00:00Z");
    /** After every instant of the rows below, before the families' end. */
    private static final Instant LATER = Instant.parse("2026-11-23T10:00:00Z");

    /** Version 2's tables with the column that orders their rows. */
    private static final Map<String, String> ORDER = new LinkedHashMap<>();

    static {
        ORDER.put("gh_users", "id");
        ORDER.put("gh_refresh_families", "family_id");
        ORDER.put("gh_refresh_tokens", "token_hash");
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void familiesOfVersionTwoBecomeSessionsLastUsedWhenTheyWereCreatedAndKeepWorking(String product) {
        try (Database db = SchemaProbe.database(product)) {
            DataSource ds = db.dataSource();
            JdbcSchema.flywayConfiguration(ds).target("2").load().migrate();
            assertThat(JdbcSchema.version(ds)).contains("2");
            assertThat(SchemaProbe.tables(ds)).containsOnlyKeys(withHistory(SchemaProbe.VERSION_2_TABLES.keySet()));
            insertVersion2Rows(ds);
            Map<String, List<Map<String, String>>> before = snapshot(ds);
            before.forEach((table, rows) -> assertThat(rows).as(table).isNotEmpty());

            // version 3 itself, as a node of the release that brought it would apply it
            MigrateResult result = JdbcSchema.flywayConfiguration(ds).target("3").load().migrate();

            assertThat(result.initialSchemaVersion).isEqualTo("2");
            assertThat(result.targetSchemaVersion).isEqualTo("3");
            assertThat(result.migrations).extracting(m -> m.version).containsExactly("3");
            assertThat(JdbcSchema.version(ds)).contains("3");
            assertThat(SchemaProbe.history(ds)).containsExactly("1|gatehouse|SQL|true", "2|account lifecycle|SQL|true",
                    "3|sessions and second factor|SQL|true");
            Map<String, List<String>> tables = SchemaProbe.tables(ds);
            assertThat(tables).containsOnlyKeys(withHistory(SchemaProbe.VERSION_3_TABLES.keySet()));
            SchemaProbe.VERSION_3_TABLES.forEach((table, columns) -> assertThat(tables).containsEntry(table, columns));

            // version 2's rows, unchanged
            assertThat(snapshot(ds)).isEqualTo(before);
            // the families: last used when created (backfilled), nothing else shown
            List<Map<String, String>> families = SchemaProbe.rows(ds, "gh_refresh_families",
                    List.of("family_id", "created_at", "last_used_at", "user_agent", "client", "amr", "auth_time"), "family_id");
            assertThat(families).extracting(f -> f.get("family_id")).containsExactly(LIVE, ENDED);
            assertThat(families).allSatisfy(f -> {
                assertThat(f.get("last_used_at")).as(f.get("family_id")).isNotNull().isEqualTo(f.get("created_at"));
                assertThat(f.get("user_agent")).isNull();
                assertThat(f.get("client")).isNull();
                assertThat(f.get("amr")).isNull();
                assertThat(f.get("auth_time")).isNull();
            });
            assertThat(SchemaProbe.rows(ds, "gh_mfa_totp", "user_id")).isEmpty();
            assertThat(SchemaProbe.rows(ds, "gh_mfa_recovery_codes", "code_hash")).isEmpty();
            assertThat(SchemaProbe.rows(ds, "gh_mfa_challenges", "token_hash")).isEmpty();

            // ... and read and used by this release's stores, once the later versions are there too
            SchemaMigrationResult latest = JdbcSchema.migrate(ds);
            assertThat(latest.previousVersion()).contains("3");
            assertThat(latest.appliedVersions()).containsExactlyElementsOf(SchemaProbe.versionsAfter("3"));
            assertThat(snapshot(ds)).isEqualTo(before);
            JdbcStores stores = new JdbcStores(ds);
            RefreshTokenStore tokens = stores.refreshTokens();
            assertThat(tokens.findSession(LIVE)).contains(new Session(LIVE, ANN, LIVE_CREATED, LIVE_CREATED, LIVE_END, null, null, null,
                    null));
            assertThat(tokens.findSession(ENDED)).map(Session::revokedAt).contains(Instant.parse("2026-11-19T12:00:00Z"));
            assertThat(tokens.listSessions(ANN, LATER, 10)).extracting(Session::id).containsExactly(LIVE);
            RefreshTokenRecord second = tokens.findByHash(SECOND_TOKEN).orElseThrow();
            RefreshTokenRecord third = new RefreshTokenRecord(StoreContract.hash("third refresh token"), LIVE, SECOND_TOKEN, ANN, LATER,
                    LIVE_END, LIVE_END, null, null);
            assertThat(second.isLive(LATER)).isTrue();
            assertThat(tokens.rotate(SECOND_TOKEN, LATER, third, null)).isTrue();
            assertThat(tokens.findSession(LIVE)).map(Session::lastUsedAt).contains(LATER);
            assertThat(tokens.rotate(ENDED_TOKEN, LATER, new RefreshTokenRecord(StoreContract.hash("after the end"), ENDED, ENDED_TOKEN,
                    ANN, LATER, LIVE_END, LIVE_END, null, null), null)).isFalse();
            assertThat(tokens.revokeOtherSessions(ANN, "none", LATER)).isOne();
            assertThat(tokens.listSessions(ANN, LATER, 10)).isEmpty();
            MfaStore mfa = stores.mfa();
            assertThat(mfa.beginTotp(ANN, "sealed", LATER)).isTrue();
            assertThat(mfa.confirmTotp(ANN, "sealed", 7, List.of(StoreContract.hash("code")), LATER)).isTrue();
            assertThat(mfa.useRecoveryCode(ANN, StoreContract.hash("code"), LATER)).isTrue();

            // the next start changes nothing
            SchemaMigrationResult again = JdbcSchema.migrate(ds);
            assertThat(again.previousVersion()).contains(SchemaProbe.LATEST_VERSION);
            assertThat(again.appliedVersions()).isEmpty();
        }
    }

    /** A user, a live family with a spent and an unspent token, and an ended family, by plain SQL of version 2's columns. */
    private static void insertVersion2Rows(DataSource ds) {
        SchemaProbe.execute(ds,
                "INSERT INTO gh_users (id, email, password_hash, roles, created_at, token_generation, email_verified_at, language)"
                        + " VALUES ('" + ANN + "', 'ann@example.org', '$2a$04$ann', 'user', TIMESTAMP '2026-01-15 08:30:00.123456', 0,"
                        + " TIMESTAMP '2026-01-15 08:35:00', 'de')",
                "INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at) VALUES ('" + LIVE + "', '" + ANN
                        + "', TIMESTAMP '2026-11-20 09:00:00.654321', TIMESTAMP '2026-12-20 09:00:00', NULL)",
                "INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at, revoked_at) VALUES ('" + ENDED + "', '" + ANN
                        + "', TIMESTAMP '2026-11-19 08:00:00', TIMESTAMP '2026-12-19 08:00:00', TIMESTAMP '2026-11-19 12:00:00')",
                "INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at, expires_at, family_expires_at,"
                        + " used_at, revoked_at) VALUES ('" + FIRST_TOKEN + "', '" + LIVE + "', NULL, '" + ANN
                        + "', TIMESTAMP '2026-11-20 09:00:00.654321', TIMESTAMP '2026-12-04 09:00:00', TIMESTAMP '2026-12-20 09:00:00',"
                        + " TIMESTAMP '2026-11-21 09:00:00', NULL)",
                "INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at, expires_at, family_expires_at,"
                        + " used_at, revoked_at) VALUES ('" + SECOND_TOKEN + "', '" + LIVE + "', '" + FIRST_TOKEN + "', '" + ANN
                        + "', TIMESTAMP '2026-11-21 09:00:00', TIMESTAMP '2026-12-05 09:00:00', TIMESTAMP '2026-12-20 09:00:00',"
                        + " NULL, NULL)",
                "INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at, expires_at, family_expires_at,"
                        + " used_at, revoked_at) VALUES ('" + ENDED_TOKEN + "', '" + ENDED + "', NULL, '" + ANN
                        + "', TIMESTAMP '2026-11-19 08:00:00', TIMESTAMP '2026-12-03 08:00:00', TIMESTAMP '2026-12-19 08:00:00',"
                        + " NULL, NULL)");
    }

    /** Every row of the tables version 3 changes or refers to, version 2's columns only, as text. */
    private static Map<String, List<Map<String, String>>> snapshot(DataSource ds) {
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        ORDER.forEach((table, orderBy) -> rows.put(table, SchemaProbe.rows(ds, table, SchemaProbe.VERSION_2_TABLES.get(table), orderBy)));
        return rows;
    }

    private static List<String> withHistory(Collection<String> tables) {
        List<String> all = new ArrayList<>(tables);
        all.add(JdbcSchema.HISTORY_TABLE);
        return all;
    }
}
