package dev.gatehouse.core.testing;

import dev.gatehouse.core.store.RevocationStore;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revocations in memory, for tests that need a real {@code CachedRevocationCheck} without a
 * database. A logout-all keeps the latest cut-off per user, as the JDBC store does; nothing is
 * ever purged.
 */
public final class MemoryRevocationStore implements RevocationStore {
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> users = new ConcurrentHashMap<>();

    @Override
    public void revokeToken(String jti, Instant expiresAt) {
        tokens.put(jti, expiresAt);
    }

    @Override
    public void revokeUserBefore(String userId, Instant cutoff) {
        users.merge(userId, cutoff, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    public Map<String, Instant> revokedTokens(Instant now) {
        return Map.copyOf(tokens);
    }

    @Override
    public Map<String, Instant> userCutoffs(Instant oldest) {
        return Map.copyOf(users);
    }

    @Override
    public int purge(Instant tokenExpiryCutoff, Instant userCutoffBefore) {
        return 0;
    }
}
