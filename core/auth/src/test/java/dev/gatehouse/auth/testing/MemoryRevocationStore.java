package dev.gatehouse.auth.testing;

import dev.gatehouse.auth.store.RevocationStore;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revocations in memory, for tests that need a real {@code CachedRevocationCheck} without a
 * database. Keeps the higher generation per user, as the JDBC store does; sessions are revoked
 * through {@link #revokeSession}; nothing is ever purged.
 */
public final class MemoryRevocationStore implements RevocationStore {
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> sessions = new ConcurrentHashMap<>();
    private final Map<String, Integer> users = new ConcurrentHashMap<>();

    @Override
    public void revokeToken(String jti, Instant until) {
        tokens.put(jti, until);
    }

    @Override
    public void refuseGenerationsBelow(String userId, int generation, Instant at) {
        users.merge(userId, generation, Math::max);
    }

    /** What revoking a refresh-token family does in the JDBC stores. */
    public void revokeSession(String sessionId, Instant at) {
        sessions.put(sessionId, at);
    }

    @Override
    public Map<String, Instant> revokedTokens(Instant now) {
        return Map.copyOf(tokens);
    }

    @Override
    public Map<String, Instant> revokedSessions(Instant since) {
        return Map.copyOf(sessions);
    }

    @Override
    public Map<String, Integer> userGenerations(Instant since) {
        return Map.copyOf(users);
    }

    @Override
    public int purge(Instant tokensUntilBefore, Instant generationsBefore) {
        return 0;
    }
}
