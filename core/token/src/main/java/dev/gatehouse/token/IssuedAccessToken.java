package dev.gatehouse.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A freshly signed access token. {@link #toString()} does not print the token.
 */
public final class IssuedAccessToken {
    private final String token;
    private final AccessTokenPrincipal principal;

    IssuedAccessToken(String token, AccessTokenPrincipal principal) {
        this.token = Objects.requireNonNull(token, "token");
        this.principal = Objects.requireNonNull(principal, "principal");
    }

    /** The compact JWS to hand to the client. A secret: never log it. */
    public String token() {
        return token;
    }

    /** What the token says: subject, roles, times, id. */
    public AccessTokenPrincipal principal() {
        return principal;
    }

    public Instant expiresAt() {
        return principal.expiresAt();
    }

    /** Seconds from issue to expiry: the {@code expires_in} of RFC 6749 §5.1. */
    public long expiresInSeconds() {
        return Duration.between(principal.issuedAt(), principal.expiresAt()).toSeconds();
    }

    @Override
    public String toString() {
        return "IssuedAccessToken{" + principal + "}";
    }
}
