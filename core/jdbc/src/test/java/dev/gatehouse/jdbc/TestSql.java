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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Plain SQL on a test database, never through the code under test: what the store contracts check rows with. */
final class TestSql {
    private final DataSource dataSource;
    private final Dialect dialect;

    TestSql(DataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Runs an insert, update or delete; returns the rows it changed. */
    int execute(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    /** The first column of every row, as text. */
    List<String> column(String sql, Object... params) {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
        return values;
    }

    long count(String sql, Object... params) {
        List<String> values = column(sql, params);
        assertThat(values).as(sql).hasSize(1);
        return Long.parseLong(values.get(0));
    }

    /** The text of the first column of the only row. */
    String text(String sql, Object... params) {
        List<String> values = column(sql, params);
        assertThat(values).as(sql).hasSize(1);
        return values.get(0);
    }

    /** An instant column of the only row, read as the stores read it. */
    Instant instant(String sql, Object... params) {
        List<Instant> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(dialect.getInstant(rs, 1));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
        assertThat(values).as(sql).hasSize(1);
        return values.get(0);
    }

    /** Binds strings and numbers as they are, instants as the stores write them. */
    private void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            if (params[i] instanceof Instant instant) {
                dialect.setInstant(ps, i + 1, instant);
            } else {
                ps.setObject(i + 1, params[i]);
            }
        }
    }
}
