package dev.gatehouse.token;

/**
 * Tells the verifier whether an otherwise valid token has been revoked (logout by {@code jti},
 * logout-all by subject and issue time). Called on every verification, so implementations must
 * answer from memory (a cache that refreshes itself), never with a per-request database query.
 * Thread-safe.
 */
@FunctionalInterface
public interface RevocationCheck {
    /** Revokes nothing. */
    RevocationCheck NONE = principal -> false;

    /** Whether the token this principal came from must be refused. */
    boolean isRevoked(AccessTokenPrincipal principal);
}
