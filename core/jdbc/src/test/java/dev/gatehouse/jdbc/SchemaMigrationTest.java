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
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The versioned schema on H2, PostgreSQL and MariaDB: what {@link JdbcSchema#migrate} does for
 * each way a database can start (empty, at the current version, with the application's own tables
 * and Flyway history, with the tables of the release before versions, with tables it cannot
 * adopt), nodes starting at once, and an application's own Flyway running Gatehouse's migrations.
 */
class SchemaMigrationTest {
    /** Version 1's tables and columns, as the release before versions created them (its scripts). */
    private static final Map<String, List<String>> VERSION_1 = Map.of(
            "gh_users", List.of("id", "email", "password_hash", "roles", "created_at", "token_generation"),
            "gh_refresh_families", List.of("family_id", "user_id", "created_at", "expires_at", "revoked_at"),
            "gh_refresh_tokens", List.of("token_hash", "family_id", "parent_hash", "user_id", "issued_at", "expires_at",
                    "family_expires_at", "used_at", "revoked_at"),
            "gh_refresh_seals", List.of("token_hash", "seal", "sealed_at"),
            "gh_revoked_tokens", List.of("jti", "expires_at"),
            "gh_user_revocations", List.of("user_id", "min_generation", "revoked_at"),
            "gh_login_buckets", List.of("bucket_key", "tat", "last_success_at"),
            "gh_signing_keys", List.of("kid", "generation", "alg", "public_jwk", "private_key", "created_at", "activates_at",
                    "retired_at", "revoked_at", "row_mac"));
    private static final String APPLIED_V1 = "1|gatehouse|SQL|true";

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void anEmptyDatabaseGetsVersionOneAndItsHistory(String product) {
        try (Database db = SchemaProbe.database(product)) {
            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.previousVersion()).isEmpty();
            assertThat(result.version()).isEqualTo("1");
            assertThat(result.appliedVersions()).containsExactly("1");
            assertThat(result.adopted()).isFalse();
            Map<String, List<String>> tables = SchemaProbe.tables(db.dataSource());
            VERSION_1.forEach((table, columns) -> assertThat(tables).as(table).containsEntry(table, columns));
            assertThat(tables).containsKey("gh_schema_history").hasSize(VERSION_1.size() + 1);
            assertThat(SchemaProbe.history(db.dataSource())).containsExactly(APPLIED_V1);
            assertThat(JdbcSchema.version(db.dataSource())).contains("1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aDatabaseAtTheCurrentVersionGetsNothing(String product) {
        try (Database db = SchemaProbe.database(product)) {
            JdbcSchema.migrate(db.dataSource());
            SchemaProbe.execute(db.dataSource(), "INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES ('kept', "
                    + "TIMESTAMP '2026-11-23 10:00:00')");
            List<String> shape = SchemaProbe.shape(db.dataSource());

            SchemaMigrationResult again = JdbcSchema.migrate(db.dataSource());
            JdbcSchema.createIfAbsent(db.dataSource());

            assertThat(again.previousVersion()).contains("1");
            assertThat(again.version()).isEqualTo("1");
            assertThat(again.appliedVersions()).isEmpty();
            assertThat(again.adopted()).isFalse();
            assertThat(SchemaProbe.history(db.dataSource())).containsExactly(APPLIED_V1);
            assertThat(SchemaProbe.shape(db.dataSource())).isEqualTo(shape);
            assertThat(SchemaProbe.rows(db.dataSource(), "gh_revoked_tokens", "jti")).extracting(r -> r.get("jti"))
                    .containsExactly("kept");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void versionOneCreatesExactlyWhatTheReleaseBeforeVersionsCreated(String product) {
        try (Database previous = SchemaProbe.database(product); Database versioned = SchemaProbe.database(product)) {
            PreviousRelease.createSchema(previous.dataSource());
            JdbcSchema.flywayConfiguration(versioned.dataSource()).target("1").load().migrate();

            List<String> shape = SchemaProbe.shape(previous.dataSource());
            assertThat(shape).as("columns, keys and indexes of eight tables").hasSizeGreaterThan(60);
            assertThat(SchemaProbe.shape(versioned.dataSource())).containsExactlyElementsOf(shape);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void tablesOfTheReleaseBeforeVersionsAreAdoptedAsVersionOneUnchanged(String product) {
        try (Database db = SchemaProbe.database(product)) {
            PreviousRelease.createSchema(db.dataSource());
            List<String> shape = SchemaProbe.shape(db.dataSource());
            assertThat(JdbcSchema.version(db.dataSource())).isEmpty();

            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.adopted()).isTrue();
            assertThat(result.previousVersion()).isEmpty();
            assertThat(result.version()).isEqualTo("1");
            assertThat(result.appliedVersions()).isEmpty();
            assertThat(SchemaProbe.history(db.dataSource()))
                    .containsExactly("1|" + SchemaMigrations.ADOPTED_DESCRIPTION + "|BASELINE|true");
            assertThat(SchemaProbe.shape(db.dataSource())).isEqualTo(shape);
            assertThat(JdbcSchema.version(db.dataSource())).contains("1");

            SchemaMigrationResult again = JdbcSchema.migrate(db.dataSource());
            assertThat(again.adopted()).isFalse();
            assertThat(again.previousVersion()).contains("1");
            assertThat(again.appliedVersions()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void gatehouseTablesThatAreNotVersionOnesAreRefusedAndLeftAlone(String product) {
        try (Database db = SchemaProbe.database(product)) {
            PreviousRelease.createSchema(db.dataSource());
            // an earlier build: no generation counter yet, no seals
            SchemaProbe.execute(db.dataSource(), "ALTER TABLE gh_users DROP COLUMN token_generation", "DROP TABLE gh_refresh_seals");
            Map<String, List<String>> before = SchemaProbe.tables(db.dataSource());

            assertThatThrownBy(() -> JdbcSchema.migrate(db.dataSource()))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("dataSource"))
                    .hasMessageContaining("gh_users.token_generation, gh_refresh_seals missing")
                    .hasMessageContaining("gh_schema_history")
                    .hasMessageContaining(JdbcSchema.location(Dialect.fromProductName(product)));
            assertThatThrownBy(() -> JdbcSchema.flywayConfiguration(db.dataSource()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("gh_users.token_generation");
            assertThat(SchemaProbe.tables(db.dataSource())).isEqualTo(before).doesNotContainKey("gh_schema_history");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aLoneGatehouseTableIsRefusedWithEveryMissingTableNamed(String product) {
        try (Database db = SchemaProbe.database(product)) {
            SchemaProbe.execute(db.dataSource(), "CREATE TABLE gh_users (id VARCHAR(36) NOT NULL, email VARCHAR(254) NOT NULL)");

            assertThatThrownBy(() -> JdbcSchema.migrate(db.dataSource()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("Gatehouse tables (gh_users)")
                    .hasMessageContaining("gh_users.password_hash, gh_users.roles, gh_users.created_at, gh_users.token_generation,"
                            + " gh_refresh_families, gh_refresh_tokens, gh_refresh_seals, gh_revoked_tokens, gh_user_revocations,"
                            + " gh_login_buckets, gh_signing_keys missing");
            assertThat(SchemaProbe.tables(db.dataSource())).containsOnlyKeys("gh_users");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void theApplicationsOwnTablesAndFlywayHistoryAreLeftAlone(String product) {
        try (Database db = SchemaProbe.database(product)) {
            // the application migrates its own schema with Flyway's defaults first
            MigrateResult app = Flyway.configure().dataSource(db.dataSource()).load().migrate();
            assertThat(app.migrationsExecuted).isEqualTo(2);
            SchemaProbe.execute(db.dataSource(), "INSERT INTO app_notes (id, note, author) VALUES (1, 'kept', 'app')");
            List<Map<String, String>> appHistory = SchemaProbe.quotedRows(db.dataSource(), "flyway_schema_history", "installed_rank");

            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.appliedVersions()).containsExactly("1");
            assertThat(result.previousVersion()).isEmpty();
            assertThat(SchemaProbe.history(db.dataSource())).containsExactly(
                    "0|" + SchemaMigrations.BEFORE_GATEHOUSE_DESCRIPTION + "|BASELINE|true", APPLIED_V1);
            assertThat(SchemaProbe.quotedRows(db.dataSource(), "flyway_schema_history", "installed_rank")).isEqualTo(appHistory);
            assertThat(SchemaProbe.rows(db.dataSource(), "app_notes", "id"))
                    .containsExactly(Map.of("id", "1", "note", "kept", "author", "app"));
            assertThat(SchemaProbe.tables(db.dataSource())).containsKeys("gh_users", "gh_signing_keys", "app_notes");
            // and the application's Flyway still finds its history valid and up to date
            assertThat(Flyway.configure().dataSource(db.dataSource()).load().migrate().migrationsExecuted).isZero();
            assertThat(JdbcSchema.migrate(db.dataSource()).appliedVersions()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void theApplicationsOwnFlywayRunsGatehousesMigrationsFromTheConfiguration(String product) {
        try (Database empty = SchemaProbe.database(product); Database previous = SchemaProbe.database(product)) {
            MigrateResult created = JdbcSchema.flywayConfiguration(empty.dataSource()).load().migrate();
            assertThat(created.migrationsExecuted).isEqualTo(1);
            assertThat(SchemaProbe.history(empty.dataSource())).containsExactly(APPLIED_V1);

            PreviousRelease.createSchema(previous.dataSource());
            MigrateResult adopted = JdbcSchema.flywayConfiguration(previous.dataSource()).load().migrate();
            assertThat(adopted.migrationsExecuted).isZero();
            assertThat(SchemaProbe.history(previous.dataSource()))
                    .containsExactly("1|" + SchemaMigrations.ADOPTED_DESCRIPTION + "|BASELINE|true");

            Flyway flyway = JdbcSchema.flywayConfiguration(previous.dataSource()).load();
            assertThat(flyway.getConfiguration().getTable()).isEqualTo("gh_schema_history");
            assertThat(flyway.getConfiguration().getLocations()).extracting(Object::toString)
                    .containsExactly(JdbcSchema.location(Dialect.fromProductName(product)));
            assertThat(flyway.getConfiguration().isCleanDisabled()).isTrue();
            for (DataSource ds : List.of(empty.dataSource(), previous.dataSource())) {
                assertThat(JdbcSchema.migrate(ds).appliedVersions()).isEmpty();
                assertThat(JdbcSchema.version(ds)).contains("1");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void threeNodesStartingAtOnceMigrateOnceWhateverTheDatabaseHeld(String product) throws Exception {
        for (String start : List.of("empty", "application tables", "release before versions")) {
            try (Database db = SchemaProbe.database(product)) {
                if (start.equals("application tables")) {
                    SchemaProbe.execute(db.dataSource(), "CREATE TABLE app_notes (id INT NOT NULL, PRIMARY KEY (id))");
                } else if (start.equals("release before versions")) {
                    PreviousRelease.createSchema(db.dataSource());
                }
                // three nodes, each with a pool of its own, as three processes would have
                List<HikariDataSource> pools = List.of(db.newPool(3), db.newPool(3), db.newPool(3));

                List<StoreContract.Outcome<SchemaMigrationResult>> outcomes =
                        StoreContract.race(3, i -> JdbcSchema.migrate(pools.get(i)));

                assertThat(outcomes).as(start).allSatisfy(o -> assertThat(o.error).as(start).isNull());
                assertThat(outcomes).extracting(o -> o.value.version()).as(start).containsOnly("1");
                boolean adopting = start.equals("release before versions");
                assertThat(outcomes).filteredOn(o -> !o.value.appliedVersions().isEmpty() || o.value.adopted())
                        .as("%s: exactly one node migrates", start).hasSize(1)
                        .allSatisfy(o -> assertThat(o.value.adopted()).isEqualTo(adopting));
                List<String> history = SchemaProbe.history(db.dataSource());
                assertThat(history).as(start).containsExactlyElementsOf(
                        adopting ? List.of("1|" + SchemaMigrations.ADOPTED_DESCRIPTION + "|BASELINE|true")
                                : start.equals("empty") ? List.of(APPLIED_V1)
                                : List.of("0|" + SchemaMigrations.BEFORE_GATEHOUSE_DESCRIPTION + "|BASELINE|true", APPLIED_V1));
                assertThat(SchemaProbe.tables(db.dataSource())).as(start).containsKeys("gh_users", "gh_signing_keys");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aVersionFromANewerReleaseIsLeftAloneDuringARollingUpgrade(String product) {
        try (Database db = SchemaProbe.database(product)) {
            JdbcSchema.migrate(db.dataSource());
            // a node of a newer release applied its version 2
            JdbcSchema.flywayConfiguration(db.dataSource())
                    .locations(JdbcSchema.location(Dialect.fromProductName(product)), "classpath:db/gatehouse-future").load().migrate();

            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.previousVersion()).contains("2");
            assertThat(result.version()).isEqualTo("2");
            assertThat(result.appliedVersions()).isEmpty();
            assertThat(JdbcSchema.version(db.dataSource())).contains("2");
            assertThat(SchemaProbe.history(db.dataSource())).containsExactly(APPLIED_V1, "2|from a newer release|SQL|true");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aVersionChangedAfterItWasAppliedIsRefused(String product) {
        try (Database db = SchemaProbe.database(product)) {
            JdbcSchema.migrate(db.dataSource());
            String q = product.equals("MariaDB") ? "`" : "\"";
            SchemaProbe.execute(db.dataSource(), "UPDATE " + q + "gh_schema_history" + q + " SET " + q + "checksum" + q + " = "
                    + q + "checksum" + q + " + 1 WHERE " + q + "version" + q + " = '1'");

            assertThatThrownBy(() -> JdbcSchema.migrate(db.dataSource()))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("dataSource"))
                    .hasMessageContaining("gh_schema_history")
                    .hasMessageContaining("checksum mismatch");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void anUnreachableDatabaseIsUnavailable(String product) {
        try (Database db = SchemaProbe.database(product)) {
            DataSource unreachable = db.unreachableDataSource();
            assertThatThrownBy(() -> JdbcSchema.migrate(unreachable)).isExactlyInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("could not migrate the Gatehouse schema");
            assertThatThrownBy(() -> JdbcSchema.version(unreachable)).isExactlyInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> JdbcSchema.flywayConfiguration(unreachable)).isExactlyInstanceOf(StoreUnavailableException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void theAdoptionCheckKnowsEveryTableAndColumnThatTheReleaseBeforeVersionsCreated(String product) {
        try (Database db = SchemaProbe.database(product)) {
            PreviousRelease.createSchema(db.dataSource());
            assertThat(SchemaProbe.tables(db.dataSource())).containsExactlyInAnyOrderEntriesOf(VERSION_1);
        }
        assertThat(SchemaMigrations.VERSION_1_TABLES).containsExactlyInAnyOrderEntriesOf(VERSION_1);
    }

    @Test
    void theMigrationsAreClassPathResourcesInAFolderThatNoModuleCanEncapsulate() {
        Map<Dialect, String> locations = Map.of(Dialect.H2, "classpath:db/gatehouse-migration/h2",
                Dialect.POSTGRESQL, "classpath:db/gatehouse-migration/postgresql",
                Dialect.MARIADB, "classpath:db/gatehouse-migration/mariadb");
        locations.forEach((dialect, location) -> {
            assertThat(JdbcSchema.location(dialect)).isEqualTo(location);
            assertThat(SchemaMigrationTest.class.getResource("/" + location.substring("classpath:".length()) + "/V1__gatehouse.sql"))
                    .as(location).isNotNull();
            // a resource folder that is no package name is never a package of a module: readable by Flyway from anywhere
            assertThat(SourceVersion.isName(location.substring("classpath:".length()).replace('/', '.'))).as(location).isFalse();
        });
    }
}
