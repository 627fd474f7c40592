package dev.gatehouse.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored refresh token: only the SHA-256 hash of the token is kept, never the token.
 * Immutable.
 *
 * @see RefreshTokenStore
 */
public final class RefreshTokenRecord {
    private final String tokenHash;
    private final String familyId;
    private final String parentHash;
    private final String userId;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final Instant familyExpiresAt;
    private final Instant usedAt;
    private final Instant revokedAt;
    private final String accessTokenId;

    public RefreshTokenRecord(String tokenHash, String familyId, String parentHash, String userId, Instant issuedAt,
                              Instant expiresAt, Instant familyExpiresAt, Instant usedAt, Instant revokedAt) {
        this(tokenHash, familyId, parentHash, userId, issuedAt, expiresAt, familyExpiresAt, usedAt, revokedAt, null);
    }

    public RefreshTokenRecord(String tokenHash, String familyId, String parentHash, String userId, Instant issuedAt,
                              Instant expiresAt, Instant familyExpiresAt, Instant usedAt, Instant revokedAt,
                              String accessTokenId) {
        this.accessTokenId = accessTokenId;
        this.tokenHash = Objects.requireNonNull(tokenHash, "tokenHash");
        this.familyId = Objects.requireNonNull(familyId, "familyId");
        this.parentHash = parentHash;
        this.userId = Objects.requireNonNull(userId, "userId");
        this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        this.familyExpiresAt = Objects.requireNonNull(familyExpiresAt, "familyExpiresAt");
        this.usedAt = usedAt;
        this.revokedAt = revokedAt;
    }

    /** Lower-case hex SHA-256 of the token's bytes (64 characters). */
    public String tokenHash() {
        return tokenHash;
    }

    /** The login this token descends from; every rotation keeps it. */
    public String familyId() {
        return familyId;
    }

    /** The hash of the token this one replaced, or {@code null} for the first of a family. */
    public String parentHash() {
        return parentHash;
    }

    public String userId() {
        return userId;
    }

    public Instant issuedAt() {
        return issuedAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** The absolute end of the family, whatever the rotations. */
    public Instant familyExpiresAt() {
        return familyExpiresAt;
    }

    /** When it was spent (rotated), or {@code null}. */
    public Instant usedAt() {
        return usedAt;
    }

    /** When it was revoked, or {@code null}. */
    public Instant revokedAt() {
        return revokedAt;
    }

    /** The {@code jti} of the access token issued together with this refresh token, or {@code null}. */
    public String accessTokenId() {
        return accessTokenId;
    }

    @Override
    public String toString() {
        return "RefreshTokenRecord{family=" + familyId + ", user=" + userId + ", expires=" + expiresAt + ", used=" + usedAt
                + ", revoked=" + revokedAt + "}";
    }
}
