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

package dev.gatehouse.auth.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/** Users. Implementations are thread-safe. */
public interface UserRepository {
    /**
     * Stores a new user.
     *
     * @param id           a fresh random UUID
     * @param email        the normalised email
     * @param passwordHash the hash to store
     * @throws DuplicateEmailException when the email exists (decided by the store's unique
     *                                 constraint, so concurrent registrations cannot both win)
     */
    User create(String id, String email, String passwordHash, List<String> roles, Instant createdAt);

    /** The user with this normalised email. */
    Optional<User> findByEmail(String email);

    /** The user with this id. */
    Optional<User> findById(String id);

    /** Replaces the password hash (rehash after a cost increase); {@code false} when no such user. */
    boolean updatePasswordHash(String id, String passwordHash);

    /** Deletes a user and everything of theirs; {@code false} when no such user. */
    boolean delete(String id);

    /**
     * Deletes a user and everything of theirs (refresh-token families and tokens) and refuses every
     * access token ever issued to them, as {@link RevocationStore#refuseGenerationsBelow} with the
     * highest generation would, as of {@code at}, all in one transaction: either the user is gone
     * and their live access tokens are refused, or nothing changed. Account deletion relies on this.
     *
     * @return {@code false} (nothing written) when no such user
     * @throws UnsupportedOperationException when the store cannot do it atomically (the default)
     */
    default boolean deleteAndRevoke(String id, Instant at) {
        throw new UnsupportedOperationException("This store cannot delete a user and revoke their tokens atomically");
    }

    /**
     * Logs a user out everywhere, in one transaction: starts the user's next token generation,
     * revokes every refresh-token family of theirs (as of {@code at}), and records the new
     * generation as the lowest one still accepted ({@link RevocationStore#refuseGenerationsBelow}).
     * A token issued after this returns is of the new generation; none issued before survives.
     *
     * @return the new generation, or empty (nothing written) when there is no such user
     * @throws UnsupportedOperationException when the store cannot do it atomically (the default)
     */
    default OptionalInt revokeAllSessions(String id, Instant at) {
        throw new UnsupportedOperationException("This store cannot revoke a user's sessions atomically");
    }

    /**
     * Changes a user's roles, in one transaction with the user's row locked: {@code change} gets the
     * current roles and returns the new ones. When they differ, the roles are stored, the user's
     * next token generation starts and is recorded as the lowest one still accepted (as of
     * {@code at}), so that access tokens carrying the old roles are refused everywhere; the user's
     * sessions stay, and their next refresh carries the new roles. When they are the same, nothing
     * is written.
     *
     * @param change called while the row is locked: must be quick and must not touch the store
     * @return the user as stored afterwards, or empty when there is no such user
     * @throws IllegalArgumentException when a new role is empty or contains white space
     * @throws UnsupportedOperationException when the store cannot do it atomically (the default)
     */
    default Optional<User> changeRoles(String id, UnaryOperator<List<String>> change, Instant at) {
        throw new UnsupportedOperationException("This store cannot change roles atomically");
    }
}
