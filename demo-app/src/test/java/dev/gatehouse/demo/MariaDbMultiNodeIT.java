package dev.gatehouse.demo;

import dev.gatehouse.jdbc.testing.TestDatabases;

/** Three demo processes on one MariaDB database behave as one service (issue #8). */
class MariaDbMultiNodeIT extends MultiNodeContract {
    @Override
    TestDatabases.Database openDatabase() {
        return TestDatabases.mariadb();
    }
}
