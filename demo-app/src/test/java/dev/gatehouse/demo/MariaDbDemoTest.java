package dev.gatehouse.demo;

import dev.gatehouse.jdbc.testing.TestDatabases;

/** The demo contract on the real MariaDb server, schema created on start. */
class MariaDbDemoTest extends ServerDatabaseDemoContract {
    @Override
    TestDatabases.Database openDatabase() {
        return TestDatabases.mariadb();
    }
}
