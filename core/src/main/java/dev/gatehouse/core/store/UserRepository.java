package dev.gatehouse.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
}
