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

    exports dev.gatehouse.jdbc;
    exports dev.gatehouse.jdbc.keys;
}
