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

package dev.gatehouse.token.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.testing.LoopbackJwksServer;
import dev.gatehouse.testing.TokenForge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RemoteJwksKeySource} against a real HTTP server on loopback: caching, the unknown-kid
 * rate limit, outages, rollover, hostile responses and the https-only rule. The rate limit is
 * measured with a clock the tests move, so nothing here sleeps to wait for an interval.
 */
class RemoteJwksKeySourceTest {
    private static final String ISSUER = "https://issuer.example";
    private static final String AUDIENCE = "orders";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final KeyPair RSA_1 = generate("RSA");
    private static final KeyPair RSA_2 = generate("RSA");
    private static final KeyPair EC_1 = generate("EC");
    private static final SigningKey KEY_1 = SigningKey.rsa("rsa-1", (RSAPublicKey) RSA_1.getPublic(), (RSAPrivateKey) RSA_1.getPrivate());
    private static final SigningKey KEY_2 = SigningKey.rsa("rsa-2", (RSAPublicKey) RSA_2.getPublic(), (RSAPrivateKey) RSA_2.getPrivate());
    private static final SigningKey EC_KEY = SigningKey.ec("ec-1", (ECPublicKey) EC_1.getPublic(), (ECPrivateKey) EC_1.getPrivate());

    private final MovableClock clock = new MovableClock();
    private final List<RemoteJwksKeySource> sources = new ArrayList<>();
    private LoopbackJwksServer issuer;

    @BeforeEach
    void startIssuer() {
        issuer = LoopbackJwksServer.start().serve(JwkSets.toPublicJson(List.of(KEY_1)));
    }

    @AfterEach
    void stopAll() {
        sources.forEach(RemoteJwksKeySource::close);
        issuer.close();
    }

    private RemoteJwksKeySource source(UnaryOperator<RemoteJwksKeySource.Builder> custom) {
        RemoteJwksKeySource source = custom.apply(RemoteJwksKeySource.builder(issuer.url())
                .allowHttpLoopback(true)
                .clock(clock)).build();
        sources.add(source);
        source.start();
        return source;
    }

    private RemoteJwksKeySource source() {
        return source(b -> b);
    }

    private static AccessTokenVerifier verifier(RemoteJwksKeySource keys) {
        return new AccessTokenVerifier(TokenSettings.builder(ISSUER, AUDIENCE).build(), keys);
    }

    private static TokenForge forge(String alg, String kid) {
        long now = Instant.now().getEpochSecond();
        return TokenForge.accessToken(alg, kid, ISSUER, AUDIENCE, "user-1", now, now + 300);
    }

    private static String rsaToken(KeyPair pair, String kid) {
        return forge("RS256", kid).signRs256(pair.getPrivate());
    }

    // --- the normal case ---

    @Test
    void verifiesTokensSignedWithTheIssuersKeyAndFetchesOnce() {
        AccessTokenVerifier verifier = verifier(source());

        for (int i = 0; i < 20; i++) {
            assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
        }
        assertThat(issuer.requests()).isEqualTo(1);
    }

