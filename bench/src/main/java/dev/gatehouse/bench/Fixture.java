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
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.IssuedAccessToken;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The keys and the one access token every benchmark of an algorithm uses: issued by Gatehouse's
 * own {@link AccessTokenIssuer} with the claims of the HTTP contract ({@code iss}, {@code aud},
 * {@code sub}, {@code iat}, {@code exp}, {@code jti}, three {@code roles}), so that every library
 * verifies the same bytes. Made once per JVM and algorithm (RSA key generation is slow).
 */
public final class Fixture {
    public static final String ISSUER = "https://auth.example.com";
    public static final String AUDIENCE = "orders";
    public static final String SUBJECT = "5f0c7d1e-8b2a-4c3d-9e6f-1a2b3c4d5e6f";
    public static final List<String> ROLES = List.of("user", "editor", "billing");
    /** Long enough that the token outlives any run. */
    public static final Duration TTL = Duration.ofHours(24);

    private static final Map<SigningAlgorithm, Fixture> FIXTURES = new EnumMap<>(SigningAlgorithm.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    public final SigningAlgorithm algorithm;
    public final String kid;
    /** RSA or EC public key, or {@code null} for HS256. */
    public final PublicKey publicKey;
    /** RSA or EC private key, or {@code null} for HS256. */
    public final PrivateKey privateKey;
    /** The HS256 secret, or {@code null}. */
    public final byte[] secret;
    public final SigningKey signingKey;
    public final KeySet keys;
    public final String token;
    /** {@code header.payload} as ASCII: what the signature covers. */
    public final byte[] signingInput;
    /** The signature, decoded (for ES256 R‖S, RFC 7518 §3.4). */
    public final byte[] signature;

    private Fixture(SigningAlgorithm algorithm) throws GeneralSecurityException {
        this.algorithm = algorithm;
        switch (algorithm) {
            case RS256 -> {
                KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
                gen.initialize(2048, RANDOM);
                KeyPair pair = gen.generateKeyPair();
                this.publicKey = pair.getPublic();
                this.privateKey = pair.getPrivate();
                this.secret = null;
                this.kid = thumbprintLike(publicKey);
                this.signingKey = SigningKey.rsa(kid, (RSAPublicKey) publicKey, (RSAPrivateKey) privateKey);
            }
            case ES256 -> {
                KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
                gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                KeyPair pair = gen.generateKeyPair();
                this.publicKey = pair.getPublic();
                this.privateKey = pair.getPrivate();
                this.secret = null;
                this.kid = thumbprintLike(publicKey);
                this.signingKey = SigningKey.ec(kid, (ECPublicKey) publicKey, (ECPrivateKey) privateKey);
            }
            default -> {
                this.publicKey = null;
                this.privateKey = null;
                this.secret = new byte[32];
                RANDOM.nextBytes(secret);
                byte[] id = new byte[12];
                RANDOM.nextBytes(id);
                this.kid = "hs-" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
                this.signingKey = SigningKey.hmac(kid, secret);
            }
        }
        this.keys = KeySet.of(signingKey);
        IssuedAccessToken issued = new AccessTokenIssuer(settings(true), keys).issue(SUBJECT, ROLES);
        this.token = issued.token();
        int dot = token.lastIndexOf('.');
        this.signingInput = token.substring(0, dot).getBytes(StandardCharsets.US_ASCII);
        this.signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    }

    /** The fixture of an algorithm, made on first use. */
    public static synchronized Fixture of(SigningAlgorithm algorithm) {
        Fixture f = FIXTURES.get(algorithm);
        if (f == null) {
            try {
                f = new Fixture(algorithm);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("The JDK cannot make a " + algorithm + " key", e);
            }
            FIXTURES.put(algorithm, f);
        }
        return f;
    }

    /** Settings accepting only this algorithm, with the verified-token cache on or off. */
    public TokenSettings settings(boolean cache) {
        return TokenSettings.builder(ISSUER, AUDIENCE)
                .acceptedAlgorithms(EnumSet.of(algorithm))
                .accessTokenTtl(TTL)
                .verifiedTokenCache(cache)
                .build();
    }

    /** The JDK algorithm name for raw signing and verifying. */
    public String jdkAlgorithm() {
        return switch (algorithm) {
            case RS256 -> "SHA256withRSA";
            case ES256 -> "SHA256withECDSAinP1363Format";
            case HS256 -> "HmacSHA256";
        };
    }

    private static String thumbprintLike(PublicKey key) throws GeneralSecurityException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }
}
