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

import dev.gatehouse.auth.store.MfaStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link MfaStore} on tables {@code gh_mfa_totp}, {@code gh_mfa_recovery_codes} and
 * {@code gh_mfa_challenges} (schema version 3).
 *
 * <p>Every write that must happen once is one conditional {@code UPDATE} whose condition is what
 * makes it valid (the step is later than the last used one; the code, or the challenge, is
 * unused): the database serialises concurrent updates of a row and re-checks the condition of
 * the one that waited, so exactly one of any number of racing callers, on any number of nodes,
 * changes the row and is told {@code true}. Writes of more than one row run in one transaction;
 * those that change an enrolment and its recovery codes lock the enrolment's row first, then the
 * codes.
 */
final class JdbcMfaStore implements MfaStore {
    /** The longest sealed secret the column holds. */
    static final int MAX_SEALED_SECRET = 200;

    private final Jdbc jdbc;

    JdbcMfaStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    // ---- TOTP ----------------------------------------------------------------------------------

    @Override
    public Optional<Totp> findTotp(String userId) {
        Objects.requireNonNull(userId, "userId");
        return jdbc.autoCommit("find a TOTP enrolment", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT user_id, secret, created_at, confirmed_at, last_step FROM gh_mfa_totp"
                    + " WHERE user_id = ?")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Totp>empty();
                    }
                    Dialect d = tx.dialect;
                    return Optional.of(new Totp(rs.getString("user_id"), rs.getString("secret"), d.getInstant(rs, "created_at"),
                            d.getInstant(rs, "confirmed_at"), rs.getLong("last_step")));
                }
            }
        });
    }

    /**
     * {@inheritDoc} The user's row is locked first, so that enrolments of one user begin one after
     * the other and none begins for a user being deleted.
     */
    @Override
    public boolean beginTotp(String userId, String sealedSecret, Instant now) {
        Jdbc.text("userId", userId, 36);
        Jdbc.text("sealedSecret", sealedSecret, MAX_SEALED_SECRET);
        Objects.requireNonNull(now, "now");
        return jdbc.transaction("begin a TOTP enrolment", tx -> {
            if (!exists(tx, "SELECT id FROM gh_users WHERE id = ? FOR UPDATE", userId)) {
                tx.setRollbackOnly();
                return false;
            }
            try (PreparedStatement ps = tx.prepare("SELECT confirmed_at FROM gh_mfa_totp WHERE user_id = ? FOR UPDATE")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (tx.dialect.getInstant(rs, "confirmed_at") != null) {
                            tx.setRollbackOnly();
                            return false;
                        }
                        return update(tx, "UPDATE gh_mfa_totp SET secret = ?, created_at = ?, last_step = -1"
                                + " WHERE user_id = ? AND confirmed_at IS NULL", sealedSecret, now, userId) == 1;
                    }
                }
            }
            return update(tx, "INSERT INTO gh_mfa_totp (user_id, secret, created_at, confirmed_at, last_step)"
                    + " VALUES (?, ?, ?, NULL, -1)", userId, sealedSecret, now) == 1;
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when a hash is longer than 64 characters or given twice
     */
    @Override
    public boolean confirmTotp(String userId, String sealedSecret, long step, List<String> recoveryCodeHashes, Instant now) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(sealedSecret, "sealedSecret");
        Objects.requireNonNull(now, "now");
        List<String> hashes = checkedHashes(recoveryCodeHashes);
        return jdbc.transaction("confirm a TOTP enrolment", tx -> {
            if (update(tx, "UPDATE gh_mfa_totp SET confirmed_at = ?, last_step = ?"
                    + " WHERE user_id = ? AND secret = ? AND confirmed_at IS NULL", now, step, userId, sealedSecret) != 1) {
                tx.setRollbackOnly();
                return false;
            }
            replaceCodes(tx, userId, hashes, now);
            return true;
        });
    }

    @Override
    public boolean useTotpStep(String userId, long step) {
        Objects.requireNonNull(userId, "userId");
        return jdbc.transaction("use a TOTP step", tx -> update(tx, "UPDATE gh_mfa_totp SET last_step = ?"
                + " WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", step, userId, step) == 1);
    }

    @Override
    public boolean removeTotp(String userId) {
        Objects.requireNonNull(userId, "userId");
        return jdbc.transaction("remove a TOTP enrolment", tx -> {
            int removed = update(tx, "DELETE FROM gh_mfa_totp WHERE user_id = ?", userId);
            update(tx, "DELETE FROM gh_mfa_recovery_codes WHERE user_id = ?", userId);
            update(tx, "DELETE FROM gh_mfa_challenges WHERE user_id = ?", userId);
            return removed == 1;
        });
    }

    // ---- recovery codes ------------------------------------------------------------------------

    @Override
    public boolean useRecoveryCode(String userId, String codeHash, Instant now) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(codeHash, "codeHash");
        Objects.requireNonNull(now, "now");
        return jdbc.transaction("use a recovery code", tx -> update(tx, "UPDATE gh_mfa_recovery_codes SET used_at = ?"
                + " WHERE user_id = ? AND code_hash = ? AND used_at IS NULL"
                + " AND EXISTS (SELECT 1 FROM gh_mfa_totp t WHERE t.user_id = ? AND t.confirmed_at IS NOT NULL)",
                now, userId, codeHash, userId) == 1);
    }

    @Override
    public int unusedRecoveryCodes(String userId) {
        Objects.requireNonNull(userId, "userId");
        return jdbc.autoCommit("count recovery codes", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT COUNT(*) FROM gh_mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL")) {
                ps.setString(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when a hash is longer than 64 characters or given twice
     */
    @Override
    public boolean replaceRecoveryCodes(String userId, List<String> codeHashes, Instant now) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(now, "now");
        List<String> hashes = checkedHashes(codeHashes);
        return jdbc.transaction("replace recovery codes", tx -> {
            if (!exists(tx, "SELECT user_id FROM gh_mfa_totp WHERE user_id = ? AND confirmed_at IS NOT NULL FOR UPDATE", userId)) {
                tx.setRollbackOnly();
                return false;
            }
            replaceCodes(tx, userId, hashes, now);
            return true;
        });
    }

    private static void replaceCodes(Jdbc.Tx tx, String userId, List<String> hashes, Instant now) throws SQLException {
        update(tx, "DELETE FROM gh_mfa_recovery_codes WHERE user_id = ?", userId);
        if (hashes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = tx.prepare("INSERT INTO gh_mfa_recovery_codes (user_id, code_hash, created_at, used_at)"
                + " VALUES (?, ?, ?, NULL)")) {
            for (String hash : hashes) {
                ps.setString(1, userId);
                ps.setString(2, hash);
                tx.dialect.setInstant(ps, 3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static List<String> checkedHashes(List<String> hashes) {
        Objects.requireNonNull(hashes, "codeHashes");
        List<String> copy = List.copyOf(hashes);
        for (String hash : copy) {
            Jdbc.text("codeHash", hash, 64);
        }
        if (new HashSet<>(copy).size() != copy.size()) {
            throw new IllegalArgumentException("A recovery code hash is given twice");
        }
        return copy;
    }

    // ---- challenges ----------------------------------------------------------------------------

    @Override
    public void createChallenge(Challenge challenge) {
        Objects.requireNonNull(challenge, "challenge");
        Jdbc.text("tokenHash", challenge.tokenHash(), 64);
        Jdbc.text("userId", challenge.userId(), 36);
        if (challenge.failures() < 0) {
            throw new IllegalArgumentException("failures must not be negative");
        }
        jdbc.autoCommit("create a second-factor challenge", tx -> update(tx, "INSERT INTO gh_mfa_challenges"
                + " (token_hash, user_id, created_at, expires_at, failures, used_at) VALUES (?, ?, ?, ?, ?, ?)",
                challenge.tokenHash(), challenge.userId(), challenge.createdAt(), challenge.expiresAt(), challenge.failures(),
                challenge.usedAt()));
    }

    @Override
    public Optional<Challenge> findChallenge(String tokenHash) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        return jdbc.autoCommit("find a second-factor challenge", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT token_hash, user_id, created_at, expires_at, failures, used_at"
                    + " FROM gh_mfa_challenges WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Challenge>empty();
                    }
                    Dialect d = tx.dialect;
                    return Optional.of(new Challenge(rs.getString("token_hash").trim(), rs.getString("user_id"),
                            d.getInstant(rs, "created_at"), d.getInstant(rs, "expires_at"), rs.getInt("failures"),
                            d.getInstant(rs, "used_at")));
                }
            }
        });
    }

    /**
     * {@inheritDoc} An expired challenge is not counted against either ({@code false}): it can no
     * longer be used.
     *
     * @throws IllegalArgumentException when {@code maxFailures} is below 1
     */
    @Override
    public boolean failChallenge(String tokenHash, int maxFailures, Instant now) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(now, "now");
        checkMaxFailures(maxFailures);
        return jdbc.transaction("count a failure against a second-factor challenge", tx -> {
            if (update(tx, "UPDATE gh_mfa_challenges SET failures = failures + 1"
                    + " WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND failures < ?", tokenHash, now, maxFailures) != 1) {
                return false;
            }
            // the row is locked by the update until the commit: this reads this transaction's count
            try (PreparedStatement ps = tx.prepare("SELECT failures FROM gh_mfa_challenges WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getInt(1) < maxFailures;
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code maxFailures} is below 1
     */
    @Override
    public boolean useChallenge(String tokenHash, int maxFailures, Instant now) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(now, "now");
        checkMaxFailures(maxFailures);
        return jdbc.transaction("use a second-factor challenge", tx -> update(tx, "UPDATE gh_mfa_challenges SET used_at = ?"
                + " WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND failures < ?",
                now, tokenHash, now, maxFailures) == 1);
    }

    @Override
    public int deleteChallengesBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return jdbc.transaction("delete expired second-factor challenges",
                tx -> update(tx, "DELETE FROM gh_mfa_challenges WHERE expires_at < ?", cutoff));
    }

    private static void checkMaxFailures(int maxFailures) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures must be at least 1");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Runs an insert, update or delete with these parameters (strings, instants, longs, integers, or null instants). */
    private static int update(Jdbc.Tx tx, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = tx.prepare(sql)) {
            bind(tx.dialect, ps, params);
            return ps.executeUpdate();
        }
    }

    /** Whether a query with these parameters finds a row. */
    private static boolean exists(Jdbc.Tx tx, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = tx.prepare(sql)) {
            bind(tx.dialect, ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void bind(Dialect d, PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p == null || p instanceof Instant) {
                d.setInstant(ps, i + 1, (Instant) p);
            } else if (p instanceof String text) {
                ps.setString(i + 1, text);
            } else if (p instanceof Long number) {
                ps.setLong(i + 1, number);
            } else if (p instanceof Integer number) {
                ps.setInt(i + 1, number);
            } else {
                throw new IllegalArgumentException("Unsupported parameter type: " + p.getClass().getName());
            }
        }
    }
}
