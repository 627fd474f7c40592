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

import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.testing.MemoryRevocationStore;
import dev.gatehouse.testing.GatehouseThreads;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.SigningAlgorithm;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.NOW;
import static dev.gatehouse.testing.Fixtures.SUBJECT;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verifier with the real {@link CachedRevocationCheck} (on a store in memory): revocations made
 * on this node refuse tokens at once, those made elsewhere after the next refresh, and a token
 * remembered by the verified-token cache is refused all the same.
 */
class RevocationCacheTest {
    private static final String SESSION = "0f5e8a52-3c1d-4d7e-9a1b-2b3c4d5e6f70";
    private static final String OTHER_SESSION = "7b9c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3";

    private final TokenSettings settings = TokenSettings.builder(ISSUER, AUDIENCE)
            .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class)).clock(Fixtures.CLOCK).build();
    private final AccessTokenIssuer issuer = new AccessTokenIssuer(settings, Fixtures.keys());

    private String inSession(String user, String session, int generation) {
        return issuer.issue(user, List.of("user"), session, generation).token();
    }

    @Test
    void logoutEverywhereAndALogoutElsewhereRefuseCachedTokens() {
        MemoryRevocationStore store = new MemoryRevocationStore();
        try (CachedRevocationCheck revocations = new CachedRevocationCheck(store, Duration.ofHours(1), Duration.ofMinutes(10),
                Fixtures.CLOCK)) {
            revocations.start();
            AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys(), revocations);
            String mine = inSession(SUBJECT, SESSION, 0);
            String someoneElses = inSession("user-2", OTHER_SESSION, 0);
            String loggedOutElsewhere = issuer.issue("user-3", List.of("user")).token();
            verifier.verify(mine);
            var theirs = verifier.verify(someoneElses);
            String loggedOutJti = verifier.verify(loggedOutElsewhere).tokenId();

            // logout-all on this node: every token of user-1 below generation 1
            revocations.generationsRefusedLocally(SUBJECT, 1, NOW);
            // logout of one token (naming no session) on another node, seen at the next refresh
            store.revokeToken(loggedOutJti, NOW.plusSeconds(300));
            revocations.refreshNow();

            assertRefused(verifier, mine, Reason.REVOKED);
            assertRefused(verifier, loggedOutElsewhere, Reason.REVOKED);
            assertThat(verifier.verify(someoneElses)).isSameAs(theirs);
        }
    }

    @Test
    void aRevokedSessionOrAnOlderGenerationRefusesCachedTokensAfterTheNextRefresh() {
        MemoryRevocationStore store = new MemoryRevocationStore();
        try (CachedRevocationCheck revocations = new CachedRevocationCheck(store, Duration.ofHours(1), Duration.ofMinutes(10),
                Fixtures.CLOCK)) {
            revocations.start();
            AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys(), revocations);
            String inSession = inSession(SUBJECT, SESSION, 0);
            String inOtherSession = inSession(SUBJECT, OTHER_SESSION, 0);
            String nextGeneration = inSession(SUBJECT, OTHER_SESSION, 1);
            assertThat(verifier.verify(inSession).sessionId()).isEqualTo(SESSION);
            assertThat(verifier.verify(inOtherSession).tokenGeneration()).isZero();
            assertThat(verifier.verify(nextGeneration).tokenGeneration()).isEqualTo(1);

            // logout on another node, seen at the next refresh: that session's tokens only
            store.revokeSession(SESSION, NOW);
            revocations.refreshNow();
            assertRefused(verifier, inSession, Reason.REVOKED);
            assertThat(verifier.verify(inOtherSession).sessionId()).isEqualTo(OTHER_SESSION);

            // logout everywhere (or a change of roles) on another node: generation 0 refused, 1 accepted
            store.refuseGenerationsBelow(SUBJECT, 1, NOW);
            revocations.refreshNow();
            assertRefused(verifier, inOtherSession, Reason.REVOKED);
            assertThat(verifier.verify(nextGeneration).subject()).isEqualTo(SUBJECT);
        }
    }

    @Test
    void aCachedTokenRevokedOnThisNodeIsRefusedOnTheNextRequest() {
        MemoryRevocationStore store = new MemoryRevocationStore();
        try (CachedRevocationCheck revocations = new CachedRevocationCheck(store, Duration.ofHours(1), Duration.ofHours(1),
                Fixtures.CLOCK)) {
            revocations.start();
            AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys(), revocations);
            String token = issuer.issue(SUBJECT, List.of("user")).token();
            String jti = verifier.verify(token).tokenId();
            assertThat(verifier.cachedPrincipal(token)).as("remembered").isNotNull();

            revocations.revokedLocally(jti, NOW.plusSeconds(300));

            assertRefused(verifier, token, Reason.REVOKED);
        }
    }

    @Test
    void theConstructorQueriesNothingAndStartLoadsTheFirstSnapshotBeforeItReturns() {
        MemoryRevocationStore memory = new MemoryRevocationStore();
        AtomicInteger reads = new AtomicInteger();
        RevocationStore store = countingReads(memory, reads);
        AccessTokenVerifier issuedBy = new AccessTokenVerifier(settings, Fixtures.keys());
        String token = issuer.issue(SUBJECT, List.of("user")).token();
        memory.revokeToken(issuedBy.verify(token).tokenId(), NOW.plusSeconds(300));
        Set<Thread> before = GatehouseThreads.live();

        CachedRevocationCheck revocations = new CachedRevocationCheck(store, Duration.ofHours(1), Duration.ofMinutes(10),
                Fixtures.CLOCK);
        try {
            assertThat(reads).hasValue(0);
            assertThat(GatehouseThreads.newSince(before)).isEmpty();
            AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys(), revocations);
            // before start(): no snapshot to trust, so no token passes
            assertThatThrownBy(() -> revocations.isRevoked(issuedBy.verify(token))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("CachedRevocationCheck is not started: call start() first");
            assertRefused(verifier, issuer.issue("user-2", List.of("user")).token(), Reason.MALFORMED);

            revocations.start();
            revocations.start();

            assertThat(reads).as("one snapshot: tokens, sessions, generations").hasValue(3);
            assertThat(GatehouseThreads.newSince(before)).containsExactly("gatehouse-revocations");
            assertRefused(verifier, token, Reason.REVOKED);
        } finally {
            revocations.close();
        }
        GatehouseThreads.awaitGone(before, "gatehouse-");
        // a closed cache no longer refreshes: it fails closed
        assertThatThrownBy(() -> revocations.isRevoked(issuedBy.verify(token))).isInstanceOf(IllegalStateException.class)
                .hasMessage("CachedRevocationCheck is closed");
        assertThatThrownBy(revocations::start).isInstanceOf(IllegalStateException.class);
    }

    /** {@code store}, counting the reads of a refresh. */
    private static RevocationStore countingReads(RevocationStore store, AtomicInteger reads) {
        return new RevocationStore() {
            @Override
            public void revokeToken(String jti, Instant until) {
                store.revokeToken(jti, until);
            }

            @Override
            public void refuseGenerationsBelow(String userId, int generation, Instant at) {
                store.refuseGenerationsBelow(userId, generation, at);
            }

            @Override
            public Map<String, Instant> revokedTokens(Instant now) {
                reads.incrementAndGet();
                return store.revokedTokens(now);
            }

            @Override
            public Map<String, Instant> revokedSessions(Instant since) {
                reads.incrementAndGet();
                return store.revokedSessions(since);
            }

            @Override
            public Map<String, Integer> userGenerations(Instant since) {
                reads.incrementAndGet();
                return store.userGenerations(since);
            }

            @Override
            public int purge(Instant tokensUntilBefore, Instant generationsBefore) {
                return store.purge(tokensUntilBefore, generationsBefore);
            }
        };
    }
}
