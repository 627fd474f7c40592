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

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The versioned schema on H2, PostgreSQL and MariaDB: what {@link JdbcSchema#migrate} does for
 * each way a database can start (empty, at the current version, with the application's own tables
 * and Flyway history, with the tables of the release before versions, with tables it cannot
 * adopt), nodes starting at once, and an application's own Flyway running Gatehouse's migrations.
 * "The latest version" is {@link SchemaProbe#LATEST_VERSION}; version 1 is named where a test
 * means version 1 itself (the release before versions is adopted as version 1).
 */
class SchemaMigrationTest {
    /** Version 1's tables and columns, as the release before versions created them (its scripts). */
    private static final Map<String, List<String>> VERSION_1 = SchemaProbe.VERSION_1_TABLES;
    /** Every version's history row, as applied by its script, oldest first. */
    private static final List<String> APPLIED = SchemaProbe.APPLIED_HISTORY;
    private static final String LATEST = SchemaProbe.LATEST_VERSION;
    /** The history of a database from before versions once migrated: adopted as version 1, then every later version applied. */
    private static final List<String> ADOPTED_THEN_APPLIED = adoptedThenApplied();

    private static List<String> adoptedThenApplied() {
        List<String> history = new ArrayList<>();
        history.add(SchemaProbe.ADOPTED_VERSION_1);
        history.addAll(SchemaProbe.appliedAfter("1"));
        return List.copyOf(history);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void anEmptyDatabaseGetsEveryVersionAndItsHistory(String product) {
        try (Database db = SchemaProbe.database(product)) {
            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.previousVersion()).isEmpty();
            assertThat(result.version()).isEqualTo(LATEST);
            assertThat(result.appliedVersions()).containsExactlyElementsOf(SchemaProbe.VERSIONS);
            assertThat(result.adopted()).isFalse();
            Map<String, List<String>> tables = SchemaProbe.tables(db.dataSource());
            SchemaProbe.LATEST_TABLES.forEach((table, columns) -> assertThat(tables).as(table).containsEntry(table, columns));
            assertThat(tables).containsKey("gh_schema_history").hasSize(SchemaProbe.LATEST_TABLES.size() + 1);
            assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(APPLIED);
            assertThat(JdbcSchema.version(db.dataSource())).contains(LATEST);
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

            assertThat(again.previousVersion()).contains(LATEST);
            assertThat(again.version()).isEqualTo(LATEST);
            assertThat(again.appliedVersions()).isEmpty();
            assertThat(again.adopted()).isFalse();
            assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(APPLIED);
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
    void tablesOfTheReleaseBeforeVersionsAreAdoptedAsVersionOneThenGetTheLaterVersions(String product) {
        try (Database db = SchemaProbe.database(product); Database fresh = SchemaProbe.database(product)) {
            PreviousRelease.createSchema(db.dataSource());
            List<String> shape = SchemaProbe.shape(db.dataSource());
            assertThat(JdbcSchema.version(db.dataSource())).isEmpty();

            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.adopted()).isTrue();
            assertThat(result.previousVersion()).isEmpty();
            assertThat(result.version()).isEqualTo(LATEST);
            assertThat(result.appliedVersions()).as("version 1 is recorded, not run; the later versions are run")
                    .containsExactlyElementsOf(SchemaProbe.VERSIONS.subList(1, SchemaProbe.VERSIONS.size()));
            assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(ADOPTED_THEN_APPLIED);
            // version 1's tables were kept as they were (every column, key and index), and the later
            // versions made them what they are in a database that got every version from its scripts
            // (H2 renames the indexes it generated when version 2 rebuilds gh_users: their names are left out;
            // and when version 3 rebuilds gh_refresh_families, H2 puts its foreign key on the declared
            // gh_refresh_families_user_idx instead of the index it had generated for it)
            List<String> upgraded = SchemaProbe.withoutGeneratedIndexNames(SchemaProbe.shape(db.dataSource()));
            List<String> kept = new ArrayList<>(SchemaProbe.withoutGeneratedIndexNames(shape));
            if (product.equals("H2")) {
                assertThat(kept.remove("gh_refresh_families index gh_refresh_families_user_fk_index_# unique=false user_id #1")).isTrue();
                assertThat(upgraded).contains("gh_refresh_families index gh_refresh_families_user_idx unique=false user_id #1",
                        "gh_refresh_families foreign key GH_REFRESH_FAMILIES_USER_FK user_id -> gh_users.id on delete 0");
            }
            assertThat(upgraded).containsAll(kept);
            JdbcSchema.migrate(fresh.dataSource());
            assertThat(upgraded).containsExactlyElementsOf(SchemaProbe.withoutGeneratedIndexNames(SchemaProbe.shape(fresh.dataSource())));
            assertThat(JdbcSchema.version(db.dataSource())).contains(LATEST);

            SchemaMigrationResult again = JdbcSchema.migrate(db.dataSource());
            assertThat(again.adopted()).isFalse();
            assertThat(again.previousVersion()).contains(LATEST);
            assertThat(again.appliedVersions()).isEmpty();
            assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(ADOPTED_THEN_APPLIED);
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

            assertThat(result.appliedVersions()).containsExactlyElementsOf(SchemaProbe.VERSIONS);
            assertThat(result.previousVersion()).isEmpty();
            assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(beforeGatehouseThenApplied());
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
            assertThat(created.migrationsExecuted).isEqualTo(SchemaProbe.VERSIONS.size());
            assertThat(SchemaProbe.history(empty.dataSource())).containsExactlyElementsOf(APPLIED);

            PreviousRelease.createSchema(previous.dataSource());
            MigrateResult adopted = JdbcSchema.flywayConfiguration(previous.dataSource()).load().migrate();
            assertThat(adopted.migrationsExecuted).as("every version after version 1").isEqualTo(SchemaProbe.VERSIONS.size() - 1);
            assertThat(SchemaProbe.history(previous.dataSource())).containsExactlyElementsOf(ADOPTED_THEN_APPLIED);

            Flyway flyway = JdbcSchema.flywayConfiguration(previous.dataSource()).load();
            assertThat(flyway.getConfiguration().getTable()).isEqualTo("gh_schema_history");
            assertThat(flyway.getConfiguration().getLocations()).extracting(Object::toString)
                    .containsExactly(JdbcSchema.location(Dialect.fromProductName(product)));
            assertThat(flyway.getConfiguration().isCleanDisabled()).isTrue();
            for (DataSource ds : List.of(empty.dataSource(), previous.dataSource())) {
                assertThat(JdbcSchema.migrate(ds).appliedVersions()).isEmpty();
                assertThat(JdbcSchema.version(ds)).contains(LATEST);
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
                assertThat(outcomes).extracting(o -> o.value.version()).as(start).containsOnly(LATEST);
                boolean adopting = start.equals("release before versions");
                assertThat(outcomes).filteredOn(o -> !o.value.appliedVersions().isEmpty() || o.value.adopted())
                        .as("%s: exactly one node migrates", start).hasSize(1)
                        .allSatisfy(o -> assertThat(o.value.adopted()).isEqualTo(adopting));
                List<String> history = SchemaProbe.history(db.dataSource());
                assertThat(history).as(start).containsExactlyElementsOf(
                        adopting ? ADOPTED_THEN_APPLIED : start.equals("empty") ? APPLIED : beforeGatehouseThenApplied());
                Map<String, List<String>> tables = SchemaProbe.tables(db.dataSource());
                SchemaProbe.LATEST_TABLES.forEach((table, columns) -> assertThat(tables).as(start).containsEntry(table, columns));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aVersionFromANewerReleaseIsLeftAloneDuringARollingUpgrade(String product) {
        // a newer release's version (test resource db/gatehouse-future), far above this release's latest
        String newer = "1000";
        assertThat(Integer.parseInt(newer)).as("the newer release's version is above this release's").isGreaterThan(Integer.parseInt(LATEST));
        try (Database db = SchemaProbe.database(product)) {
            JdbcSchema.migrate(db.dataSource());
            // a node of a newer release applied its next version
            MigrateResult newerNode = JdbcSchema.flywayConfiguration(db.dataSource())
                    .locations(JdbcSchema.location(Dialect.fromProductName(product)), "classpath:db/gatehouse-future").load().migrate();
            assertThat(newerNode.migrationsExecuted).as("the newer node applied its version only").isOne();

            SchemaMigrationResult result = JdbcSchema.migrate(db.dataSource());

            assertThat(result.previousVersion()).contains(newer);
            assertThat(result.version()).isEqualTo(newer);
            assertThat(result.appliedVersions()).isEmpty();
            assertThat(JdbcSchema.version(db.dataSource())).contains(newer);
            List<String> history = new ArrayList<>(APPLIED);
            history.add(newer + "|from a newer release|SQL|true");
            assertThat(SchemaProbe.history(db.dataSource())).containsExactlyElementsOf(history);
            assertThat(SchemaProbe.tables(db.dataSource())).containsKey("gh_from_a_newer_release");
        }
    }

    /** The history of a schema that held the application's tables only, once migrated: a baseline below version 1, then every version. */
    private static List<String> beforeGatehouseThenApplied() {
        List<String> history = new ArrayList<>();
        history.add("0|" + SchemaMigrations.BEFORE_GATEHOUSE_DESCRIPTION + "|BASELINE|true");
        history.addAll(APPLIED);
        return history;
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
    void everyVersionHasItsScriptInEveryDialectAndTheLatestIsTheLast() throws Exception {
        List<String> scripts = List.of("V1__gatehouse.sql", "V2__account_lifecycle.sql", "V3__sessions_and_second_factor.sql",
                "V4__numbered_revocations.sql");
        assertThat(scripts).as("one script per version").hasSameSizeAs(SchemaProbe.VERSIONS);
        assertThat(SchemaProbe.VERSIONS).last().isEqualTo(LATEST);
        for (Dialect dialect : Dialect.values()) {
            String folder = JdbcSchema.location(dialect).substring("classpath:".length());
            URL url = SchemaMigrationTest.class.getResource("/" + folder);
            assertThat(url).as(folder).isNotNull();
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                assertThat(files.map(f -> f.getFileName().toString())).as(folder).containsExactlyInAnyOrderElementsOf(scripts);
            }
        }
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
