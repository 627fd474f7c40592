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

package dev.gatehouse.token;

import dev.gatehouse.testing.Fixtures;

import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.testing.TokenForge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.NOW;
import static dev.gatehouse.testing.Fixtures.NOW_S;
import static dev.gatehouse.testing.Fixtures.SUBJECT;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.forgeFor;
import static dev.gatehouse.testing.Fixtures.signWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verified-token cache of {@link AccessTokenVerifier}: a hit is served only for the exact
 * string that verified, inside the token's lifetime, while its key is current and it is not
 * revoked; a failure is never remembered.
 *
 * <p>A hit is recognised by identity: the full check builds a new principal every time, a hit
 * returns the instance remembered.
 */
class VerifiedTokenCacheTest {
    private static final Duration LEEWAY = Duration.ofSeconds(30);

    /** A key source whose keys the test replaces, as a file reload or a JWKS refresh would. */
    private static final class SwappableKeys implements KeySource {
        private final AtomicReference<KeySource> current;

        SwappableKeys(KeySource initial) {
            this.current = new AtomicReference<>(initial);
        }

        void set(KeySource keys) {
            current.set(keys);
        }

        @Override
        public SigningKey signingKey() {
            return current.get().signingKey();
        }

        @Override
        public Optional<SigningKey> verificationKey(String kid) {
            return current.get().verificationKey(kid);
        }

        @Override
        public List<SigningKey> publishedKeys() {
            return current.get().publishedKeys();
        }
    }

