/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

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
