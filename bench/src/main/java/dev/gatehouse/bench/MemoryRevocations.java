package dev.gatehouse.bench;

import dev.gatehouse.core.store.RevocationStore;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revocations in memory, so that the benchmarks exercise the real {@code CachedRevocationCheck}
 * without a database (it reads the store in the background, never per request).
 */
final class MemoryRevocations implements RevocationStore {
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> users = new ConcurrentHashMap<>();

    /** A store with some revoked tokens and logged-out users, none of them the benchmark's. */
    static MemoryRevocations withSomeEntries(Instant now) {
        MemoryRevocations store = new MemoryRevocations();
        for (int i = 0; i < 200; i++) {
            store.revokeToken("revoked-jti-" + i, now.plusSeconds(300));
        }
        for (int i = 0; i < 20; i++) {
            store.revokeUserBefore("logged-out-user-" + i, now);
        }
        return store;
    }

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
