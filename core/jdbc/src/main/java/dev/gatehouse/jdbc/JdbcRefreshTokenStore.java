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

import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.token.UserAuthentication;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link RefreshTokenStore} on tables {@code gh_refresh_families}, {@code gh_refresh_tokens} and
 * {@code gh_refresh_seals}.
 *
 * <p>Locking: every transaction that adds a token to a family ({@link #rotate}) first takes the
 * family row's lock by setting its last use with an {@code UPDATE} that matches the row only while
 * the family is not revoked; {@link #revokeFamily}, {@link #revokeAllOfUser}, {@link #revokeSession}
 * and {@link #revokeOtherSessions} update that same row, which takes the same lock. So a revocation either commits before a rotation reads the family (the
 * rotation sees it and writes nothing) or waits until the rotation has committed (and then revokes
 * the family with the new token in it). Locks are always taken family row first, then token
 * rows, as {@link #deleteExpired}'s cascade does, so these transactions cannot deadlock each other.
 * On PostgreSQL a rotation takes the same locks in the same order in a single statement (a
 * {@code WITH} update of the family, then the update of the parent, then the insert), one round trip
 * instead of three.
 */
final class JdbcRefreshTokenStore implements RefreshTokenStore {
    /** A token row's columns, in the order {@link #bindToken} binds them. */
    private static final String INSERT_TOKEN_INTO = "INSERT INTO gh_refresh_tokens (token_hash, family_id, parent_hash, user_id,"
            + " issued_at, expires_at, family_expires_at, used_at, revoked_at)";
    private static final String INSERT_TOKEN = INSERT_TOKEN_INTO + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_SEAL = "INSERT INTO gh_refresh_seals (token_hash, seal, sealed_at) VALUES (?, ?, ?)";
    /** A session's columns, as {@link #session} reads them. */
    private static final String SELECT_SESSION = "SELECT family_id, user_id, created_at, last_used_at, expires_at, revoked_at,"
            + " user_agent, client, amr, auth_time FROM gh_refresh_families";
    /** The longest {@code amr} column: {@link UserAuthentication#MAX_METHODS} names of 32 characters, spaces between. */
    private static final int MAX_AMR_LENGTH = 300;
    /** Sets an unrevoked family's last use: takes its row's lock (see the class comment). */
    private static final String USE_FAMILY = "UPDATE gh_refresh_families SET last_used_at = ? WHERE family_id = ? AND revoked_at IS NULL";
    /** The longest seal: base64url of a 12-byte IV, a 43-character token and a 16-byte tag is 95 characters. */
    private static final int MAX_SEAL_LENGTH = 128;

    private final Jdbc jdbc;

    JdbcRefreshTokenStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the first token belongs to another family or user, the
     *                                  session is ended, or a value is longer than its column
     */
    @Override
    public void createFamily(Session session, RefreshTokenRecord first) {
        Objects.requireNonNull(session, "session");
        Jdbc.text("familyId", session.id(), 36);
        Jdbc.text("userId", session.userId(), 36);
        Jdbc.nullableText("userAgent", session.userAgent(), Session.MAX_USER_AGENT);
        Jdbc.nullableText("client", session.client(), Session.MAX_CLIENT);
        String amr = session.authentication() == null ? null : String.join(" ", session.authentication().methods());
        Jdbc.nullableText("amr", amr, MAX_AMR_LENGTH);
        checkRecord(first);
        if (session.revokedAt() != null) {
            throw new IllegalArgumentException("A new session is not ended");
        }
        if (!first.familyId().equals(session.id()) || !first.userId().equals(session.userId())) {
            throw new IllegalArgumentException("The first token belongs to another family or user");
        }
        jdbc.transaction("create a refresh-token family", tx -> {
            try (PreparedStatement ps = tx.prepare("INSERT INTO gh_refresh_families (family_id, user_id, created_at, expires_at,"
                    + " revoked_at, last_used_at, user_agent, client, amr, auth_time) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)")) {
                Dialect d = tx.dialect;
                ps.setString(1, session.id());
                ps.setString(2, session.userId());
                d.setInstant(ps, 3, session.createdAt());
                d.setInstant(ps, 4, session.expiresAt());
                d.setInstant(ps, 5, session.lastUsedAt());
                ps.setString(6, session.userAgent());
                ps.setString(7, session.client());
                ps.setString(8, amr);
                d.setInstant(ps, 9, session.authentication() == null ? null : session.authentication().time());
                ps.executeUpdate();
            }
            insertToken(tx, first);
            return null;
        });
    }

    @Override
    public Optional<Session> findSession(String familyId) {
        Objects.requireNonNull(familyId, "familyId");
        return jdbc.autoCommit("find a session", tx -> {
            try (PreparedStatement ps = tx.prepare(SELECT_SESSION + " WHERE family_id = ?")) {
                ps.setString(1, familyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(session(tx.dialect, rs)) : Optional.<Session>empty();
                }
            }
        });
    }

    /**
     * {@inheritDoc} Sessions last used at the same instant come newest login first, then by id.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1
     */
    @Override
    public List<Session> listSessions(String userId, Instant now, int limit) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(now, "now");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        return jdbc.autoCommit("list the sessions of a user", tx -> {
            try (PreparedStatement ps = tx.prepare(SELECT_SESSION + " WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?"
                    + " ORDER BY COALESCE(last_used_at, created_at) DESC, created_at DESC, family_id")) {
                ps.setString(1, userId);
                tx.dialect.setInstant(ps, 2, now);
                ps.setMaxRows(limit);
                List<Session> sessions = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && sessions.size() < limit) {
                        sessions.add(session(tx.dialect, rs));
                    }
                }
                return sessions;
            }
        });
    }

    @Override
    public boolean revokeSession(String userId, String familyId, Instant revokedAt) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(familyId, "familyId");
        Objects.requireNonNull(revokedAt, "revokedAt");
        return jdbc.autoCommit("end a session", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_families SET revoked_at = ?, revoked_seq = " + tx.dialect.nextRevocationNumber()
                    + " WHERE family_id = ? AND user_id = ? AND revoked_at IS NULL")) {
                tx.dialect.setInstant(ps, 1, revokedAt);
                ps.setString(2, familyId);
                ps.setString(3, userId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int revokeOtherSessions(String userId, String keptFamilyId, Instant revokedAt) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(keptFamilyId, "keptFamilyId");
        Objects.requireNonNull(revokedAt, "revokedAt");
        return jdbc.transaction("end the other sessions of a user", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_families SET revoked_at = ?, revoked_seq = " + tx.dialect.nextRevocationNumber()
                    + " WHERE user_id = ? AND family_id <> ? AND revoked_at IS NULL")) {
                tx.dialect.setInstant(ps, 1, revokedAt);
                ps.setString(2, userId);
                ps.setString(3, keptFamilyId);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The session of the current row of a {@link #SELECT_SESSION} query. A family without a last
     * use (begun by a node of an earlier release) was last used when it was created; one without
     * both {@code amr} and {@code auth_time}, or with an {@code amr} that is no longer well-formed,
     * has no authentication.
     */
    private static Session session(Dialect d, ResultSet rs) throws SQLException {
        Instant createdAt = d.getInstant(rs, "created_at");
        Instant lastUsedAt = d.getInstant(rs, "last_used_at");
        return new Session(rs.getString("family_id"), rs.getString("user_id"), createdAt, lastUsedAt == null ? createdAt : lastUsedAt,
                d.getInstant(rs, "expires_at"), d.getInstant(rs, "revoked_at"), rs.getString("user_agent"), rs.getString("client"),
                authentication(rs.getString("amr"), d.getInstant(rs, "auth_time")));
    }

    private static UserAuthentication authentication(String amr, Instant authTime) {
        if (amr == null || authTime == null || amr.isBlank()) {
            return null;
        }
        try {
            return new UserAuthentication(List.of(amr.trim().split(" +")), authTime);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@inheritDoc} Its revocation time is the token's or the family's, whichever is earlier. */
    @Override
    public Optional<RefreshTokenRecord> findByHash(String tokenHash) {
        return findWithSession(tokenHash).map(TokenInSession::token);
    }

    /** {@inheritDoc} One query: the token joined to its family. */
    @Override
    public Optional<TokenInSession> findWithSession(String tokenHash) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        return jdbc.autoCommit("find a refresh token", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT t.token_hash, t.family_id, t.parent_hash, t.user_id,"
                    + " t.issued_at, t.expires_at, t.family_expires_at, t.used_at, t.revoked_at,"
                    + " f.user_id AS family_user_id, f.created_at AS family_created_at, f.last_used_at AS family_last_used_at,"
                    + " f.expires_at AS family_ends_at, f.revoked_at AS family_revoked_at, f.user_agent, f.client, f.amr, f.auth_time"
                    + " FROM gh_refresh_tokens t JOIN gh_refresh_families f ON f.family_id = t.family_id"
                    + " WHERE t.token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Dialect d = tx.dialect;
                    Instant familyRevokedAt = d.getInstant(rs, "family_revoked_at");
                    Instant revokedAt = earliest(d.getInstant(rs, "revoked_at"), familyRevokedAt);
                    RefreshTokenRecord token = new RefreshTokenRecord(rs.getString("token_hash").trim(), rs.getString("family_id"),
                            trimmed(rs.getString("parent_hash")), rs.getString("user_id"), d.getInstant(rs, "issued_at"),
                            d.getInstant(rs, "expires_at"), d.getInstant(rs, "family_expires_at"), d.getInstant(rs, "used_at"),
                            revokedAt);
                    Instant createdAt = d.getInstant(rs, "family_created_at");
                    Instant lastUsedAt = d.getInstant(rs, "family_last_used_at");
                    Session session = new Session(rs.getString("family_id"), rs.getString("family_user_id"), createdAt,
                            lastUsedAt == null ? createdAt : lastUsedAt, d.getInstant(rs, "family_ends_at"), familyRevokedAt,
                            rs.getString("user_agent"), rs.getString("client"), authentication(rs.getString("amr"), d.getInstant(rs, "auth_time")));
                    return Optional.of(new TokenInSession(token, session));
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code child}'s parent is not {@code parentHash}, or
     *                                  its family is not the parent's
     */
    @Override
    public boolean rotate(String parentHash, Instant usedAt, RefreshTokenRecord child, String successorSeal) {
        Objects.requireNonNull(parentHash, "parentHash");
        Objects.requireNonNull(usedAt, "usedAt");
        checkRecord(child);
        Jdbc.nullableText("successorSeal", successorSeal, MAX_SEAL_LENGTH);
        if (!parentHash.equals(child.parentHash())) {
            throw new IllegalArgumentException("The child's parent hash is not the token being rotated");
        }
        return jdbc.transaction("rotate a refresh token", tx -> {
            boolean stored = tx.dialect == Dialect.POSTGRESQL
                    ? rotateInOneStatement(tx, parentHash, usedAt, child, successorSeal)
                    : rotateStatementByStatement(tx, parentHash, usedAt, child, successorSeal);
            return stored || refuse(tx, parentHash, child);
        });
    }

    /**
     * Statement by statement on the way that succeeds: lock the family the caller names, spend the
     * parent only if it belongs to that family, store the child, store the seal.
     *
     * @return whether the child was stored
     */
    private static boolean rotateStatementByStatement(Jdbc.Tx tx, String parentHash, Instant usedAt, RefreshTokenRecord child,
                                                      String successorSeal) throws SQLException {
        if (!useUnrevokedFamily(tx, child.familyId(), usedAt)) {
            return false;
        }
        try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_tokens SET used_at = ?"
                + " WHERE token_hash = ? AND family_id = ? AND used_at IS NULL AND revoked_at IS NULL")) {
            tx.dialect.setInstant(ps, 1, usedAt);
            ps.setString(2, parentHash);
            ps.setString(3, child.familyId());
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        insertToken(tx, child);
        if (successorSeal != null) {
            try (PreparedStatement ps = tx.prepare(INSERT_SEAL)) {
                ps.setString(1, parentHash);
                ps.setString(2, successorSeal);
                tx.dialect.setInstant(ps, 3, usedAt);
                ps.executeUpdate();
            }
        }
        return true;
    }

    /**
     * A rotation that stored nothing: the parent's own family is looked up only now, to tell a
     * caller's mistake (a child of another family) from a lost race or a spent or revoked token.
     *
     * @return {@code false}, with the transaction marked for rollback
     * @throws IllegalArgumentException when the parent belongs to another family than the child
     */
    private static boolean refuse(Jdbc.Tx tx, String parentHash, RefreshTokenRecord child) throws SQLException {
        if (familyOf(tx, parentHash).filter(f -> !f.equals(child.familyId())).isPresent()) {
            throw new IllegalArgumentException("The child belongs to another family than its parent");
        }
        tx.setRollbackOnly();
        return false;
    }

    /** The family of a token, if the token exists (a token's family never changes: no lock needed). */
    private static Optional<String> familyOf(Jdbc.Tx tx, String tokenHash) throws SQLException {
        try (PreparedStatement ps = tx.prepare("SELECT family_id FROM gh_refresh_tokens WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    @Override
    public Optional<String> findSeal(String parentHash) {
        Objects.requireNonNull(parentHash, "parentHash");
        return jdbc.autoCommit("find a refresh-token seal", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT seal FROM gh_refresh_seals WHERE token_hash = ?")) {
                ps.setString(1, parentHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean revokeFamily(String familyId, Instant revokedAt) {
        Objects.requireNonNull(familyId, "familyId");
        Objects.requireNonNull(revokedAt, "revokedAt");
        return jdbc.autoCommit("revoke a refresh-token family", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_families SET revoked_at = ?, revoked_seq = " + tx.dialect.nextRevocationNumber()
                    + " WHERE family_id = ? AND revoked_at IS NULL")) {
                tx.dialect.setInstant(ps, 1, revokedAt);
                ps.setString(2, familyId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int revokeAllOfUser(String userId, Instant revokedAt) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(revokedAt, "revokedAt");
        return jdbc.transaction("revoke the refresh tokens of a user", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_families SET revoked_at = ?, revoked_seq = " + tx.dialect.nextRevocationNumber()
                    + " WHERE user_id = ? AND revoked_at IS NULL")) {
                tx.dialect.setInstant(ps, 1, revokedAt);
                ps.setString(2, userId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int deleteExpired(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return jdbc.transaction("delete expired refresh tokens", tx -> {
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_refresh_families WHERE expires_at < ?")) {
                tx.dialect.setInstant(ps, 1, cutoff);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int deleteSealsBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return jdbc.autoCommit("delete refresh-token seals", tx -> {
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_refresh_seals WHERE sealed_at < ?")) {
                tx.dialect.setInstant(ps, 1, cutoff);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Sets the family's last use if it is not revoked, which locks its row until the transaction
     * ends (rolled back with the rest when the rotation stores nothing); {@code false} if it is
     * missing or revoked. (H2 and MariaDB count the rows matched, not the rows changed: a last use
     * equal to the stored one still counts.)
     */
    private static boolean useUnrevokedFamily(Jdbc.Tx tx, String familyId, Instant usedAt) throws SQLException {
        try (PreparedStatement ps = tx.prepare(USE_FAMILY)) {
            tx.dialect.setInstant(ps, 1, usedAt);
            ps.setString(2, familyId);
            return ps.executeUpdate() == 1;
        }
    }

    private static void insertToken(Jdbc.Tx tx, RefreshTokenRecord r) throws SQLException {
        try (PreparedStatement ps = tx.prepare(INSERT_TOKEN)) {
            bindToken(tx.dialect, ps, 1, r);
            ps.executeUpdate();
        }
    }

    /** Binds a token row's nine columns, in {@link #INSERT_TOKEN_INTO}'s order, from parameter {@code first} on. */
    private static void bindToken(Dialect d, PreparedStatement ps, int first, RefreshTokenRecord r) throws SQLException {
        ps.setString(first, r.tokenHash());
        ps.setString(first + 1, r.familyId());
        ps.setString(first + 2, r.parentHash());
        ps.setString(first + 3, r.userId());
        d.setInstant(ps, first + 4, r.issuedAt());
        d.setInstant(ps, first + 5, r.expiresAt());
        d.setInstant(ps, first + 6, r.familyExpiresAt());
        d.setInstant(ps, first + 7, r.usedAt());
        d.setInstant(ps, first + 8, r.revokedAt());
    }

    /**
     * PostgreSQL: {@link #rotate}'s lock, spend and insert as one statement. The {@code family}
     * update sets the family's last use, which locks its row (waiting for a revocation or rotation
     * that holds it, then re-reading it) before the parent's row is touched, so the lock order stays
     * family first (the update is rolled back with the rest when the rotation stores nothing);
     * the parent is spent only if that row is unrevoked, and the child is inserted only if the
     * parent was spent, and so is the seal. A parent spent by a transaction that committed while
     * this one waited is re-read by PostgreSQL before it is updated, and no longer matches.
     *
     * @return whether the child was stored
     */
    private static boolean rotateInOneStatement(Jdbc.Tx tx, String parentHash, Instant usedAt, RefreshTokenRecord child,
                                                String successorSeal) throws SQLException {
        String seal = successorSeal == null ? ""
                : ", sealed AS (INSERT INTO gh_refresh_seals (token_hash, seal, sealed_at) SELECT token_hash, ?, ? FROM spent)";
        try (PreparedStatement ps = tx.prepare("WITH family AS (" + USE_FAMILY + " RETURNING family_id"
                + "), spent AS ("
                + " UPDATE gh_refresh_tokens SET used_at = ? WHERE token_hash = ? AND family_id = (SELECT family_id FROM family)"
                + " AND used_at IS NULL AND revoked_at IS NULL RETURNING token_hash"
                + ")" + seal + " " + INSERT_TOKEN_INTO + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM spent")) {
            int i = 1;
            tx.dialect.setInstant(ps, i++, usedAt);
            ps.setString(i++, child.familyId());
            tx.dialect.setInstant(ps, i++, usedAt);
            ps.setString(i++, parentHash);
            if (successorSeal != null) {
                ps.setString(i++, successorSeal);
                tx.dialect.setInstant(ps, i++, usedAt);
            }
            bindToken(tx.dialect, ps, i, child);
            return ps.executeUpdate() == 1;
        }
    }

    private static void checkRecord(RefreshTokenRecord r) {
        Objects.requireNonNull(r, "record");
        Jdbc.text("tokenHash", r.tokenHash(), 64);
        Jdbc.text("familyId", r.familyId(), 36);
        Jdbc.nullableText("parentHash", r.parentHash(), 64);
        Jdbc.text("userId", r.userId(), 36);
    }

    private static String trimmed(String fixedWidth) {
        // CHAR(64) columns may come back blank-padded if a shorter value was stored.
        return fixedWidth == null ? null : fixedWidth.trim();
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }
}
