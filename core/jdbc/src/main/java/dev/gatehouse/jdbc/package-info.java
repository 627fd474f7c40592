/**
 * JDBC implementations of the {@link dev.gatehouse.auth.store store contracts}, for H2,
 * PostgreSQL and MariaDB, with plain JDBC, and the versioned schema they need (Flyway).
 *
 * <p>Start with {@link dev.gatehouse.jdbc.JdbcSchema#migrate(javax.sql.DataSource)} and
 * {@link dev.gatehouse.jdbc.JdbcStores}. The schema has versions, which Flyway applies from the
 * class-path folders {@code db/gatehouse-migration/h2}, {@code .../postgresql} and
 * {@code .../mariadb} and records in {@code gh_schema_history}.
 */
package dev.gatehouse.jdbc;
