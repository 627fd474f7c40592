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

package dev.gatehouse.web;

import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed keys and settings of the token fuzz harnesses. The keys are test-only and live in
 * {@code fuzz-keys.pem} so that the seed tokens of the regression inputs stay genuinely signed
 * from one run to the next. They are decoded with the JDK alone, not with the code under test.
 */
final class FuzzKeys {
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final long NOW_S = NOW.getEpochSecond();
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final long LEEWAY_S = 30;

    static final String ISSUER = "https://issuer.example";
    static final String AUDIENCE = "gatehouse-demo";
    static final String RSA_KID = "rsa-1";
    static final String EC_KID = "ec-1";
    static final String HMAC_KID = "hs-1";
    /** The one {@code jti} the harnesses' revocation check revokes. */
    static final String REVOKED_JTI = "revoked-jti";

    static final RSAPrivateCrtKey RSA_PRIVATE;
    static final RSAPublicKey RSA_PUBLIC;
    static final ECPrivateKey EC_PRIVATE;
    static final ECPublicKey EC_PUBLIC;
    static final byte[] HMAC_SECRET;

    static {
        try (InputStream in = FuzzKeys.class.getResourceAsStream("fuzz-keys.pem")) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            Matcher secret = Pattern.compile("# hs-1 ([A-Za-z0-9+/=]+)").matcher(text);
            if (!secret.find()) {
                throw new IllegalStateException("fuzz-keys.pem has no hs-1 secret");
            }
            HMAC_SECRET = Base64.getDecoder().decode(secret.group(1));
            List<byte[]> privates = blocks(text, "PRIVATE KEY");
            List<byte[]> publics = blocks(text, "PUBLIC KEY");
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            KeyFactory ec = KeyFactory.getInstance("EC");
            RSA_PRIVATE = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(privates.get(0)));
            RSA_PUBLIC = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(RSA_PRIVATE.getModulus(), RSA_PRIVATE.getPublicExponent()));
            EC_PRIVATE = (ECPrivateKey) ec.generatePrivate(new PKCS8EncodedKeySpec(privates.get(1)));
            EC_PUBLIC = (ECPublicKey) ec.generatePublic(new X509EncodedKeySpec(publics.get(0)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load fuzz-keys.pem", e);
        }
    }

    private FuzzKeys() {
    }

    private static List<byte[]> blocks(String text, String type) {
        Matcher m = Pattern.compile("-----BEGIN " + type + "-----([A-Za-z0-9+/=\\s]+)-----END " + type + "-----").matcher(text);
        List<byte[]> out = new ArrayList<>();
        while (m.find()) {
            out.add(Base64.getMimeDecoder().decode(m.group(1)));
        }
        return out;
    }

    static SigningKey rsaKey() {
        return SigningKey.rsa(RSA_KID, RSA_PUBLIC, RSA_PRIVATE);
    }

    static SigningKey ecKey() {
        return SigningKey.ec(EC_KID, EC_PUBLIC, EC_PRIVATE);
    }

    static SigningKey hmacKey() {
        return SigningKey.hmac(HMAC_KID, HMAC_SECRET);
    }

    /** All three algorithms accepted, both transports, the fixed clock, a 30 s leeway. */
    static TokenSettings settings() {
        return TokenSettings.builder(ISSUER, AUDIENCE)
                .clock(CLOCK)
                .clockLeeway(java.time.Duration.ofSeconds(LEEWAY_S))
                .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class))
                .build();
    }

    /** Verifies with all three real keys; revokes {@link #REVOKED_JTI}. */
    static AccessTokenVerifier verifier() {
        return new AccessTokenVerifier(settings(), KeySet.of(rsaKey(), ecKey(), hmacKey()),
                principal -> REVOKED_JTI.equals(principal.tokenId()));
    }

    /** An issuer that signs with this one key. */
    static AccessTokenIssuer issuer(SigningKey key) {
        return new AccessTokenIssuer(settings(), KeySet.of(key));
    }
}
