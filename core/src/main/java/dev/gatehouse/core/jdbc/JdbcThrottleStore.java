package dev.gatehouse.core.jdbc;

import dev.gatehouse.core.store.ThrottleStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ThrottleStore} on table {@code gh_login_throttle}.
 *
 * <p>{@link #recordFailure} increments the counter in the database (PostgreSQL
 * {@code INSERT ... ON CONFLICT DO UPDATE}, MariaDB {@code INSERT ... ON DUPLICATE KEY UPDATE},
 * H2 {@code UPDATE} then {@code INSERT}), which leaves the row locked by the transaction; it then
 * reads the new count, asks the policy for the block and stores it before committing. Concurrent
 * failures of one account therefore each see a distinct count, and the stored block always
 * belongs to the stored count.
 */
final class JdbcThrottleStore implements ThrottleStore {
    private final Jdbc jdbc;

    JdbcThrottleStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<State> find(String accountKey) {
        Objects.requireNonNull(accountKey, "accountKey");
        return jdbc.autoCommit("read a login throttle", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT failures, blocked_until FROM gh_login_throttle WHERE account_key = ?")) {
                ps.setString(1, accountKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new State(rs.getInt("failures"), tx.dialect.getInstant(rs, "blocked_until")));
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The policy runs while the account's row is locked: it must be quick and must not touch
     * the store. If it throws, nothing is written.
     */
    @Override
    public State recordFailure(String accountKey, Instant now, BlockPolicy policy) {
        Jdbc.text("accountKey", accountKey, 64);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(policy, "policy");
        return jdbc.transaction("record a login failure", tx -> {
            increment(tx, accountKey, now);
            int failures;
            try (PreparedStatement ps = tx.prepare("SELECT failures FROM gh_login_throttle WHERE account_key = ? FOR UPDATE")) {
                ps.setString(1, accountKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("The throttle row vanished inside its own transaction");
                    }
                    failures = rs.getInt(1);
                }
            }
            Instant blockedUntil = policy.blockedUntil(failures, now);
            try (PreparedStatement ps = tx.prepare("UPDATE gh_login_throttle SET blocked_until = ? WHERE account_key = ?")) {
                tx.dialect.setInstant(ps, 1, blockedUntil);
                ps.setString(2, accountKey);
                ps.executeUpdate();
            }
            return new State(failures, blockedUntil == null ? null : blockedUntil.truncatedTo(ChronoUnit.MICROS));
        });
    }

    @Override
    public void reset(String accountKey) {
        Objects.requireNonNull(accountKey, "accountKey");
        jdbc.autoCommit("reset a login throttle", tx -> {
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_login_throttle WHERE account_key = ?")) {
                ps.setString(1, accountKey);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static void increment(Jdbc.Tx tx, String accountKey, Instant now) throws SQLException {
        String upsert = tx.dialect.throttleIncrementUpsert();
        if (upsert != null) {
            try (PreparedStatement ps = tx.prepare(upsert)) {
                ps.setString(1, accountKey);
                tx.dialect.setInstant(ps, 2, now);
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = tx.prepare("UPDATE gh_login_throttle SET failures = failures + 1, last_failure_at = ?"
                + " WHERE account_key = ?")) {
            tx.dialect.setInstant(ps, 1, now);
            ps.setString(2, accountKey);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement ps = tx.prepare("INSERT INTO gh_login_throttle (account_key, failures, last_failure_at, blocked_until)"
                + " VALUES (?, 1, ?, NULL)")) {
            ps.setString(1, accountKey);
            tx.dialect.setInstant(ps, 2, now);
            ps.executeUpdate();
        } catch (SQLException e) {
            if (tx.dialect.isDuplicateKey(e)) {
                // another transaction inserted the row first: run again, and the update will find it
                throw new Jdbc.Retry(e);
            }
            throw e;
        }
    }
}
