/**
 * JDBC implementations of the {@link dev.gatehouse.core.store store contracts}, for H2,
 * PostgreSQL and MariaDB/MySQL, with plain JDBC, and the versioned schema they need (Flyway).
 *
 * <p>Start with {@link dev.gatehouse.core.jdbc.JdbcSchema#migrate(javax.sql.DataSource)} and
 * {@link dev.gatehouse.core.jdbc.JdbcStores}. The schema has versions, which Flyway applies from the
 * class-path folders {@code db/gatehouse-migration/h2}, {@code .../postgresql} and
 * {@code .../mariadb} and records in {@code gh_schema_history}.
 */
package dev.gatehouse.core.jdbc;
