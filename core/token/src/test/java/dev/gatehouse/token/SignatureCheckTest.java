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

import com.auth0.jwt.JWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.gatehouse.testing.Fixtures.forgeFor;
import static dev.gatehouse.testing.Fixtures.signWith;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-key signature check, which keeps the JDK primitive per thread: it must give the right
 * answer whatever the thread verified before, including after a signature that made the JDK throw.
 */
class SignatureCheckTest {

    private static boolean check(SignatureCheck check, String token) {
        return check.verify(token, JWT.decode(token));
    }

    /** The same token with one bit of its signature flipped. */
    private static String flipped(String token) {
        int dot = token.lastIndexOf('.');
        byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        signature[signature.length / 2] ^= 0x10;
        return token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    /** The same token with its signature cut short (the JDK refuses RSA and ECDSA of the wrong length by throwing). */
    private static String truncated(String token) {
        int dot = token.lastIndexOf('.');
        byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        return token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(signature, 20));
    }

    /** The signature of one token on the header and payload of another. */
    private static String transplanted(String from, String onto) {
        return onto.substring(0, onto.lastIndexOf('.')) + from.substring(from.lastIndexOf('.'));
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void acceptsItsOwnSignatureAgainAndAgain(SigningAlgorithm alg) {
        SignatureCheck check = SignatureCheck.of(Fixtures.key(alg));
        String token = signWith(forgeFor(alg), alg);

        for (int i = 0; i < 5; i++) {
            assertThat(check(check, token)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void refusesEveryAlteredSignatureAndStillAcceptsTheGoodOneAfterwards(SigningAlgorithm alg) {
        SignatureCheck check = SignatureCheck.of(Fixtures.key(alg));
        String good = signWith(forgeFor(alg), alg);
        String other = signWith(forgeFor(alg).claim("sub", "someone-else"), alg);
        List<String> bad = List.of(flipped(good), truncated(good), transplanted(other, good), transplanted(good, other),
                good.substring(0, good.lastIndexOf('.') + 1) + "AAAA");

        for (String token : bad) {
            assertThat(check(check, token)).as("altered: %s", token).isFalse();
            // whatever the bad signature did to the thread's primitive, the next check starts clean
            assertThat(check(check, good)).isTrue();
            assertThat(check(check, token)).isFalse();
        }
        assertThat(check(check, other)).isTrue();
    }

    @Test
    void aSignatureFromAnotherKeyOfTheSameAlgorithmIsRefused() {
        SignatureCheck check = SignatureCheck.of(Fixtures.rsaKey());
        String byAttacker = forgeFor(SigningAlgorithm.RS256).signRs256(Fixtures.RSA_ATTACKER.getPrivate());
        assertThat(check(check, byAttacker)).isFalse();

        SignatureCheck hmac = SignatureCheck.of(Fixtures.hmacKey());
        byte[] otherSecret = Fixtures.HMAC_SECRET.clone();
        otherSecret[0] ^= 1;
        assertThat(check(hmac, forgeFor(SigningAlgorithm.HS256).signHs256(otherSecret))).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = SigningAlgorithm.class, names = {"RS256", "HS256"})
    void threadsSharingOneCheckEachGetTheRightAnswer(SigningAlgorithm alg) throws Exception {
        SignatureCheck check = SignatureCheck.of(Fixtures.key(alg));
        String good = signWith(forgeFor(alg), alg);
        String[] bad = {flipped(good), truncated(good)};
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                Callable<Integer> task = () -> {
                    start.await();
                    int wrong = 0;
                    for (int i = 0; i < 300; i++) {
                        boolean expectGood = (i + seed) % 3 != 0;
                        String token = expectGood ? good : bad[i % 2];
                        if (check(check, token) != expectGood) {
                            wrong++;
                        }
                    }
                    return wrong;
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertThat(result.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
