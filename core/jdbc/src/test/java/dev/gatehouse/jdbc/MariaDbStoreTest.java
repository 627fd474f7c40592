package dev.gatehouse.jdbc;

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;

/**
 * The store contract on MariaDB, in a database of its own; skipped when the server cannot be
 * reached unless {@code GATEHOUSE_REQUIRE_DATABASES=true}.
 */
class MariaDbStoreTest extends StoreContract {
    @Override
    Database openDatabase() {
        return TestDatabases.mariadb();
    }

    @Override
    Dialect expectedDialect() {
        return Dialect.MARIADB;
    }

    @Override
    String utcText(String column) {
        return "DATE_FORMAT(" + column + ", '%Y-%m-%d %H:%i:%s.%f')";
    }

    @Override
    String newYorkSessionSql() {
        return "SET time_zone = '-05:00'";
    }
}
