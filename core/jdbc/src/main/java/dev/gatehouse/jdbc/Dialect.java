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

import dev.gatehouse.token.ConfigurationException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The databases the JDBC stores support, and what differs between them: the schema's migrations, how
 * instants are written and read, how a unique-key violation is recognised, and the upsert syntax.
 *
 * <p>Instants are always stored in UTC and truncated to microseconds, whatever the JVM's or the
 * session's time zone:
 * <ul>
 *   <li>{@link #H2}: {@code TIMESTAMP(6)} columns, written and read as a {@link LocalDateTime} in UTC;</li>
 *   <li>{@link #POSTGRESQL}: {@code TIMESTAMPTZ(6)} columns, written and read as an {@link OffsetDateTime}
 *       (offset {@code +00:00} on the way in, converted to an {@link Instant} on the way out);</li>
 *   <li>{@link #MARIADB}: {@code DATETIME(6)} columns (which have no time zone and no conversion),
 *       written and read as a {@link LocalDateTime} in UTC.</li>
 * </ul>
 */
public enum Dialect {
    /** H2 2.x (embedded or server). */
    H2("h2", Types.TIMESTAMP),
    /** PostgreSQL. */
    POSTGRESQL("postgresql", Types.TIMESTAMP_WITH_TIMEZONE),
    /** MariaDB (a server that reports itself as MySQL gets the same SQL, but MySQL is not tested). */
    MARIADB("mariadb", Types.TIMESTAMP);

    /** MariaDB/MySQL error code for a duplicate key ({@code ER_DUP_ENTRY}). */
    private static final int MYSQL_DUPLICATE_ENTRY = 1062;
    /** MariaDB/MySQL error code for a deadlock ({@code ER_LOCK_DEADLOCK}). */
    private static final int MYSQL_DEADLOCK = 1213;

    private final String migrationFolder;
    private final int timestampType;

    Dialect(String migrationFolder, int timestampType) {
        this.migrationFolder = migrationFolder;
        this.timestampType = timestampType;
    }

    /**
     * The dialect of a database, from {@link java.sql.DatabaseMetaData#getDatabaseProductName()}.
     *
     * @throws ConfigurationException for a database the stores do not support
     */
    public static Dialect fromProductName(String productName) {
        String name = productName == null ? "" : productName.trim().toLowerCase(Locale.ROOT);
        if (name.equals("h2")) {
            return H2;
        }
        if (name.equals("postgresql")) {
            return POSTGRESQL;
        }
        if (name.equals("mariadb") || name.equals("mysql")) {
            return MARIADB;
        }
        throw new ConfigurationException("dataSource", "unsupported database product '" + productName
                + "': the JDBC stores support H2, PostgreSQL and MariaDB");
    }

    /**
     * The dialect of the database behind a connection.
     *
     * @throws SQLException when the metadata cannot be read
     * @throws ConfigurationException for a database the stores do not support
     */
    public static Dialect detect(Connection connection) throws SQLException {
        return fromProductName(connection.getMetaData().getDatabaseProductName());
    }

    /** The folder of this dialect's migrations under {@code db/gatehouse-migration/} on the class path. */
    String migrationFolder() {
        return migrationFolder;
    }

    // ---- instants ------------------------------------------------------------------------------

    /** Writes an instant (or SQL NULL), truncated to microseconds, in UTC. */
    void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, timestampType);
            return;
        }
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        if (this == POSTGRESQL) {
            ps.setObject(index, OffsetDateTime.ofInstant(micros, ZoneOffset.UTC));
        } else {
            ps.setObject(index, LocalDateTime.ofInstant(micros, ZoneOffset.UTC));
        }
    }

    /** Reads an instant written by {@link #setInstant}, or {@code null}. */
    Instant getInstant(ResultSet rs, String column) throws SQLException {
        return getInstant(rs, rs.findColumn(column));
    }

    /** Reads an instant written by {@link #setInstant}, or {@code null}. */
    Instant getInstant(ResultSet rs, int column) throws SQLException {
        if (this == POSTGRESQL) {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    // ---- errors --------------------------------------------------------------------------------

    /** Whether the exception (or one chained to it) is a unique or primary key violation. */
    boolean isDuplicateKey(SQLException e) {
        for (SQLException x = e; x != null; x = next(x)) {
            String state = x.getSQLState();
            if (this == MARIADB) {
                if (x.getErrorCode() == MYSQL_DUPLICATE_ENTRY && (state == null || state.equals("23000"))) {
                    return true;
                }
            } else if ("23505".equals(state)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the transaction failed only because it lost a race the database resolved by
     * aborting it (a deadlock or a serialisation failure): running it again is safe and will
     * normally succeed.
     */
    boolean isTransient(SQLException e) {
        for (SQLException x = e; x != null; x = next(x)) {
            String state = x.getSQLState();
            if ("40001".equals(state) || "40P01".equals(state)) {
                return true;
            }
            if (this == MARIADB && x.getErrorCode() == MYSQL_DEADLOCK) {
                return true;
            }
        }
        return false;
    }

    private static SQLException next(SQLException x) {
        SQLException next = x.getNextException();
        if (next != null && next != x) {
            return next;
        }
        return x.getCause() instanceof SQLException cause && cause != x ? cause : null;
    }

    // ---- numbered revocations -------------------------------------------------------------------

    /**
     * The SQL expression that takes the next revocation change number (schema version 4), for the
     * statements that change a revocation row: a new row gets one by its column's default.
     */
    String nextRevocationNumber() {
        return switch (this) {
            case POSTGRESQL -> "nextval('gh_revocation_seq')";
            case MARIADB, H2 -> "NEXT VALUE FOR gh_revocation_seq";
        };
    }

    // ---- upserts -------------------------------------------------------------------------------

    /**
     * An atomic statement ({@code jti}, {@code expires_at}) that records a revoked token, keeping
     * the later expiry if it is already there (and numbering the change again), or {@code null} (H2:
     * update, then insert).
     */
    String revokedTokenUpsert() {
        return switch (this) {
            case POSTGRESQL -> "INSERT INTO gh_revoked_tokens AS t (jti, expires_at) VALUES (?, ?)"
                    + " ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(t.expires_at, EXCLUDED.expires_at),"
                    + " seq = " + nextRevocationNumber();
            case MARIADB -> "INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES (?, ?)"
                    + " ON DUPLICATE KEY UPDATE expires_at = GREATEST(expires_at, VALUES(expires_at)),"
                    + " seq = " + nextRevocationNumber();
            case H2 -> null;
        };
    }

    /**
     * An atomic statement ({@code user_id}, {@code min_generation}, {@code revoked_at}) that records a
     * user's generation cut-off, keeping the higher generation and the later time (and numbering the
     * change again), or {@code null} (H2: update, then insert).
     */
    String userGenerationUpsert() {
        return switch (this) {
            case POSTGRESQL -> "INSERT INTO gh_user_revocations AS t (user_id, min_generation, revoked_at) VALUES (?, ?, ?)"
                    + " ON CONFLICT (user_id) DO UPDATE SET min_generation = GREATEST(t.min_generation, EXCLUDED.min_generation),"
                    + " revoked_at = GREATEST(t.revoked_at, EXCLUDED.revoked_at), seq = " + nextRevocationNumber();
            case MARIADB -> "INSERT INTO gh_user_revocations (user_id, min_generation, revoked_at) VALUES (?, ?, ?)"
                    + " ON DUPLICATE KEY UPDATE min_generation = GREATEST(min_generation, VALUES(min_generation)),"
                    + " revoked_at = GREATEST(revoked_at, VALUES(revoked_at)), seq = " + nextRevocationNumber();
            case H2 -> null;
        };
    }
}
