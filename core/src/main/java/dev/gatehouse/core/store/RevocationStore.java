package dev.gatehouse.core.store;

import java.time.Instant;
import java.util.Map;

/**
 * Revoked access tokens (by {@code jti}, kept until the token would have expired) and per-user
 * cut-offs (every token of the user issued before the cut-off is refused). Read in bulk by each
 * node's revocation cache, never per request. Implementations are thread-safe.
 */
public interface RevocationStore {
    /** Refuses the token with this id until {@code expiresAt}. Idempotent. */
    void revokeToken(String jti, Instant expiresAt);

    /** Refuses every token of the user issued before {@code cutoff}. A later cut-off replaces an earlier one. */
    void revokeUserBefore(String userId, Instant cutoff);

    /** Every revoked token id not yet expired at {@code now}, with its expiry. */
    Map<String, Instant> revokedTokens(Instant now);

    /** Every user cut-off newer than {@code oldest} (older ones cannot matter: their tokens expired). */
    Map<String, Instant> userCutoffs(Instant oldest);

    /** Deletes entries that can no longer matter; returns how many. */
    int purge(Instant tokenExpiryCutoff, Instant userCutoffBefore);
}
