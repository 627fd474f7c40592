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

package dev.gatehouse.jdbc.keys;

import dev.gatehouse.jdbc.Dialect;
import dev.gatehouse.auth.store.StoreUnavailableException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The SQL of {@code gh_signing_keys}. Every statement is a single prepared statement in
 * auto-commit mode with a query timeout: none of the key operations needs more than one
 * statement to be atomic, because the unique {@code generation} settles every race (the loser of
 * an insert race sees a duplicate key and reloads), and every update is idempotent.
 *
 * <p>Instants are stored in UTC with microsecond precision, as the JDBC stores do (see
 * {@link Dialect}).
 */
final class KeyTable {
    static final String TABLE = "gh_signing_keys";
    private static final String COLUMNS =
            "kid, generation, alg, public_jwk, private_key, created_at, activates_at, retired_at, revoked_at, row_mac";
    /** MariaDB/MySQL {@code ER_DUP_ENTRY}. */
    private static final int MYSQL_DUPLICATE_ENTRY = 1062;

    private final DataSource dataSource;
    private final int queryTimeoutSeconds;
    private volatile Dialect dialect;

    KeyTable(DataSource dataSource, Duration queryTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        long seconds = queryTimeout.getSeconds() + (queryTimeout.getNano() > 0 ? 1 : 0);
        this.queryTimeoutSeconds = (int) Math.max(1, Math.min(seconds, Integer.MAX_VALUE));
    }

