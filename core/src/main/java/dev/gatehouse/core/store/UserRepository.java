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

    /**
     * Deletes a user and everything of theirs (refresh-token families and tokens) and records
     * {@code revokedBefore} as the user's access-token cut-off, exactly as
     * {@link RevocationStore#revokeUserBefore(String, Instant)} would, all in one transaction:
     * either the user is gone and every access token issued to them before the cut-off is
     * refused, or nothing changed. Account deletion relies on this, so that a deleted user's
     * live access tokens die with the account.
     *
     * @return {@code false} (nothing written) when no such user
     * @throws UnsupportedOperationException when the store cannot do it atomically (the default)
     */
    default boolean deleteAndRevoke(String id, Instant revokedBefore) {
        throw new UnsupportedOperationException("This store cannot delete a user and revoke their tokens atomically");
    }
}
