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

import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.InvalidTokenException.Reason;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keys, clock and settings shared by the core tests. RSA key generation is slow, so every key
 * pair is made once per JVM (surefire reuses one fork for the whole suite).
 */
public final class Fixtures {
    /** The fixed "now" of every test that involves time. */
    public static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    public static final long NOW_S = NOW.getEpochSecond();
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    public static final String ISSUER = "https://issuer.example";
    public static final String AUDIENCE = "gatehouse-demo";
    public static final String SUBJECT = "user-1";

    public static final String RSA_KID = "rsa-1";
    public static final String EC_KID = "ec-1";
    public static final String HMAC_KID = "hs-1";

    /** The service's own keys. */
    public static final KeyPair RSA = generate("RSA");
    public static final KeyPair EC = generate("EC");
    public static final byte[] HMAC_SECRET = randomBytes(32);
    /** Keys an attacker controls. */
    public static final KeyPair RSA_ATTACKER = generate("RSA");
    public static final KeyPair EC_ATTACKER = generate("EC");

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // key material of this module's token tests: none of it may appear in a log (LogScanCheck)
        for (KeyPair pair : new KeyPair[] {RSA, EC, RSA_ATTACKER, EC_ATTACKER}) {
            SecretLedger.recordPrivateKey(pair.getPrivate());
        }
        SecretLedger.recordKey(rsaKey());
        SecretLedger.recordKey(ecKey());
        SecretLedger.record(HMAC_SECRET);
    }

    private Fixtures() {
    }

    public static KeyPair generate(String type) {
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

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    public static SigningKey rsaKey() {
        return SigningKey.rsa(RSA_KID, (RSAPublicKey) RSA.getPublic(), (RSAPrivateKey) RSA.getPrivate());
    }

    public static SigningKey ecKey() {
        return SigningKey.ec(EC_KID, (ECPublicKey) EC.getPublic(), (ECPrivateKey) EC.getPrivate());
    }

    public static SigningKey hmacKey() {
        return SigningKey.hmac(HMAC_KID, HMAC_SECRET);
    }

    public static SigningKey key(SigningAlgorithm alg) {
        switch (alg) {
            case RS256:
                return rsaKey();
            case ES256:
                return ecKey();
            default:
                return hmacKey();
        }
    }

    /** Default settings (RS256 and ES256 accepted, leeway 30 s) on the fixed clock. */
    public static TokenSettings settings() {
        return TokenSettings.builder(ISSUER, AUDIENCE).clock(CLOCK).build();
    }

    /** Settings that also accept HS256. */
    public static TokenSettings settingsWithHs256() {
        return TokenSettings.builder(ISSUER, AUDIENCE).clock(CLOCK)
                .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class)).build();
    }

    /** Signs with the RSA key; also knows the EC key and the HMAC secret. */
    public static KeySet keys() {
        return KeySet.of(rsaKey(), ecKey(), hmacKey());
    }

    /** The default verifier: default settings, {@link #keys()}. */
    public static AccessTokenVerifier verifier() {
        return new AccessTokenVerifier(settings(), keys());
    }

    /** A forge holding a valid access token (iat now, exp in 5 minutes) for the given header alg and kid. */
    public static TokenForge forge(String alg, String kid) {
        return TokenForge.accessToken(alg, kid, ISSUER, AUDIENCE, SUBJECT, NOW_S, NOW_S + 300);
    }

    /** A forge holding a valid access token for this module's key of {@code alg}. */
    public static TokenForge forgeFor(SigningAlgorithm alg) {
        return forge(alg.name(), key(alg).kid());
    }

    /** The forge's token signed with this module's key of {@code alg}. */
    public static String signWith(TokenForge forge, SigningAlgorithm alg) {
        switch (alg) {
            case RS256:
                return forge.signRs256(RSA.getPrivate());
            case ES256:
                return forge.signEs256(EC.getPrivate());
            default:
                return forge.signHs256(HMAC_SECRET);
        }
    }

    /** A forge holding a valid RS256 access token for the real RSA key. */
    public static TokenForge rs256() {
        return forge("RS256", RSA_KID);
    }

    /** Asserts the verifier refuses the token for exactly this reason. */
    public static void assertRefused(AccessTokenVerifier verifier, String token, Reason reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isEqualTo(reason);
    }

    /** Decodes one base64url segment of a compact JWS as JSON, without the code under test. */
    public static JsonNode segmentJson(String token, int index) {
        String segment = token.split("\\.", -1)[index];
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(segment));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
