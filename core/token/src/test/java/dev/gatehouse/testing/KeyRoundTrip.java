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

package dev.gatehouse.testing;

import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.token.SigningAlgorithm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Issuing and verifying a token through a key source, for the tests of key sources (files, the database). */
public final class KeyRoundTrip {
    /** The fixed start of the key sources' timelines. */
    public static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    public static final String ISSUER = "https://issuer.example";
    public static final String AUDIENCE = "gatehouse-demo";

    private KeyRoundTrip() {
    }

    /** Access-token settings on this clock: TTL 5 min and leeway 30 s (the defaults), every algorithm accepted. */
    public static TokenSettings tokenSettings(Clock clock) {
        return TokenSettings.builder(ISSUER, AUDIENCE)
                .clock(clock)
                .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class))
                .build();
    }

    /** A token for user-1 signed with the source's signing key (both recorded for the secret scan). */
    public static String issue(Clock clock, KeySource keys) {
        String token = new AccessTokenIssuer(tokenSettings(clock), keys).issue("user-1", List.of("user")).token();
        SecretLedger.record(token);
        SecretLedger.recordKey(keys.signingKey());
        return token;
    }

    public static AccessTokenPrincipal verify(Clock clock, KeySource keys, String token) {
        return new AccessTokenVerifier(tokenSettings(clock), keys).verify(token);
    }

    /** Waits (up to 10 s, polling every 20 ms) until the condition holds; fails the test otherwise. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
