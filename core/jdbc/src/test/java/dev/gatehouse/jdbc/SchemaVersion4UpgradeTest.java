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

import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.RevocationChange;
import dev.gatehouse.auth.store.RevocationChange.Kind;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * An upgrade from version 3 to version 4 on H2, PostgreSQL and MariaDB: a database that Flyway
 * brought to version 3 only, holding revocations written by plain SQL (version 3's columns: two
 * live revoked tokens and an expired one, a revoked family and two live ones, a user's generation
 * cut-off), then {@link JdbcSchema#migrate}. Every row stays as it was and has no number; the whole
 * live set still reads them; what is revoked after the upgrade is numbered above the latest number
 * (also by a node of the release before, whose insert names no number); and an old row revoked
 * again gets a number, so that {@link RevocationStore#changesAfter} shows it. A family that a node
 * of the release before revokes (an update that sets no number) is read by the whole live set only.
 */
class SchemaVersion4UpgradeTest {
    private static final String ANN = "a1111111-1111-4111-8111-111111111111";
    private static final String LIVE = "f3333333-3333-4333-8333-333333333333";
    private static final String ENDED = "f4444444-4444-4444-8444-444444444444";
    private static final String ENDED_BY_AN_OLD_NODE = "f5555555-5555-4555-8555-555555555555";
    private static final String FIRST_JTI = "jti-first-before-the-upgrade";
    private static final String SECOND_JTI = "jti-second-before-the-upgrade";
    private static final String EXPIRED_JTI = "jti-expired-before-the-upgrade";
    /** "Now" for the reads: after every row below. */
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant CREATED = Instant.parse("2026-11-20T09:00:00.654321Z");
    private static final Instant FAMILY_END = Instant.parse("2026-12-20T09:00:00Z");
    private static final Instant ENDED_AT = Instant.parse("2026-11-23T09:30:00.123456Z");
    private static final Instant FIRST_UNTIL = Instant.parse("2026-11-23T10:10:00.000001Z");
    private static final Instant SECOND_UNTIL = Instant.parse("2026-11-23T10:14:59.999999Z");
    private static final Instant EXPIRED_UNTIL = Instant.parse("2026-11-23T09:00:00Z");
    private static final Instant CUT_AT = Instant.parse("2026-11-23T09:45:00.5Z");
    /** After the upgrade. */
    private static final Instant AFTER = Instant.parse("2026-11-23T10:05:00.250000Z");
    private static final Instant AFTER_UNTIL = Instant.parse("2026-11-23T10:20:00Z");

    /** The tables version 4 changes, with the column that orders their rows. */
    private static final Map<String, String> ORDER = new LinkedHashMap<>();

    static {
        ORDER.put("gh_refresh_families", "family_id");
        ORDER.put("gh_revoked_tokens", "jti");
        ORDER.put("gh_user_revocations", "user_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void revocationsOfVersionThreeStayUnnumberedAndReadWholeAndTheirNextChangeIsNumbered(String product) throws SQLException {
        try (Database db = SchemaProbe.database(product)) {
            DataSource ds = db.dataSource();
            JdbcSchema.flywayConfiguration(ds).target("3").load().migrate();
            assertThat(JdbcSchema.version(ds)).contains("3");
            assertThat(SchemaProbe.tables(ds)).containsOnlyKeys(withHistory(SchemaProbe.VERSION_3_TABLES.keySet()));
            insertVersion3Rows(ds);
            Map<String, List<Map<String, String>>> before = snapshot(ds);
            assertThat(before.get("gh_refresh_families")).hasSize(3);
            assertThat(before.get("gh_revoked_tokens")).hasSize(3);
            assertThat(before.get("gh_user_revocations")).hasSize(1);

            SchemaMigrationResult result = JdbcSchema.migrate(ds);

            assertThat(result.previousVersion()).contains("3");
            assertThat(result.version()).isEqualTo("4");
            assertThat(result.appliedVersions()).containsExactly("4");
            assertThat(result.adopted()).isFalse();
            assertThat(SchemaProbe.history(ds)).containsExactly("1|gatehouse|SQL|true", "2|account lifecycle|SQL|true",
                    "3|sessions and second factor|SQL|true", "4|numbered revocations|SQL|true");
            Map<String, List<String>> tables = SchemaProbe.tables(ds);
            assertThat(tables).containsOnlyKeys(withHistory(SchemaProbe.LATEST_TABLES.keySet()));
            SchemaProbe.LATEST_TABLES.forEach((table, columns) -> assertThat(tables).containsEntry(table, columns));

            // version 3's rows, unchanged, and none of them numbered
            assertThat(snapshot(ds)).isEqualTo(before);
            assertThat(SchemaProbe.rows(ds, "gh_revoked_tokens", List.of("jti", "seq"), "jti"))
                    .extracting(r -> r.get("jti"), r -> r.get("seq"))
                    .containsExactly(tuple(EXPIRED_JTI, null), tuple(FIRST_JTI, null), tuple(SECOND_JTI, null));
            assertThat(SchemaProbe.rows(ds, "gh_user_revocations", List.of("user_id", "seq"), "user_id"))
                    .containsExactly(row("user_id", ANN, "seq", null));
            assertThat(SchemaProbe.rows(ds, "gh_refresh_families", List.of("family_id", "revoked_seq"), "family_id"))
                    .containsExactly(row("family_id", LIVE, "revoked_seq", null), row("family_id", ENDED, "revoked_seq", null),
                            row("family_id", ENDED_BY_AN_OLD_NODE, "revoked_seq", null));

            // the store: no change numbered yet, and the whole live set holds the old rows
            JdbcStores stores = new JdbcStores(ds);
            RevocationStore revocations = stores.revocations();
            RefreshTokenStore tokens = stores.refreshTokens();
            assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(0));
            assertThat(revocations.changesAfter(0)).isEmpty();
            assertThat(revocations.revokedTokens(NOW)).containsOnly(Map.entry(FIRST_JTI, FIRST_UNTIL), Map.entry(SECOND_JTI, SECOND_UNTIL));
            assertThat(revocations.revokedSessions(NOW.minusSeconds(3600))).containsOnly(Map.entry(ENDED, ENDED_AT));
            assertThat(revocations.userGenerations(NOW.minusSeconds(3600))).containsOnly(Map.entry(ANN, 2));

            // a revocation after the upgrade is numbered above the latest number (0)
            String fresh = "jti-after-the-upgrade";
            revocations.revokeToken(fresh, AFTER_UNTIL);
            List<RevocationChange> first = revocations.changesAfter(0);
            assertThat(first).extracting(RevocationChange::kind, RevocationChange::id, RevocationChange::at, RevocationChange::generation)
                    .containsExactly(tuple(Kind.TOKEN, fresh, AFTER_UNTIL, 0));
            long freshNumber = first.get(0).sequence();
            assertThat(freshNumber).isPositive();
            assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(freshNumber));
            assertThat(number(ds, "gh_revoked_tokens", "seq", "jti", fresh)).isEqualTo(String.valueOf(freshNumber));

            // ... and so is one that a node of version 3 writes during a rolling upgrade (its insert names no number)
            String byAnOldNode = "jti-by-a-node-of-version-3";
            insertRevokedToken(ds, byAnOldNode, AFTER_UNTIL);
            long oldNodeNumber = assertOneChangeAfter(revocations, freshNumber, tuple(Kind.TOKEN, byAnOldNode, AFTER_UNTIL, 0));

            // but a family that a node of version 3 revokes (its update sets no number) is no change: only
            // the whole live set, read at each reconciliation, has it (AuthSettings.revocationReconciliation)
            endFamilyAsVersion3Does(ds, ENDED_BY_AN_OLD_NODE, AFTER);
            assertThat(revocations.changesAfter(oldNodeNumber)).isEmpty();
            assertThat(revocations.revokedSessions(NOW.minusSeconds(3600)))
                    .containsOnly(Map.entry(ENDED, ENDED_AT), Map.entry(ENDED_BY_AN_OLD_NODE, AFTER));

            // an old row revoked again gets a number: a token revoked again (later), a higher generation, the live family
            revocations.revokeToken(FIRST_JTI, AFTER_UNTIL);
            long tokenNumber = assertOneChangeAfter(revocations, oldNodeNumber, tuple(Kind.TOKEN, FIRST_JTI, AFTER_UNTIL, 0));
            assertThat(number(ds, "gh_revoked_tokens", "seq", "jti", FIRST_JTI)).isEqualTo(String.valueOf(tokenNumber));
            revocations.refuseGenerationsBelow(ANN, 3, AFTER);
            long generationNumber = assertOneChangeAfter(revocations, tokenNumber, tuple(Kind.GENERATION, ANN, AFTER, 3));
            assertThat(number(ds, "gh_user_revocations", "seq", "user_id", ANN)).isEqualTo(String.valueOf(generationNumber));
            assertThat(tokens.revokeFamily(LIVE, AFTER)).isTrue();
            long familyNumber = assertOneChangeAfter(revocations, generationNumber, tuple(Kind.SESSION, LIVE, AFTER, 0));
            assertThat(number(ds, "gh_refresh_families", "revoked_seq", "family_id", LIVE)).isEqualTo(String.valueOf(familyNumber));
            assertThat(revocations.latestChange()).isEqualTo(OptionalLong.of(familyNumber));

            // the family revoked before the upgrade is not revoked again: it stays unnumbered, read whole
            assertThat(tokens.revokeFamily(ENDED, AFTER)).isFalse();
            assertThat(number(ds, "gh_refresh_families", "revoked_seq", "family_id", ENDED)).isNull();
            assertThat(revocations.revokedSessions(NOW.minusSeconds(3600))).containsOnly(Map.entry(ENDED, ENDED_AT),
                    Map.entry(ENDED_BY_AN_OLD_NODE, AFTER), Map.entry(LIVE, AFTER));
            assertThat(revocations.revokedTokens(NOW)).containsOnly(Map.entry(FIRST_JTI, AFTER_UNTIL), Map.entry(SECOND_JTI, SECOND_UNTIL),
                    Map.entry(fresh, AFTER_UNTIL), Map.entry(byAnOldNode, AFTER_UNTIL));
            assertThat(number(ds, "gh_revoked_tokens", "seq", "jti", SECOND_JTI)).isNull();

            // the next start changes nothing
            SchemaMigrationResult again = JdbcSchema.migrate(ds);
            assertThat(again.previousVersion()).contains("4");
            assertThat(again.appliedVersions()).isEmpty();
        }
    }

    /** Asserts that the only change after {@code after} is this one, numbered above it; returns its number. */
    private static long assertOneChangeAfter(RevocationStore revocations, long after, Tuple expected) {
        List<RevocationChange> changes = revocations.changesAfter(after);
        assertThat(changes).extracting(RevocationChange::kind, RevocationChange::id, RevocationChange::at, RevocationChange::generation)
                .containsExactly(expected);
        assertThat(changes.get(0).sequence()).isGreaterThan(after);
        return changes.get(0).sequence();
    }

    private static Map<String, String> row(String k1, String v1, String k2, String v2) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put(k1, v1);
        row.put(k2, v2);
        return row;
    }

    /** One column of one row as text (a number), or {@code null}. */
    private static String number(DataSource ds, String table, String column, String keyColumn, String key) {
        List<Map<String, String>> rows = SchemaProbe.rows(ds, table, List.of(keyColumn, column), keyColumn);
        return rows.stream().filter(r -> key.equals(r.get(keyColumn))).findFirst().orElseThrow(() -> new AssertionError(key)).get(column);
    }

    /**
     * A user, two live families, a family ended before the upgrade, two live revoked tokens and an
     * expired one, and the user's cut-off at generation 2: version 3's columns, by plain SQL.
     */
    private static void insertVersion3Rows(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_users (id, email, password_hash, roles, created_at,"
                    + " token_generation, email_verified_at, language) VALUES (?, 'ann@example.org', '$2a$04$ann', 'user', ?, 2, ?, NULL)")) {
                ps.setString(1, ANN);
                setUtc(c, ps, 2, CREATED);
                setUtc(c, ps, 3, CREATED);
                ps.executeUpdate();
            }
            for (String family : List.of(LIVE, ENDED, ENDED_BY_AN_OLD_NODE)) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at,"
                        + " revoked_at, last_used_at, user_agent, client, amr, auth_time) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)")) {
                    ps.setString(1, family);
                    ps.setString(2, ANN);
                    setUtc(c, ps, 3, CREATED);
                    setUtc(c, ps, 4, FAMILY_END);
                    setUtc(c, ps, 5, family.equals(ENDED) ? ENDED_AT : null);
                    setUtc(c, ps, 6, CREATED);
                    ps.executeUpdate();
                }
            }
            for (Map.Entry<String, Instant> revoked : Map.of(FIRST_JTI, FIRST_UNTIL, SECOND_JTI, SECOND_UNTIL, EXPIRED_JTI, EXPIRED_UNTIL)
                    .entrySet()) {
                insertRevokedToken(c, revoked.getKey(), revoked.getValue());
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_user_revocations (user_id, min_generation, revoked_at) VALUES (?, 2, ?)")) {
                ps.setString(1, ANN);
                setUtc(c, ps, 2, CUT_AT);
                ps.executeUpdate();
            }
        }
    }

    /** Ends a family by version 3's statement (JdbcRefreshTokenStore.revokeFamily of that release), which sets no number. */
    private static void endFamilyAsVersion3Does(DataSource ds, String familyId, Instant at) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE gh_refresh_families SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL")) {
            setUtc(c, ps, 1, at);
            ps.setString(2, familyId);
            assertThat(ps.executeUpdate()).isOne();
        }
    }

    /** A token revoked by plain SQL of version 3's columns, as a node of version 3 writes it. */
    private static void insertRevokedToken(DataSource ds, String jti, Instant until) throws SQLException {
        try (Connection c = ds.getConnection()) {
            insertRevokedToken(c, jti, until);
        }
    }

    private static void insertRevokedToken(Connection c, String jti, Instant until) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES (?, ?)")) {
            ps.setString(1, jti);
            setUtc(c, ps, 2, until);
            ps.executeUpdate();
        }
    }

    /** Binds an instant as UTC: with its offset for PostgreSQL's TIMESTAMPTZ, as a UTC wall-clock time for H2's and MariaDB's columns. */
    private static void setUtc(Connection c, PreparedStatement ps, int index, Instant instant) throws SQLException {
        boolean postgres = c.getMetaData().getDatabaseProductName().equals("PostgreSQL");
        if (instant == null) {
            ps.setNull(index, postgres ? Types.TIMESTAMP_WITH_TIMEZONE : Types.TIMESTAMP);
        } else if (postgres) {
            ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        } else {
            ps.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    /** Every row of the tables version 4 changes, version 3's columns only, as text. */
    private static Map<String, List<Map<String, String>>> snapshot(DataSource ds) {
        Map<String, List<Map<String, String>>> rows = new LinkedHashMap<>();
        ORDER.forEach((table, orderBy) -> rows.put(table, SchemaProbe.rows(ds, table, SchemaProbe.VERSION_3_TABLES.get(table), orderBy)));
        return rows;
    }

    private static List<String> withHistory(Collection<String> tables) {
        List<String> all = new ArrayList<>(tables);
        all.add(JdbcSchema.HISTORY_TABLE);
        return all;
    }
}
