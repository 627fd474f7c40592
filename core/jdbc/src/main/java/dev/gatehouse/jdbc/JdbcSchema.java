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

import dev.gatehouse.auth.store.StoreUnavailableException;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The tables of the JDBC stores: {@code gh_users}, {@code gh_refresh_families},
 * {@code gh_refresh_tokens}, {@code gh_refresh_seals}, {@code gh_revoked_tokens},
 * {@code gh_user_revocations}, {@code gh_login_buckets} and {@code gh_signing_keys} (the keys of
 * {@link dev.gatehouse.jdbc.keys.ManagedKeySource}), in versions that Flyway applies and records in
 * a history table of Gatehouse's own, {@value #HISTORY_TABLE}.
 *
 * <p>{@link #migrate(DataSource)} (or {@link #createIfAbsent(DataSource)}) at every start, from
 * every node, brings the schema to this release's version: an empty database gets every version,
 * a database at this version gets nothing, and a database whose tables an earlier Gatehouse
 * created before the schema had versions is recorded as version 1 without a change, provided it
 * holds every table and column of version 1. An application that runs its migrations with its own
 * Flyway runs Gatehouse's with a second Flyway from {@link #flywayConfiguration(DataSource)}. The
 * migrations are class-path resources in {@code db/gatehouse-migration/h2}, {@code .../postgresql}
 * and {@code .../mariadb} ({@link #location(Dialect)}): a folder whose name is no Java package, so
 * that no module encapsulates them.
 */
public final class JdbcSchema {
    /**
     * The table in which Flyway records the versions of Gatehouse's schema, beside the application's
     * own tables and apart from its own Flyway history ({@code flyway_schema_history}).
     */
    public static final String HISTORY_TABLE = "gh_schema_history";

    /** Where the migrations of every dialect are, under the class path's root. */
    private static final String MIGRATIONS = "db/gatehouse-migration/";

    private JdbcSchema() {
    }

    /**
     * Brings the schema of the database behind {@code dataSource} to this release's version:
     * {@link #migrate(DataSource)}, for callers that need no report.
     *
     * @throws StoreUnavailableException when the database cannot be reached or refuses a migration
     * @throws dev.gatehouse.token.ConfigurationException for an unsupported database, for tables this
     *                                                   release cannot adopt, or for a history that
     *                                                   Flyway refuses (see {@link #migrate(DataSource)})
     */
    public static void createIfAbsent(DataSource dataSource) {
        migrate(dataSource);
    }

    /**
     * Brings the schema of the database behind {@code dataSource} to this release's version with
     * Flyway, and says what it did. Safe to run at every start, on every node at once:
     * <ul>
     *   <li>with {@value #HISTORY_TABLE} present, Flyway applies the versions that are missing, under
     *       its own lock, and nothing when there are none (a newer version recorded by a newer node
     *       is left alone);</li>
     *   <li>without it, under a lock of the database (PostgreSQL advisory lock, MariaDB named lock;
     *       for H2 a lock of this JVM): a schema without Gatehouse tables gets every version (a
     *       schema that holds the application's tables first gets a baseline at version 0); a schema
     *       with every table and column of version 1, as Gatehouse created them before the schema had
     *       versions, is recorded as version 1 (a baseline) and keeps every row; any other set of
     *       Gatehouse tables is refused.</li>
     * </ul>
     * A first migration holds one connection for the lock while Flyway uses up to two more.
     * On PostgreSQL a failed version is rolled back; H2 and MariaDB commit each DDL
     * statement on its own, and Flyway records the failure (see docs/operations.md).
     *
     * @throws StoreUnavailableException when the database cannot be reached, fails a statement, or
     *                                   another node held the lock for more than a minute
     * @throws dev.gatehouse.token.ConfigurationException (setting {@code dataSource}) for an
     *                                                   unsupported database, for Gatehouse tables
     *                                                   that are not version 1's, or for a history
     *                                                   that Flyway refuses (a changed or failed
     *                                                   version)
     */
    public static SchemaMigrationResult migrate(DataSource dataSource) {
        return SchemaMigrations.migrate(dataSource);
    }

    /**
     * A Flyway configuration for Gatehouse's migrations on {@code dataSource}, for an application
     * that runs migrations with Flyway itself: {@code JdbcSchema.flywayConfiguration(ds).load().migrate()}.
     * It has Gatehouse's {@link #location(Dialect) location} and {@link #HISTORY_TABLE history table},
     * so it never reads or writes the application's own history, and the baseline that the database
     * needs as it is now (see {@link #migrate(DataSource)}): build it just before migrating. It
     * takes no lock of its own before Flyway decides on a baseline, so on the first start of nodes
     * that start at once prefer {@link #migrate(DataSource)}. Anything may be added to it; change
     * neither its locations nor its table.
     *
     * @throws StoreUnavailableException when the database cannot be reached
     * @throws dev.gatehouse.token.ConfigurationException for an unsupported database, or for Gatehouse
     *                                                   tables that are not version 1's
     */
    public static FluentConfiguration flywayConfiguration(DataSource dataSource) {
        return SchemaMigrations.flywayConfiguration(dataSource);
    }

    /**
     * The Flyway location of a dialect's migrations, {@code classpath:db/gatehouse-migration/<dialect>}
     * ({@code h2}, {@code postgresql} or {@code mariadb}).
     */
    public static String location(Dialect dialect) {
        Objects.requireNonNull(dialect, "dialect");
        return "classpath:" + MIGRATIONS + dialect.migrationFolder();
    }

    /**
     * The schema version recorded in {@value #HISTORY_TABLE}, for example {@code "1"}; empty when
     * there is none (no Gatehouse tables yet, or tables not yet adopted).
     *
     * @throws StoreUnavailableException when the database cannot be reached
     */
    public static Optional<String> version(DataSource dataSource) {
        return SchemaMigrations.version(dataSource);
    }

    /**
     * Version 1 of the schema for a dialect: statements end with a semicolon at the end of a line,
     * and lines starting with {@code --} are comments. Every statement is
     * {@code CREATE ... IF NOT EXISTS}.
     *
     * @deprecated The schema has versions: this is only the first. Run the migrations with
     *             {@link #migrate(DataSource)}, or with Flyway on {@link #location(Dialect)} and
     *             {@link #HISTORY_TABLE} ({@link #flywayConfiguration(DataSource)}), which also
     *             record the version. Tables created from this script alone are adopted as version 1
     *             at the next {@link #migrate(DataSource)}, which then applies the later versions.
     */
    @Deprecated
    public static String script(Dialect dialect) {
        Objects.requireNonNull(dialect, "dialect");
        String resource = "/" + MIGRATIONS + dialect.migrationFolder() + "/V1__gatehouse.sql";
        try (InputStream in = JdbcSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The statements of a script: comment lines dropped, split at semicolons that end a line. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\r?\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                statements.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().trim());
        }
        return List.copyOf(statements);
    }
}
