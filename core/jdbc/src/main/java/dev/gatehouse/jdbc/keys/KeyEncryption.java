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

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * How private keys are written to {@code gh_signing_keys.private_key}: the key as a one-key
 * private JWK Set, sealed with AES-256-GCM under the key-encryption key (KEK).
 *
 * <p>Format {@code v1:<iv>:<ciphertext>}, both standard base64: a fresh random 96-bit IV per
 * write (NIST SP 800-38D §8.2.2), a 128-bit tag, and as additional authenticated data the format
 * version, the {@code kid} and the {@code alg}, so that a ciphertext copied onto another row does
 * not decrypt. {@code plain:<JWK Set>} when unencrypted storage was allowed explicitly.
 */
final class KeyEncryption {
    static final int KEK_BYTES = 32;
    static final String ENCRYPTED_PREFIX = "v1:";
    static final String PLAIN_PREFIX = "plain:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey kek;

    private KeyEncryption(SecretKey kek) {
        this.kek = kek;
    }

    /** Sealing with AES-256-GCM under {@code kek} (32 bytes; copied). */
    static KeyEncryption aesGcm(byte[] kek) {
        if (kek == null || kek.length != KEK_BYTES) {
            throw new ConfigurationException("keyEncryptionKey", "must be exactly " + KEK_BYTES + " bytes (256 bits)");
        }
        return new KeyEncryption(new SecretKeySpec(kek.clone(), "AES"));
    }

    /** No encryption: private keys are stored as {@code plain:} JWK text. */
    static KeyEncryption none() {
        return new KeyEncryption(null);
    }

    boolean encrypts() {
        return kek != null;
    }

    /**
     * Decodes a key-encryption key given as base64 (standard or URL-safe, padded or not), as
     * {@code openssl rand -base64 32} prints it. Errors never echo the value.
     */
    static byte[] decodeKek(String setting, String base64) {
        if (base64 == null || base64.isBlank()) {
            throw new ConfigurationException(setting, "is empty");
        }
        String text = base64.strip();
        byte[] bytes;
        try {
            bytes = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text)
                    : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(setting, "is not base64 (generate one with: openssl rand -base64 32)");
        }
        if (bytes.length != KEK_BYTES) {
            int length = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new ConfigurationException(setting, "must be the base64 of exactly " + KEK_BYTES + " bytes, not "
                    + length + " (generate one with: openssl rand -base64 32)");
        }
        return bytes;
    }

    /** The stored form of a key's private part. */
    String seal(SigningKey key) {
        String jwk = JwkSets.toPrivateJson(List.of(key));
        if (kek == null) {
            return PLAIN_PREFIX + jwk;
        }
        byte[] plaintext = jwk.getBytes(StandardCharsets.UTF_8);
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad(key.kid(), key.algorithm().name()));
            byte[] sealed = cipher.doFinal(plaintext);
            return ENCRYPTED_PREFIX + Base64.getEncoder().encodeToString(iv) + ":" + Base64.getEncoder().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new GatehouseException("The JDK cannot encrypt with AES-256-GCM", e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * The key a stored private part holds, checked to be the key of that {@code kid} and
     * {@code alg}.
     *
     * @throws UnreadableKeyException when it cannot be decrypted or parsed (wrong KEK, altered row,
     *                                or an encrypted row and no KEK); the message holds no key material
     */
    SigningKey open(String kid, String alg, String stored) {
        String jwk;
        if (stored.startsWith(PLAIN_PREFIX)) {
            jwk = stored.substring(PLAIN_PREFIX.length());
        } else if (stored.startsWith(ENCRYPTED_PREFIX)) {
            if (kek == null) {
                throw new UnreadableKeyException("key '" + kid + "' is stored encrypted, and no key-encryption key is set");
            }
            jwk = decrypt(kid, alg, stored);
        } else {
            throw new UnreadableKeyException("key '" + kid + "' is stored in an unknown format");
        }
        List<SigningKey> keys;
        try {
            keys = JwkSets.parse(jwk);
        } catch (ConfigurationException e) {
            throw new UnreadableKeyException("key '" + kid + "': the stored private key is not a valid JWK Set");
        }
        if (keys.size() != 1 || !keys.get(0).kid().equals(kid) || !keys.get(0).algorithm().name().equals(alg)
                || !keys.get(0).canSign()) {
            throw new UnreadableKeyException("key '" + kid + "': the stored private key belongs to another key");
        }
        return keys.get(0);
    }

    private String decrypt(String kid, String alg, String stored) {
        String[] parts = stored.split(":", -1);
        if (parts.length != 3) {
            throw new UnreadableKeyException("key '" + kid + "': the stored private key is not in the v1 format");
        }
        byte[] plaintext = null;
        try {
            byte[] iv = Base64.getDecoder().decode(parts[1]);
            byte[] sealed = Base64.getDecoder().decode(parts[2]);
            if (iv.length != IV_BYTES) {
                throw new UnreadableKeyException("key '" + kid + "': the stored private key has an IV of the wrong length");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad(kid, alg));
            plaintext = cipher.doFinal(sealed);
            return new String(plaintext, StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new UnreadableKeyException("key '" + kid + "' does not decrypt: the key-encryption key is not the one it was"
                    + " stored with, or the row was altered");
        } catch (IllegalArgumentException e) {
            throw new UnreadableKeyException("key '" + kid + "': the stored private key is not valid base64");
        } catch (GeneralSecurityException e) {
            throw new UnreadableKeyException("key '" + kid + "' does not decrypt (" + e.getClass().getSimpleName() + ")");
        } finally {
            if (plaintext != null) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    private static byte[] aad(String kid, String alg) {
        return ("gatehouse-signing-key\0v1\0" + kid + "\0" + alg).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks that an algorithm name read from the table is one Gatehouse knows. */
    static SigningAlgorithm algorithm(String kid, String alg) {
        try {
            return SigningAlgorithm.valueOf(alg);
        } catch (IllegalArgumentException e) {
            throw new UnreadableKeyException("key '" + kid + "' has the unknown algorithm '" + alg + "'");
        }
    }

    /** A stored key that cannot be read; the message names the key and never holds key material. */
    static final class UnreadableKeyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableKeyException(String message) {
            super(message, null, false, false);
        }
    }
}
