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

import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.jdbc.keys.KeyEncryption.UnreadableKeyException;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Decides whether a row of {@code gh_signing_keys} may be trusted, and reads its keys. With a
 * key-encryption key (KEK), a row is trusted only when its row MAC verifies ({@link KeyRowMac}),
 * its private part (if any) is encrypted under the KEK, and that private part decrypts to the key
 * of the row's public JWK (a token it signs verifies with the public key). Without a KEK (stored
 * unencrypted, allowed explicitly) nothing can be authenticated: only the format is checked.
 *
 * <p>Two steps, so that a node only decrypts the keys it may need: {@link #authenticity(KeyRow)}
 * decides whether the row takes part in the rotation schedule at all, {@link #keys(KeyRow, boolean)}
 * reads its key material. Every refusal names the key and what is wrong, never any key material.
 * Thread-safe.
 */
final class KeyRowCheck {
    /** What a token signed to prove that a private key belongs to a public key is issued for. */
    private static final String PROBE_ISSUER = "urn:gatehouse:signing-key-check";
    private static final String PROBE_AUDIENCE = "signing-key-check";

    private final KeyEncryption encryption;
    private final KeyRowMac mac;

    KeyRowCheck(KeyEncryption encryption, KeyRowMac mac) {
        this.encryption = encryption;
        this.mac = mac;
    }

    /** The check of a deployment with this key-encryption key (32 bytes, not kept), or without one ({@code null}). */
    static KeyRowCheck of(byte[] kek) {
        if (kek == null) {
            return new KeyRowCheck(KeyEncryption.none(), null);
        }
        byte[] copy = kek.clone();
        try {
            return new KeyRowCheck(KeyEncryption.aesGcm(copy), KeyRowMac.fromKek(copy));
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }

    /** Whether rows are authenticated (a key-encryption key is set). */
    boolean authenticates() {
        return mac != null;
    }

    KeyEncryption encryption() {
        return encryption;
    }

    /** The row MAC to store with {@code row}, or {@code null} without a key-encryption key. */
    String macOf(KeyRow row) {
        return mac == null ? null : mac.mac(row);
    }

    /** Whether {@code row} carries a valid row MAC (always {@code false} without a key-encryption key). */
    boolean macVerifies(KeyRow row) {
        return mac != null && mac.verifies(row);
    }

    /** Why a row is refused. */
    enum Problem {
        /** A key-encryption key is set and the row has no MAC: stored before rows were authenticated, or forged. */
        NO_MAC("not authenticated: no row MAC"),
        /** The row MAC does not verify: the row was altered, or written under another key-encryption key. */
        BAD_MAC("not authenticated: the row MAC does not verify"),
        /** A key-encryption key is set and the private part is stored unencrypted. */
        PLAIN_PRIVATE_KEY("private key stored unencrypted"),
        /** An algorithm Gatehouse does not know. */
        UNKNOWN_ALGORITHM("unknown algorithm"),
        /** The public JWK is not valid, or is another key's. */
        BAD_PUBLIC_KEY("invalid public key"),
        /** The private part does not decrypt or parse (wrong key-encryption key, altered, or no key-encryption key). */
        UNREADABLE_PRIVATE_KEY("private key unreadable"),
        /** The private part decrypts, but to a key that does not pair with the row's public key. */
        MISMATCHED_PRIVATE_KEY("private key does not belong to the public key");

        private final String reason;

        Problem(String reason) {
            this.reason = reason;
        }

        /** A fixed phrase for the security event's reason. */
        String reason() {
            return reason;
        }
    }

    /** A refused row: what is wrong, in words that name the key and hold no key material. */
    record Refusal(Problem problem, String message) {
    }

    /**
     * The refusal of a row whose columns cannot be trusted (unknown algorithm, missing or wrong
     * MAC, unencrypted private part under a KEK), or {@code null} when its identity is trusted.
     */
    Refusal authenticity(KeyRow row) {
        String kid = printable(row.kid());
        try {
            KeyEncryption.algorithm(kid, row.alg());
        } catch (UnreadableKeyException e) {
            return new Refusal(Problem.UNKNOWN_ALGORITHM, "key '" + kid + "' has an unknown algorithm");
        }
        if (mac == null) {
            return null;
        }
        if (row.mac() == null) {
            return new Refusal(Problem.NO_MAC, "key '" + kid + "' has no row MAC: it was stored before key rows were"
                    + " authenticated (KeyAdmin authenticate), or written by someone without the key-encryption key");
        }
        if (!mac.verifies(row)) {
            return new Refusal(Problem.BAD_MAC, "key '" + kid + "': its row MAC does not verify: the row was altered"
                    + " (kid, generation, alg, public key, creation or revocation), or written under another key-encryption key");
        }
        if (!row.revoked() && row.privateKey() != null && row.privateKey().startsWith(KeyEncryption.PLAIN_PREFIX)) {
            return new Refusal(Problem.PLAIN_PRIVATE_KEY, "key '" + kid + "' has its private key stored unencrypted although"
                    + " a key-encryption key is set (KeyAdmin authenticate encrypts it)");
        }
        return null;
    }

    /** A row's keys: the public key (null for HS256) and, when asked and stored, the private key. */
    record Keys(SigningKey publicKey, SigningKey privateKey) {
    }

    /**
     * Reads a row's public key and, with {@code withPrivate}, its private part (checked to belong
     * to the public key). Call only for rows {@link #authenticity} accepted.
     *
     * @throws RefusedKeyException when the key material cannot be used
     */
    Keys keys(KeyRow row, boolean withPrivate) {
        SigningAlgorithm alg;
        try {
            alg = KeyEncryption.algorithm(row.kid(), row.alg());
        } catch (UnreadableKeyException e) {
            throw new RefusedKeyException(new Refusal(Problem.UNKNOWN_ALGORITHM, "key '" + printable(row.kid())
                    + "' has an unknown algorithm"));
        }
        SigningKey publicKey = alg.isAsymmetric() ? publicKey(row) : null;
        if (!withPrivate || row.privateKey() == null) {
            return new Keys(publicKey, null);
        }
        SigningKey privateKey;
        try {
            privateKey = encryption.open(row.kid(), row.alg(), row.privateKey());
        } catch (UnreadableKeyException e) {
            // its message quotes the kid, which a refused row may have made up: keep only what is printable
            throw new RefusedKeyException(new Refusal(Problem.UNREADABLE_PRIVATE_KEY, printable(e.getMessage())));
        }
        if (publicKey != null && !pairs(privateKey, publicKey)) {
            throw new RefusedKeyException(new Refusal(Problem.MISMATCHED_PRIVATE_KEY, "key '" + printable(row.kid())
                    + "': the stored private key does not belong to its public key"));
        }
        return new Keys(publicKey, privateKey);
    }

    private static SigningKey publicKey(KeyRow row) {
        List<SigningKey> keys;
        try {
            keys = JwkSets.parse("{\"keys\":[" + row.publicJwk() + "]}");
        } catch (ConfigurationException e) {
            throw new RefusedKeyException(new Refusal(Problem.BAD_PUBLIC_KEY, "key '" + printable(row.kid())
                    + "': the stored public key is not a valid JWK (" + printable(e.problem()) + ")"));
        }
        if (keys.size() != 1 || !keys.get(0).kid().equals(row.kid()) || !keys.get(0).algorithm().name().equals(row.alg())
                || keys.get(0).canSign()) {
            throw new RefusedKeyException(new Refusal(Problem.BAD_PUBLIC_KEY, "key '" + printable(row.kid())
                    + "': the stored public key belongs to another key"));
        }
        return keys.get(0);
    }

    /**
     * Whether {@code privateKey} is the private half of {@code publicKey}: the same public
     * parameters, and a token it signs verifies with the public key (which also covers a private
     * exponent or scalar that does not match the public parameters stored beside it).
     */
    static boolean pairs(SigningKey privateKey, SigningKey publicKey) {
        if (!privateKey.canSign() || !privateKey.verifyOnly().equals(publicKey)) {
            return false;
        }
        try {
            TokenSettings probe = TokenSettings.builder(PROBE_ISSUER, PROBE_AUDIENCE)
                    .acceptedAlgorithms(EnumSet.of(publicKey.algorithm()))
                    .verifiedTokenCache(false)
                    .build();
            String token = new AccessTokenIssuer(probe, KeySet.of(privateKey)).issue("signing-key-check", List.of()).token();
            new AccessTokenVerifier(probe, KeySet.verifyOnly(List.of(publicKey))).verify(token);
            return true;
        } catch (GatehouseException e) {
            return false;
        }
    }

    /**
     * Text from a row for a log line or a message: a refused row's kid is whatever its writer chose,
     * so anything but printable ASCII (line breaks, control characters) becomes {@code ?}, and it is
     * cut at 200 characters.
     */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), 200));
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > 200 ? out.append("...").toString() : out.toString();
    }

    /** A row whose key material cannot be used; carries the {@link Refusal}. */
    static final class RefusedKeyException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Refusal refusal;

        RefusedKeyException(Refusal refusal) {
            super(refusal.message(), null, false, false);
            this.refusal = refusal;
        }

        Refusal refusal() {
            return refusal;
        }
    }
}
