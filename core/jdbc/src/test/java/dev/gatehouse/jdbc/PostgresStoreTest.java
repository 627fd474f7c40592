package dev.gatehouse.jdbc;

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;

/**
 * The store contract on PostgreSQL, in a schema of its own; skipped when the server cannot be
 * reached unless {@code GATEHOUSE_REQUIRE_DATABASES=true}.
 */
class PostgresStoreTest extends StoreContract {
    @Override
    Database openDatabase() {
        return TestDatabases.postgres();
    }

    @Override
    Dialect expectedDialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    String utcText(String column) {
        return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
    }

    @Override
    String newYorkSessionSql() {
        return "SET TIME ZONE 'America/New_York'";
    }
}
