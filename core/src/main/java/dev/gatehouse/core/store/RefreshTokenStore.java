package dev.gatehouse.core.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Refresh tokens, stored by hash, grouped in families (one family per login). Every change that
 * adds a token to a family happens in a transaction that first locks the family's row, so a
 * rotation and a concurrent revocation of the family are serialised: once
 * {@link #revokeFamily} returns, no token of that family can be added or accepted again.
 * Implementations are thread-safe.
 */
public interface RefreshTokenStore {
    /** Stores a new family with its first token, in one transaction. */
    void createFamily(String familyId, String userId, Instant createdAt, Instant familyExpiresAt, RefreshTokenRecord first);

    /**
     * The token with this hash. Its {@link RefreshTokenRecord#revokedAt()} is set when the token
     * or its family was revoked.
     */
    Optional<RefreshTokenRecord> findByHash(String tokenHash);

    /**
     * Spends {@code parentHash} and stores {@code child} (same family) in one transaction, with
     * the family row locked: the parent's {@code used_at} is set only if it was unused and
     * unrevoked and the family is not revoked.
     *
     * @return {@code true} for exactly one caller per parent however many race; {@code false}
     *         (nothing written) otherwise
     */
    boolean rotate(String parentHash, Instant usedAt, RefreshTokenRecord child);

    /**
     * Stores {@code child} beside an already spent parent (the reuse grace period), with the
     * family row locked.
     *
     * @return {@code false} (nothing written) when the family is revoked
     */
    boolean addSibling(RefreshTokenRecord child);

    /** Revokes a family; returns {@code true} if it was not revoked before. */
    boolean revokeFamily(String familyId, Instant revokedAt);

    /** Revokes every family of a user; returns how many were revoked now. */
    int revokeAllOfUser(String userId, Instant revokedAt);

    /**
     * Revokes the family whose latest rotation issued the access token with this id (the
     * {@link RefreshTokenRecord#accessTokenId()} stored with each refresh token); used by logout
     * with an access token alone.
     *
     * @return {@code true} if a family was found and was not revoked before
     */
    default boolean revokeFamilyOfAccessToken(String accessTokenId, Instant revokedAt) {
        throw new UnsupportedOperationException("This store cannot find a family by access token");
    }

    /**
     * The access tokens issued together with the family's refresh tokens since {@code since}: their
     * ids ({@code jti}) and issue times. Used to refuse them at once when the family is revoked
     * for reuse.
     */
    default java.util.Map<String, Instant> accessTokensOfFamily(String familyId, Instant since) {
        return java.util.Map.of();
    }

    /** Deletes families (and their tokens) whose absolute expiry is before {@code cutoff}; returns how many. */
    int deleteExpired(Instant cutoff);
}
