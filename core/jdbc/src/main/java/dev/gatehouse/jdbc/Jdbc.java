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

package dev.gatehouse.jdbc;

import dev.gatehouse.auth.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Connections, transactions and error translation shared by the JDBC stores. Every unit of work
 * gets its own connection from the {@link DataSource} and gives it back; every statement is a
 * {@link PreparedStatement} with a query timeout; every {@link SQLException} leaves as a
 * {@link StoreUnavailableException} whose message names the operation and nothing else.
 */
final class Jdbc {
    private static final Logger LOG = LoggerFactory.getLogger(Jdbc.class);

    /** How many times a transaction is run when the database aborts it to resolve a race. */
    static final int MAX_ATTEMPTS = 10;
    /** The longest pause before running a transaction that lost a race again. */
    static final long MAX_PAUSE_MILLIS = 200;

    private final DataSource dataSource;
    private final int queryTimeoutSeconds;
    private volatile Dialect dialect;

    Jdbc(DataSource dataSource, Dialect dialect, int queryTimeoutSeconds) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = dialect;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** A unit of work on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Tx tx) throws SQLException;
    }

    /**
     * Thrown by a unit of work to have its transaction rolled back and run again (for example
     * after losing an insert race on H2, which has no atomic upsert).
     */
    static final class Retry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Retry(SQLException cause) {
            super("retry", cause, false, false);
        }
    }

    /** The connection of a unit of work, its dialect, and a rollback-only flag. */
    final class Tx {
        final Connection connection;
        final Dialect dialect;
        private boolean rollbackOnly;

        private Tx(Connection connection, Dialect dialect) {
            this.connection = connection;
            this.dialect = dialect;
        }

        /** A prepared statement with the configured query timeout. */
        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = connection.prepareStatement(sql);
            try {
                ps.setQueryTimeout(queryTimeoutSeconds);
            } catch (SQLException | RuntimeException e) {
                ps.close();
                throw e;
            }
            return ps;
        }

        /** Ends a transaction with a rollback instead of a commit (nothing it did is kept). */
        void setRollbackOnly() {
            rollbackOnly = true;
        }
    }

    /** The dialect, detected from the first connection if it was not given. */
    Dialect dialect() {
        Dialect d = dialect;
        if (d == null) {
            d = autoCommit("detect the database", tx -> tx.dialect);
        }
        return d;
    }

    /**
     * Runs work on a connection in auto-commit mode: for a single statement, which the database
     * makes atomic on its own.
     */
    <T> T autoCommit(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                // a pool configured with autoCommit=false: make the single statement its own transaction
                return inTransaction(c, work);
            }
            return work.run(new Tx(c, dialectOf(c)));
        } catch (SQLException e) {
            throw unavailable(operation, e);
        }
    }

    /**
     * Runs work in one transaction: committed if it returns normally (and did not ask for a
     * rollback), rolled back on any exception. A transaction that lost a race (the database
     * aborted it to resolve a deadlock or a serialisation failure, or the work threw
     * {@link Retry}) is run again after a short random pause, up to {@value #MAX_ATTEMPTS} times.
     */
    <T> T transaction(String operation, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            SQLException lost;
            try (Connection c = dataSource.getConnection()) {
                return inTransaction(c, work);
            } catch (Retry retry) {
                lost = (SQLException) retry.getCause();
            } catch (SQLException e) {
                Dialect d = dialect;
                if (d == null || !d.isTransient(e)) {
                    throw unavailable(operation, e);
                }
                lost = e;
            }
            if (attempt >= MAX_ATTEMPTS || !pause(attempt)) {
                throw unavailable(operation, lost);
            }
            LOG.debug("Running '{}' again after it lost a race (attempt {})", operation, attempt);
        }
    }

    /**
     * Sleeps a random time whose bound doubles with each attempt (5, 10, 20 ... ms, at most
     * {@value #MAX_PAUSE_MILLIS} ms), so that many transactions racing for the same new rows (on
     * MariaDB their gap locks deadlock) spread out instead of colliding again; {@code false} if
     * interrupted (the interrupt is kept).
     */
    private static boolean pause(int attempt) {
        long bound = Math.min(MAX_PAUSE_MILLIS, 5L << (attempt - 1));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + bound));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        Dialect d = dialectOf(c);
        boolean wasAutoCommit = c.getAutoCommit();
        if (wasAutoCommit) {
            c.setAutoCommit(false);
        }
        try {
            Tx tx = new Tx(c, d);
            T result;
            try {
                result = work.run(tx);
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            }
            if (tx.rollbackOnly) {
                c.rollback();
            } else {
                c.commit();
            }
            return result;
        } finally {
            if (wasAutoCommit) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException e) {
                    // The connection is being closed anyway; a pool discards or resets it.
                    LOG.debug("Could not restore auto-commit", e);
                }
            }
        }
    }

    private Dialect dialectOf(Connection c) throws SQLException {
        Dialect d = dialect;
        if (d == null) {
            d = Dialect.detect(c);
            dialect = d;
        }
        return d;
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Checks a text value against its column before it is written, so that a value the column
     * cannot hold is refused as the caller's mistake rather than failing in the database.
     *
     * @throws IllegalArgumentException when it is longer than {@code max} characters or contains
     *                                  U+0000 (which PostgreSQL cannot store)
     */
    static String text(String name, String value, int max) {
        Objects.requireNonNull(value, name);
        if (value.length() > max) {
            throw new IllegalArgumentException(name + " is longer than " + max + " characters");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " contains U+0000");
        }
        return value;
    }

    /** {@link #text} for a column that may be NULL. */
    static String nullableText(String name, String value, int max) {
        return value == null ? null : text(name, value, max);
    }

    /** The exception every store method throws for a failed database: the operation, never the values. */
    static StoreUnavailableException unavailable(String operation, SQLException cause) {
        return new StoreUnavailableException("Database unavailable or failed: could not " + operation, cause);
    }
}
