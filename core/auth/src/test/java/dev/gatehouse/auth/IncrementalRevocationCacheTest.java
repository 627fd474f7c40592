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

package dev.gatehouse.auth;

import dev.gatehouse.auth.store.RevocationChange;
import dev.gatehouse.auth.store.RevocationChange.Kind;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.TokenSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The revocation cache over a store that numbers its changes: the whole live set is read at start,
 * an overlap later and at each reconciliation; every refresh in between reads only the changes after
 * what it has read, including a change that took its number early and committed late; entries leave
 * memory when they stop mattering.
 */
class IncrementalRevocationCacheTest {
    private static final Duration STALENESS = Duration.ofSeconds(5);
    private static final Duration HORIZON = Duration.ofMinutes(10);
    private static final Duration OVERLAP = Duration.ofSeconds(60);
    private static final Duration RECONCILIATION = Duration.ofMinutes(10);

    private final TokenSettings settings = TokenSettings.builder(ISSUER, AUDIENCE)
            .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class)).clock(Fixtures.CLOCK).build();
    private final AccessTokenIssuer issuer = new AccessTokenIssuer(settings, Fixtures.keys());
    private final AccessTokenVerifier plain = new AccessTokenVerifier(settings, Fixtures.keys());
    private final MutableClock clock = new MutableClock(NOW);
    private final NumberedStore store = new NumberedStore();
    private final CachedRevocationCheck cache = new CachedRevocationCheck(store, STALENESS, HORIZON, OVERLAP, RECONCILIATION,
            clock, null);

    @AfterEach
    void close() {
        cache.close();
    }

    private AccessTokenPrincipal token(String user, String session, int generation) {
        String id = session != null ? session : UUID.randomUUID().toString();
        return plain.verify(issuer.issue(user, List.of("user"), id, generation).token());
    }

    @Test
    void afterTheFirstFullReadARefreshReadsOnlyWhatChanged() {
        for (int i = 0; i < 3000; i++) {
            store.revokeToken("old-" + i, NOW.plusSeconds(300));
        }
        AccessTokenPrincipal fresh = token("user-1", null, 0);

        cache.start();
        assertThat(cache.lastRefresh().full()).isTrue();
        assertThat(cache.lastRefresh().rowsRead()).isEqualTo(3000);
        assertThat(store.fullReads).isEqualTo(1);

        clock.advance(STALENESS);
        CachedRevocationCheck.Refresh idle = cache.refreshNow();
        assertThat(idle.full()).isFalse();
        assertThat(idle.rowsRead()).as("nothing changed: nothing read").isZero();
        assertThat(store.lastAfter).as("read after the latest number at start").isEqualTo(3000);

        store.revokeToken(fresh.tokenId(), NOW.plusSeconds(300));
        clock.advance(STALENESS);
        CachedRevocationCheck.Refresh one = cache.refreshNow();
        assertThat(one.full()).isFalse();
        assertThat(one.rowsRead()).isEqualTo(1);
        assertThat(cache.isRevoked(fresh)).isTrue();
        assertThat(store.fullReads).isEqualTo(1);
    }

    @Test
    void sessionsAndGenerationsArriveByChangesToo() {
        AccessTokenPrincipal inSession = token("user-1", "0f5e8a52-3c1d-4d7e-9a1b-2b3c4d5e6f70", 0);
        AccessTokenPrincipal oldGeneration = token("user-2", null, 1);
        AccessTokenPrincipal newGeneration = token("user-2", null, 3);
        cache.start();

        store.revokeSession("0f5e8a52-3c1d-4d7e-9a1b-2b3c4d5e6f70", NOW);
        store.refuseGenerationsBelow("user-2", 2, NOW);
        cache.refreshNow();

        assertThat(cache.isRevoked(inSession)).isTrue();
        assertThat(cache.isRevoked(oldGeneration)).isTrue();
        assertThat(cache.isRevoked(newGeneration)).isFalse();

        // a higher cut-off, numbered again, replaces the lower one
        store.refuseGenerationsBelow("user-2", 4, NOW.plusSeconds(1));
        cache.refreshNow();
        assertThat(cache.isRevoked(newGeneration)).isTrue();
    }

    @Test
    void aChangeThatCommitsAfterALaterOneIsStillRead() {
        AccessTokenPrincipal early = token("user-1", null, 0);
        AccessTokenPrincipal late = token("user-2", null, 0);
        cache.start();

        // the first write takes its number, the second one commits first
        long held = store.hold(new Change(Kind.TOKEN, early.tokenId(), NOW.plusSeconds(300), 0));
        store.revokeToken(late.tokenId(), NOW.plusSeconds(300));
        clock.advance(STALENESS);
        CachedRevocationCheck.Refresh first = cache.refreshNow();
        assertThat(cache.isRevoked(late)).isTrue();
        assertThat(cache.isRevoked(early)).isFalse();
        assertThat(first.awaited()).isEqualTo(1);

        store.commit(held);
        clock.advance(STALENESS);
        CachedRevocationCheck.Refresh second = cache.refreshNow();
        assertThat(cache.isRevoked(early)).isTrue();
        assertThat(second.awaited()).isZero();
        assertThat(second.rowsRead()).as("the awaited change and the one after it").isEqualTo(2);
        assertThat(store.fullReads).isEqualTo(1);
    }

    @Test
    void aNumberThatNeverShowsIsReadAroundUntilTheOverlapThenGivenUp() {
        cache.start();
        clock.advance(OVERLAP);
        assertThat(cache.refreshNow().full()).as("the full read an overlap after start").isTrue();
        store.hold(new Change(Kind.TOKEN, "rolled-back", NOW.plusSeconds(300), 0));
        store.revokeToken("committed", NOW.plusSeconds(300));

        clock.advance(STALENESS);
        assertThat(cache.refreshNow().rowsRead()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.refreshNow().rowsRead()).as("read again while its neighbour is awaited").isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        CachedRevocationCheck.Refresh givenUp = cache.refreshNow();
        assertThat(givenUp.awaited()).isZero();
        clock.advance(STALENESS);
        assertThat(cache.refreshNow().rowsRead()).as("not read again once given up").isZero();
    }

    @Test
    void aChangeLaterThanTheOverlapIsMendedByTheReconciliation() {
        AccessTokenPrincipal slow = token("user-1", null, 0);
        cache.start();
        // the extra full read an overlap after start
        clock.advance(OVERLAP);
        assertThat(cache.refreshNow().full()).isTrue();
        assertThat(store.fullReads).isEqualTo(2);

        long held = store.hold(new Change(Kind.TOKEN, slow.tokenId(), NOW.plus(HORIZON).plus(HORIZON), 0));
        store.revokeToken("later", NOW.plus(HORIZON).plus(HORIZON));
        cache.refreshNow();
        clock.advance(OVERLAP);
        cache.refreshNow();
        store.commit(held);
        clock.advance(STALENESS);
        assertThat(cache.refreshNow().full()).isFalse();
        assertThat(cache.isRevoked(slow)).as("committed after the overlap: missed by the refreshes").isFalse();

        clock.set(NOW.plus(OVERLAP).plus(RECONCILIATION));
        CachedRevocationCheck.Refresh reconciliation = cache.refreshNow();
        assertThat(reconciliation.full()).isTrue();
        assertThat(cache.isRevoked(slow)).isTrue();
        assertThat(store.fullReads).isEqualTo(3);
        clock.advance(STALENESS);
        assertThat(cache.refreshNow().full()).as("the next one a reconciliation later").isFalse();
    }

    @Test
    void entriesLeaveMemoryWhenTheyStopMattering() {
        store.revokeToken("short", NOW.plusSeconds(30));
        store.revokeToken("long", NOW.plusSeconds(3600));
        store.revokeSession("5a1d3c2b-0000-4000-8000-000000000001", NOW);
        cache.start();
        assertThat(cache.entries()).isEqualTo(3);

        store.revokeToken("short-2", NOW.plusSeconds(40));
        store.refuseGenerationsBelow("user-9", 2, NOW);
        cache.refreshNow();
        assertThat(cache.entries()).isEqualTo(5);

        clock.set(NOW.plusSeconds(45));
        cache.refreshNow();
        assertThat(cache.entries()).as("the two short tokens are gone").isEqualTo(3);

        clock.set(NOW.plus(HORIZON).plusSeconds(1));
        cache.refreshNow();
        assertThat(cache.entries()).as("the session and the cut-off are past the horizon").isEqualTo(1);
        AccessTokenPrincipal unrelated = token("user-9", "5a1d3c2b-0000-4000-8000-000000000001", 0);
        assertThat(cache.isRevoked(unrelated)).isFalse();
    }

    @Test
    void aTokenRevokedAgainLaterIsKeptUntilItsLaterEnd() {
        store.revokeToken("twice", NOW.plusSeconds(30));
        cache.start();
        store.revokeToken("twice", NOW.plusSeconds(90));
        cache.refreshNow();

        clock.set(NOW.plusSeconds(45));
        cache.refreshNow();

        assertThat(cache.entries()).as("its first end passed, its second did not").isEqualTo(1);
    }

    @Test
    void whenTheLatestNumberGoesBackTheNextRefreshesReadFromThere() {
        cache.start();
        store.revokeToken("a", NOW.plusSeconds(3600));
        store.revokeToken("b", NOW.plusSeconds(3600));
        cache.refreshNow();
        assertThat(store.lastAfter).isZero();

        // an earlier copy of the database: its numbers restart below what this node has read
        store.restoreTo(0);
        AccessTokenPrincipal afterRestore = token("user-1", null, 0);
        store.revokeToken(afterRestore.tokenId(), NOW.plusSeconds(3600));
        cache.refreshNow();
        assertThat(cache.isRevoked(afterRestore)).as("number 1 again: below what was read").isFalse();

        clock.advance(OVERLAP);
        cache.refreshNow();
        assertThat(cache.isRevoked(afterRestore)).as("the full read finds it").isTrue();
        AccessTokenPrincipal next = token("user-2", null, 0);
        store.revokeToken(next.tokenId(), NOW.plusSeconds(3600));
        clock.advance(STALENESS);
        assertThat(cache.refreshNow().full()).isFalse();
        assertThat(store.lastAfter).as("followed from the lower number").isEqualTo(1);
        assertThat(cache.isRevoked(next)).isTrue();
    }

    private record Change(Kind kind, String id, Instant at, int generation) {
    }

    /**
     * Numbers its changes like the JDBC store; a change can be held (numbered, not visible) and
     * committed later, or never, like a transaction that commits late or rolls back.
     */
    private static final class NumberedStore implements RevocationStore {
        private final Map<Long, Change> committed = new HashMap<>();
        private final Map<Long, Change> held = new HashMap<>();
        private long next = 1;
        int fullReads;
        long lastAfter = -1;

        synchronized long hold(Change change) {
            long n = next++;
            held.put(n, change);
            return n;
        }

        synchronized void commit(long n) {
            committed.put(n, held.remove(n));
        }

        /** Keeps the changes numbered up to {@code n} only, and numbers from there again. */
        synchronized void restoreTo(long n) {
            committed.keySet().removeIf(k -> k > n);
            held.clear();
            next = n + 1;
        }

        private synchronized void write(Change change) {
            // a change made again replaces the earlier one under a new number
            committed.values().removeIf(c -> c.kind == change.kind && c.id.equals(change.id));
            committed.put(next++, change);
        }

        @Override
        public void revokeToken(String jti, Instant until) {
            write(new Change(Kind.TOKEN, jti, until, 0));
        }

        void revokeSession(String id, Instant at) {
            write(new Change(Kind.SESSION, id, at, 0));
        }

        @Override
        public void refuseGenerationsBelow(String userId, int generation, Instant at) {
            write(new Change(Kind.GENERATION, userId, at, generation));
        }

        @Override
        public synchronized Map<String, Instant> revokedTokens(Instant now) {
            fullReads++;
            Map<String, Instant> result = new HashMap<>();
            committed.values().stream().filter(c -> c.kind == Kind.TOKEN && c.at.isAfter(now)).forEach(c -> result.put(c.id, c.at));
            return result;
        }

        @Override
        public synchronized Map<String, Instant> revokedSessions(Instant since) {
            Map<String, Instant> result = new HashMap<>();
            committed.values().stream().filter(c -> c.kind == Kind.SESSION && c.at.isAfter(since)).forEach(c -> result.put(c.id, c.at));
            return result;
        }

        @Override
        public synchronized Map<String, Integer> userGenerations(Instant since) {
            Map<String, Integer> result = new HashMap<>();
            committed.values().stream().filter(c -> c.kind == Kind.GENERATION && c.at.isAfter(since))
                    .forEach(c -> result.put(c.id, c.generation));
            return result;
        }

        @Override
        public synchronized OptionalLong latestChange() {
            return OptionalLong.of(committed.keySet().stream().mapToLong(Long::longValue).max().orElse(0));
        }

        @Override
        public synchronized List<RevocationChange> changesAfter(long after) {
            lastAfter = after;
            List<RevocationChange> changes = new ArrayList<>();
            committed.forEach((n, c) -> {
                if (n > after) {
                    changes.add(new RevocationChange(n, c.kind, c.id, c.at, c.generation));
                }
            });
            return changes;
        }

        @Override
        public int purge(Instant tokensUntilBefore, Instant generationsBefore) {
            return 0;
        }
    }
}