    @Test
    void aTokenSignedByAnotherKeyUnderAKnownKidIsRefused() {
        AccessTokenVerifier verifier = verifier(source());

        assertThatThrownBy(() -> verifier.verify(rsaToken(RSA_2, "rsa-1")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    }

    @Test
    void signingKeyThrowsAndNothingIsRepublished() {
        RemoteJwksKeySource source = source();

        assertThatThrownBy(source::signingKey).isInstanceOf(GatehouseException.class).hasMessageContaining("only verify");
        assertThat(source.verificationKey("rsa-1")).isPresent();
        assertThat(source.publishedKeys()).isEmpty();
        assertThat(source.verificationKey(null)).isEmpty();
    }

    // --- unknown kid: re-fetch, rate-limited ---

    @Test
    void aFloodOfUnknownKidsCostsAtMostOneFetchPerInterval() throws Exception {
        AccessTokenVerifier verifier = verifier(source());
        verifier.verify(rsaToken(RSA_1, "rsa-1"));
        assertThat(issuer.requests()).isEqualTo(1);

        // Within the interval after the initial fetch: no fetch at all.
        assertThat(flood(verifier, 200)).containsOnly(Reason.UNKNOWN_KEY);
        assertThat(issuer.requests()).isEqualTo(1);

        // Once the interval has passed: exactly one more, shared by every concurrent miss.
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL.plusSeconds(1));
        assertThat(flood(verifier, 200)).containsOnly(Reason.UNKNOWN_KEY);
        assertThat(issuer.requests()).isEqualTo(2);

        // The known key is unaffected by the flood.
        assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
    }

    /** Verifies {@code count} tokens with random kids on 16 threads; returns each failure's reason. */
    private static List<Reason> flood(AccessTokenVerifier verifier, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<Reason>> tasks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String token = rsaToken(RSA_2, "random-" + UUID.randomUUID());
                tasks.add(() -> {
                    try {
                        verifier.verify(token);
                        return null;
                    } catch (InvalidTokenException e) {
                        return e.reason();
                    }
                });
            }
            List<Reason> reasons = new ArrayList<>();
            for (Future<Reason> f : pool.invokeAll(tasks)) {
                reasons.add(f.get());
            }
            return reasons;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentMissesForANewKidShareOneFetchAndAllSucceed() throws Exception {
        RemoteJwksKeySource source = source();
        AccessTokenVerifier verifier = verifier(source);
        verifier.verify(rsaToken(RSA_1, "rsa-1"));
        issuer.serve(JwkSets.toPublicJson(List.of(KEY_1, KEY_2)));
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);
        CountDownLatch release = issuer.hold();

        int threads = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Thread> workers = new ArrayList<>();
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String token = rsaToken(RSA_2, "rsa-2");
                results.add(pool.submit(() -> {
                    synchronized (workers) {
                        workers.add(Thread.currentThread());
                    }
                    return verifier.verify(token).subject();
                }));
            }
            // The fetch has reached the issuer and every worker is waiting for it.
            awaitTrue(() -> issuer.requests() == 2);
            awaitTrue(() -> {
                synchronized (workers) {
                    return workers.size() == threads
                            && workers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING);
                }
            });
            release.countDown();
            for (Future<String> r : results) {
                assertThat(r.get()).isEqualTo("user-1");
            }
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(issuer.requests()).isEqualTo(2);
    }

    // --- rollover at the issuer ---

    @Test
    void aKeyRolloverAtTheIssuerIsPickedUpWithoutRestart() {
        AccessTokenVerifier verifier = verifier(source());
        verifier.verify(rsaToken(RSA_1, "rsa-1"));

        issuer.serve(JwkSets.toPublicJson(List.of(KEY_2)));
        String newToken = rsaToken(RSA_2, "rsa-2");

        // Still inside the rate-limit interval of the first fetch: refused, no request made.
        assertThatThrownBy(() -> verifier.verify(newToken))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
        assertThat(issuer.requests()).isEqualTo(1);

        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);
        assertThat(verifier.verify(newToken).subject()).isEqualTo("user-1");
        assertThat(issuer.requests()).isEqualTo(2);

        // The issuer dropped the old key, so the cache did too.
        assertThatThrownBy(() -> verifier.verify(rsaToken(RSA_1, "rsa-1")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    @Test
    void aShortMinFetchIntervalLetsRolloverThroughOnRealTime() {
        RemoteJwksKeySource source = source(b -> b.clock(Clock.systemUTC()).minFetchInterval(Duration.ofSeconds(1)));
        AccessTokenVerifier verifier = verifier(source);
        verifier.verify(rsaToken(RSA_1, "rsa-1"));
        issuer.serve(JwkSets.toPublicJson(List.of(KEY_1, KEY_2)));
        String newToken = rsaToken(RSA_2, "rsa-2");

        awaitTrue(() -> {
            try {
                return verifier.verify(newToken).subject().equals("user-1");
            } catch (InvalidTokenException e) {
                return false;
            }
        });
        // Polling for about a second made one request, not one per attempt.
        assertThat(issuer.requests()).isBetween(2, 3);
    }

    // --- the issuer is down or misbehaves: keep the last good set ---

    @Test
    void whenTheIssuerIsDownTheCachedKeysStillVerify() {
        RemoteJwksKeySource source = source();
        AccessTokenVerifier verifier = verifier(source);
        verifier.verify(rsaToken(RSA_1, "rsa-1"));

        issuer.stop();
        clock.advance(Duration.ofHours(2));
        // An unknown kid makes it try the issuer, which fails.
        assertThatThrownBy(() -> verifier.verify(rsaToken(RSA_2, "rsa-2")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));

        assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
        assertThat(source.keys()).extracting(SigningKey::kid).containsExactly("rsa-1");
    }

    @Test
    void keysUnavailableOnlyWhileNothingWasEverLoaded() {
        issuer.serve(503, "{\"error\":\"starting\"}", null);
        AccessTokenVerifier verifier = verifier(source());

        assertThatThrownBy(() -> verifier.verify(rsaToken(RSA_1, "rsa-1")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
        int afterFirst = issuer.requests();
        // Rate-limited while nothing is loaded, too.
        assertThatThrownBy(() -> verifier.verify(rsaToken(RSA_1, "rsa-1")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
        assertThat(issuer.requests()).isEqualTo(afterFirst);

        issuer.serve(JwkSets.toPublicJson(List.of(KEY_1)));
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);
        assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");

        // Loaded once: an unknown kid is now just unknown, even with the issuer down.
        issuer.stop();
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);
        assertThatThrownBy(() -> verifier.verify(rsaToken(RSA_2, "rsa-2")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    static Stream<Arguments> badResponses() {
        String big = bigJwks(600 * 1024);
        return Stream.of(
                Arguments.of("over 512 KiB with Content-Length", (UnaryOperator<LoopbackJwksServer>) s -> s.serve(big)),
                Arguments.of("over 512 KiB, chunked", (UnaryOperator<LoopbackJwksServer>) s -> s.serveChunked(big)),
                Arguments.of("HTML", (UnaryOperator<LoopbackJwksServer>) s -> s.serve("<html><body>maintenance</body></html>")),
                Arguments.of("an empty object", (UnaryOperator<LoopbackJwksServer>) s -> s.serve("{}")),
                Arguments.of("an array", (UnaryOperator<LoopbackJwksServer>) s -> s.serve("[]")),
                Arguments.of("keys not an array", (UnaryOperator<LoopbackJwksServer>) s -> s.serve("{\"keys\":{}}")),
                Arguments.of("trailing JSON", (UnaryOperator<LoopbackJwksServer>) s -> s.serve("{\"keys\":[]}{\"keys\":[]}")),
                Arguments.of("duplicate members", (UnaryOperator<LoopbackJwksServer>) s -> s.serve("{\"keys\":[],\"keys\":[]}")),
                Arguments.of("too many keys", (UnaryOperator<LoopbackJwksServer>) s -> s.serve(manyKeys(101))),
                Arguments.of("404 with a JWK Set body", (UnaryOperator<LoopbackJwksServer>) s -> s.serve(404, "{\"keys\":[]}", null)),
                Arguments.of("500", (UnaryOperator<LoopbackJwksServer>) s -> s.serve(500, "oops", null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResponses")
    void aResponseThatIsNotAUsableJwkSetIsIgnoredAndTheLastGoodSetKept(String name, UnaryOperator<LoopbackJwksServer> bad) {
        RemoteJwksKeySource source = source();
        AccessTokenVerifier verifier = verifier(source);
        verifier.verify(rsaToken(RSA_1, "rsa-1"));

        bad.apply(issuer);
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);
        assertThat(source.verificationKey("rsa-2")).isEmpty();
        assertThat(issuer.requests()).isEqualTo(2);

        assertThat(source.keys()).extracting(SigningKey::kid).containsExactly("rsa-1");
        assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badResponses")
    void aResponseThatIsNotAUsableJwkSetNeverCountsAsLoaded(String name, UnaryOperator<LoopbackJwksServer> bad) {
        bad.apply(issuer);
        RemoteJwksKeySource source = source();

        assertThatThrownBy(() -> source.verificationKey("rsa-1"))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
    }

    @Test
    void anIssuerThatHangsTimesOutAndTheLastGoodSetIsKept() {
        RemoteJwksKeySource source = source(b -> b.connectTimeout(Duration.ofMillis(300)).readTimeout(Duration.ofMillis(300)));
        assertThat(source.verificationKey("rsa-1")).isPresent();
        issuer.hold();
        clock.advance(RemoteJwksKeySource.DEFAULT_MIN_FETCH_INTERVAL);

        long started = System.nanoTime();
        assertThat(source.verificationKey("rsa-2")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(issuer.requests()).isEqualTo(2);
        assertThat(source.verificationKey("rsa-1")).isPresent();
    }

    @Test
    void anIssuerThatHangsFromTheStartMeansKeysUnavailableWithinTheTimeouts() {
        issuer.hold();
        RemoteJwksKeySource source = source(b -> b.connectTimeout(Duration.ofMillis(300)).readTimeout(Duration.ofMillis(300)));

        long started = System.nanoTime();
        assertThatThrownBy(() -> source.verificationKey("rsa-1"))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void theResponseLimitIsConfigurable() throws Exception {
        ObjectNode padded = (ObjectNode) JSON.readTree(JwkSets.toPublicJson(List.of(KEY_1)));
        padded.put("padding", "x".repeat(2000));
        issuer.serve(padded.toString());
        RemoteJwksKeySource small = source(b -> b.maxResponseBytes(2048));
        RemoteJwksKeySource enough = source(b -> b.maxResponseBytes(4096));

        assertThatThrownBy(() -> small.verificationKey("rsa-1"))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
        assertThat(enough.verificationKey("rsa-1")).isPresent();
    }

    private static String bigJwks(int bytes) {
        StringBuilder b = new StringBuilder("{\"keys\":[],\"padding\":\"");
        while (b.length() < bytes) {
            b.append("0123456789abcdef");
        }
        return b.append("\"}").toString();
    }

    private static String manyKeys(int count) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode keys = root.putArray("keys");
        for (int i = 0; i < count; i++) {
            keys.addObject().put("kty", "EC").put("kid", "k" + i);
        }
        return root.toString();
    }

    // --- which keys are used ---

    @Test
    void keysThatAreNotUsableSignatureKeysOfAnAcceptedAlgorithmAreSkippedOneByOne() throws Exception {
        ArrayNode keys = JSON.createArrayNode();
        keys.add(jwk(EC_KEY));                                               // ES256, not accepted below
        keys.add(jwk(KEY_1));                                                // the one usable key
        keys.add(jwk(KEY_2).put("kid", "enc-1").put("use", "enc"));          // an encryption key
        keys.add(jwk(KEY_2).put("kid", "ops-1").set("key_ops", JSON.createArrayNode().add("encrypt")));
        keys.add(jwk(KEY_2).put("kid", "ps-1").put("alg", "PS256"));         // an algorithm Gatehouse does not do
        keys.add(jwk(KEY_2).put("kid", "rsa-1"));                            // a second key with the same kid
        ObjectNode noKid = jwk(KEY_2);
        noKid.remove("kid");
        keys.add(noKid);
        keys.add(JSON.createObjectNode().put("kty", "oct").put("kid", "hs-1").put("alg", "HS256")
                .put("k", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0"));
        keys.add(JSON.createObjectNode().put("kty", "RSA").put("kid", "broken-1").put("n", "AQAB").put("e", "AQAB"));
        keys.add("not an object");
        issuer.serve(JSON.createObjectNode().set("keys", keys).toString());

        RemoteJwksKeySource source = source(b -> b.acceptedAlgorithms(EnumSet.of(SigningAlgorithm.RS256)));
        AccessTokenVerifier verifier = verifier(source);

        assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
        assertThat(source.keys()).extracting(SigningKey::kid).containsExactly("rsa-1");
        for (String kid : List.of("ec-1", "enc-1", "ops-1", "ps-1", "hs-1", "broken-1")) {
            assertThat(source.verificationKey(kid)).as(kid).isEmpty();
        }
        assertThatThrownBy(() -> verifier.verify(forge("ES256", "ec-1").signEs256(EC_1.getPrivate())))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    @Test
    void ecKeysVerifyWhenAccepted() {
        issuer.serve(JwkSets.toPublicJson(List.of(EC_KEY, KEY_1)));
        AccessTokenVerifier verifier = verifier(source());

        assertThat(verifier.verify(forge("ES256", "ec-1").signEs256(EC_1.getPrivate())).subject()).isEqualTo("user-1");
        assertThat(verifier.verify(rsaToken(RSA_1, "rsa-1")).subject()).isEqualTo("user-1");
    }

    @Test
    void privateMembersPublishedByMistakeAreDroppedUnread() {
        issuer.serve(JwkSets.toPrivateJson(List.of(KEY_1)));
        RemoteJwksKeySource source = source();

        assertThat(source.verificationKey("rsa-1")).hasValueSatisfying(k -> assertThat(k.canSign()).isFalse());
        assertThatThrownBy(source::signingKey).isInstanceOf(GatehouseException.class);
    }

    @Test
    void aSetWithNoUsableKeyCountsAsLoaded() {
        issuer.serve("{\"keys\":[]}");
        RemoteJwksKeySource source = source();

        assertThat(source.verificationKey("rsa-1")).isEmpty();
    }

    private static ObjectNode jwk(SigningKey key) throws Exception {
        return (ObjectNode) JSON.readTree(JwkSets.toPublicJson(List.of(key))).get("keys").get(0);
    }

    // --- Cache-Control ---

    @Test
    void theSetIsRefreshedInTheBackgroundBeforeItsMaxAgeRunsOut() {
        issuer.serve(200, JwkSets.toPublicJson(List.of(KEY_1)), "public, max-age=1");
        RemoteJwksKeySource source = source(b -> b.minCacheLifetime(Duration.ofSeconds(1)));
        assertThat(source.verificationKey("rsa-1")).isPresent();

        issuer.serve(200, JwkSets.toPublicJson(List.of(KEY_1, KEY_2)), "public, max-age=1");
        // No request asks for rsa-2; the refresher alone brings it in.
        awaitTrue(() -> source.keys().size() == 2);
        assertThat(issuer.requests()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void cacheLifetimeFollowsMaxAgeWithinTheBounds() {
        Duration fallback = Duration.ofMinutes(5);
        Duration min = Duration.ofMinutes(1);
        Duration max = Duration.ofHours(1);

        assertThat(RemoteJwksKeySource.lifetimeOf(List.of(), fallback, min, max)).isEqualTo(fallback);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("public, max-age=600"), fallback, min, max)).isEqualTo(Duration.ofMinutes(10));
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("Public, Max-Age=\"120\""), fallback, min, max)).isEqualTo(Duration.ofMinutes(2));
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("max-age=5"), fallback, min, max)).isEqualTo(min);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("max-age=0"), fallback, min, max)).isEqualTo(min);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("max-age=31536000"), fallback, min, max)).isEqualTo(max);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("max-age=99999999999999999999"), fallback, min, max)).isEqualTo(fallback);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("max-age=soon"), fallback, min, max)).isEqualTo(fallback);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("no-cache"), fallback, min, max)).isEqualTo(min);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("max-age=600", "no-store"), fallback, min, max)).isEqualTo(min);
        assertThat(RemoteJwksKeySource.lifetimeOf(List.of("public", "max-age=900"), fallback, min, max)).isEqualTo(Duration.ofMinutes(15));
    }

    // --- configuration ---

    static Stream<Arguments> refusedUrls() {
        return Stream.of(
                Arguments.of("http://example.org/.well-known/jwks.json", true),
                Arguments.of("http://example.org/.well-known/jwks.json", false),
                Arguments.of("http://127.0.0.1:8080/.well-known/jwks.json", false),
                Arguments.of("http://localhost:8080/.well-known/jwks.json", false),
                Arguments.of("http://10.0.0.1/.well-known/jwks.json", true),
                Arguments.of("http://127.0.0.1.nip.io/.well-known/jwks.json", true),
                Arguments.of("http://localhost.example.org/.well-known/jwks.json", true),
                Arguments.of("http://999.0.0.1/.well-known/jwks.json", true),
                Arguments.of("http://[::2]/.well-known/jwks.json", true),
                Arguments.of("ftp://127.0.0.1/jwks.json", true),
                Arguments.of("file:///etc/jwks.json", true),
                Arguments.of("https://user:secret@issuer.example/.well-known/jwks.json", false),
                Arguments.of("https://issuer.example/.well-known/jwks.json#x", false),
                Arguments.of("/.well-known/jwks.json", false),
                Arguments.of("not a url", false),
                Arguments.of("", false),
                Arguments.of(null, false));
    }

    @ParameterizedTest(name = "{0} (allowHttpLoopback={1})")
    @MethodSource("refusedUrls")
    void onlyHttpsOrHttpToLoopbackWithTheFlagIsAccepted(String url, boolean allowHttpLoopback) {
        assertThatThrownBy(() -> RemoteJwksKeySource.builder(url).allowHttpLoopback(allowHttpLoopback).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("jwksUrl"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost", "[::1]", "127.1.2.3"})
    void httpToALoopbackAddressIsAcceptedWithTheFlag(String host) {
        String url = "http://" + host + ":1/.well-known/jwks.json";
        assertThatCode(() -> {
            RemoteJwksKeySource source = RemoteJwksKeySource.builder(url).allowHttpLoopback(true).build();
            source.start();
            source.close();
        }).doesNotThrowAnyException();
    }

    @Test
    void httpsIsAcceptedWithoutTheFlag() {
        // Nothing listens there; the first fetch fails and is only logged.
        assertThatCode(() -> {
            RemoteJwksKeySource source = RemoteJwksKeySource.builder("https://127.0.0.1:1/.well-known/jwks.json").build();
            source.start();
            source.close();
        }).doesNotThrowAnyException();
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of("acceptedAlgorithms", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.acceptedAlgorithms(EnumSet.of(SigningAlgorithm.HS256))),
                Arguments.of("acceptedAlgorithms", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.acceptedAlgorithms(null)),
                Arguments.of("minFetchInterval", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.minFetchInterval(Duration.ofMillis(10))),
                Arguments.of("minFetchInterval", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.minFetchInterval(null)),
                Arguments.of("minCacheLifetime", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.minCacheLifetime(Duration.ZERO)),
                Arguments.of("maxCacheLifetime", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.maxCacheLifetime(Duration.ofSeconds(30))),
                Arguments.of("cacheLifetime", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.cacheLifetime(Duration.ofHours(2))),
                Arguments.of("cacheLifetime", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.cacheLifetime(Duration.ofSeconds(-1))),
                Arguments.of("connectTimeout", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.connectTimeout(Duration.ZERO)),
                Arguments.of("readTimeout", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.readTimeout(Duration.ofHours(1))),
                Arguments.of("maxResponseBytes", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.maxResponseBytes(100)),
                Arguments.of("clock", (UnaryOperator<RemoteJwksKeySource.Builder>) b -> b.clock(null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void badSettingsAreRefusedNamingTheSetting(String setting, UnaryOperator<RemoteJwksKeySource.Builder> bad) {
        assertThatThrownBy(() -> bad.apply(RemoteJwksKeySource.builder(issuer.url()).allowHttpLoopback(true)).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo(setting));
        assertThat(issuer.requests()).isZero();
    }

    @Test
    void afterCloseNothingIsFetchedButCachedKeysStillAnswer() {
        RemoteJwksKeySource source = source();
        assertThat(source.verificationKey("rsa-1")).isPresent();
        source.close();

        clock.advance(Duration.ofHours(1));
        assertThat(source.verificationKey("rsa-2")).isEmpty();
        assertThat(source.verificationKey("rsa-1")).isPresent();
        assertThat(issuer.requests()).isEqualTo(1);
        assertThatCode(source::close).doesNotThrowAnyException();
    }

    @Test
    void toStringNamesTheUrlAndKeyIdsOnly() throws Exception {
        RemoteJwksKeySource source = source();
        source.verificationKey("rsa-1");
        String modulus = jwk(KEY_1).get("n").asText();

        assertThat(source.toString()).contains(issuer.url()).contains("rsa-1").doesNotContain(modulus.substring(0, 16));
    }

    // --- helpers ---

    /** Polls until the condition holds, failing after 10 s. */
    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static KeyPair generate(String type) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance(type);
            if (type.equals("RSA")) {
                gen.initialize(2048);
            } else {
                gen.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock the test moves forward by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
