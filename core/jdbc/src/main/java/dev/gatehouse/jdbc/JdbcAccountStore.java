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

import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.store.AccountStore;
import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.store.OutboxStore;
import dev.gatehouse.auth.store.User;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * {@link AccountStore} and {@link OutboxStore} on tables {@code gh_account_tokens} and
 * {@code gh_mail_outbox} (schema version 2), with {@code gh_users} and the refresh and revocation
 * tables. Every write that causes a mail inserts it into the outbox in its own transaction.
 *
 * <p>Claims are portable conditional updates (no {@code SKIP LOCKED}): a node reads the due
 * messages' ids, then claims each with {@code UPDATE ... WHERE message_id = ? AND (claim is free
 * or its lease is past)}; the database's row lock lets one such update win, and the loser sees an
 * update count of 0 and moves on.
 */
final class JdbcAccountStore implements AccountStore, OutboxStore {
    /** The kind recorded with a mail; the message id is what the outbox and the mail server know it by. */
    private static final int KIND_CHARS = 32;

    private final Jdbc jdbc;

    JdbcAccountStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    // ---- AccountStore -------------------------------------------------------------------------

    @Override
    public User register(NewUser user, AccountToken verification, List<MailMessage> mail) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(mail, "mail");
        User stored = JdbcUserRepository.checkedNewUser(user.id(), user.email(), user.passwordHash(), user.roles(), user.createdAt(),
                user.language());
        return jdbc.transaction("register a user", tx -> {
            try {
                JdbcUserRepository.insert(tx, stored);
            } catch (SQLException e) {
                if (tx.dialect.isDuplicateKey(e)) {
                    // the id is a fresh random UUID: a duplicate is the email's unique constraint
                    throw new DuplicateEmailException();
                }
                throw e;
            }
            if (verification != null) {
                insertToken(tx, user.id(), user.email(), verification);
            }
            for (MailMessage message : mail) {
                insertMail(tx, message, null, kindOf(verification), stored.createdAt());
            }
            return stored;
        });
    }

    @Override
    public boolean queue(MailMessage mail, String dedupeKey, Instant at) {
        Objects.requireNonNull(mail, "mail");
        Objects.requireNonNull(at, "at");
        Jdbc.nullableText("dedupeKey", dedupeKey, 64);
        return jdbc.autoCommit("queue a mail", tx -> {
            try {
                insertMail(tx, mail, dedupeKey, "notice", at);
                return true;
            } catch (SQLException e) {
                if (dedupeKey != null && tx.dialect.isDuplicateKey(e)) {
                    tx.setRollbackOnly();
                    return false;
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<User> issueToken(String userId, AccountToken token, boolean requireUnverified, Function<User, MailMessage> mail) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(mail, "mail");
        if (!JdbcUserRepository.plausibleId(userId)) {
            return Optional.empty();
        }
        return jdbc.transaction("issue an account token", tx -> {
            Optional<User> found = JdbcUserRepository.findOne(tx, "id", userId, true);
            if (found.isEmpty() || (requireUnverified && found.get().emailVerified())) {
                tx.setRollbackOnly();
                return Optional.<User>empty();
            }
            User user = found.get();
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_account_tokens WHERE user_id = ? AND purpose = ?")) {
                ps.setString(1, userId);
                ps.setString(2, token.purpose().name());
                ps.executeUpdate();
            }
            insertToken(tx, userId, user.email(), token);
            insertMail(tx, mail.apply(user), null, kindOf(token), token.createdAt());
            return Optional.of(user);
        });
    }

    @Override
    public Optional<User> verifyEmail(String tokenHash, Instant at) {
        Objects.requireNonNull(at, "at");
        if (!plausibleHash(tokenHash)) {
            return Optional.empty();
        }
        return jdbc.transaction("verify an email", tx -> {
            Optional<Spent> spent = spend(tx, tokenHash, Purpose.VERIFY_EMAIL, at);
            if (spent.isEmpty()) {
                return Optional.<User>empty();
            }
            Optional<User> found = JdbcUserRepository.findOne(tx, "id", spent.get().userId, true);
            if (found.isEmpty() || !found.get().email().equals(spent.get().email)) {
                // the account's address changed since the link was sent: it proves nothing now (the token stays spent)
                return Optional.<User>empty();
            }
            User user = found.get();
            if (user.emailVerified()) {
                return found;
            }
            try (PreparedStatement ps = tx.prepare("UPDATE gh_users SET email_verified_at = ? WHERE id = ?")) {
                tx.dialect.setInstant(ps, 1, at);
                ps.setString(2, user.id());
                ps.executeUpdate();
            }
            return Optional.of(withVerified(user, at.truncatedTo(ChronoUnit.MICROS)));
        });
    }

    @Override
    public Optional<User> resetPassword(String tokenHash, String newPasswordHash, Instant at, Function<User, MailMessage> notification) {
        Objects.requireNonNull(at, "at");
        Jdbc.text("newPasswordHash", newPasswordHash, 100);
        if (!plausibleHash(tokenHash)) {
            return Optional.empty();
        }
        return jdbc.transaction("reset a password", tx -> {
            Optional<Spent> spent = spend(tx, tokenHash, Purpose.PASSWORD_RESET, at);
            if (spent.isEmpty()) {
                return Optional.<User>empty();
            }
            String userId = spent.get().userId;
            Optional<User> found = JdbcUserRepository.findOne(tx, "id", userId, true);
            if (found.isEmpty() || !found.get().email().equals(spent.get().email)) {
                return Optional.<User>empty();
            }
            User user = found.get();
            OptionalInt generation = JdbcUserRepository.revokeAllSessions(tx, userId, at);
            if (generation.isEmpty()) {
                throw new SQLException("The user row vanished inside its own transaction");
            }
            Instant verifiedAt = user.emailVerified() ? user.emailVerifiedAt() : at.truncatedTo(ChronoUnit.MICROS);
            try (PreparedStatement ps = tx.prepare("UPDATE gh_users SET password_hash = ?, email_verified_at = ? WHERE id = ?")) {
                ps.setString(1, newPasswordHash);
                tx.dialect.setInstant(ps, 2, verifiedAt);
                ps.setString(3, userId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_account_tokens WHERE user_id = ?")) {
                ps.setString(1, userId);
                ps.executeUpdate();
            }
            User after = new User(user.id(), user.email(), newPasswordHash, user.roles(), user.createdAt(), generation.getAsInt(),
                    verifiedAt, user.language());
            MailMessage notice = notification == null ? null : notification.apply(after);
            if (notice != null) {
                insertMail(tx, notice, null, "password-changed", at);
            }
            return Optional.of(after);
        });
    }

    @Override
    public Optional<List<String>> changePassword(String userId, String expectedHash, String newPasswordHash, String keepFamilyId,
                                                 Instant at, MailMessage notification) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(expectedHash, "expectedHash");
        Jdbc.text("newPasswordHash", newPasswordHash, 100);
        Objects.requireNonNull(at, "at");
        if (!JdbcUserRepository.plausibleId(userId)) {
            return Optional.empty();
        }
        return jdbc.transaction("change a password", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_users SET password_hash = ? WHERE id = ? AND password_hash = ?")) {
                ps.setString(1, newPasswordHash);
                ps.setString(2, userId);
                ps.setString(3, expectedHash);
                if (ps.executeUpdate() != 1) {
                    tx.setRollbackOnly();
                    return Optional.<List<String>>empty();
                }
            }
            List<String> ended = revokeFamilies(tx, userId, keepFamilyId, at);
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_account_tokens WHERE user_id = ? AND purpose = ?")) {
                ps.setString(1, userId);
                ps.setString(2, Purpose.PASSWORD_RESET.name());
                ps.executeUpdate();
            }
            if (notification != null) {
                insertMail(tx, notification, null, "password-changed", at);
            }
            return Optional.of(List.copyOf(ended));
        });
    }

    @Override
    public boolean deleteAndRevoke(String userId, Instant at, Function<User, MailMessage> notification) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(at, "at");
        if (!JdbcUserRepository.plausibleId(userId)) {
            return false;
        }
        return jdbc.transaction("delete a user and revoke their tokens", tx -> {
            Optional<User> found = JdbcUserRepository.findOne(tx, "id", userId, true);
            if (found.isEmpty()) {
                tx.setRollbackOnly();
                return false;
            }
            if (!JdbcUserRepository.deleteAndRevoke(tx, userId, at)) {
                throw new SQLException("The user row vanished inside its own transaction");
            }
            MailMessage notice = notification == null ? null : notification.apply(found.get());
            if (notice != null) {
                insertMail(tx, notice, null, "account-deleted", at);
            }
            return true;
        });
    }

    @Override
    public int purgeTokens(Instant before) {
        Objects.requireNonNull(before, "before");
        return jdbc.autoCommit("purge expired account tokens", tx -> {
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_account_tokens WHERE expires_at < ?")) {
                tx.dialect.setInstant(ps, 1, before);
                return ps.executeUpdate();
            }
        });
    }

    // ---- OutboxStore --------------------------------------------------------------------------

    @Override
    public List<Entry> claimDue(String claim, Instant now, Instant leaseUntil, int max) {
        Jdbc.text("claim", claim, 36);
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        List<String> candidates = jdbc.autoCommit("find due mail", tx -> {
            List<String> ids = new ArrayList<>();
            // more than max: some may be claimed by another node between this read and the claim
            try (PreparedStatement ps = tx.prepare("SELECT message_id FROM gh_mail_outbox"
                    + " WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?"
                    + " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at, created_at")) {
                tx.dialect.setInstant(ps, 1, now);
                tx.dialect.setInstant(ps, 2, now);
                ps.setMaxRows(max * 2);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
        List<Entry> claimed = new ArrayList<>();
        for (String id : candidates) {
            if (claimed.size() >= max) {
                break;
            }
            claimOne(id, claim, now, leaseUntil).ifPresent(claimed::add);
        }
        return claimed;
    }

    private Optional<Entry> claimOne(String messageId, String claim, Instant now, Instant leaseUntil) {
        return jdbc.transaction("claim a mail", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_mail_outbox SET claim = ?, claimed_until = ? WHERE message_id = ?"
                    + " AND sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?"
                    + " AND (claimed_until IS NULL OR claimed_until < ?)")) {
                ps.setString(1, claim);
                tx.dialect.setInstant(ps, 2, leaseUntil);
                ps.setString(3, messageId);
                tx.dialect.setInstant(ps, 4, now);
                tx.dialect.setInstant(ps, 5, now);
                if (ps.executeUpdate() != 1) {
                    return Optional.<Entry>empty();
                }
            }
            try (PreparedStatement ps = tx.prepare("SELECT message_id, kind, recipient, subject, text_body, html_body, attempts,"
                    + " created_at FROM gh_mail_outbox WHERE message_id = ?")) {
                ps.setString(1, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("A claimed mail vanished inside its own transaction");
                    }
                    return Optional.of(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getInt(7), tx.dialect.getInstant(rs, 8), claim));
                }
            }
        });
    }

    @Override
    public boolean markSent(String messageId, String claim, Instant at) {
        return finish("mark a mail sent", "UPDATE gh_mail_outbox SET sent_at = ?, text_body = NULL, html_body = NULL,"
                + " claim = NULL, claimed_until = NULL, last_error = NULL WHERE message_id = ? AND claim = ?", messageId, claim, at, null);
    }

    @Override
    public boolean markFailed(String messageId, String claim, Instant nextAttemptAt, String error) {
        return finish("mark a mail failed", "UPDATE gh_mail_outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?,"
                + " claim = NULL, claimed_until = NULL WHERE message_id = ? AND claim = ?", messageId, claim, nextAttemptAt, error);
    }

    @Override
    public boolean markGivenUp(String messageId, String claim, Instant at, String error) {
        return finish("give a mail up", "UPDATE gh_mail_outbox SET given_up_at = ?, attempts = attempts + 1, last_error = ?,"
                + " text_body = NULL, html_body = NULL, claim = NULL, claimed_until = NULL WHERE message_id = ? AND claim = ?",
                messageId, claim, at, error);
    }

    /** An update of one claimed message: the instant first, then the error when given, then the id and the claim. */
    private boolean finish(String operation, String sql, String messageId, String claim, Instant at, String error) {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(at, "at");
        String bounded = error == null ? null : truncate(error, 200);
        return jdbc.autoCommit(operation, tx -> {
            try (PreparedStatement ps = tx.prepare(sql)) {
                int i = 1;
                tx.dialect.setInstant(ps, i++, at);
                if (sql.contains("last_error = ?")) {
                    ps.setString(i++, bounded);
                }
                ps.setString(i++, messageId);
                ps.setString(i, claim);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int purge(Instant before) {
        Objects.requireNonNull(before, "before");
        return jdbc.autoCommit("purge sent mail", tx -> {
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_mail_outbox WHERE (sent_at IS NOT NULL AND sent_at < ?)"
                    + " OR (given_up_at IS NOT NULL AND given_up_at < ?)")) {
                tx.dialect.setInstant(ps, 1, before);
                tx.dialect.setInstant(ps, 2, before);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Stats stats(Instant now) {
        Objects.requireNonNull(now, "now");
        return jdbc.autoCommit("count the mail outbox", tx -> {
            try (PreparedStatement ps = tx.prepare("SELECT"
                    + " SUM(CASE WHEN sent_at IS NULL AND given_up_at IS NULL THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= ?"
                    + " AND (claimed_until IS NULL OR claimed_until < ?) THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN given_up_at IS NOT NULL THEN 1 ELSE 0 END),"
                    + " MIN(CASE WHEN sent_at IS NULL AND given_up_at IS NULL THEN created_at END)"
                    + " FROM gh_mail_outbox")) {
                tx.dialect.setInstant(ps, 1, now);
                tx.dialect.setInstant(ps, 2, now);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Stats(rs.getLong(1), rs.getLong(2), rs.getLong(3), tx.dialect.getInstant(rs, 4));
                }
            }
        });
    }

    // ---- helpers ------------------------------------------------------------------------------

    private record Spent(String userId, String email) {
    }

    /** Deletes a live token of {@code purpose}; what it was bound to, or empty for an unknown, expired or spent one. */
    private static Optional<Spent> spend(Jdbc.Tx tx, String tokenHash, Purpose purpose, Instant at) throws SQLException {
        Spent spent;
        try (PreparedStatement ps = tx.prepare("SELECT user_id, email, expires_at FROM gh_account_tokens"
                + " WHERE token_hash = ? AND purpose = ? FOR UPDATE")) {
            ps.setString(1, tokenHash);
            ps.setString(2, purpose.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!at.isBefore(tx.dialect.getInstant(rs, 3))) {
                    return Optional.empty(); // expired: left for the clean-up
                }
                spent = new Spent(rs.getString(1), rs.getString(2));
            }
        }
        try (PreparedStatement ps = tx.prepare("DELETE FROM gh_account_tokens WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            if (ps.executeUpdate() != 1) {
                return Optional.empty(); // spent by a concurrent request meanwhile
            }
        }
        return Optional.of(spent);
    }

    /** Revokes the user's live families except {@code keep}; returns their ids. */
    private static List<String> revokeFamilies(Jdbc.Tx tx, String userId, String keep, Instant at) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = tx.prepare("SELECT family_id FROM gh_refresh_families WHERE user_id = ? AND revoked_at IS NULL"
                + " FOR UPDATE")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    if (!id.equals(keep)) {
                        ids.add(id);
                    }
                }
            }
        }
        for (String id : ids) {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_families SET revoked_at = ?, revoked_seq = " + tx.dialect.nextRevocationNumber()
                    + " WHERE family_id = ? AND revoked_at IS NULL")) {
                tx.dialect.setInstant(ps, 1, at);
                ps.setString(2, id);
                ps.executeUpdate();
            }
        }
        return ids;
    }

    private static void insertToken(Jdbc.Tx tx, String userId, String email, AccountToken token) throws SQLException {
        if (!plausibleHash(token.tokenHash())) {
            throw new IllegalArgumentException("tokenHash must be 64 lower-case hex characters");
        }
        try (PreparedStatement ps = tx.prepare("INSERT INTO gh_account_tokens (token_hash, user_id, purpose, email, created_at, expires_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, token.tokenHash());
            ps.setString(2, userId);
            ps.setString(3, token.purpose().name());
            ps.setString(4, email);
            tx.dialect.setInstant(ps, 5, token.createdAt());
            tx.dialect.setInstant(ps, 6, token.expiresAt());
            ps.executeUpdate();
        }
    }

    private static void insertMail(Jdbc.Tx tx, MailMessage mail, String dedupeKey, String kind, Instant at) throws SQLException {
        Jdbc.text("messageId", mail.messageId(), 36);
        Jdbc.text("to", mail.to(), 254);
        Jdbc.text("subject", mail.subject(), 400);
        try (PreparedStatement ps = tx.prepare("INSERT INTO gh_mail_outbox (message_id, kind, recipient, subject, text_body, html_body,"
                + " dedupe_key, created_at, next_attempt_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")) {
            ps.setString(1, mail.messageId());
            ps.setString(2, truncate(kind, KIND_CHARS));
            ps.setString(3, mail.to());
            ps.setString(4, mail.subject());
            ps.setString(5, mail.text());
            ps.setString(6, mail.html());
            ps.setString(7, dedupeKey);
            tx.dialect.setInstant(ps, 8, at);
            tx.dialect.setInstant(ps, 9, at);
            ps.executeUpdate();
        }
    }

    private static String kindOf(AccountToken token) {
        if (token == null) {
            return "notice";
        }
        return token.purpose() == Purpose.VERIFY_EMAIL ? "verify-email" : "password-reset";
    }

    private static User withVerified(User user, Instant at) {
        return new User(user.id(), user.email(), user.passwordHash(), user.roles(), user.createdAt(), user.tokenGeneration(), at,
                user.language());
    }

    private static boolean plausibleHash(String hash) {
        if (hash == null || hash.length() != 64) {
            return false;
        }
        for (int i = 0; i < hash.length(); i++) {
            char c = hash.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String truncate(String value, int max) {
        return value.length() > max ? value.substring(0, max) : value;
    }
}
