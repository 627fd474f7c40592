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

import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/** {@link UserRepository} on table {@code gh_users}. */
final class JdbcUserRepository implements UserRepository {
    static final String COLUMNS = "id, email, password_hash, roles, created_at, token_generation, email_verified_at, language";
    /** What a new user row is given; the token generation starts at the column's default, 0. */
    private static final String INSERT_COLUMNS = "id, email, password_hash, roles, created_at, language";
    /** Name of the unique constraint on the email; the database names it in its error message. */
    private static final String EMAIL_CONSTRAINT = "gh_users_email_uq";

    private final Jdbc jdbc;

    JdbcUserRepository(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The email is stored and compared exactly as given (no case folding, no collation):
     * normalising it is the caller's job.
     *
     * @throws IllegalArgumentException when a value does not fit its column, a role contains a
     *                                  space, or the email ends with a space (MariaDB's
     *                                  {@code PAD SPACE} collations would ignore it in the
     *                                  unique constraint)
     */
    @Override
    public User create(String id, String email, String passwordHash, List<String> roles, Instant createdAt) {
        User user = checkedNewUser(id, email, passwordHash, roles, createdAt, null);
        jdbc.autoCommit("create a user", tx -> {
            try {
                insert(tx, user);
            } catch (SQLException e) {
                if (!tx.dialect.isDuplicateKey(e)) {
                    throw e;
                }
                if (namesEmailConstraint(e) || emailExists(tx, email)) {
                    throw new DuplicateEmailException();
                }
                throw new IllegalArgumentException("A user with this id already exists");
            }
            return null;
        });
        return user;
    }

    /**
     * A new user row's values, checked against their columns: the user as it will be stored
     * (created at microsecond precision, generation 0, email not verified).
     *
     * @throws IllegalArgumentException when a value does not fit its column, a role contains a
     *                                  space, or the email ends with a space
     */
    static User checkedNewUser(String id, String email, String passwordHash, List<String> roles, Instant createdAt, String language) {
        Jdbc.text("id", id, 36);
        Jdbc.text("email", email, 254);
        if (email.endsWith(" ")) {
            throw new IllegalArgumentException("email ends with a space: it is not normalised");
        }
        Jdbc.text("passwordHash", passwordHash, 100);
        Jdbc.text("roles", joinRoles(roles), 1000);
        Jdbc.nullableText("language", language, 35);
        Objects.requireNonNull(createdAt, "createdAt");
        return new User(id, email, passwordHash, roles, createdAt.truncatedTo(ChronoUnit.MICROS), 0, null, language);
    }

    /** Inserts a user made by {@link #checkedNewUser}; a duplicate key leaves as the driver's {@link SQLException}. */
    static void insert(Jdbc.Tx tx, User user) throws SQLException {
        try (PreparedStatement ps = tx.prepare("INSERT INTO gh_users (" + INSERT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, user.id());
            ps.setString(2, user.email());
            ps.setString(3, user.passwordHash());
            ps.setString(4, joinRoles(user.roles()));
            tx.dialect.setInstant(ps, 5, user.createdAt());
            ps.setString(6, user.language());
            ps.executeUpdate();
        }
    }

    /** Whether a user could have this id (an admin's request for another is a 404, not a failure). */
    static boolean plausibleId(String id) {
        return id.length() <= 36 && id.indexOf('\0') < 0;
    }

    @Override
    public Optional<User> findByEmail(String email) {
        Objects.requireNonNull(email, "email");
        return jdbc.autoCommit("find a user by email", tx -> findOne(tx, "email", email, false));
    }

    @Override
    public Optional<User> findById(String id) {
        Objects.requireNonNull(id, "id");
        return jdbc.autoCommit("find a user by id", tx -> findOne(tx, "id", id, false));
    }

    @Override
    public boolean updatePasswordHash(String id, String passwordHash) {
        Objects.requireNonNull(id, "id");
        Jdbc.text("passwordHash", passwordHash, 100);
        return jdbc.autoCommit("update a password hash", tx -> {
            try (PreparedStatement ps = tx.prepare("UPDATE gh_users SET password_hash = ? WHERE id = ?")) {
                ps.setString(1, passwordHash);
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** {@inheritDoc} Its refresh-token families and their tokens go with it (foreign keys cascade). */
    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        return jdbc.autoCommit("delete a user", tx -> {
            try (PreparedStatement ps = tx.prepare("DELETE FROM gh_users WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One transaction: the user's refresh-token families are deleted first (which locks them, so a
     * concurrent rotation either finished before or finds nothing after), then any token of the
     * user left, then the user row, then the cut-off is written; any failure rolls all of it back.
     */
    @Override
    public boolean deleteAndRevoke(String id, Instant at) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        if (!plausibleId(id)) {
            return false;
        }
        return jdbc.transaction("delete a user and revoke their tokens", tx -> {
            if (!deleteAndRevoke(tx, id, at)) {
                tx.setRollbackOnly();
                return false;
            }
            return true;
        });
    }

    /**
     * Deletes a user's families, tokens and row (their single-use account tokens go with it: the
     * foreign key cascades) and refuses every access token ever issued to them; {@code false} when
     * there is no such user. Part of the caller's transaction, which rolls back on {@code false}.
     */
    static boolean deleteAndRevoke(Jdbc.Tx tx, String id, Instant at) throws SQLException {
        try (PreparedStatement ps = tx.prepare("DELETE FROM gh_refresh_families WHERE user_id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = tx.prepare("DELETE FROM gh_refresh_tokens WHERE user_id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = tx.prepare("DELETE FROM gh_users WHERE id = ?")) {
            ps.setString(1, id);
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        JdbcRevocationStore.refuseGenerationsBelow(tx, id, Integer.MAX_VALUE, at);
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The generation is raised first, which locks the user's row; the families are revoked next
     * (locking each family row, so a rotation in flight either committed before, and its family is
     * revoked with the new token in it, or waits and then finds the family revoked).
     */
    @Override
    public OptionalInt revokeAllSessions(String id, Instant at) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        if (!plausibleId(id)) {
            return OptionalInt.empty();
        }
        return jdbc.transaction("revoke every session of a user", tx -> {
            OptionalInt generation = revokeAllSessions(tx, id, at);
            if (generation.isEmpty()) {
                tx.setRollbackOnly();
            }
            return generation;
        });
    }

    /**
     * Starts the user's next token generation (locking the row), revokes every live family of theirs
     * and records the cut-off, in the caller's transaction; empty when there is no such user.
     */
    static OptionalInt revokeAllSessions(Jdbc.Tx tx, String id, Instant at) throws SQLException {
        OptionalInt generation = nextGeneration(tx, id);
        if (generation.isEmpty()) {
            return generation;
        }
        try (PreparedStatement ps = tx.prepare("UPDATE gh_refresh_families SET revoked_at = ?, revoked_seq = " + tx.dialect.nextRevocationNumber()
                + " WHERE user_id = ? AND revoked_at IS NULL")) {
            tx.dialect.setInstant(ps, 1, at);
            ps.setString(2, id);
            ps.executeUpdate();
        }
        JdbcRevocationStore.refuseGenerationsBelow(tx, id, generation.getAsInt(), at);
        return generation;
    }

    @Override
    public Optional<User> changeRoles(String id, UnaryOperator<List<String>> change, Instant at) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(at, "at");
        if (!plausibleId(id)) {
            return Optional.empty();
        }
        return jdbc.transaction("change the roles of a user", tx -> {
            Optional<User> found = findOne(tx, "id", id, true);
            if (found.isEmpty()) {
                return found;
            }
            User user = found.get();
            List<String> roles = List.copyOf(change.apply(user.roles()));
            if (roles.equals(user.roles())) {
                return found;
            }
            String roleList = Jdbc.text("roles", joinRoles(roles), 1000);
            int generation = user.tokenGeneration() + 1;
            try (PreparedStatement ps = tx.prepare("UPDATE gh_users SET roles = ?, token_generation = ? WHERE id = ?")) {
                ps.setString(1, roleList);
                ps.setInt(2, generation);
                ps.setString(3, id);
                ps.executeUpdate();
            }
            JdbcRevocationStore.refuseGenerationsBelow(tx, id, generation, at);
            return Optional.of(new User(user.id(), user.email(), user.passwordHash(), roles, user.createdAt(), generation,
                    user.emailVerifiedAt(), user.language()));
        });
    }

    /** Raises a user's token generation by one (locking the row); empty when there is no such user. */
    static OptionalInt nextGeneration(Jdbc.Tx tx, String id) throws SQLException {
        try (PreparedStatement ps = tx.prepare("UPDATE gh_users SET token_generation = token_generation + 1 WHERE id = ?")) {
            ps.setString(1, id);
            if (ps.executeUpdate() != 1) {
                return OptionalInt.empty();
            }
        }
        try (PreparedStatement ps = tx.prepare("SELECT token_generation FROM gh_users WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("The user row vanished inside its own transaction");
                }
                return OptionalInt.of(rs.getInt(1));
            }
        }
    }

    /** {@code column} is one of two constants, never a caller's value; {@code lock} reads for update. */
    static Optional<User> findOne(Jdbc.Tx tx, String column, String value, boolean lock) throws SQLException {
        try (PreparedStatement ps = tx.prepare("SELECT " + COLUMNS + " FROM gh_users WHERE " + column + " = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(read(tx, rs));
            }
        }
    }

    /** The user of the current row of a query of {@link #COLUMNS}. */
    static User read(Jdbc.Tx tx, ResultSet rs) throws SQLException {
        return new User(rs.getString("id"), rs.getString("email"), rs.getString("password_hash"),
                splitRoles(rs.getString("roles")), tx.dialect.getInstant(rs, "created_at"), rs.getInt("token_generation"),
                tx.dialect.getInstant(rs, "email_verified_at"), rs.getString("language"));
    }

    private static boolean emailExists(Jdbc.Tx tx, String email) throws SQLException {
        try (PreparedStatement ps = tx.prepare("SELECT 1 FROM gh_users WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean namesEmailConstraint(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains(EMAIL_CONSTRAINT)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String joinRoles(List<String> roles) {
        Objects.requireNonNull(roles, "roles");
        for (String role : roles) {
            Objects.requireNonNull(role, "role");
            if (role.isEmpty() || role.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("A role is empty or contains white space");
            }
        }
        return String.join(" ", roles);
    }

    private static List<String> splitRoles(String roles) {
        String trimmed = roles == null ? "" : roles.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split(" +"));
    }
}
