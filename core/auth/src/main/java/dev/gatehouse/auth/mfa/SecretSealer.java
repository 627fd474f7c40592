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

package dev.gatehouse.auth.mfa;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of small secrets at rest, such as TOTP secrets, under a master key the
 * database does not hold.
 *
 * <p>The AES-256 key is {@code HMAC-SHA256(masterKey, "dev.gatehouse totp secret key v1")}. A seal
 * is {@code "v1:" + base64url(iv ‖ ciphertext ‖ tag)} without padding: AES-GCM with a random 96-bit
 * IV and a 128-bit tag, and a <em>context</em> (the id of the account the secret belongs to) as
 * additional authenticated data, so that a seal copied onto another account's row does not open.
 * Random IVs keep the probability of a repeated IV under 2<sup>-32</sup> for up to 2<sup>32</sup>
 * seals under one master key (NIST SP 800-38D §8.3).
 *
 * <p>{@link #open} fails with one {@link IllegalStateException} and one message whatever went
 * wrong (unknown version, bad encoding, wrong key or context, tampering), so that a caller cannot
 * turn it into an oracle. {@link #derive} gives further keys for other purposes from the same
 * master key (for example the key of {@link RecoveryCodes}).
 *
 * <p>Immutable and thread-safe. The master key is copied; {@link #toString()} does not show it.
 */
public final class SecretSealer {
    /** The smallest master key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    private static final String VERSION = "v1:";
    private static final String SEALING_LABEL = "dev.gatehouse totp secret key v1";
    private static final String FAILURE = "sealed secret could not be opened";
    private static final String HMAC = "HmacSHA256";
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final byte[] masterKey;
    private final SecretKey sealingKey;

    /**
     * A sealer under a master key.
     *
     * @param masterKey at least {@value #MIN_KEY_BYTES} random bytes, kept outside the database
     * @throws IllegalArgumentException if the key is shorter
     */
    public SecretSealer(byte[] masterKey) {
        Objects.requireNonNull(masterKey, "masterKey");
        if (masterKey.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("A master key has at least " + MIN_KEY_BYTES + " bytes");
        }
        this.masterKey = masterKey.clone();
        byte[] aesKey = hmac(this.masterKey, SEALING_LABEL);
        this.sealingKey = new SecretKeySpec(aesKey, "AES");
        Arrays.fill(aesKey, (byte) 0);
    }

    /**
     * Seals a secret.
     *
     * @param plaintext the secret
     * @param context what the secret belongs to (an account id), needed again to open it
     * @return the seal, {@code "v1:"} followed by base64url characters
     */
    public String seal(byte[] plaintext, String context) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(context, "context");
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, sealingKey, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(iv, IV_BYTES + cipher.getOutputSize(plaintext.length));
            int length = cipher.doFinal(plaintext, 0, plaintext.length, out, IV_BYTES);
            return VERSION + ENCODER.encodeToString(Arrays.copyOf(out, IV_BYTES + length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot seal with AES-256-GCM", e);
        }
    }

    /**
     * Opens a seal made by {@link #seal} under the same master key and context.
     *
     * @param sealed the seal
     * @param context the context it was sealed with
     * @return the secret
     * @throws IllegalStateException with the message {@code "sealed secret could not be opened"},
     *     and no cause, if the seal does not open
     */
    public byte[] open(String sealed, String context) {
        Objects.requireNonNull(sealed, "sealed");
        Objects.requireNonNull(context, "context");
        if (!sealed.startsWith(VERSION)) {
            throw failure();
        }
        String body = sealed.substring(VERSION.length());
        byte[] bytes;
        try {
            bytes = DECODER.decode(body);
        } catch (IllegalArgumentException e) {
            throw failure();
        }
        // Only the canonical encoding (no padding, zero trailing bits) of at least an IV and a tag
        if (bytes.length < IV_BYTES + TAG_BITS / 8 || !ENCODER.encodeToString(bytes).equals(body)) {
            throw failure();
        }
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, sealingKey, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw failure();
        }
    }

    /**
     * A key for another purpose, {@code HMAC-SHA256(masterKey, label)}: different labels give
     * independent keys. The label of the sealing key itself is refused.
     *
     * @param label what the key is for, for example {@code "dev.gatehouse recovery code key v1"}
     * @return 32 bytes
     * @throws IllegalArgumentException if the label is blank or is the sealing key's
     */
    public byte[] derive(String label) {
        Objects.requireNonNull(label, "label");
        if (label.isBlank()) {
            throw new IllegalArgumentException("A key label must not be blank");
        }
        if (label.equals(SEALING_LABEL)) {
            throw new IllegalArgumentException("That label names the sealing key, which is not handed out");
        }
        return hmac(masterKey, label);
    }

    /** Says what this is, without any key material. */
    @Override
    public String toString() {
        return "SecretSealer[v1, AES-256-GCM]";
    }

    private static IllegalStateException failure() {
        return new IllegalStateException(FAILURE);
    }

    private static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot compute HMAC-SHA256", e);
        }
    }
}
