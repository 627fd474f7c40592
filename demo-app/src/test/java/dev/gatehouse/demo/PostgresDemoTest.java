package dev.gatehouse.demo;

import dev.gatehouse.jdbc.testing.TestDatabases;

/** The demo contract on the real Postgres server, schema created on start. */
class PostgresDemoTest extends ServerDatabaseDemoContract {
    @Override
    TestDatabases.Database openDatabase() {
        return TestDatabases.postgres();
    }
}
