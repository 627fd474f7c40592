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

import dev.gatehouse.auth.store.RevocationChange;
import dev.gatehouse.auth.store.RevocationStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@link RevocationStore} on tables {@code gh_revoked_tokens} and {@code gh_user_revocations}, and
 * the {@code revoked_at} of {@code gh_refresh_families} (a revoked session is a revoked family: the
 * refresh-token store writes it, this store only reads it).
 *
 * <p>Every change is numbered from one sequence, {@code gh_revocation_seq} (schema version 4):
 * {@code gh_revoked_tokens.seq}, {@code gh_user_revocations.seq} and
 * {@code gh_refresh_families.revoked_seq}, each with an index, so that reading the changes after a
 * number costs what those changes cost, however many revocations are in force.
 */
final class JdbcRevocationStore implements RevocationStore {
    private final Jdbc jdbc;

    /** One row per table: each MAX is read from the end of the table's index (NULL, read as 0, when none is numbered). */
    private static final String LATEST_CHANGE = "SELECT MAX(seq) FROM gh_revoked_tokens"
            + " UNION ALL SELECT MAX(seq) FROM gh_user_revocations"
            + " UNION ALL SELECT MAX(revoked_seq) FROM gh_refresh_families";

    /** The changes numbered above a number, from each table's index: kind, id, time, generation, number. */
    private static final String CHANGES_AFTER = "SELECT 'T', jti, expires_at, 0, seq FROM gh_revoked_tokens WHERE seq > ?"
            + " UNION ALL SELECT 'S', family_id, revoked_at, 0, revoked_seq FROM gh_refresh_families WHERE revoked_seq > ?"
            + " UNION ALL SELECT 'U', user_id, revoked_at, min_generation, seq FROM gh_user_revocations WHERE seq > ?";

    JdbcRevocationStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** {@inheritDoc} Revoking a token again keeps the later of the two times. */
    @Override
    public void revokeToken(String jti, Instant until) {
        Jdbc.text("jti", jti, 64);
        Objects.requireNonNull(until, "until");
        if (jdbc.dialect().revokedTokenUpsert() != null) {
            jdbc.autoCommit("revoke an access token", tx -> {
                revokeToken(tx, jti, until);
                return null;
            });
        } else {
            // No atomic upsert (H2): update, else insert; an insert that loses a race is run again.
            jdbc.transaction("revoke an access token", tx -> {
                revokeToken(tx, jti, until);
                return null;
            });
        }
    }

    @Override
    public void refuseGenerationsBelow(String userId, int generation, Instant at) {
        Jdbc.text("userId", userId, 36);
        Objects.requireNonNull(at, "at");
        if (generation < 0) {
            throw new IllegalArgumentException("generation must not be negative");
        }
        if (jdbc.dialect().userGenerationUpsert() != null) {
            jdbc.autoCommit("revoke the access tokens of a user", tx -> {
                refuseGenerationsBelow(tx, userId, generation, at);
                return null;
            });
        } else {
            jdbc.transaction("revoke the access tokens of a user", tx -> {
                refuseGenerationsBelow(tx, userId, generation, at);
                return null;
            });
        }
    }

    @Override
    public Map<String, Instant> revokedTokens(Instant now) {
        Objects.requireNonNull(now, "now");
        return readInstants("read revoked access tokens", "SELECT jti, expires_at FROM gh_revoked_tokens WHERE expires_at > ?", now);
    }

    @Override
    public Map<String, Instant> revokedSessions(Instant since) {
        Objects.requireNonNull(since, "since");
        return readInstants("read revoked sessions",
                "SELECT family_id, revoked_at FROM gh_refresh_families WHERE revoked_at > ?", since);
    }

