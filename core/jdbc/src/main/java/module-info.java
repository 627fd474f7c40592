/**
 * Gatehouse's JDBC stores (H2, PostgreSQL, MariaDB), their schema, signing keys managed in the
 * database, and the admin command line.
 */
module dev.gatehouse.jdbc {
    requires transitive dev.gatehouse.auth;
    requires transitive java.sql;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    // Flyway applies the schema (JdbcSchema.flywayConfiguration hands out its configuration); its jar
    // names no module, so this is the name the module system derives from the file name.
    requires transitive flyway.core;

    exports dev.gatehouse.jdbc;
    exports dev.gatehouse.jdbc.keys;
}
