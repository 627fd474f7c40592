/**
 * JDBC implementations of the {@link dev.gatehouse.auth.store store contracts}, for H2,
 * PostgreSQL and MariaDB/MySQL, with plain JDBC and no other dependency.
 *
 * <p>Start with {@link dev.gatehouse.jdbc.JdbcSchema#createIfAbsent(javax.sql.DataSource)}
 * and {@link dev.gatehouse.jdbc.JdbcStores}. The schema scripts are resources of this package
 * ({@code schema-h2.sql}, {@code schema-postgresql.sql}, {@code schema-mariadb.sql}) and are also
 * available from {@link dev.gatehouse.jdbc.JdbcSchema#script(Dialect)}.
 */
package dev.gatehouse.jdbc;
