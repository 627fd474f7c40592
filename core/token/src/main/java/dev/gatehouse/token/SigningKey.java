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

import com.auth0.jwt.algorithms.Algorithm;
import dev.gatehouse.token.internal.Jwk;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One key with an id ({@code kid}) and exactly one algorithm. A verifier uses a key only for its
 * own algorithm, which is what defeats algorithm-confusion attacks (an RSA public key is never
 * used as an HMAC secret).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never prints key material.
 */
public final class SigningKey {
    /** Smallest RSA modulus accepted (NIST SP 800-131A). */
    public static final int MIN_RSA_BITS = 2048;
    /** Smallest HMAC secret accepted, in bytes (RFC 7518 §3.2: at least the hash output size). */
    public static final int MIN_HMAC_BYTES = 32;

    private static final Pattern KID = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String kid;
    private final SigningAlgorithm algorithm;
    private final PublicKey publicKey;
    private final PrivateKey privateKey;
    private final byte[] secret;
    private final Algorithm jwtAlgorithm;
    private final int hash;

    private SigningKey(String kid, SigningAlgorithm algorithm, PublicKey publicKey, PrivateKey privateKey, byte[] secret) {
        this.kid = requireKid(kid);
        this.algorithm = algorithm;
        this.publicKey = publicKey;
        this.privateKey = privateKey;
        this.secret = secret;
        this.hash = Objects.hash(this.kid, algorithm);
        this.jwtAlgorithm = switch (algorithm) {
            case RS256 -> Algorithm.RSA256((RSAPublicKey) publicKey, (RSAPrivateKey) privateKey);
            case ES256 -> Algorithm.ECDSA256((ECPublicKey) publicKey, (ECPrivateKey) privateKey);
            case HS256 -> Algorithm.HMAC256(secret);
        };
    }

    /**
     * An RS256 key. The private key may be {@code null} for a verify-only key.
     *
     * @throws ConfigurationException when the modulus is shorter than {@value #MIN_RSA_BITS} bits
     */
    public static SigningKey rsa(String kid, RSAPublicKey publicKey, RSAPrivateKey privateKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        int bits = publicKey.getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw new ConfigurationException("keys", "RSA key '" + kid + "' has " + bits + " bits; at least " + MIN_RSA_BITS + " are required");
        }
        if (privateKey != null && !privateKey.getModulus().equals(publicKey.getModulus())) {
            throw new ConfigurationException("keys", "RSA key '" + kid + "': the private key does not belong to the public key");
        }
        return new SigningKey(kid, SigningAlgorithm.RS256, publicKey, privateKey, null);
    }

    /**
     * An ES256 key on P-256. The private key may be {@code null} for a verify-only key.
     *
     * @throws ConfigurationException when the key is not on P-256
     */
    public static SigningKey ec(String kid, ECPublicKey publicKey, ECPrivateKey privateKey) {
        Objects.requireNonNull(publicKey, "publicKey");
        if (!Jwk.isP256(publicKey.getParams()) || (privateKey != null && !Jwk.isP256(privateKey.getParams()))) {
            throw new ConfigurationException("keys", "EC key '" + kid + "' is not on the P-256 curve that ES256 requires");
        }
        if (!Jwk.isOnCurve(publicKey)) {
            throw new ConfigurationException("keys", "EC key '" + kid + "': the public point is not on P-256");
        }
        return new SigningKey(kid, SigningAlgorithm.ES256, publicKey, privateKey, null);
    }

    /**
     * An HS256 key. The secret is copied.
     *
     * @throws ConfigurationException when the secret is shorter than {@value #MIN_HMAC_BYTES} bytes (256 bits)
     */
    public static SigningKey hmac(String kid, byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_HMAC_BYTES) {
            throw new ConfigurationException("keys", "HS256 secret '" + kid + "' has " + secret.length * 8
                    + " bits; at least " + MIN_HMAC_BYTES * 8 + " are required");
        }
        return new SigningKey(kid, SigningAlgorithm.HS256, null, null, secret.clone());
    }

    /**
     * Generates a fresh key: RSA 2048 bits, EC P-256, or a 256-bit HMAC secret. Asymmetric keys get
     * their RFC 7638 JWK thumbprint as {@code kid}; secrets get a random {@code kid} (a thumbprint
     * would be a hash of the secret).
     */
    public static SigningKey generate(SigningAlgorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        try {
            switch (algorithm) {
                case RS256 -> {
                    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
                    gen.initialize(MIN_RSA_BITS, RANDOM);
                    KeyPair pair = gen.generateKeyPair();
                    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
                    return rsa(Jwk.thumbprint(pub), pub, (RSAPrivateKey) pair.getPrivate());
                }
                case ES256 -> {
                    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
                    gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    KeyPair pair = gen.generateKeyPair();
                    ECPublicKey pub = (ECPublicKey) pair.getPublic();
                    return ec(Jwk.thumbprint(pub), pub, (ECPrivateKey) pair.getPrivate());
                }
                default -> {
                    byte[] secret = new byte[MIN_HMAC_BYTES];
                    RANDOM.nextBytes(secret);
                    byte[] id = new byte[12];
                    RANDOM.nextBytes(id);
                    return hmac("hs-" + Base64.getUrlEncoder().withoutPadding().encodeToString(id), secret);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new GatehouseException("The JDK cannot generate a " + algorithm + " key", e);
        }
    }

    public String kid() {
        return kid;
    }

    public SigningAlgorithm algorithm() {
        return algorithm;
    }

    /** The public key, or {@code null} for an HS256 secret. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** Whether this key can sign (has a private key or is a secret). */
    public boolean canSign() {
        return privateKey != null || secret != null;
    }

    /**
     * Whether this key may be published in a JWK Set: asymmetric keys only (their public half).
     * A shared secret is never published.
     */
    public boolean isPublishable() {
        return algorithm.isAsymmetric();
    }

    /** The same key without its private half; for HS256 there is no public half, so it is returned as is. */
    public SigningKey verifyOnly() {
        if (!algorithm.isAsymmetric() || privateKey == null) {
            return this;
        }
        return new SigningKey(kid, algorithm, publicKey, null, null);
    }

    /** The private key, or {@code null}. Package-private: only key files and the issuer need it. */
    PrivateKey privateKey() {
        return privateKey;
    }

    /** A copy of the HMAC secret, or {@code null}. */
    byte[] secret() {
        return secret == null ? null : secret.clone();
    }

    /** java-jwt's algorithm bound to this key. Package-private so that java-jwt stays out of the API. */
    Algorithm jwtAlgorithm() {
        return jwtAlgorithm;
    }

    private static String requireKid(String kid) {
        if (kid == null || !KID.matcher(kid).matches()) {
            throw new ConfigurationException("keys", "a key id must be 1 to 128 printable ASCII characters without spaces");
        }
        return kid;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SigningKey other)) {
            return false;
        }
        return kid.equals(other.kid) && algorithm == other.algorithm && Objects.equals(publicKey, other.publicKey)
                && Arrays.equals(secret, other.secret);
    }

    @Override
    public int hashCode() {
        return hash; // asked on every full verification (the per-key verifier map)
    }

    @Override
    public String toString() {
        return "SigningKey{kid=" + kid + ", alg=" + algorithm + ", private=" + canSign() + "}";
    }
}
