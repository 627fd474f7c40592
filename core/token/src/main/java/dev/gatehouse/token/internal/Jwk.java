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

package dev.gatehouse.token.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Arrays;
import java.util.Base64;

/** Encoding helpers for JSON Web Keys (RFC 7517, RFC 7518 §6) and thumbprints (RFC 7638). */
public final class Jwk {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final ECParameterSpec P256 = p256();

    private Jwk() {
    }

    /** The P-256 domain parameters. */
    public static ECParameterSpec p256Params() {
        return P256;
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK does not support P-256", e);
        }
    }

    /** Whether the parameters are those of P-256. */
    public static boolean isP256(ECParameterSpec spec) {
        return spec != null && spec.getCurve().equals(P256.getCurve()) && spec.getGenerator().equals(P256.getGenerator())
                && spec.getOrder().equals(P256.getOrder()) && spec.getCofactor() == P256.getCofactor();
    }

    /** Whether the public point satisfies y² = x³ + ax + b (mod p) on P-256, and is not infinity. */
    public static boolean isOnCurve(ECPublicKey key) {
        ECPoint w = key.getW();
        if (ECPoint.POINT_INFINITY.equals(w)) {
            return false;
        }
        BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger lhs = y.multiply(y).mod(p);
        BigInteger rhs = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
        return lhs.equals(rhs);
    }

    /** base64url without padding of an unsigned big-endian integer, minimal length (RFC 7518 §2). */
    public static String unsigned(BigInteger value) {
        return B64.encodeToString(unsignedBytes(value, 0));
    }

    /** base64url of an unsigned integer left-padded to {@code length} bytes (EC coordinates, RFC 7518 §6.2.1.2). */
    public static String unsigned(BigInteger value, int length) {
        return B64.encodeToString(unsignedBytes(value, length));
    }

    private static byte[] unsignedBytes(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        if (length > bytes.length) {
            byte[] padded = new byte[length];
            System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
            return padded;
        }
        return bytes;
    }

    /** Decodes a base64url member into a positive integer. */
    public static BigInteger decodeUnsigned(String member, String value) {
        return new BigInteger(1, decode(member, value));
    }

    /** Decodes a base64url member; padding or other alphabets are refused. */
    public static byte[] decode(String member, String value) {
        if (value == null || value.isEmpty() || value.indexOf('=') >= 0) {
            throw new IllegalArgumentException("member '" + member + "' is missing or not base64url without padding");
        }
        return B64D.decode(value);
    }

    public static String encode(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** The RFC 7638 SHA-256 thumbprint of an RSA public key. */
    public static String thumbprint(RSAPublicKey key) {
        String canonical = "{\"e\":\"" + unsigned(key.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\""
                + unsigned(key.getModulus()) + "\"}";
        return sha256(canonical);
    }

    /** The RFC 7638 SHA-256 thumbprint of a P-256 public key. */
    public static String thumbprint(ECPublicKey key) {
        String canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + unsigned(key.getW().getAffineX(), 32)
                + "\",\"y\":\"" + unsigned(key.getW().getAffineY(), 32) + "\"}";
        return sha256(canonical);
    }

    private static String sha256(String text) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
