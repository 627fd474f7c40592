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

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Reads a test database the way an operator would, through JDBC's metadata and plain queries,
 * never through the code under test: its tables and columns, the shape of Gatehouse's tables,
 * the rows of the schema history and of any table.
 */
final class SchemaProbe {
    /** The version of the schema that this release migrates to. */
    static final String LATEST_VERSION = "4";

    /** Every version of this release, oldest first; the last is {@link #LATEST_VERSION}. */
    static final List<String> VERSIONS = List.of("1", "2", "3", "4");

    /**
     * The rows {@link #history} shows for each version of {@link #VERSIONS} applied by its script
     * ({@code V1__gatehouse.sql}, {@code V2__account_lifecycle.sql}, {@code V3__sessions_and_second_factor.sql},
     * {@code V4__numbered_revocations.sql}), in the same order.
     */
    static final List<String> APPLIED_HISTORY = List.of("1|gatehouse|SQL|true", "2|account lifecycle|SQL|true",
            "3|sessions and second factor|SQL|true", "4|numbered revocations|SQL|true");

    /** The row {@link #history} shows for tables of the release before versions, adopted as version 1. */
    static final String ADOPTED_VERSION_1 = "1|" + SchemaMigrations.ADOPTED_DESCRIPTION + "|BASELINE|true";

    /**
     * Version 1's tables and columns, as the release before versions created them (its scripts),
     * in foreign-key order: a table comes after the tables it refers to.
     */
    static final Map<String, List<String>> VERSION_1_TABLES;

    /** Every table and column of version 2 (the history table aside). */
    static final Map<String, List<String>> VERSION_2_TABLES;

    /** Every table and column of version 3 (the history table aside). */
    static final Map<String, List<String>> VERSION_3_TABLES;

    /** Every table and column of the {@link #LATEST_VERSION latest version} (the history table aside). */
    static final Map<String, List<String>> LATEST_TABLES;

    static {
        Map<String, List<String>> v1 = new LinkedHashMap<>();
        v1.put("gh_users", List.of("id", "email", "password_hash", "roles", "created_at", "token_generation"));
        v1.put("gh_refresh_families", List.of("family_id", "user_id", "created_at", "expires_at", "revoked_at"));
        v1.put("gh_refresh_tokens", List.of("token_hash", "family_id", "parent_hash", "user_id", "issued_at", "expires_at",
                "family_expires_at", "used_at", "revoked_at"));
        v1.put("gh_refresh_seals", List.of("token_hash", "seal", "sealed_at"));
        v1.put("gh_revoked_tokens", List.of("jti", "expires_at"));
        v1.put("gh_user_revocations", List.of("user_id", "min_generation", "revoked_at"));
        v1.put("gh_login_buckets", List.of("bucket_key", "tat", "last_success_at"));
        v1.put("gh_signing_keys", List.of("kid", "generation", "alg", "public_jwk", "private_key", "created_at", "activates_at",
                "retired_at", "revoked_at", "row_mac"));
        VERSION_1_TABLES = Collections.unmodifiableMap(v1);

        // version 2: proven emails and languages, single-use account tokens, the mail outbox
        Map<String, List<String>> v2 = new LinkedHashMap<>(v1);
        List<String> users = new ArrayList<>(v1.get("gh_users"));
        users.add("email_verified_at");
        users.add("language");
        v2.put("gh_users", List.copyOf(users));
        v2.put("gh_account_tokens", List.of("token_hash", "user_id", "purpose", "email", "created_at", "expires_at"));
        v2.put("gh_mail_outbox", List.of("message_id", "kind", "recipient", "subject", "text_body", "html_body", "dedupe_key",
                "created_at", "next_attempt_at", "attempts", "claim", "claimed_until", "sent_at", "given_up_at", "last_error"));
        VERSION_2_TABLES = Collections.unmodifiableMap(v2);

        // version 3: what a session shows (last use, user agent, client, amr and auth_time), the second factor
        Map<String, List<String>> v3 = new LinkedHashMap<>(v2);
        List<String> families = new ArrayList<>(v2.get("gh_refresh_families"));
        families.addAll(List.of("last_used_at", "user_agent", "client", "amr", "auth_time"));
        v3.put("gh_refresh_families", List.copyOf(families));
        v3.put("gh_mfa_totp", List.of("user_id", "secret", "created_at", "confirmed_at", "last_step"));
        v3.put("gh_mfa_recovery_codes", List.of("user_id", "code_hash", "created_at", "used_at"));
        v3.put("gh_mfa_challenges", List.of("token_hash", "user_id", "created_at", "expires_at", "failures", "used_at"));
        VERSION_3_TABLES = Collections.unmodifiableMap(v3);

        // version 4: every revocation numbered (a token revoked, a cut-off set, a family revoked)
        Map<String, List<String>> v4 = new LinkedHashMap<>(v3);
        v4.put("gh_revoked_tokens", List.of("jti", "expires_at", "seq"));
        v4.put("gh_user_revocations", List.of("user_id", "min_generation", "revoked_at", "seq"));
        List<String> numberedFamilies = new ArrayList<>(v3.get("gh_refresh_families"));
        numberedFamilies.add("revoked_seq");
        v4.put("gh_refresh_families", List.copyOf(numberedFamilies));
        LATEST_TABLES = Collections.unmodifiableMap(v4);
    }

