package dev.gatehouse.demo;

import dev.gatehouse.jdbc.testing.TestDatabases;

/** {@link DatabaseFaultsContract} on the PostgreSQL server, reached through the test's proxy. */
class PostgresFaultsTest extends DatabaseFaultsContract {
    @Override
    TestDatabases.Database openDatabase() {
        return TestDatabases.postgres();
    }

    @Override
    String serverAddress() {
        return System.getProperty(TestDatabases.POSTGRES_ADDRESS_PROPERTY, TestDatabases.POSTGRES_DEFAULT);
    }

    @Override
    String jdbcUrl(String address, TestDatabases.Database db) {
        return "jdbc:postgresql://" + address + "/test?currentSchema=" + db.name();
    }
}
