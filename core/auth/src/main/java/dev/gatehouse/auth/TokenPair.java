package dev.gatehouse.auth;

import dev.gatehouse.token.IssuedAccessToken;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An access token and the refresh token issued with it (login or refresh). Both strings are
 * secrets; {@link #toString()} prints neither.
 */
public final class TokenPair {
    private final IssuedAccessToken access;
    private final String refreshToken;
    private final Instant refreshExpiresAt;
    private final Instant refreshIssuedAt;

    /**
     * {@code refreshIssuedAt} is the instant the refresh token's expiry was computed from. (The
     * access token's {@code iat} is read from the clock a moment later and cut to whole seconds, so
     * counting from it could make the lifetime a second shorter than configured.)
     */
    TokenPair(IssuedAccessToken access, String refreshToken, Instant refreshExpiresAt, Instant refreshIssuedAt) {
        this.access = Objects.requireNonNull(access, "access");
        this.refreshToken = Objects.requireNonNull(refreshToken, "refreshToken");
        this.refreshExpiresAt = Objects.requireNonNull(refreshExpiresAt, "refreshExpiresAt");
        this.refreshIssuedAt = Objects.requireNonNull(refreshIssuedAt, "refreshIssuedAt");
    }

    public IssuedAccessToken access() {
        return access;
    }

    /** The opaque refresh token (only its hash is stored). */
    public String refreshToken() {
        return refreshToken;
    }

    public Instant refreshExpiresAt() {
        return refreshExpiresAt;
    }

    /** Whole seconds from issue to the refresh token's expiry. */
    public long refreshExpiresInSeconds() {
        return Math.max(0, Duration.between(refreshIssuedAt, refreshExpiresAt).toSeconds());
    }

    @Override
    public String toString() {
        return "TokenPair{" + access.principal() + ", refreshExpiresAt=" + refreshExpiresAt + "}";
    }
}
