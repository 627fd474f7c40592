package dev.gatehouse.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A freshly signed access token. {@link #toString()} does not print the token.
 *
 * @param token     the compact JWS to hand to the client. A secret: never log it.
 * @param principal what the token says: subject, roles, times, id
 */
public record IssuedAccessToken(String token, AccessTokenPrincipal principal) {

    public IssuedAccessToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(principal, "principal");
    }

    public Instant expiresAt() {
        return principal.expiresAt();
    }

    /** Seconds from issue to expiry: the {@code expires_in} of RFC 6749 §5.1. */
    public long expiresInSeconds() {
        return Duration.between(principal.issuedAt(), principal.expiresAt()).toSeconds();
    }

    /** Leaves the token out. */
    @Override
    public String toString() {
        return "IssuedAccessToken{" + principal + "}";
    }
}