    private static TokenSettings.Builder settings(Clock clock) {
        return TokenSettings.builder(ISSUER, AUDIENCE)
                .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class))
                .clockLeeway(LEEWAY)
                .clock(clock);
    }

    private static String rs256(String jti) {
        return Fixtures.rs256().claim("jti", jti).signRs256(Fixtures.RSA.getPrivate());
    }

    // ---- settings ------------------------------------------------------------------------------

    @Test
    void cacheIsOnByDefaultWithTenThousandEntries() {
        TokenSettings settings = TokenSettings.builder(ISSUER, AUDIENCE).build();

        assertThat(settings.verifiedTokenCache()).isTrue();
        assertThat(settings.verifiedTokenCacheSize()).isEqualTo(10_000);
        assertThat(settings.toBuilder().verifiedTokenCache(false).build().toBuilder().build().verifiedTokenCache()).isFalse();
    }

    @Test
    void cacheSizeOutsideItsRangeIsRefusedNamingTheSetting() {
        for (int size : new int[] {0, -1, 1_000_001}) {
            assertThatThrownBy(() -> TokenSettings.builder(ISSUER, AUDIENCE).verifiedTokenCacheSize(size).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("verifiedTokenCacheSize");
        }
    }

    // ---- hits --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void secondVerificationOfTheSameTokenIsAHitReturningTheSamePrincipal(SigningAlgorithm alg) {
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), Fixtures.keys());
        String token = signWith(forgeFor(alg).claim("roles", List.of("user", "admin", "auditor")), alg);

        AccessTokenPrincipal first = verifier.verify(token);
        AccessTokenPrincipal second = verifier.verify(new String(token.toCharArray()));

        assertThat(second).isSameAs(first);
        assertThat(second.subject()).isEqualTo(SUBJECT);
        assertThat(second.roles()).containsExactly("user", "admin", "auditor");
        assertThat(second.keyId()).isEqualTo(Fixtures.key(alg).kid());
        assertThat(verifier.cachedTokens()).isEqualTo(1);
    }

    @Test
    void withTheCacheOffEveryVerificationIsAFullCheck() {
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).verifiedTokenCache(false).build(),
                Fixtures.keys());
        String token = rs256("j-off");

        AccessTokenPrincipal first = verifier.verify(token);
        AccessTokenPrincipal second = verifier.verify(token);

        assertThat(second).isEqualTo(first).isNotSameAs(first);
        assertThat(verifier.cachedTokens()).isZero();
    }

    // ---- time ----------------------------------------------------------------------------------

    @Test
    void entryIsNotServedFromShortlyBeforeExpOnAndTheFullCheckDecides() {
        MutableClock clock = new MutableClock(NOW);
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(clock).build(), Fixtures.keys());
        String token = rs256("j-exp"); // exp = NOW + 300 s
        AccessTokenPrincipal cached = verifier.verify(token);
        Instant exp = NOW.plusSeconds(300);

        clock.set(exp.minusSeconds(2));
        assertThat(verifier.verify(token)).isSameAs(cached);

        // Inside the last second before exp, and in the leeway after it, the cache is not used:
        // the token is still valid (full check, new principal) ...
        clock.set(exp.minusMillis(500));
        assertThat(verifier.verify(token)).isNotSameAs(cached).isEqualTo(cached);
        clock.set(exp.plus(LEEWAY).minusSeconds(1));
        assertThat(verifier.verify(token)).isNotSameAs(cached);
        // ... and past exp plus the leeway it is refused, cached or not.
        clock.set(exp.plus(LEEWAY).plusSeconds(1));
        assertRefused(verifier, token, Reason.EXPIRED);
    }

    @Test
    void withoutLeewayACachedTokenIsRefusedTheSecondItExpires() {
        MutableClock clock = new MutableClock(NOW);
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(clock).clockLeeway(Duration.ZERO).build(), Fixtures.keys());
        String token = rs256("j-exp0");
        verifier.verify(token);

        clock.set(NOW.plusSeconds(301));

        assertRefused(verifier, token, Reason.EXPIRED);
    }

    @Test
    void aClockSetBackBeforeTheTokenWasValidIsNotAnsweredFromTheCache() {
        MutableClock clock = new MutableClock(NOW);
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(clock).build(), Fixtures.keys());
        String token = Fixtures.rs256().claim("jti", "j-nbf").claim("nbf", NOW_S).signRs256(Fixtures.RSA.getPrivate());
        verifier.verify(token);

        clock.set(NOW.minus(LEEWAY).minusSeconds(5));

        assertRefused(verifier, token, Reason.NOT_YET_VALID);
    }

    @Test
    void aTokenVerifiedInItsLastSecondIsNotCached() {
        MutableClock clock = new MutableClock(NOW);
        clock.set(NOW.plusSeconds(300).minusMillis(200));
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(clock).build(), Fixtures.keys());
        String token = rs256("j-last");

        AccessTokenPrincipal first = verifier.verify(token);

        assertThat(verifier.cachedTokens()).isZero();
        assertThat(verifier.verify(token)).isNotSameAs(first);
    }

    // ---- revocation on every hit ---------------------------------------------------------------

    @Test
    void aJtiRevokedAfterTheTokenWasCachedIsRefusedOnTheNextHit() {
        Set<String> revoked = ConcurrentHashMap.newKeySet();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), Fixtures.keys(),
                p -> revoked.contains(p.tokenId()));
        String token = rs256("j-logout");
        String other = rs256("j-other");
        verifier.verify(token);
        AccessTokenPrincipal otherPrincipal = verifier.verify(other);

        revoked.add("j-logout");

        assertRefused(verifier, token, Reason.REVOKED);
        assertRefused(verifier, token, Reason.REVOKED);
        assertThat(verifier.verify(other)).isSameAs(otherPrincipal);
    }

    @Test
    void aTokenCachedAgainAfterItsRevocationWasLiftedIsStillCheckedForRevocationOnEveryHit() {
        Set<String> revoked = ConcurrentHashMap.newKeySet();
        AtomicInteger checks = new AtomicInteger();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), Fixtures.keys(), p -> {
            checks.incrementAndGet();
            return revoked.contains(p.tokenId());
        });
        String token = rs256("j-again");
        AccessTokenPrincipal first = verifier.verify(token);
        revoked.add("j-again");
        assertRefused(verifier, token, Reason.REVOKED);
        assertThat(verifier.cachedTokens()).isZero();

        // e.g. a revocation entered by mistake and withdrawn: the full check accepts and caches the token again ...
        revoked.remove("j-again");
        AccessTokenPrincipal again = verifier.verify(token);
        assertThat(again).isNotSameAs(first);
        assertThat(verifier.verify(token)).isSameAs(again);
        assertThat(verifier.cachedTokens()).isEqualTo(1);
        int before = checks.get();

        // ... and the new entry is asked about, hit after hit, like the first one was
        for (int i = 0; i < 5; i++) {
            assertThat(verifier.verify(token)).isSameAs(again);
        }
        assertThat(checks.get() - before).as("one revocation check per hit").isEqualTo(5);
        revoked.add("j-again");
        assertRefused(verifier, token, Reason.REVOKED);
        assertRefused(verifier, token, Reason.REVOKED);
        assertThat(verifier.cachedTokens()).isZero();
    }

    // ---- keys ------------------------------------------------------------------------------

    @Test
    void aKeyRemovedFromTheKeySetRefusesItsCachedTokensAtOnce() {
        SwappableKeys keys = new SwappableKeys(KeySet.of(Fixtures.rsaKey(), Fixtures.ecKey()));
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), keys);
        String rsaToken = rs256("j-rsa");
        String ecToken = Fixtures.forge("ES256", Fixtures.EC_KID).signEs256(Fixtures.EC.getPrivate());
        verifier.verify(rsaToken);
        AccessTokenPrincipal ec = verifier.verify(ecToken);

        keys.set(KeySet.of(Fixtures.ecKey()));

        assertRefused(verifier, rsaToken, Reason.UNKNOWN_KEY);
        assertThat(verifier.verify(ecToken)).isSameAs(ec);
    }

    @Test
    void anotherKeyUnderTheSameKidRefusesTokensCachedUnderTheOldOne() {
        SwappableKeys keys = new SwappableKeys(KeySet.of(Fixtures.rsaKey()));
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), keys);
        String token = rs256("j-kid-reuse");
        verifier.verify(token);

        keys.set(KeySet.of(SigningKey.rsa(Fixtures.RSA_KID, (RSAPublicKey) Fixtures.RSA_ATTACKER.getPublic(),
                (RSAPrivateKey) Fixtures.RSA_ATTACKER.getPrivate())));

        assertRefused(verifier, token, Reason.BAD_SIGNATURE);
    }

    @Test
    void anEqualKeyObjectAfterAReloadStillServesTheCachedToken() {
        SwappableKeys keys = new SwappableKeys(KeySet.of(Fixtures.rsaKey()));
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), keys);
        String token = rs256("j-reload");
        AccessTokenPrincipal cached = verifier.verify(token);

        keys.set(KeySet.of(Fixtures.rsaKey())); // a new SigningKey instance with the same material

        assertThat(verifier.verify(token)).isSameAs(cached);
    }

    @Test
    void aKeySourceThatRefusesTheKidOnAHitRefusesTheToken() {
        AtomicInteger lookups = new AtomicInteger();
        KeySet real = KeySet.of(Fixtures.rsaKey());
        AtomicReference<Reason> refuse = new AtomicReference<>();
        KeySource keys = new KeySource() {
            @Override
            public SigningKey signingKey() {
                return real.signingKey();
            }

            @Override
            public Optional<SigningKey> verificationKey(String kid) {
                lookups.incrementAndGet();
                if (refuse.get() != null) {
                    // as a managed key source does for a revoked key, or any source whose keys are unavailable
                    throw new InvalidTokenException(refuse.get(), "refused by the key source");
                }
                return real.verificationKey(kid);
            }

            @Override
            public List<SigningKey> publishedKeys() {
                return real.publishedKeys();
            }
        };
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), keys);
        String token = rs256("j-key-revoked");
        AccessTokenPrincipal cached = verifier.verify(token);
        assertThat(verifier.verify(token)).isSameAs(cached);
        assertThat(lookups).hasValue(2); // the hit asked the key source too

        refuse.set(Reason.REVOKED);
        assertRefused(verifier, token, Reason.REVOKED);

        refuse.set(null);
        assertThat(verifier.verify(token)).isNotSameAs(cached); // the entry was dropped: verified afresh
    }

    // ---- failures are never remembered -------------------------------------------------------

    @Test
    void aTokenThatFailedIsNeverCachedAndKeepsFailing() {
        Set<String> revoked = Set.of("j-revoked");
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), Fixtures.keys(),
                p -> revoked.contains(p.tokenId()));
        String forged = Fixtures.rs256().signRs256(Fixtures.RSA_ATTACKER.getPrivate());
        String revokedToken = rs256("j-revoked");
        String wrongAudience = Fixtures.rs256().claim("aud", "someone-else").signRs256(Fixtures.RSA.getPrivate());
        String expired = TokenForge.accessToken("RS256", Fixtures.RSA_KID, ISSUER, AUDIENCE, SUBJECT, NOW_S - 900, NOW_S - 600)
                .signRs256(Fixtures.RSA.getPrivate());

        for (int i = 0; i < 3; i++) {
            assertRefused(verifier, forged, Reason.BAD_SIGNATURE);
            assertRefused(verifier, revokedToken, Reason.REVOKED);
            assertRefused(verifier, wrongAudience, Reason.WRONG_CLAIM);
            assertRefused(verifier, expired, Reason.EXPIRED);
        }
        assertThat(verifier.cachedTokens()).isZero();
    }

    @Test
    void aTokenRefusedAsRevokedIsStillRefusedAfterTheSameTokenWasServedBefore() {
        // A cached token refused on a hit must not come back through the cache afterwards.
        Set<String> revoked = ConcurrentHashMap.newKeySet();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), Fixtures.keys(),
                p -> revoked.contains(p.tokenId()));
        String token = rs256("j-flip");
        verifier.verify(token);
        revoked.add("j-flip");
        assertRefused(verifier, token, Reason.REVOKED);

        assertThat(verifier.cachedTokens()).isZero();
        assertRefused(verifier, token, Reason.REVOKED);
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void tamperedVariantsOfACachedTokenAreNotServed(SigningAlgorithm alg) {
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).build(), Fixtures.keys());
        TokenForge genuine = forgeFor(alg).claim("jti", "j-tamper").claim("roles", List.of("user"));
        String token = signWith(genuine, alg);
        AccessTokenPrincipal cached = verifier.verify(token);
        String[] parts = token.split("\\.");
        // Same signature (so the same hash of the tail and the same length), another payload.
        String elevated = signWith(forgeFor(alg).claim("jti", "j-tamper").claim("roles", List.of("root")), alg);
        String swapped = elevated.substring(0, elevated.lastIndexOf('.') + 1) + parts[2];
        String flipped = token.substring(0, 40) + (token.charAt(40) == 'A' ? 'B' : 'A') + token.substring(41);

        assertRefused(verifier, swapped, Reason.BAD_SIGNATURE);
        assertThatThrownBy(() -> verifier.verify(flipped)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> verifier.verify(token.substring(0, token.length() - 1))).isInstanceOf(InvalidTokenException.class);
        assertRefused(verifier, token + "=", Reason.MALFORMED);
        assertRefused(verifier, token + ".", Reason.MALFORMED);
        assertRefused(verifier, " " + token, Reason.MALFORMED);
        assertThat(verifier.verify(token)).isSameAs(cached);
        assertThat(verifier.cachedTokens()).isEqualTo(1);
    }

    // ---- bounds ------------------------------------------------------------------------------

    @Test
    void theCacheHoldsNoMoreThanItsSize() {
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).verifiedTokenCacheSize(5).build(),
                Fixtures.keys());
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String token = Fixtures.forge("HS256", Fixtures.HMAC_KID).claim("jti", "j-" + i).signHs256(Fixtures.HMAC_SECRET);
            tokens.add(token);
            verifier.verify(token);
        }

        assertThat(verifier.cachedTokens()).isBetween(1L, 5L);
        for (String token : tokens) {
            assertThat(verifier.verify(token).tokenId()).startsWith("j-"); // evicted ones still verify
        }
    }

    @Test
    void largeTokensWeighMoreSoMemoryStaysBounded() {
        assertThat(VerifiedTokenCache.weigh("x".repeat(700))).isEqualTo(1);
        assertThat(VerifiedTokenCache.weigh("x".repeat(1448))).isEqualTo(1);
        assertThat(VerifiedTokenCache.weigh("x".repeat(1449))).isEqualTo(2);
        assertThat(VerifiedTokenCache.weigh("x".repeat(8192))).isEqualTo(5);

        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).verifiedTokenCacheSize(8).build(),
                Fixtures.keys());
        List<String> manyRoles = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            manyRoles.add("role-" + i + "-" + "r".repeat(100));
        }
        for (int i = 0; i < 6; i++) {
            String big = Fixtures.forge("HS256", Fixtures.HMAC_KID).claim("jti", "big-" + i).claim("roles", manyRoles)
                    .signHs256(Fixtures.HMAC_SECRET);
            assertThat(big.length()).isGreaterThan(6000);
            verifier.verify(big);
        }

        assertThat(verifier.cachedTokens()).isBetween(1L, 2L); // 8 units, 4 per token
    }

    // ---- concurrency ---------------------------------------------------------------------------

    @Test
    void concurrentHitsMissesAndForgeriesGiveEachCallerItsOwnAnswer() throws Exception {
        Set<String> revoked = ConcurrentHashMap.newKeySet();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK).verifiedTokenCacheSize(16).build(),
                Fixtures.keys(), p -> revoked.contains(p.tokenId()));
        int users = 32;
        List<String> tokens = new ArrayList<>();
        List<String> forged = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            TokenForge forge = Fixtures.forge("HS256", Fixtures.HMAC_KID).claim("sub", "user-" + i).claim("jti", "j-" + i);
            String token = forge.signHs256(Fixtures.HMAC_SECRET);
            tokens.add(token);
            // user i's signature on a payload that claims to be user-(i+1)
            String other = Fixtures.forge("HS256", Fixtures.HMAC_KID).claim("sub", "user-" + (i + 1)).claim("jti", "j-" + i)
                    .signHs256(Fixtures.HMAC_SECRET);
            forged.add(other.substring(0, other.lastIndexOf('.')) + token.substring(token.lastIndexOf('.')));
        }
        revoked.add("j-7");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int n = 0; n < 400; n++) {
                        int i = (n * 7 + seed * 13) % users;
                        if (n % 5 == 0) {
                            try {
                                verifier.verify(forged.get(i));
                                wrong.add("forged token " + i + " accepted");
                            } catch (InvalidTokenException expected) {
                                // refused, as it must be
                            }
                            continue;
                        }
                        try {
                            AccessTokenPrincipal p = verifier.verify(tokens.get(i));
                            if (i == 7 || !p.subject().equals("user-" + i)) {
                                wrong.add("token " + i + " gave " + p.subject());
                            }
                        } catch (InvalidTokenException e) {
                            if (i != 7) {
                                wrong.add("token " + i + " refused: " + e.reason());
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(wrong).isEmpty();
        assertThat(verifier.cachedTokens()).isBetween(1L, 16L);
    }
}
