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

package dev.gatehouse.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The successor of a spent refresh token, kept for the reuse grace period so that a replay of the
 * spent token within the grace gets the same successor rather than a new one: a family then never
 * has more than one live refresh token.
 *
 * <p>The database must not hold a usable token, so the successor is sealed with AES-256-GCM under a
 * key derived from the spent token itself, {@code HMAC-SHA256(token, label)}: the store keeps only
 * the token's SHA-256, from which the key cannot be computed, so only a client presenting the spent
 * token can open the seal. The additional authenticated data is the spent token's hash, so a seal
 * copied onto another row does not open. Format: {@code base64url(iv ‖ ciphertext ‖ tag)} with a
 * random 96-bit IV, 95 characters for a 43-character token. Seals are deleted once the grace is
 * over.
 */
final class SuccessorSeal {
    private static final byte[] LABEL = "gatehouse refresh-token successor seal v1".getBytes(StandardCharsets.US_ASCII);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private SuccessorSeal() {
    }

    /** Seals {@code successor} so that only {@code spent} opens it. */
    static String seal(String spent, String spentHash, String successor) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] plaintext = successor.getBytes(StandardCharsets.US_ASCII);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, spent, spentHash, iv);
            byte[] sealed = cipher.doFinal(plaintext);
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return ENCODER.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot seal with AES-256-GCM", e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** The successor sealed in {@code seal}, if {@code spent} opens it; empty for a damaged or foreign seal. */
    static Optional<String> open(String spent, String spentHash, String seal) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(seal);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (bytes.length <= IV_BYTES + TAG_BITS / 8) {
            return Optional.empty();
        }
        byte[] plaintext = null;
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, spent, spentHash, Arrays.copyOf(bytes, IV_BYTES));
            plaintext = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
            return Optional.of(new String(plaintext, StandardCharsets.US_ASCII));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot open an AES-256-GCM seal", e);
        } finally {
            if (plaintext != null) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    private static Cipher cipher(int mode, String spent, String spentHash, byte[] iv) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(spent.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        byte[] key = mac.doFinal(LABEL);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(spentHash.getBytes(StandardCharsets.US_ASCII));
            return cipher;
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }
}
