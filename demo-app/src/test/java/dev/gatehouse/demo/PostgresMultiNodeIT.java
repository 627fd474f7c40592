package dev.gatehouse.demo;

import dev.gatehouse.jdbc.testing.TestDatabases;

/** Three demo processes on one PostgreSQL schema behave as one service (issue #8). */
class PostgresMultiNodeIT extends MultiNodeContract {
    @Override
    TestDatabases.Database openDatabase() {
        return TestDatabases.postgres();
    }
}
