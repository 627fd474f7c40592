package dev.gatehouse.jaxrs;

import dev.gatehouse.jdbc.testing.TestDatabases;

import javax.sql.DataSource;

class H2BearerOnboardingTest extends BearerOnboardingContract {
    private final TestDatabases.Database db = TestDatabases.h2();

    @Override
    DataSource dataSource() {
        return db.dataSource();
    }

    @Override
    void closeDatabase() {
        db.close();
    }
}