    private SchemaProbe() {
    }

    /** The history rows of the versions after {@code version}, as applied by their scripts. */
    static List<String> appliedAfter(String version) {
        return APPLIED_HISTORY.subList(VERSIONS.indexOf(version) + 1, VERSIONS.size());
    }

    /** The versions after {@code version}, oldest first. */
    static List<String> versionsAfter(String version) {
        return VERSIONS.subList(VERSIONS.indexOf(version) + 1, VERSIONS.size());
    }

    /** A fresh database of a product: "H2", "PostgreSQL" or "MariaDB". */
    static Database database(String product) {
        return TestDatabases.of(product);
    }

    /** The tables of the connection's current schema (lower case) with their columns (lower case, in order). */
    static Map<String, List<String>> tables(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            Map<String, List<String>> tables = new TreeMap<>();
            for (String table : tableNames(c)) {
                List<String> columns = new ArrayList<>();
                try (ResultSet rs = meta.getColumns(c.getCatalog(), c.getSchema(), table, "%")) {
                    while (rs.next()) {
                        columns.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                    }
                }
                tables.put(table.toLowerCase(Locale.ROOT), columns);
            }
            return tables;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Every column (type, size, nullability, default), primary key, index and foreign key of the
     * {@code gh_} tables other than the history, one line each, sorted: equal shapes, equal schemas.
     */
    static List<String> shape(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            List<String> lines = new ArrayList<>();
            for (String table : tableNames(c)) {
                String t = table.toLowerCase(Locale.ROOT);
                if (!t.startsWith("gh_") || t.equals(JdbcSchema.HISTORY_TABLE)) {
                    continue;
                }
                try (ResultSet rs = meta.getColumns(c.getCatalog(), c.getSchema(), table, "%")) {
                    while (rs.next()) {
                        lines.add(t + " column " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT) + " " + rs.getString("TYPE_NAME")
                                + "(" + rs.getInt("COLUMN_SIZE") + "," + rs.getInt("DECIMAL_DIGITS") + ") nullable="
                                + rs.getString("IS_NULLABLE") + " default=" + withoutDatabaseName(c, rs.getString("COLUMN_DEF")));
                    }
                }
                try (ResultSet rs = meta.getPrimaryKeys(c.getCatalog(), c.getSchema(), table)) {
                    while (rs.next()) {
                        lines.add(t + " primary key " + rs.getString("PK_NAME") + " " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT)
                                + " #" + rs.getInt("KEY_SEQ"));
                    }
                }
                try (ResultSet rs = meta.getIndexInfo(c.getCatalog(), c.getSchema(), table, false, false)) {
                    while (rs.next()) {
                        if (rs.getString("INDEX_NAME") == null) {
                            continue; // table statistics
                        }
                        lines.add(t + " index " + rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT) + " unique="
                                + !rs.getBoolean("NON_UNIQUE") + " " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT)
                                + " #" + rs.getInt("ORDINAL_POSITION"));
                    }
                }
                try (ResultSet rs = meta.getImportedKeys(c.getCatalog(), c.getSchema(), table)) {
                    while (rs.next()) {
                        lines.add(t + " foreign key " + rs.getString("FK_NAME") + " " + rs.getString("FKCOLUMN_NAME").toLowerCase(Locale.ROOT)
                                + " -> " + rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT) + "."
                                + rs.getString("PKCOLUMN_NAME").toLowerCase(Locale.ROOT) + " on delete " + rs.getInt("DELETE_RULE"));
                    }
                }
            }
            lines.sort(null);
            return lines;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A column default with the test database's random name made anonymous: MariaDB names the
     * database in a default that takes a sequence's next value ({@code nextval(`gh_test_...`.`gh_revocation_seq`)}).
     */
    private static String withoutDatabaseName(Connection c, String columnDefault) throws SQLException {
        if (columnDefault == null) {
            return null;
        }
        String named = columnDefault;
        for (String name : new String[] {c.getCatalog(), c.getSchema()}) {
            if (name != null && !name.isEmpty() && name.startsWith("gh_test_")) {
                named = named.replace(name, "<database>");
            }
        }
        return named;
    }

    /**
     * A {@link #shape} with the names that H2 generates for the indexes behind primary keys and
     * constraints ({@code primary_key_5}, {@code gh_users_email_uq_index_5}) made anonymous: H2
     * numbers them by creation, and gives them new numbers when {@code ALTER TABLE} rebuilds a table.
     */
    static List<String> withoutGeneratedIndexNames(List<String> shape) {
        List<String> lines = new ArrayList<>();
        for (String line : shape) {
            lines.add(line.replaceAll("\\b(primary_key|[a-z0-9_]+_index)_[0-9a-f]+\\b", "$1_#"));
        }
        lines.sort(null);
        return lines;
    }

    private static List<String> tableNames(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                names.add(rs.getString("TABLE_NAME"));
            }
        }
        return names;
    }

    /**
     * The rows of {@value JdbcSchema#HISTORY_TABLE} that record a version, oldest first, as
     * {@code version|description|type|success}.
     */
    static List<String> history(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String q = c.getMetaData().getIdentifierQuoteString().trim();
            String sql = "SELECT " + q + "version" + q + ", " + q + "description" + q + ", " + q + "type" + q + ", "
                    + q + "success" + q + " FROM " + q + JdbcSchema.HISTORY_TABLE + q + " WHERE " + q + "version" + q
                    + " IS NOT NULL ORDER BY " + q + "installed_rank" + q;
            List<String> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getBoolean(4));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** Every row of a table, every column as text, in the order of {@code orderBy}. */
    static List<Map<String, String>> rows(DataSource dataSource, String table, String orderBy) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM " + table + " ORDER BY " + orderBy);
             ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new AssertionError(table, e);
        }
    }

    /** Every row of a table, the given columns only, each as text, in the order of {@code orderBy}. */
    static List<Map<String, String>> rows(DataSource dataSource, String table, List<String> columns, String orderBy) {
        return rows(dataSource, "(SELECT " + String.join(", ", columns) + " FROM " + table + ") t", orderBy);
    }

    /** {@link #rows} of a table that Flyway created, whose name and columns are quoted (lower case on H2 too). */
    static List<Map<String, String>> quotedRows(DataSource dataSource, String table, String orderBy) {
        String q;
        try (Connection c = dataSource.getConnection()) {
            q = c.getMetaData().getIdentifierQuoteString().trim();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return rows(dataSource, q + table + q, q + orderBy + q);
    }

    /** Runs statements, each on its own (auto-commit). */
    static void execute(DataSource dataSource, String... sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new AssertionError(String.join("; ", sql), e);
        }
    }
}
