package dev.gatehouse.jdbc;

import dev.gatehouse.auth.store.StoreUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The tables of the JDBC stores: {@code gh_users}, {@code gh_refresh_families},
 * {@code gh_refresh_tokens}, {@code gh_revoked_tokens}, {@code gh_user_revocations},
 * {@code gh_login_buckets} and {@code gh_signing_keys} (the keys of
 * {@link dev.gatehouse.jdbc.keys.ManagedKeySource}). Every statement is {@code CREATE ... IF NOT EXISTS}, so creating the
 * schema again (on every start, from every node) changes nothing. Migrations of an existing schema
 * are not this class's business.
 */
public final class JdbcSchema {
    /** DDL may take longer than a query; this bounds each statement of the script. */
    private static final int DDL_TIMEOUT_SECONDS = 60;
    /** Arbitrary constant key of the PostgreSQL advisory lock that serialises concurrent creations. */
    private static final long POSTGRESQL_LOCK_KEY = 0x6761746568L; // "gateh"

    private JdbcSchema() {
    }

    /**
     * Creates whatever tables and indexes are missing, for the database behind {@code dataSource}.
     * On PostgreSQL the whole script is one transaction (and nodes starting at once wait for each
     * other); MariaDB, MySQL and H2 commit each DDL statement on their own.
     *
     * @throws StoreUnavailableException when the database cannot be reached or refuses the script
     * @throws dev.gatehouse.token.ConfigurationException for an unsupported database
     */
    public static void createIfAbsent(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialect.detect(c);
            List<String> statements = statements(script(dialect));
            boolean wasAutoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (dialect == Dialect.POSTGRESQL) {
                    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        lock.setQueryTimeout(DDL_TIMEOUT_SECONDS);
                        lock.setLong(1, POSTGRESQL_LOCK_KEY);
                        lock.execute();
                    }
                }
                try (Statement s = c.createStatement()) {
                    s.setQueryTimeout(DDL_TIMEOUT_SECONDS);
                    for (String sql : statements) {
                        s.execute(sql);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw e;
            } finally {
                c.setAutoCommit(wasAutoCommit);
            }
        } catch (SQLException e) {
            throw Jdbc.unavailable("create the Gatehouse schema", e);
        }
    }

    /**
     * The schema script for a dialect, for operators who create tables themselves: statements end
     * with a semicolon at the end of a line, and lines starting with {@code --} are comments.
     */
    public static String script(Dialect dialect) {
        Objects.requireNonNull(dialect, "dialect");
        try (InputStream in = JdbcSchema.class.getResourceAsStream(dialect.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + dialect.schemaResource());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The statements of a script: comment lines dropped, split at semicolons that end a line. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\r?\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                statements.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().trim());
        }
        return List.copyOf(statements);
    }
}
