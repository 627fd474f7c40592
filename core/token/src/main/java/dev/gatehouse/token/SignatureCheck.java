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

import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a compact JWS's signature with one {@link SigningKey}, and only with that key's own
 * algorithm.
 *
 * <p>For RS256 and HS256 the JDK primitive ({@link Signature} or {@link Mac}) is looked up and
 * initialised with the key once per thread and then reused: its state after a completed
 * {@code verify} or {@code doFinal} is the freshly initialised one, and a primitive that threw
 * half-way is dropped rather than reused. This is the same computation java-jwt's
 * {@code Algorithm.verify} does, without a provider look-up and key initialisation per token.
 * An HMAC is compared in constant time ({@link MessageDigest#isEqual}).
 *
 * <p>ES256 goes through java-jwt's algorithm, which also converts the JOSE {@code r||s} signature
 * to DER and refuses zero or out-of-range halves; at about 0.7 ms per ECDSA verification the
 * primitive's set-up does not matter there.
 *
 * <p>Thread-safe. The token must already have passed the compact-structure check (three
 * segments of base64url, so plain ASCII).
 */
abstract class SignatureCheck {
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    /** Whether the signature segment of {@code token} is valid for its first two segments. */
    abstract boolean verify(String token, DecodedJWT jwt);

    static SignatureCheck of(SigningKey key) {
        return switch (key.algorithm()) {
            case RS256 -> new Jdk(key, "SHA256withRSA");
            case HS256 -> new Jdk(key, "HmacSHA256");
            case ES256 -> new JavaJwt(key);
        };
    }

    /** RS256 and HS256, with the JDK's primitive kept per thread. */
    private static final class Jdk extends SignatureCheck {
        private final SigningKey key;
        private final String jdkAlgorithm;
        /**
         * A {@link Signature} initialised for verification, or a {@link Mac} initialised with the
         * secret. Per key on purpose (Error Prone's ThreadLocalUsage expects a static field): each
         * primitive is initialised with this key, and goes when the key set drops the key.
         */
        @SuppressWarnings("ThreadLocalUsage")
        private final ThreadLocal<Object> primitive = new ThreadLocal<>();

        Jdk(SigningKey key, String jdkAlgorithm) {
            this.key = key;
            this.jdkAlgorithm = jdkAlgorithm;
            primitive.set(fresh()); // fails now, at construction, if the JDK cannot use the key
        }

        @Override
        boolean verify(String token, DecodedJWT jwt) {
            int end = token.lastIndexOf('.');
            byte[] signature = BASE64URL.decode(token.substring(end + 1));
            // Every character is ASCII (checked before), so Latin-1 is the exact encoding.
            byte[] signingInput = token.substring(0, end).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            Object p = primitive.get();
            if (p == null) {
                p = fresh();
                primitive.set(p);
            }
            boolean completed = false;
            try {
                boolean valid;
                if (p instanceof Mac mac) {
                    valid = MessageDigest.isEqual(mac.doFinal(signingInput), signature);
                } else {
                    Signature verifier = (Signature) p;
                    verifier.update(signingInput);
                    valid = verifier.verify(signature);
                }
                completed = true;
                return valid;
            } catch (GeneralSecurityException e) {
                // A signature of the wrong length or form: not valid.
                return false;
            } finally {
                if (!completed) {
                    // Whatever was thrown, the primitive's state is unknown: this thread gets a fresh one next time.
                    primitive.remove();
                }
            }
        }

        private Object fresh() {
            try {
                if (key.algorithm() == SigningAlgorithm.HS256) {
                    Mac mac = Mac.getInstance(jdkAlgorithm);
                    byte[] secret = key.secret();
                    try {
                        mac.init(new SecretKeySpec(secret, jdkAlgorithm));
                    } finally {
                        java.util.Arrays.fill(secret, (byte) 0);
                    }
                    return mac;
                }
                Signature verifier = Signature.getInstance(jdkAlgorithm);
                verifier.initVerify(key.publicKey());
                return verifier;
            } catch (GeneralSecurityException e) {
                throw new GatehouseException("The JDK cannot verify " + key.algorithm() + " with key " + key.kid(), e);
            }
        }
    }

    /** ES256, by java-jwt's algorithm bound to the key. */
    private static final class JavaJwt extends SignatureCheck {
        private final SigningKey key;

        JavaJwt(SigningKey key) {
            this.key = key;
        }

        @Override
        boolean verify(String token, DecodedJWT jwt) {
            try {
                key.jwtAlgorithm().verify(jwt);
                return true;
            } catch (SignatureVerificationException e) {
                return false;
            }
        }
    }
}