    /** Every row, by generation. */
    List<KeyRow> load() {
        return run("load the signing keys", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY generation");
                 ResultSet rs = ps.executeQuery()) {
                Dialect d = dialect;
                List<KeyRow> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new KeyRow(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            instant(d, rs, 6), instant(d, rs, 7), instant(d, rs, 8), instant(d, rs, 9), rs.getString(10)));
                }
                return rows;
            }
        });
    }

    /**
     * Inserts a new key.
     *
     * @return {@code false} when another row already has its generation (or kid): the race was lost
     */
    boolean insert(KeyRow row) {
        return run("store a new signing key", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                Dialect d = dialect;
                ps.setString(1, row.kid());
                ps.setInt(2, row.generation());
                ps.setString(3, row.alg());
                ps.setString(4, row.publicJwk());
                ps.setString(5, row.privateKey());
                setInstant(d, ps, 6, row.createdAt());
                setInstant(d, ps, 7, row.activatesAt());
                setInstant(d, ps, 8, row.retiredAt());
                setInstant(d, ps, 9, row.revokedAt());
                ps.setString(10, row.mac());
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (isDuplicateKey(dialect, e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Brings a pending key's activation forward to {@code at} (never later); whether it changed. */
    boolean activateEarlier(String kid, Instant at) {
        return update("activate a signing key",
                "UPDATE " + TABLE + " SET activates_at = ? WHERE kid = ? AND revoked_at IS NULL AND activates_at > ?",
                at, kid, at);
    }

    /** Records when a key stopped signing, unless that is already recorded. */
    boolean markRetired(String kid, Instant at) {
        return update("record a retired signing key",
                "UPDATE " + TABLE + " SET retired_at = ? WHERE kid = ? AND retired_at IS NULL", at, kid);
    }

    /**
     * Revokes a key, destroys its private part and stores {@code mac} as its row MAC (the MAC of the
     * revoked row, or whatever it had when it was not authenticated); {@code false} when it is
     * unknown or already revoked.
     */
    boolean revoke(String kid, Instant at, String mac) {
        return update("revoke a signing key",
                "UPDATE " + TABLE + " SET revoked_at = ?, private_key = NULL, row_mac = ? WHERE kid = ? AND revoked_at IS NULL",
                at, mac, kid);
    }

    /** Destroys the private part of a key that can never sign or verify again. */
    boolean destroyPrivateKey(String kid) {
        return update("destroy an expired private key",
                "UPDATE " + TABLE + " SET private_key = NULL WHERE kid = ? AND private_key IS NOT NULL", kid);
    }

    /**
     * Writes the row MAC (and the private part, encrypted) of a row an operator vouched for, if the
     * row still is exactly what they saw: same MAC, private part and revocation. Whether it changed.
     */
    boolean authenticate(KeyRow seen, String privateKey, String mac) {
        return run("authenticate a signing key", c -> {
            String sql = "UPDATE " + TABLE + " SET row_mac = ?, private_key = ? WHERE kid = ? AND generation = ? AND alg = ?"
                    + " AND public_jwk = ?"
                    + (seen.mac() == null ? " AND row_mac IS NULL" : " AND row_mac = ?")
                    + (seen.privateKey() == null ? " AND private_key IS NULL" : " AND private_key = ?")
                    + (seen.revokedAt() == null ? " AND revoked_at IS NULL" : " AND revoked_at = ?");
            try (PreparedStatement ps = prepare(c, sql)) {
                Dialect d = dialect;
                int i = 1;
                ps.setString(i++, mac);
                ps.setString(i++, privateKey);
                ps.setString(i++, seen.kid());
                ps.setInt(i++, seen.generation());
                ps.setString(i++, seen.alg());
                ps.setString(i++, seen.publicJwk());
                if (seen.mac() != null) {
                    ps.setString(i++, seen.mac());
                }
                if (seen.privateKey() != null) {
                    ps.setString(i++, seen.privateKey());
                }
                if (seen.revokedAt() != null) {
                    setInstant(d, ps, i, seen.revokedAt());
                }
                return ps.executeUpdate() > 0;
            }
        });
    }

    private boolean update(String operation, String sql, Object... values) {
        return run(operation, c -> {
            try (PreparedStatement ps = prepare(c, sql)) {
                Dialect d = dialect;
                for (int i = 0; i < values.length; i++) {
                    Object v = values[i];
                    if (v instanceof Instant instant) {
                        setInstant(d, ps, i + 1, instant);
                    } else {
                        ps.setString(i + 1, (String) v);
                    }
                }
                return ps.executeUpdate() > 0;
            }
        });
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T run(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            if (dialect == null) {
                dialect = Dialect.detect(c);
            }
            if (c.getAutoCommit()) {
                return work.run(c);
            }
            // a pool configured with autoCommit=false: make the single statement its own transaction
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            if (isUndefinedColumn(e)) {
                throw new StoreUnavailableException("Could not " + operation + ": " + TABLE + " lacks a column (it needs "
                        + COLUMNS + "); a table created before key rows were authenticated needs the column row_mac"
                        + " (see docs/operations.md, 'Upgrading')", e);
            }
            throw new StoreUnavailableException("Database unavailable or failed: could not " + operation, e);
        }
    }

    /** PostgreSQL {@code 42703}, H2 {@code 42122}, MariaDB/MySQL {@code 42S22}: a column the statement names does not exist. */
    static boolean isUndefinedColumn(Throwable e) {
        for (Throwable x = e; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (x instanceof SQLException s) {
                String state = s.getSQLState();
                if ("42703".equals(state) || "42122".equals(state) || "42S22".equals(state)) {
                    return true;
                }
            }
        }
        return false;
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            ps.setQueryTimeout(queryTimeoutSeconds);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    // ---- dialect differences (the same conventions as the JDBC stores' Dialect) ----------------

    private static void setInstant(Dialect d, PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, d == Dialect.POSTGRESQL ? Types.TIMESTAMP_WITH_TIMEZONE : Types.TIMESTAMP);
            return;
        }
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        if (d == Dialect.POSTGRESQL) {
            ps.setObject(index, OffsetDateTime.ofInstant(micros, ZoneOffset.UTC));
        } else {
            ps.setObject(index, LocalDateTime.ofInstant(micros, ZoneOffset.UTC));
        }
    }

    private static Instant instant(Dialect d, ResultSet rs, int column) throws SQLException {
        if (d == Dialect.POSTGRESQL) {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    private static boolean isDuplicateKey(Dialect d, SQLException e) {
        for (Throwable x = e; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (x instanceof SQLException s) {
                if ("23505".equals(s.getSQLState())
                        || (d == Dialect.MARIADB && s.getErrorCode() == MYSQL_DUPLICATE_ENTRY)) {
                    return true;
                }
                SQLException next = s.getNextException();
                if (next != null && next != s && isDuplicateKey(d, next)) {
                    return true;
                }
            }
        }
        return false;
    }
}
