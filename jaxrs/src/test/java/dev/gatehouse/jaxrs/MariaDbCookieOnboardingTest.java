package dev.gatehouse.jaxrs;

import dev.gatehouse.jdbc.testing.TestDatabases;

import javax.sql.DataSource;

class MariaDbCookieOnboardingTest extends CookieOnboardingContract {
    private final TestDatabases.Database db = TestDatabases.mariadb();

    @Override
    DataSource dataSource() {
        return db.dataSource();
    }

    @Override
    void closeDatabase() {
        db.close();
    }
}
