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

import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.IssuedAccessToken;
import dev.gatehouse.token.SigningAlgorithm;
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
import org.openjdk.jmh.annotations.Warmup;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issuing (signing) one access token with the claims of the HTTP contract: Gatehouse's
 * {@link AccessTokenIssuer} ({@code gatehouse}: fresh {@code jti}, JSON, base64url, signature)
 * against the JDK's signature over a signing input of the same size ({@code rawJdk}, the limit).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class IssueBenchmark {
    @Param({"RS256", "ES256", "HS256"})
    public String alg;

    private Fixture fixture;
    private AccessTokenIssuer issuer;

    @Setup
    public void setUp() {
        fixture = Fixture.of(SigningAlgorithm.valueOf(alg));
        issuer = new AccessTokenIssuer(fixture.settings(false), fixture.keys);
        IssuedAccessToken issued = gatehouse();
        AccessTokenVerifier verifier = new AccessTokenVerifier(fixture.settings(false), fixture.keys);
        if (!verifier.verify(issued.token()).subject().equals(Fixture.SUBJECT)
                || issued.token().length() != fixture.token.length()) {
            throw new IllegalStateException("The issued token does not verify or differs in size from the fixture's");
        }
    }

    @Benchmark
    public IssuedAccessToken gatehouse() {
        return issuer.issue(Fixture.SUBJECT, Fixture.ROLES);
    }

    @Benchmark
    public byte[] rawJdk(RawSigner raw) throws GeneralSecurityException {
        return raw.sign();
    }

    /** The JDK primitives, one per benchmark thread. */
    @State(Scope.Thread)
    public static class RawSigner {
        private Signature signature;
        private Mac mac;
        private byte[] input;

        @Setup
        public void setUp(IssueBenchmark benchmark) throws GeneralSecurityException {
            Fixture f = benchmark.fixture;
            input = f.signingInput;
            if (f.secret != null) {
                mac = Mac.getInstance(f.jdkAlgorithm());
                mac.init(new SecretKeySpec(f.secret, f.jdkAlgorithm()));
            } else {
                signature = Signature.getInstance(f.jdkAlgorithm());
                signature.initSign(f.privateKey);
            }
        }

        byte[] sign() throws GeneralSecurityException {
            if (mac != null) {
                return mac.doFinal(input);
            }
            signature.update(input);
            return signature.sign();
        }
    }
}
