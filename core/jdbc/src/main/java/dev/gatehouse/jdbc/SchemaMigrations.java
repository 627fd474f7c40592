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

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.auth.store.StoreUnavailableException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Runs Gatehouse's migrations with Flyway, and decides how a database without a schema history
 * starts: with no Gatehouse table it gets every version; with the tables that Gatehouse created
 * before the schema had versions it is adopted as version 1 (a baseline), but only when every
 * table and column of version 1 is there; anything else is refused.
 *
 * <p>That first start is serialised across nodes by a lock of the database's own (a PostgreSQL
 * advisory lock, a MariaDB named lock; for H2, which lives in one JVM, a lock of the JVM's), held
 * on a connection of its own while Flyway runs on others: Flyway locks its migrations, but not
 * its decision to record a baseline. Once the history exists, Flyway's own lock is enough.
 */
final class SchemaMigrations {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);

    /** How long a node waits for another node's first migration, in seconds; also bounds each inspection query. */
    static final int LOCK_TIMEOUT_SECONDS = 60;
    /** First key of the PostgreSQL advisory lock ("gate"); the second is a hash of the schema's name. */
    private static final int POSTGRESQL_LOCK_CLASS = 0x67617465;
    /** MariaDB's named lock, one per database (lock names are global to the server, and at most 64 characters). */
    private static final String MARIADB_LOCK_NAME = "CONCAT('gatehouse_schema_', MD5(COALESCE(DATABASE(), '')))";
    /** Serialises first migrations of H2 databases, which have no named lock. */
    private static final ReentrantLock H2_LOCK = new ReentrantLock();

    /** The baseline that adopts the tables of the time before versions. */
    static final String ADOPTED_DESCRIPTION = "gatehouse (tables created before versions, adopted)";
    /**
     * The baseline below version 1, recorded when the schema already holds other tables than
     * Gatehouse's (Flyway refuses to migrate a schema that is not empty without one).
     */
    static final String BEFORE_GATEHOUSE_DESCRIPTION = "before gatehouse (other tables only)";

    /** Every table of version 1 with its columns: what a database from before versions must hold to be adopted. */
    static final Map<String, List<String>> VERSION_1_TABLES = version1Tables();

    private static Map<String, List<String>> version1Tables() {
        Map<String, List<String>> t = new LinkedHashMap<>();
        t.put("gh_users", List.of("id", "email", "password_hash", "roles", "created_at", "token_generation"));
        t.put("gh_refresh_families", List.of("family_id", "user_id", "created_at", "expires_at", "revoked_at"));
        t.put("gh_refresh_tokens", List.of("token_hash", "family_id", "parent_hash", "user_id", "issued_at", "expires_at",
                "family_expires_at", "used_at", "revoked_at"));
        t.put("gh_refresh_seals", List.of("token_hash", "seal", "sealed_at"));
        t.put("gh_revoked_tokens", List.of("jti", "expires_at"));
        t.put("gh_user_revocations", List.of("user_id", "min_generation", "revoked_at"));
        t.put("gh_login_buckets", List.of("bucket_key", "tat", "last_success_at"));
        t.put("gh_signing_keys", List.of("kid", "generation", "alg", "public_jwk", "private_key", "created_at",
                "activates_at", "retired_at", "revoked_at", "row_mac"));
        return Collections.unmodifiableMap(t);
    }

    /** How a migration starts. */
    enum Start {
        /** The history table exists: Flyway applies what is missing. */
        VERSIONED,
        /** No history and no Gatehouse table: every version is applied. */
        FRESH,
        /** No history, and the tables of version 1: they are recorded as version 1. */
        ADOPT
    }

    /** The Gatehouse tables (and history table) of the current schema, each with its columns, lower case. */
    record Inspection(Map<String, Set<String>> columns) {
        boolean hasHistory() {
            return columns.containsKey(JdbcSchema.HISTORY_TABLE);
        }
    }

    private SchemaMigrations() {
    }

    /** See {@link JdbcSchema#migrate(DataSource)}. */
    static SchemaMigrationResult migrate(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        Dialect dialect;
        try (Connection c = dataSource.getConnection()) {
            dialect = Dialect.detect(c);
            if (!inspect(c, dialect).hasHistory()) {
                return firstMigration(dataSource, c, dialect);
            }
        } catch (SQLException e) {
            throw Jdbc.unavailable("migrate the Gatehouse schema", e);
        }
        return run(dataSource, dialect, Start.VERSIONED);
    }

    /** See {@link JdbcSchema#flywayConfiguration(DataSource)}. */
    static FluentConfiguration flywayConfiguration(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialect.detect(c);
            return configuration(dataSource, dialect, decide(inspect(c, dialect), dialect));
        } catch (SQLException e) {
            throw Jdbc.unavailable("inspect the Gatehouse schema", e);
        }
    }

    /** See {@link JdbcSchema#version(DataSource)}. */
    static Optional<String> version(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        Dialect dialect;
        try (Connection c = dataSource.getConnection()) {
            dialect = Dialect.detect(c);
        } catch (SQLException e) {
            throw Jdbc.unavailable("read the Gatehouse schema version", e);
        }
        try {
            MigrationInfo current = baseConfiguration(dataSource, dialect).load().info().current();
            return current == null || current.getVersion() == null
                    ? Optional.empty() : Optional.of(current.getVersion().getVersion());
        } catch (FlywayException e) {
            throw translate("read the Gatehouse schema version", e);
        }
    }

    /** The first migration of a database without history, under the schema lock, held on {@code c}. */
    private static SchemaMigrationResult firstMigration(DataSource dataSource, Connection c, Dialect dialect) throws SQLException {
        switch (dialect) {
            case POSTGRESQL -> {
                boolean wasAutoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                SchemaMigrationResult result;
                try {
                    // a transaction's advisory lock ends with the transaction, however this one ends
                    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(COALESCE(current_schema(), '')))")) {
                        lock.setQueryTimeout(LOCK_TIMEOUT_SECONDS);
                        lock.setInt(1, POSTGRESQL_LOCK_CLASS);
                        lock.execute();
                    }
                    result = decideAndRun(dataSource, c, dialect);
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                        c.setAutoCommit(wasAutoCommit);
                    } catch (SQLException rollbackFailure) {
                        e.addSuppressed(rollbackFailure);
                    }
                    throw e;
                }
                c.rollback(); // nothing was written on this connection: this ends the lock
                c.setAutoCommit(wasAutoCommit);
                return result;
            }
            case MARIADB -> {
                try (PreparedStatement lock = c.prepareStatement("SELECT GET_LOCK(" + MARIADB_LOCK_NAME + ", ?)")) {
                    lock.setQueryTimeout(LOCK_TIMEOUT_SECONDS + 5);
                    lock.setInt(1, LOCK_TIMEOUT_SECONDS);
                    try (ResultSet rs = lock.executeQuery()) {
                        if (!rs.next() || rs.getInt(1) != 1) {
                            throw lockTimeout();
                        }
                    }
                }
                try {
                    return decideAndRun(dataSource, c, dialect);
                } finally {
                    try (PreparedStatement release = c.prepareStatement("SELECT RELEASE_LOCK(" + MARIADB_LOCK_NAME + ")")) {
                        release.setQueryTimeout(LOCK_TIMEOUT_SECONDS);
                        release.execute();
                    } catch (SQLException e) {
                        // Only a node that finds no history waits for this lock, and a success leaves
                        // one; after a failure the lock lasts until the pool closes this connection.
                        LOG.warn("Could not release the Gatehouse schema lock: {}", e.toString());
                    }
                }
            }
            default -> { // H2
                try {
                    if (!H2_LOCK.tryLock(LOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        throw lockTimeout();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailableException("Interrupted while waiting for the Gatehouse schema lock", e);
                }
                try {
                    return decideAndRun(dataSource, c, dialect);
                } finally {
                    H2_LOCK.unlock();
                }
            }
        }
    }

    private static StoreUnavailableException lockTimeout() {
        return new StoreUnavailableException("Database unavailable or failed: another node held the Gatehouse schema lock for more than "
                + LOCK_TIMEOUT_SECONDS + " s", null);
    }

    /** Looks again (another node may have migrated while this one waited for the lock), then migrates. */
    private static SchemaMigrationResult decideAndRun(DataSource dataSource, Connection c, Dialect dialect) throws SQLException {
        return run(dataSource, dialect, decide(inspect(c, dialect), dialect));
    }

    private static SchemaMigrationResult run(DataSource dataSource, Dialect dialect, Start start) {
        MigrateResult result;
        Flyway flyway = configuration(dataSource, dialect, start).load();
        try {
            result = flyway.migrate();
        } catch (FlywayException e) {
            throw translate("migrate the Gatehouse schema", e);
        }
        List<String> applied = new ArrayList<>();
        for (MigrateOutput m : result.migrations) {
            if (m.version != null && !m.version.isEmpty()) {
                applied.add(m.version);
            }
        }
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        if (version == null) {
            throw new IllegalStateException("Flyway reported no Gatehouse schema version after migrating");
        }
        SchemaMigrationResult outcome = new SchemaMigrationResult(
                Optional.ofNullable(start == Start.VERSIONED ? result.initialSchemaVersion : null), version, applied,
                start == Start.ADOPT);
        if (outcome.adopted()) {
            LOG.info("Gatehouse schema: the tables created before versions are recorded as version {} in {}",
                    version, JdbcSchema.HISTORY_TABLE);
        }
        if (!applied.isEmpty()) {
            LOG.info("Gatehouse schema: applied {} of {}, now at version {}", applied, dialect, version);
        } else if (!outcome.adopted()) {
            LOG.debug("Gatehouse schema: at version {}, nothing to apply", version);
        }
        return outcome;
    }

    /**
     * Where a database without history starts.
     *
     * @throws ConfigurationException when it holds some of Gatehouse's tables, but not all of
     *                                version 1's tables and columns
     */
    static Start decide(Inspection inspection, Dialect dialect) {
        if (inspection.hasHistory()) {
            return Start.VERSIONED;
        }
        List<String> present = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, List<String>> table : VERSION_1_TABLES.entrySet()) {
            Set<String> columns = inspection.columns().get(table.getKey());
            if (columns == null) {
                missing.add(table.getKey());
                continue;
            }
            present.add(table.getKey());
            for (String column : table.getValue()) {
                if (!columns.contains(column)) {
                    missing.add(table.getKey() + "." + column);
                }
            }
        }
        if (present.isEmpty()) {
            return Start.FRESH;
        }
        if (missing.isEmpty()) {
            return Start.ADOPT;
        }
        throw new ConfigurationException("dataSource", "the database holds Gatehouse tables (" + String.join(", ", present)
                + ") but no " + JdbcSchema.HISTORY_TABLE + ", and they are not the schema that Gatehouse created before the schema"
                + " had versions: " + String.join(", ", missing) + " missing. Only that schema is adopted as version 1;"
                + " complete it with version 1's script (" + JdbcSchema.location(dialect) + "/V1__gatehouse.sql, every"
                + " statement of which is CREATE ... IF NOT EXISTS) after adding any missing column, or move the tables away,"
                + " then start again");
    }

    /** The Gatehouse tables and the history table of the connection's current schema, with their columns. */
    static Inspection inspect(Connection c, Dialect dialect) throws SQLException {
        String currentSchema = switch (dialect) {
            case POSTGRESQL -> "current_schema()";
            case MARIADB -> "DATABASE()";
            case H2 -> "CURRENT_SCHEMA";
        };
        List<String> tables = new ArrayList<>(VERSION_1_TABLES.keySet());
        tables.add(JdbcSchema.HISTORY_TABLE);
        String sql = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = " + currentSchema
                + " AND LOWER(table_name) IN (" + String.join(", ", Collections.nCopies(tables.size(), "?")) + ")";
        Map<String, Set<String>> columns = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(LOCK_TIMEOUT_SECONDS);
            for (int i = 0; i < tables.size(); i++) {
                ps.setString(i + 1, tables.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getString(1).toLowerCase(Locale.ROOT), t -> new HashSet<>())
                            .add(rs.getString(2).toLowerCase(Locale.ROOT));
                }
            }
        }
        return new Inspection(columns);
    }

    /** Flyway configured for Gatehouse's migrations of this dialect, and for how this database starts. */
    static FluentConfiguration configuration(DataSource dataSource, Dialect dialect, Start start) {
        FluentConfiguration configuration = baseConfiguration(dataSource, dialect);
        return switch (start) {
            case ADOPT -> configuration.baselineOnMigrate(true).baselineVersion("1").baselineDescription(ADOPTED_DESCRIPTION);
            // Matters only when the schema holds the application's tables: Flyway then needs a baseline, below 1
            case FRESH -> configuration.baselineOnMigrate(true).baselineVersion("0").baselineDescription(BEFORE_GATEHOUSE_DESCRIPTION);
            case VERSIONED -> configuration;
        };
    }

    /**
     * Flyway on Gatehouse's own locations and history table, and nothing of the application's: no
     * placeholders, no SQL callbacks found on the class path, no schema created, never a clean
     * (which would drop every table of the schema, the application's too).
     */
    static FluentConfiguration baseConfiguration(DataSource dataSource, Dialect dialect) {
        return Flyway.configure(SchemaMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(JdbcSchema.location(dialect))
                .table(JdbcSchema.HISTORY_TABLE)
                .failOnMissingLocations(true)
                .placeholderReplacement(false)
                .skipDefaultCallbacks(true)
                .createSchemas(false)
                .cleanDisabled(true);
    }

    /**
     * A database that failed or could not be reached is unavailable, as for every store; anything
     * else Flyway refuses (a changed or failed version in the history) needs an operator.
     */
    private static RuntimeException translate(String operation, FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return new StoreUnavailableException("Database unavailable or failed: could not " + operation, e);
            }
        }
        return new ConfigurationException("dataSource", "could not " + operation + " (history table "
                + JdbcSchema.HISTORY_TABLE + "): " + e.getMessage(), e);
    }
}
