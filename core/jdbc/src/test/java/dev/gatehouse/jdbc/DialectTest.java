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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransactionRollbackException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dialect detection and error classification, without a database. */
class DialectTest {
    @ParameterizedTest
    @CsvSource({"H2, H2", "PostgreSQL, POSTGRESQL", "MariaDB, MARIADB", "MySQL, MARIADB", "' mysql ', MARIADB"})
    void dialectIsDetectedFromTheProductName(String productName, Dialect expected) {
        assertThat(Dialect.fromProductName(productName)).isEqualTo(expected);
    }

    @Test
    void unsupportedDatabaseIsAConfigurationError() {
        assertThatThrownBy(() -> Dialect.fromProductName("Oracle"))
                .isExactlyInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Oracle");
        assertThatThrownBy(() -> Dialect.fromProductName(null)).isExactlyInstanceOf(ConfigurationException.class);
    }

    @Test
    void duplicateKeyIsRecognisedPerDialect() {
        SQLException unique = new SQLException("duplicate", "23505");
        SQLException mysqlDuplicate = new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062);
        SQLException mysqlForeignKey = new SQLIntegrityConstraintViolationException("foreign key", "23000", 1452);
        SQLException notNull = new SQLException("null", "23502");

        assertThat(Dialect.H2.isDuplicateKey(unique)).isTrue();
        assertThat(Dialect.POSTGRESQL.isDuplicateKey(unique)).isTrue();
        assertThat(Dialect.MARIADB.isDuplicateKey(mysqlDuplicate)).isTrue();
        assertThat(Dialect.MARIADB.isDuplicateKey(mysqlForeignKey)).isFalse();
        assertThat(Dialect.POSTGRESQL.isDuplicateKey(notNull)).isFalse();
        assertThat(Dialect.POSTGRESQL.isDuplicateKey(new SQLException("wrapped", "08000", unique))).isTrue();
    }

    @Test
    void deadlocksAndSerialisationFailuresAreTransient() {
        assertThat(Dialect.POSTGRESQL.isTransient(new SQLException("deadlock", "40P01"))).isTrue();
        assertThat(Dialect.POSTGRESQL.isTransient(new SQLException("serialization", "40001"))).isTrue();
        assertThat(Dialect.H2.isTransient(new SQLTransactionRollbackException("deadlock", "40001"))).isTrue();
        assertThat(Dialect.MARIADB.isTransient(new SQLTransactionRollbackException("Deadlock found", "40001", 1213))).isTrue();
        assertThat(Dialect.MARIADB.isTransient(new SQLException("Deadlock found", "HY000", 1213))).isTrue();
        assertThat(Dialect.POSTGRESQL.isTransient(new SQLException("connection refused", "08001"))).isFalse();
        assertThat(Dialect.H2.isTransient(new SQLException("duplicate", "23505"))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    @SuppressWarnings("deprecation") // script(dialect) is version 1, which this pins
    void everyDialectsVersionOneCreatesTheEightTablesOnlyIfAbsent(Dialect dialect) {
        String script = JdbcSchema.script(dialect);
        assertThat(JdbcSchema.statements(script))
                .filteredOn(s -> s.startsWith("CREATE TABLE IF NOT EXISTS "))
                .extracting(s -> s.split("\\s+")[5])
                .containsExactly("gh_users", "gh_refresh_families", "gh_refresh_tokens", "gh_refresh_seals",
                        "gh_revoked_tokens", "gh_user_revocations", "gh_login_buckets", "gh_signing_keys");
        // a run cut short where DDL is not transactional (MariaDB) can be run again
        assertThat(JdbcSchema.statements(script)).allSatisfy(s -> assertThat(s).matches("(?s)CREATE (TABLE|INDEX) IF NOT EXISTS .*"));
        assertThat(script).isEqualTo(resource("/db/gatehouse-migration/" + dialect.name().toLowerCase(java.util.Locale.ROOT) + "/V1__gatehouse.sql"));
    }

    private static String resource(String name) {
        try (java.io.InputStream in = DialectTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void scriptIsSplitAtSemicolonsEndingALineAndCommentsAreDropped() {
        assertThat(JdbcSchema.statements("-- a comment; with a semicolon\nCREATE TABLE a (\n  x INT\n);\n\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (\nx INT\n)", "CREATE INDEX i ON a (x)");
    }
}
