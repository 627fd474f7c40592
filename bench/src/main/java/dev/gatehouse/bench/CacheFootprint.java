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

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;

/**
 * Measures the heap taken per entry of the verified-token cache, for the estimate in
 * docs/configuration.md: fills a verifier's cache with N distinct tokens as long as a typical
 * RS256 access token (the signature's length made up with padding in a claim the verifier does
 * not keep, so HS256 can mint them quickly) and compares the heap before and after.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.CacheFootprint [N]}
 */
public final class CacheFootprint {
    private CacheFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int targetLength = Fixture.of(SigningAlgorithm.RS256).token.length();
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        SigningKey key = SigningKey.hmac("hs-footprint", secret);
        TokenSettings settings = TokenSettings.builder(Fixture.ISSUER, Fixture.AUDIENCE)
                .acceptedAlgorithms(EnumSet.of(SigningAlgorithm.HS256))
                .verifiedTokenCacheSize(Math.max(n, 1))
                .build();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings, KeySet.of(key));
        Algorithm hmac = Algorithm.HMAC256(secret);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String pad = "";
        long before = usedHeap();
        int length = 0;
        for (int i = 0; i < n; i++) {
            String token = token(hmac, now, pad);
            if (i == 0) {
                // base64 makes 4 characters of 3 bytes: pad the claim until the token is as long as an RS256 one
                pad = "p".repeat(Math.max(0, (targetLength - token.length()) * 3 / 4));
                token = token(hmac, now, pad);
            }
            length = token.length();
            verifier.verify(token);
        }
        long after = usedHeap();
        System.out.printf("%d entries, tokens of %d characters (RS256 fixture: %d): %.0f bytes per entry%n",
                n, length, targetLength, (after - before) / (double) n);
        if (verifier.verify(token(hmac, now, pad)) == null) {
            throw new IllegalStateException(); // keeps the verifier reachable until after the measurement
        }
    }

    private static String token(Algorithm hmac, Instant now, String pad) {
        return JWT.create()
                .withHeader(Map.of("typ", "at+jwt", "kid", "hs-footprint"))
                .withIssuer(Fixture.ISSUER)
                .withAudience(Fixture.AUDIENCE)
                .withSubject(UUID.randomUUID().toString())
                .withIssuedAt(now)
                .withExpiresAt(now.plus(Fixture.TTL))
                .withJWTId(UUID.randomUUID().toString().replace("-", "").substring(0, 22))
                .withClaim("roles", Fixture.ROLES)
                .withClaim("pad", pad)
                .sign(hmac);
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
