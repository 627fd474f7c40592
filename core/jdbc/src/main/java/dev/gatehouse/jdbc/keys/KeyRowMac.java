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

package dev.gatehouse.jdbc.keys;

import dev.gatehouse.token.GatehouseException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates the rows of {@code gh_signing_keys} under the key-encryption key (KEK), so that
 * whoever can write the table but does not hold the KEK cannot add a key, nor change one.
 *
 * <p>The MAC key is derived from the KEK as {@code HMAC-SHA256(KEK, "gatehouse signing-key row mac v1")},
 * so it is independent of the AES-GCM use of the KEK. The stored value ({@code row_mac}) is
 * {@code v1:} followed by the base64url of {@code HMAC-SHA256(macKey, encoding)}, where the encoding
 * is a fixed label followed by these fields, each as a 4-byte big-endian length and its UTF-8
 * bytes (length {@code -1} for an absent value), so that no two rows share an encoding:
 * <ol>
 *   <li>{@code kid}</li>
 *   <li>{@code generation}, in decimal</li>
 *   <li>{@code alg}</li>
 *   <li>{@code public_jwk}, exactly as stored</li>
 *   <li>{@code created_at}, in microseconds since the epoch, in decimal</li>
 *   <li>{@code revoked_at}, the same, or absent</li>
 * </ol>
 *
 * <p>What decides trust (which public key a kid stands for, its order among the keys, whether it
 * was revoked) is covered. The private part is not: it is sealed with AES-GCM under the KEK with
 * the kid and alg as additional data ({@link KeyEncryption}), and checked to pair with the row's
 * public key when it is read. The lifecycle times that nodes update without the MAC changing
 * ({@code activates_at} brought forward, {@code retired_at}, a private part deleted) are outside
 * it: changing them can stop keys from signing or verifying, never make an unknown key trusted.
 * A revocation writes a new MAC; restoring an earlier copy of a row (with its MAC) is not
 * detected.
 *
 * <p>Thread-safe.
 */
final class KeyRowMac {
    static final String PREFIX = "v1:";
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] DERIVATION_LABEL = "gatehouse signing-key row mac v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENCODING_LABEL = "gatehouse-signing-key-row\0v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAC_BYTES = 32;

    private final SecretKey key;

    private KeyRowMac(SecretKey key) {
        this.key = key;
    }

    /** The row MAC derived from a 32-byte key-encryption key (not kept). */
    static KeyRowMac fromKek(byte[] kek) {
        byte[] derived = null;
        try {
            Mac hmac = Mac.getInstance(ALGORITHM);
            hmac.init(new SecretKeySpec(kek, ALGORITHM));
            derived = hmac.doFinal(DERIVATION_LABEL);
            return new KeyRowMac(new SecretKeySpec(derived, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new GatehouseException("The JDK cannot compute HMAC-SHA256", e);
        } finally {
            if (derived != null) {
                Arrays.fill(derived, (byte) 0);
            }
        }
    }

    /** The MAC to store with {@code row} (its own {@code mac} is ignored). */
    String mac(KeyRow row) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(compute(row));
    }

    /** Whether {@code row} carries the MAC of its contents; compared in constant time. */
    boolean verifies(KeyRow row) {
        String stored = row.mac();
        if (stored == null || !stored.startsWith(PREFIX)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return given.length == MAC_BYTES && MessageDigest.isEqual(compute(row), given);
    }

    private byte[] compute(KeyRow row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + row.publicJwk().length());
        out.writeBytes(ENCODING_LABEL);
        field(out, row.kid());
        field(out, Integer.toString(row.generation()));
        field(out, row.alg());
        field(out, row.publicJwk());
        field(out, micros(row.createdAt()));
        field(out, micros(row.revokedAt()));
        try {
            Mac hmac = Mac.getInstance(ALGORITHM);
            hmac.init(key);
            return hmac.doFinal(out.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new GatehouseException("The JDK cannot compute HMAC-SHA256", e);
        }
    }

    /** An instant as the table keeps it: microseconds since the epoch (null stays null). */
    private static String micros(Instant instant) {
        if (instant == null) {
            return null;
        }
        Instant t = instant.truncatedTo(ChronoUnit.MICROS);
        return Long.toString(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L));
    }

    private static void field(ByteArrayOutputStream out, String value) {
        if (value == null) {
            writeInt(out, -1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeInt(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
