package dev.gatehouse.jaxrs;

import dev.gatehouse.jdbc.testing.TestDatabases;

import javax.sql.DataSource;

class PostgresBearerOnboardingTest extends BearerOnboardingContract {
    private final TestDatabases.Database db = TestDatabases.postgres();

    @Override
    DataSource dataSource() {
        return db.dataSource();
    }

    @Override
    void closeDatabase() {
        db.close();
    }
}