    @Override
    public Map<String, Integer> userGenerations(Instant since) {
        Objects.requireNonNull(since, "since");
        return jdbc.autoCommit("read user revocations", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT user_id, min_generation FROM gh_user_revocations WHERE revoked_at > ?")) {
                tx.dialect.setInstant(ps, 1, since);
                try (ResultSet rs = ps.executeQuery()) {
                    Map<String, Integer> result = new HashMap<>();
                    while (rs.next()) {
                        result.put(rs.getString(1), rs.getInt(2));
                    }
                    return Map.copyOf(result);
                }
            }
        });
    }

    /** {@inheritDoc} The highest number in the three tables (by their indexes), {@code 0} when none is numbered. */
    @Override
    public OptionalLong latestChange() {
        return OptionalLong.of(jdbc.autoCommit("read the latest revocation change", tx -> {
            try (PreparedStatement ps = tx.prepare(LATEST_CHANGE); ResultSet rs = ps.executeQuery()) {
                long latest = 0;
                while (rs.next()) {
                    latest = Math.max(latest, rs.getLong(1));
                }
                return latest;
            }
        }));
    }

    @Override
    public List<RevocationChange> changesAfter(long after) {
        return jdbc.autoCommit("read revocation changes", tx -> {
            try (PreparedStatement ps = tx.prepare(CHANGES_AFTER)) {
                ps.setLong(1, after);
                ps.setLong(2, after);
                ps.setLong(3, after);
                try (ResultSet rs = ps.executeQuery()) {
                    List<RevocationChange> changes = new ArrayList<>();
                    while (rs.next()) {
                        RevocationChange.Kind kind = switch (rs.getString(1)) {
                            case "T" -> RevocationChange.Kind.TOKEN;
                            case "S" -> RevocationChange.Kind.SESSION;
                            default -> RevocationChange.Kind.GENERATION;
                        };
                        changes.add(new RevocationChange(rs.getLong(5), kind, rs.getString(2), tx.dialect.getInstant(rs, 3), rs.getInt(4)));
                    }
                    return List.copyOf(changes);
                }
            }
        });
    }

    /** {@inheritDoc} In one transaction. */
    @Override
    public int purge(Instant tokensUntilBefore, Instant generationsBefore) {
        Objects.requireNonNull(tokensUntilBefore, "tokensUntilBefore");
        Objects.requireNonNull(generationsBefore, "generationsBefore");
        return jdbc.transaction("purge revocations", tx -> {
            int deleted;
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_revoked_tokens WHERE expires_at < ?")) {
                tx.dialect.setInstant(ps, 1, tokensUntilBefore);
                deleted = ps.executeUpdate();
            }
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_user_revocations WHERE revoked_at < ?")) {
                tx.dialect.setInstant(ps, 1, generationsBefore);
                deleted += ps.executeUpdate();
            }
            return deleted;
        });
    }

    /**
     * Records a token revocation on the caller's connection, keeping the later time: with the
     * dialect's atomic upsert, else by update-then-insert, which must run in a transaction (an
     * insert that loses a race throws {@link Jdbc.Retry}).
     */
    private static void revokeToken(Jdbc.Tx tx, String jti, Instant until) throws SQLException {
        String upsert = tx.dialect.revokedTokenUpsert();
        if (upsert != null) {
            try (PreparedStatement ps = tx.prepare(upsert)) {
                ps.setString(1, jti);
                tx.dialect.setInstant(ps, 2, until);
                ps.executeUpdate();
            }
            return;
        }
        int updated;
        try (PreparedStatement ps = tx.prepare("UPDATE gh_revoked_tokens SET expires_at = GREATEST(expires_at, ?), seq = "
                + tx.dialect.nextRevocationNumber() + " WHERE jti = ?")) {
            tx.dialect.setInstant(ps, 1, until);
            ps.setString(2, jti);
            updated = ps.executeUpdate();
        }
        if (updated == 0) {
            insertOrRetry(tx, "INSERT INTO gh_revoked_tokens (jti, expires_at) VALUES (?, ?)", ps -> {
                ps.setString(1, jti);
                tx.dialect.setInstant(ps, 2, until);
            });
        }
    }

    /**
     * Records a user's generation cut-off on the caller's connection (logout everywhere, a change
     * of roles and account deletion call this inside their own transaction), keeping the higher
     * generation and the later time. Without an atomic upsert (H2) it must run in a transaction.
     */
    static void refuseGenerationsBelow(Jdbc.Tx tx, String userId, int generation, Instant at) throws SQLException {
        String upsert = tx.dialect.userGenerationUpsert();
        if (upsert != null) {
            try (PreparedStatement ps = tx.prepare(upsert)) {
                ps.setString(1, userId);
                ps.setInt(2, generation);
                tx.dialect.setInstant(ps, 3, at);
                ps.executeUpdate();
            }
            return;
        }
        // GREATEST keeps the higher values whatever the row holds when the update gets its lock. No
        // row: insert one; if another transaction inserted it meanwhile (visible or not when the
        // update ran), the insert fails on the key and the whole transaction runs again, so the
        // update then sees the row. A "does it exist" read between the two would leave a window
        // in which a row committed after the update makes the insert look unneeded.
        int updated;
        try (PreparedStatement ps = tx.prepare("UPDATE gh_user_revocations SET min_generation = GREATEST(min_generation, ?),"
                + " revoked_at = GREATEST(revoked_at, ?), seq = " + tx.dialect.nextRevocationNumber() + " WHERE user_id = ?")) {
            ps.setInt(1, generation);
            tx.dialect.setInstant(ps, 2, at);
            ps.setString(3, userId);
            updated = ps.executeUpdate();
        }
        if (updated == 0) {
            insertOrRetry(tx, "INSERT INTO gh_user_revocations (user_id, min_generation, revoked_at) VALUES (?, ?, ?)", ps -> {
                ps.setString(1, userId);
                ps.setInt(2, generation);
                tx.dialect.setInstant(ps, 3, at);
            });
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Runs an insert; one that loses a race on the key has its transaction run again ({@link Jdbc.Retry}). */
    private static void insertOrRetry(Jdbc.Tx tx, String insert, Binder binder) throws SQLException {
        try (PreparedStatement ps = tx.prepare(insert)) {
            binder.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            if (tx.dialect.isDuplicateKey(e)) {
                throw new Jdbc.Retry(e);
            }
            throw e;
        }
    }

    /** Runs a query of (key, instant) rows with one instant parameter; {@code sql} is a constant of this class. */
    private Map<String, Instant> readInstants(String operation, String sql, Instant bound) {
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
