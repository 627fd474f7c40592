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

import dev.gatehouse.auth.store.ThrottleStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * {@link ThrottleStore} on table {@code gh_login_buckets}: one row per bucket, its key, its
 * theoretical arrival time ({@code tat}) and, for the bucket of an account and a client network,
 * the time of that client's last successful login.
 *
 * <p>Every reservation and every success runs in one transaction that first locks the account's
 * row and then the account-and-client row ({@code SELECT ... FOR UPDATE}), always in that order, so
 * that concurrent attempts on one account are serialised and two transactions never wait for each
 * other in a cycle. A missing row is inserted; a transaction that loses that insert race (a
 * duplicate key: H2 has no upsert, and the same statement serves PostgreSQL and MariaDB) is rolled
 * back and run again ({@link Jdbc.Retry}), as is one the database aborts to settle a deadlock.
 */
final class JdbcThrottleStore implements ThrottleStore {
    private static final int KEY_LENGTH = 64;
    private static final String LOCK = "SELECT tat, last_success_at FROM gh_login_buckets WHERE bucket_key = ? FOR UPDATE";
    private static final String INSERT = "INSERT INTO gh_login_buckets (bucket_key, tat, last_success_at) VALUES (?, ?, ?)";
    private static final String UPDATE = "UPDATE gh_login_buckets SET tat = ?, last_success_at = ? WHERE bucket_key = ?";
    private static final String PURGE = "DELETE FROM gh_login_buckets WHERE tat <= ?"
            + " AND (last_success_at IS NULL OR last_success_at < ?)";

    private final Jdbc jdbc;

    JdbcThrottleStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** A bucket's row as read under its lock; absent rows are {@code null}. */
    private record Row(Instant tat, Instant lastSuccess) {
    }

    @Override
    public Reservation reserve(String accountKey, String accountClientKey, Instant now, Limits limits) {
        checkKeys(accountKey, accountClientKey);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(limits, "limits");
        return jdbc.transaction("reserve a login attempt", tx -> {
            Row account = lock(tx, accountKey);
            Row client = lock(tx, accountClientKey);
            Duration window = limits.knownClientWindow();
            boolean known = client != null && client.lastSuccess() != null && !window.isZero()
                    && client.lastSuccess().isAfter(now.minus(window));
            Instant clientTat = limits.accountClient().take(tat(client), now);
            Instant accountTat = known ? null : limits.account().take(tat(account), now);
            if (clientTat == null || (!known && accountTat == null)) {
                // Refused: nothing is taken, so attempts while throttled do not prolong it.
                Duration clientWait = clientTat == null ? limits.accountClient().waitFor(tat(client), now) : Duration.ZERO;
                Duration accountWait = !known && accountTat == null ? limits.account().waitFor(tat(account), now) : Duration.ZERO;
                Limit by = accountWait.compareTo(clientWait) > 0 ? Limit.ACCOUNT : Limit.ACCOUNT_CLIENT;
                return new Reservation(by, accountWait.compareTo(clientWait) > 0 ? accountWait : clientWait, known);
            }
            write(tx, accountClientKey, client, clientTat, client == null ? null : client.lastSuccess());
            if (!known) {
                write(tx, accountKey, account, accountTat, account == null ? null : account.lastSuccess());
            }
            return new Reservation(null, Duration.ZERO, known);
        });
    }

    @Override
    public void recordSuccess(String accountKey, String accountClientKey, Instant now, boolean chargedAccount, Limits limits) {
        checkKeys(accountKey, accountClientKey);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(limits, "limits");
        jdbc.transaction("record a successful login", tx -> {
            Row account = lock(tx, accountKey);
            Row client = lock(tx, accountClientKey);
            // Full again (no failures outstanding), and known from now on.
            write(tx, accountClientKey, client, now, now);
            if (chargedAccount && account != null) {
                write(tx, accountKey, account, limits.account().giveBack(account.tat()), account.lastSuccess());
            }
            return null;
        });
    }

    @Override
    public int purge(Instant now, Instant knownSince) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(knownSince, "knownSince");
        return jdbc.autoCommit("purge login throttle buckets", tx -> {
            try (PreparedStatement ps = tx.prepare(PURGE)) {
                tx.dialect.setInstant(ps, 1, now);
                tx.dialect.setInstant(ps, 2, knownSince);
                return ps.executeUpdate();
            }
        });
    }

    private static void checkKeys(String accountKey, String accountClientKey) {
        Jdbc.text("accountKey", accountKey, KEY_LENGTH);
        Jdbc.text("accountClientKey", accountClientKey, KEY_LENGTH);
        if (accountKey.equals(accountClientKey)) {
            throw new IllegalArgumentException("accountKey and accountClientKey must be different keys");
        }
    }

    private static Instant tat(Row row) {
        return row == null ? null : row.tat();
    }

    private static Row lock(Jdbc.Tx tx, String key) throws SQLException {
        try (PreparedStatement ps = tx.prepare(LOCK)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Row(tx.dialect.getInstant(rs, 1), tx.dialect.getInstant(rs, 2));
            }
        }
    }

    /** Inserts the row when it was absent, else updates the row this transaction holds locked. */
    private static void write(Jdbc.Tx tx, String key, Row existing, Instant tat, Instant lastSuccess) throws SQLException {
        if (existing == null) {
            try (PreparedStatement ps = tx.prepare(INSERT)) {
                ps.setString(1, key);
                tx.dialect.setInstant(ps, 2, tat);
                tx.dialect.setInstant(ps, 3, lastSuccess);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (tx.dialect.isDuplicateKey(e)) {
                    // another transaction inserted it first: run again, and the lock will find it
                    throw new Jdbc.Retry(e);
                }
                throw e;
            }
            return;
        }
        try (PreparedStatement ps = tx.prepare(UPDATE)) {
            tx.dialect.setInstant(ps, 1, tat);
            tx.dialect.setInstant(ps, 2, lastSuccess);
            ps.setString(3, key);
            if (ps.executeUpdate() != 1) {
                throw new Jdbc.Retry(new SQLException("A locked throttle row vanished"));
            }
        }
    }

    /** {@inheritDoc} Deletes the buckets' rows, in one statement each. */
    @Override
    public void clear(String... bucketKeys) {
        Objects.requireNonNull(bucketKeys, "bucketKeys");
        jdbc.autoCommit("clear login throttle buckets", tx -> {
            for (String key : bucketKeys) {
                try (PreparedStatement ps = tx.prepare("DELETE FROM gh_login_buckets WHERE bucket_key = ?")) {
                    ps.setString(1, Objects.requireNonNull(key, "bucketKey"));
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }
}
