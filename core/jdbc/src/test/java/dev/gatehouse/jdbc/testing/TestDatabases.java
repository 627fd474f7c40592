/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.jdbc.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Real databases for tests, each in a fresh schema (PostgreSQL), database (MariaDB) or in-memory
 * database (H2) with a random name, dropped again by {@link Database#close()}:
 *
 * <pre>{@code
 * try (Database db = TestDatabases.postgres()) {
 *     JdbcSchema.createIfAbsent(db.dataSource());
 *     ...
 * }
 * }</pre>
 *
 * <p>PostgreSQL is expected at {@value #POSTGRES_DEFAULT} (user {@code postgres}, trust
 * authentication, database {@code test}) and MariaDB at {@value #MARIADB_DEFAULT} (user
 * {@code root}, empty password, database {@code test}), as on the build machines; the system
 * properties {@value #POSTGRES_ADDRESS_PROPERTY} and {@value #MARIADB_ADDRESS_PROPERTY}
 * ({@code host:port}) point elsewhere. When a server cannot be reached the test is skipped
 * (JUnit's abort, reported with the reason), unless the environment variable
 * {@value #REQUIRE_DATABASES} is {@code true}, as CI sets it: then it fails.
 *
 * <p>Uses HikariCP and the H2, PostgreSQL and MariaDB drivers: a module using this class from
 * gatehouse-core's test-jar declares them as test dependencies itself.
 */
public final class TestDatabases {
    /** Environment variable: {@code true} turns an unreachable database server into a test failure. */
    public static final String REQUIRE_DATABASES = "GATEHOUSE_REQUIRE_DATABASES";

    /** System property overriding PostgreSQL's {@code host:port} (default {@value #POSTGRES_DEFAULT}). */
    public static final String POSTGRES_ADDRESS_PROPERTY = "gatehouse.test.postgres";
    /** System property overriding MariaDB's {@code host:port} (default {@value #MARIADB_DEFAULT}). */
    public static final String MARIADB_ADDRESS_PROPERTY = "gatehouse.test.mariadb";
    public static final String POSTGRES_DEFAULT = "127.0.0.1:5432";
    public static final String MARIADB_DEFAULT = "127.0.0.1:3306";

    /** Connections in each test pool: enough for the concurrency tests to really race. */
    public static final int POOL_SIZE = 20;


    private TestDatabases() {
    }

    /** Whether {@value #REQUIRE_DATABASES} asks for unreachable servers to fail the tests. */
    public static boolean databasesRequired() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE_DATABASES));
    }

    /** A fresh in-memory H2 database ({@code jdbc:h2:mem:<random>;DB_CLOSE_DELAY=-1}). */
    public static Database h2() {
        String name = randomName();
        String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
        // H2 is embedded: "unreachable" is a database that does not exist and must not be created
        // (a tcp:// URL to a closed port would do too, but H2's client retries for about a second).
        JdbcDataSource unreachable = new JdbcDataSource();
        unreachable.setURL("jdbc:h2:mem:" + name + "_absent;IFEXISTS=TRUE");
        unreachable.setUser("sa");
        return new Database("H2", name, url, "sa", "", unreachable, () -> {
            // SHUTDOWN discards the in-memory database (DB_CLOSE_DELAY=-1 keeps it open until then)
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                throw new IllegalStateException("H2: could not shut down " + name, e);
            }
        });
    }

    /**
     * A fresh schema {@code gh_test_<random>} in PostgreSQL's database {@code test}; the pool
     * connects with {@code currentSchema} set to it.
     */
    public static Database postgres() {
        String address = System.getProperty(POSTGRES_ADDRESS_PROPERTY, POSTGRES_DEFAULT);
        String adminUrl = "jdbc:postgresql://" + address + "/test?connectTimeout=5&socketTimeout=60";
        String schema = randomName();
        adminExecute("PostgreSQL", address, adminUrl, "postgres", "", "CREATE SCHEMA " + schema);
        String url = "jdbc:postgresql://" + address + "/test?currentSchema=" + schema + "&connectTimeout=5&socketTimeout=60";
        PGSimpleDataSource unreachable = new PGSimpleDataSource();
        unreachable.setServerNames(new String[] {"127.0.0.1"});
        unreachable.setPortNumbers(new int[] {1});
        unreachable.setDatabaseName("test");
        unreachable.setUser("postgres");
        unreachable.setConnectTimeout(2);
        return new Database("PostgreSQL", schema, url, "postgres", "", unreachable, () ->
                adminExecute("PostgreSQL", address, adminUrl, "postgres", "", "DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    /** A fresh database {@code gh_test_<random>} on the MariaDB server (its default character set). */
    public static Database mariadb() {
        String address = System.getProperty(MARIADB_ADDRESS_PROPERTY, MARIADB_DEFAULT);
        String adminUrl = "jdbc:mariadb://" + address + "/test?connectTimeout=5000&socketTimeout=60000";
        String database = randomName();
        adminExecute("MariaDB", address, adminUrl, "root", "", "CREATE DATABASE " + database);
        String url = "jdbc:mariadb://" + address + "/" + database + "?connectTimeout=5000&socketTimeout=60000";
        MariaDbDataSource unreachable;
        try {
            unreachable = new MariaDbDataSource("jdbc:mariadb://127.0.0.1:1/test?connectTimeout=2000");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new Database("MariaDB", database, url, "root", "", unreachable, () ->
                adminExecute("MariaDB", address, adminUrl, "root", "", "DROP DATABASE IF EXISTS " + database));
    }

    /** A fresh database of a product by its name as {@link Database#product()} gives it: "H2", "PostgreSQL" or "MariaDB". */
    public static Database of(String product) {
        switch (product) {
            case "H2":
                return h2();
            case "PostgreSQL":
                return postgres();
            case "MariaDB":
                return mariadb();
            default:
                throw new IllegalArgumentException(product);
        }
    }

    private static String randomName() {
        return "gh_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    }

    /** Runs one administrative statement; an unreachable server skips or fails the test. */
    private static void adminExecute(String product, String address, String url, String user, String password, String sql) {
        Connection c;
        try {
            c = DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            String message = product + " not reachable at " + address + " (" + e.getMessage() + "): "
                    + (databasesRequired()
                    ? REQUIRE_DATABASES + "=true makes this a failure"
                    : "set " + REQUIRE_DATABASES + "=true to make this a failure");
            if (databasesRequired()) {
                Assertions.fail(message, e);
            }
            Assumptions.abort(message);
            throw new AssertionError("unreachable"); // abort always throws
        }
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(product + ": could not run '" + sql + "'", e);
        }
    }

    /** One test database: a pooled {@link DataSource} on it, and its clean-up. */
    public static final class Database implements AutoCloseable {
        private final String product;
        private final String name;
        private final String jdbcUrl;
        private final String user;
        private final String password;
        private final DataSource unreachable;
        private final Runnable drop;
        private final HikariDataSource dataSource;
        private final List<HikariDataSource> extraPools = new ArrayList<>();
        private boolean closed;

        private Database(String product, String name, String jdbcUrl, String user, String password,
                             DataSource unreachable, Runnable drop) {
            this.product = product;
            this.name = name;
            this.jdbcUrl = jdbcUrl;
            this.user = user;
            this.password = password;
            this.unreachable = unreachable;
            this.drop = drop;
            try {
                this.dataSource = pool(POOL_SIZE, null);
            } catch (RuntimeException e) {
                drop.run();
                throw e;
            }
        }

        /** "H2", "PostgreSQL" or "MariaDB". */
        public String product() {
            return product;
        }

        /** The random schema (PostgreSQL), database (MariaDB) or in-memory database (H2) name. */
        public String name() {
            return name;
        }

        public String jdbcUrl() {
            return jdbcUrl;
        }

        public String user() {
            return user;
        }

        public String password() {
            return password;
        }

        /** A HikariCP pool of {@value TestDatabases#POOL_SIZE} connections on the test database. */
        public DataSource dataSource() {
            return dataSource;
        }

        /**
         * Another, independent pool on the same database, with connections opened from now on (for
         * example after changing the JVM's default time zone). Closed by {@link #close()}, or
         * earlier by the caller.
         */
        public synchronized HikariDataSource newPool(int size) {
            return newPool(size, null);
        }

        /** {@link #newPool(int)} whose connections each run {@code initSql} first (for example to set a session time zone). */
        public synchronized HikariDataSource newPool(int size, String initSql) {
            HikariDataSource pool = pool(size, initSql);
            extraPools.add(pool);
            return pool;
        }

        /**
         * A data source of the same driver that cannot connect: 127.0.0.1:1, where nothing listens
         * (PostgreSQL, MariaDB), or an in-memory database that does not exist (H2).
         */
        public DataSource unreachableDataSource() {
            return unreachable;
        }

        private HikariDataSource pool(int size, String initSql) {
            HikariConfig config = new HikariConfig();
            if (initSql != null) {
                config.setConnectionInitSql(initSql);
            }
            config.setJdbcUrl(jdbcUrl);
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(15_000);
            config.setPoolName("test-" + product + "-" + name + "-" + (extraPools.size() + 1));
            return new HikariDataSource(config);
        }

        /** Closes the pools and drops the schema or database. Idempotent. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            extraPools.forEach(HikariDataSource::close);
            dataSource.close();
            drop.run();
        }

        @Override
        public String toString() {
            return product + " " + name;
        }
    }
}
