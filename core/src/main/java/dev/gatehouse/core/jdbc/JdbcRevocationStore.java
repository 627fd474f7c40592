package dev.gatehouse.core.jdbc;

import dev.gatehouse.core.store.RevocationStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** {@link RevocationStore} on tables {@code gh_revoked_tokens} and {@code gh_user_revocations}. */
final class JdbcRevocationStore implements RevocationStore {
    private final Jdbc jdbc;

    JdbcRevocationStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** {@inheritDoc} Revoking a token again keeps the later of the two expiries. */
    @Override
    public void revokeToken(String jti, Instant expiresAt) {
        Jdbc.text("jti", jti, 64);
        Objects.requireNonNull(expiresAt, "expiresAt");
        upsertKeepingLater("revoke an access token", Dialect::revokedTokenUpsert, "gh_revoked_tokens", "jti", "expires_at", jti, expiresAt);
    }

    @Override
    public void revokeUserBefore(String userId, Instant cutoff) {
        Jdbc.text("userId", userId, 36);
        Objects.requireNonNull(cutoff, "cutoff");
        upsertKeepingLater("revoke the access tokens of a user", Dialect::userCutoffUpsert, "gh_user_revocations", "user_id", "revoked_before", userId, cutoff);
    }

    @Override
    public Map<String, Instant> revokedTokens(Instant now) {
        Objects.requireNonNull(now, "now");
        return readMap("read revoked access tokens",
                "SELECT jti, expires_at FROM gh_revoked_tokens WHERE expires_at > ?", now);
    }

    @Override
    public Map<String, Instant> userCutoffs(Instant oldest) {
        Objects.requireNonNull(oldest, "oldest");
        return readMap("read user revocations",
                "SELECT user_id, revoked_before FROM gh_user_revocations WHERE revoked_before > ?", oldest);
    }

    /**
     * {@inheritDoc} Deletes revoked tokens that expired before {@code tokenExpiryCutoff} and user
     * cut-offs older than {@code userCutoffBefore}, in one transaction.
     */
    @Override
    public int purge(Instant tokenExpiryCutoff, Instant userCutoffBefore) {
        Objects.requireNonNull(tokenExpiryCutoff, "tokenExpiryCutoff");
        Objects.requireNonNull(userCutoffBefore, "userCutoffBefore");
        return jdbc.transaction("purge revocations", tx -> {
            int deleted;
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_revoked_tokens WHERE expires_at < ?")) {
                tx.dialect.setInstant(ps, 1, tokenExpiryCutoff);
                deleted = ps.executeUpdate();
            }
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_user_revocations WHERE revoked_before < ?")) {
                tx.dialect.setInstant(ps, 1, userCutoffBefore);
                deleted += ps.executeUpdate();
            }
            return deleted;
        });
    }

    /**
     * Inserts {@code (key, time)}, or keeps the later time if the key is there. Table and column
     * names are constants of this class, never a caller's value.
     */
    private void upsertKeepingLater(String operation, Function<Dialect, String> upsertSql, String table, String keyColumn,
                                    String timeColumn, String key, Instant time) {
        String upsert = upsertSql.apply(jdbc.dialect());
        if (upsert != null) {
            jdbc.autoCommit(operation, tx -> {
                keepLater(tx, upsert, table, keyColumn, timeColumn, key, time);
                return null;
            });
            return;
        }
        // No atomic upsert (H2): update, else insert; an insert that loses a race is run again.
        jdbc.transaction(operation, tx -> {
            keepLater(tx, null, table, keyColumn, timeColumn, key, time);
            return null;
        });
    }

    /** Records a user's cut-off inside a caller's transaction (account deletion). */
    static void revokeUserBefore(Jdbc.Tx tx, String userId, Instant cutoff) throws SQLException {
        keepLater(tx, tx.dialect.userCutoffUpsert(), "gh_user_revocations", "user_id", "revoked_before", userId, cutoff);
    }

    /**
     * Inserts {@code (key, time)} or keeps the later time, on the caller's connection: with the
     * dialect's atomic upsert when it has one, else by update-then-insert, which must run in a
     * transaction (an insert that loses a race throws {@link Jdbc.Retry}).
     */
    private static void keepLater(Jdbc.Tx tx, String upsert, String table, String keyColumn, String timeColumn,
                                  String key, Instant time) throws SQLException {
        if (upsert != null) {
            try (PreparedStatement ps = tx.prepare(upsert)) {
                ps.setString(1, key);
                tx.dialect.setInstant(ps, 2, time);
                ps.executeUpdate();
            }
            return;
        }
        // GREATEST keeps the later time whatever the row holds when the update gets its lock. No
        // row: insert one; if another transaction inserted it meanwhile (visible or not when the
        // update ran), the insert fails on the key and the whole transaction runs again, so the
        // update then sees the row. A "does it exist" read between the two would leave a window
        // in which a row committed after the update makes the insert look unneeded.
        int updated;
        try (PreparedStatement ps = tx.prepare("UPDATE " + table + " SET " + timeColumn + " = GREATEST(" + timeColumn + ", ?)"
                + " WHERE " + keyColumn + " = ?")) {
            tx.dialect.setInstant(ps, 1, time);
            ps.setString(2, key);
            updated = ps.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement ps = tx.prepare("INSERT INTO " + table + " (" + keyColumn + ", " + timeColumn
                    + ") VALUES (?, ?)")) {
                ps.setString(1, key);
                tx.dialect.setInstant(ps, 2, time);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (tx.dialect.isDuplicateKey(e)) {
                    throw new Jdbc.Retry(e);
                }
                throw e;
            }
        }
    }

    private Map<String, Instant> readMap(String operation, String sql, Instant bound) {
        return jdbc.autoCommit(operation, tx -> {
            try (PreparedStatement ps = tx.prepare(sql)) {
                tx.dialect.setInstant(ps, 1, bound);
                try (ResultSet rs = ps.executeQuery()) {
                    Map<String, Instant> result = new HashMap<>();
                    while (rs.next()) {
                        result.put(rs.getString(1), tx.dialect.getInstant(rs, 2));
                    }
                    return Map.copyOf(result);
                }
            }
        });
    }
}
