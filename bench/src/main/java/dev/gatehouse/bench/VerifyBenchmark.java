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

package dev.gatehouse.bench;

import dev.gatehouse.web.WebSettings;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.auth.CachedRevocationCheck;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.testing.MemoryRevocationStore;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifying one typical access token, the same bytes for every contender:
 * <ul>
 *   <li>{@code gatehouse}: the full path of a request with the verified-token cache off — locate
 *       the bearer token, parse and check structure and claims, verify the signature, build the
 *       principal, ask the revocation cache ({@link RequestAuthenticator#authenticate});</li>
 *   <li>{@code gatehouseCached}: the same path with the cache on, token already cached (a hit:
 *       lookup, key check, revocation check);</li>
 *   <li>{@code javaJwt}: java-jwt alone ({@code JWT.require(alg).withIssuer().withAudience()});</li>
 *   <li>{@code nimbus}: Nimbus JOSE+JWT's {@code DefaultJWTProcessor} as Spring Security sets it
 *       up (key selector over a JWK set, claims verifier with issuer, audience, required claims),
 *       plus the {@code at+jwt} type check;</li>
 *   <li>{@code jjwt}: jjwt's parser with the issuer and audience required;</li>
 *   <li>{@code rawJdk}: only the JDK {@link Signature} / {@link Mac} over the signing input and the
 *       decoded signature, prepared in advance — the limit no library can beat.</li>
 * </ul>
 * Each setup checks that its contender accepts the token, so a broken comparison fails loudly.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class VerifyBenchmark {
    @Param({"RS256", "ES256", "HS256"})
    public String alg;

    private Fixture fixture;
    private CachedRevocationCheck revocations;
    private RequestAuthenticator cold;
    private RequestAuthenticator cached;
    private BearerRequest request;
    private JWTVerifier javaJwt;
    private ConfigurableJWTProcessor<SecurityContext> nimbus;
    private JwtParser jjwt;

    // A cache hit returns the very principal it remembered: identity is what shows the hit.
    @SuppressWarnings("ReferenceEquality")
    @Setup
    public void setUp() throws Exception {
        fixture = Fixture.of(SigningAlgorithm.valueOf(alg));
        request = new BearerRequest(fixture.token);
        revocations = new CachedRevocationCheck(revocationsWithSomeEntries(Clock.systemUTC().instant()),
                Duration.ofSeconds(5), Fixture.TTL.plusMinutes(1), Clock.systemUTC());
        revocations.start();

        cold = authenticator(false);
        cached = authenticator(true);
        javaJwt = JWT.require(javaJwtAlgorithm(fixture)).withIssuer(Fixture.ISSUER).withAudience(Fixture.AUDIENCE).build();
        nimbus = nimbusProcessor(fixture);
        jjwt = jjwtParser(fixture);

        AccessTokenPrincipal coldPrincipal = gatehouse();
        AccessTokenPrincipal cachedPrincipal = gatehouseCached();
        if (coldPrincipal == null || cachedPrincipal == null || gatehouseCached() != cachedPrincipal
                || !Fixture.SUBJECT.equals(coldPrincipal.subject()) || !coldPrincipal.roles().equals(Fixture.ROLES)) {
            throw new IllegalStateException("Gatehouse did not accept the token (or the cache did not hit)");
        }
        require("java-jwt", Fixture.SUBJECT.equals(javaJwt().getSubject()));
        require("Nimbus", Fixture.SUBJECT.equals(nimbus().getSubject()));
        require("jjwt", Fixture.SUBJECT.equals(jjwt().getSubject()));
        require("the JDK", RawCrypto.verify(fixture));
    }

    @TearDown
    public void tearDown() {
        revocations.close();
    }

    private RequestAuthenticator authenticator(boolean cache) {
        AccessTokenVerifier verifier = new AccessTokenVerifier(fixture.settings(cache), fixture.keys, revocations);
        return new RequestAuthenticator(verifier, WebSettings.defaults());
    }

    @Benchmark
    public AccessTokenPrincipal gatehouse() {
        return cold.authenticate(request).principal();
    }

    @Benchmark
    public AccessTokenPrincipal gatehouseCached() {
        return cached.authenticate(request).principal();
    }

    @Benchmark
    public DecodedJWT javaJwt() {
        return javaJwt.verify(fixture.token);
    }

    @Benchmark
    public JWTClaimsSet nimbus() throws Exception {
        return nimbus.process(fixture.token, null);
    }

    @Benchmark
    public Claims jjwt() {
        return jjwt.parseSignedClaims(fixture.token).getPayload();
    }

    @Benchmark
    public boolean rawJdk(RawCrypto raw) throws GeneralSecurityException {
        return raw.verify();
    }

    /** The JDK primitives, one per benchmark thread (they are not thread-safe). */
    @State(Scope.Thread)
    public static class RawCrypto {
        private Signature signature;
        private Mac mac;
        private byte[] input;
        private byte[] expected;

        @Setup
        public void setUp(VerifyBenchmark benchmark) throws GeneralSecurityException {
            Fixture f = benchmark.fixture;
            input = f.signingInput;
            expected = f.signature;
            if (f.secret != null) {
                mac = Mac.getInstance(f.jdkAlgorithm());
                mac.init(new SecretKeySpec(f.secret, f.jdkAlgorithm()));
            } else {
                signature = Signature.getInstance(f.jdkAlgorithm());
                signature.initVerify(f.publicKey);
            }
        }

        boolean verify() throws GeneralSecurityException {
            if (mac != null) {
                return MessageDigest.isEqual(mac.doFinal(input), expected);
            }
            signature.update(input);
            return signature.verify(expected); // resets to the state after initVerify
        }

        static boolean verify(Fixture f) throws GeneralSecurityException {
            if (f.secret != null) {
                Mac mac = Mac.getInstance(f.jdkAlgorithm());
                mac.init(new SecretKeySpec(f.secret, f.jdkAlgorithm()));
                return MessageDigest.isEqual(mac.doFinal(f.signingInput), f.signature);
            }
            Signature s = Signature.getInstance(f.jdkAlgorithm());
            s.initVerify(f.publicKey);
            s.update(f.signingInput);
            return s.verify(f.signature);
        }
    }

    /**
     * Revocations in memory, so that the real {@code CachedRevocationCheck} is exercised without a
     * database (it reads the store in the background, never per request): some revoked tokens and
     * logged-out users, none of them the benchmark's.
     */
    private static RevocationStore revocationsWithSomeEntries(Instant now) {
        RevocationStore store = new MemoryRevocationStore();
        for (int i = 0; i < 200; i++) {
            store.revokeToken("revoked-jti-" + i, now.plusSeconds(300));
        }
        for (int i = 0; i < 20; i++) {
            store.refuseGenerationsBelow("logged-out-user-" + i, 1, now);
        }
        return store;
    }

    private static void require(String library, boolean accepted) {
        if (!accepted) {
            throw new IllegalStateException(library + " did not accept the token");
        }
    }

    static Algorithm javaJwtAlgorithm(Fixture f) {
        return switch (f.algorithm) {
            case RS256 -> Algorithm.RSA256((RSAPublicKey) f.publicKey, null);
            case ES256 -> Algorithm.ECDSA256((ECPublicKey) f.publicKey, null);
            case HS256 -> Algorithm.HMAC256(f.secret);
        };
    }

    private static ConfigurableJWTProcessor<SecurityContext> nimbusProcessor(Fixture f) {
        JWK jwk;
        JWSAlgorithm jwsAlgorithm;
        switch (f.algorithm) {
            case RS256 -> {
                jwk = new RSAKey.Builder((RSAPublicKey) f.publicKey).keyID(f.kid).build();
                jwsAlgorithm = JWSAlgorithm.RS256;
            }
            case ES256 -> {
                jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) f.publicKey).keyID(f.kid).build();
                jwsAlgorithm = JWSAlgorithm.ES256;
            }
            default -> {
                jwk = new OctetSequenceKey.Builder(f.secret).keyID(f.kid).build();
                jwsAlgorithm = JWSAlgorithm.HS256;
            }
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(jwsAlgorithm, new ImmutableJWKSet<>(new JWKSet(jwk))));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(Fixture.AUDIENCE,
                new JWTClaimsSet.Builder().issuer(Fixture.ISSUER).build(), Set.of("sub", "iat", "exp", "jti")));
        return processor;
    }

    private static JwtParser jjwtParser(Fixture f) {
        var builder = Jwts.parser().requireIssuer(Fixture.ISSUER).requireAudience(Fixture.AUDIENCE);
        if (f.secret != null) {
            builder.verifyWith(Keys.hmacShaKeyFor(f.secret));
        } else {
            builder.verifyWith(f.publicKey);
        }
        return builder.build();
    }
}
