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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * The schema as the release before versions created it: its creation scripts, frozen as test
 * resources ({@code previous-release/schema-<dialect>.sql}, never to be edited), run the way its
 * {@code JdbcSchema.createIfAbsent} ran them (every statement in one transaction, serialised on
 * PostgreSQL by an advisory lock). No history table: that is what an upgrade starts from.
 */
final class PreviousRelease {
    /** The advisory lock key of that release's {@code createIfAbsent}. */
    private static final long POSTGRESQL_LOCK_KEY = 0x6761746568L;

    private PreviousRelease() {
    }

    /** The frozen creation script of a dialect. */
    static String script(Dialect dialect) {
        String resource = "/previous-release/schema-" + dialect.migrationFolder() + ".sql";
        try (InputStream in = PreviousRelease.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the tables of the release before versions, as its {@code createIfAbsent} did. */
    static void createSchema(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialect.detect(c);
            List<String> statements = JdbcSchema.statements(script(dialect));
            c.setAutoCommit(false);
            try {
                if (dialect == Dialect.POSTGRESQL) {
                    try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        lock.setLong(1, POSTGRESQL_LOCK_KEY);
                        lock.execute();
                    }
                }
                try (Statement s = c.createStatement()) {
                    for (String sql : statements) {
                        s.execute(sql);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the previous release's schema", e);
        }
    }
}
