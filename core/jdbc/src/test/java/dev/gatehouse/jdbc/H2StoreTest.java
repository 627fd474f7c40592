package dev.gatehouse.jdbc;

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;

/** The store contract on an in-memory H2 database. */
class H2StoreTest extends StoreContract {
    @Override
    Database openDatabase() {
        return TestDatabases.h2();
    }

    @Override
    Dialect expectedDialect() {
        return Dialect.H2;
    }

    @Override
    String utcText(String column) {
        return "FORMATDATETIME(" + column + ", 'yyyy-MM-dd HH:mm:ss.SSSSSS')";
    }

    @Override
    String newYorkSessionSql() {
        return "SET TIME ZONE 'America/New_York'";
    }
}
