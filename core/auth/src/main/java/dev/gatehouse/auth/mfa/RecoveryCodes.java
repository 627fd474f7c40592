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
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Single-use recovery codes, for an account whose authenticator is lost: made once, shown once,
 * stored only as keyed hashes.
 *
 * <p>A code is twelve symbols in groups of four, {@code xxxx-xxxx-xxxx}, each drawn uniformly and
 * independently from the 32 symbols {@value #ALPHABET}: the digits 2 to 9 and the lower-case
 * letters but {@code i} and {@code l}. So 60 bits a code, and no symbol that reads like another
 * one: {@code 0} and {@code 1} are left out, as are {@code i} and {@code l}, which look like
 * {@code 1}. The letter {@code o} is kept (there are only 31 symbols without it), and
 * {@link #normalise} reads a typed digit {@code 0} as {@code o}, the one look-alike it maps.
 *
 * <p>The store keeps {@link #hash} of each code, an HMAC-SHA256 under a key that is not in the
 * database (derive it with {@link SecretSealer#derive}): a stolen table of hashes cannot be
 * brute-forced without it. Codes are random, not passwords, so no slow hash is needed. The caller
 * looks up the hash of {@link #normalise normalised} input and deletes it once used.
 *
 * <p>Immutable and thread-safe. The key is copied; {@link #toString()} does not show it.
 */
public final class RecoveryCodes {
    /** The symbols of a code, 32 of them. */
    public static final String ALPHABET = "23456789abcdefghjkmnopqrstuvwxyz";
    /** The number of codes a user usually gets. */
    public static final int DEFAULT_COUNT = 10;
    /** The most codes {@link #generate} makes at once. */
    public static final int MAX_COUNT = 100;
    /** The number of symbols of a code (without hyphens). */
    public static final int SYMBOLS = 12;
    /** The smallest hash key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    private static final int GROUP = 4;
    private static final String HMAC = "HmacSHA256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] hashKey;

    /**
     * Recovery codes hashed under a key.
     *
     * @param hashKey at least {@value #MIN_KEY_BYTES} bytes, kept outside the database
     * @throws IllegalArgumentException if the key is shorter
     */
    public RecoveryCodes(byte[] hashKey) {
        Objects.requireNonNull(hashKey, "hashKey");
        if (hashKey.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("A recovery-code key has at least " + MIN_KEY_BYTES + " bytes");
        }
        this.hashKey = hashKey.clone();
    }

    /**
     * New random codes, all different, formatted {@code xxxx-xxxx-xxxx}.
     *
     * @param count how many, 1 to {@value #MAX_COUNT} (usually {@value #DEFAULT_COUNT})
     * @return the codes, unmodifiable, to be shown once and stored as {@link #hash hashes}
     * @throws IllegalArgumentException if the count is out of range
     */
    public List<String> generate(int count) {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("From 1 to " + MAX_COUNT + " recovery codes at a time");
        }
        Set<String> codes = new LinkedHashSet<>();
        while (codes.size() < count) {
            StringBuilder code = new StringBuilder(SYMBOLS + SYMBOLS / GROUP - 1);
            for (int i = 0; i < SYMBOLS; i++) {
                if (i > 0 && i % GROUP == 0) {
                    code.append('-');
                }
                // 32 symbols: nextInt(32) is exactly uniform, no rejection needed
                code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            codes.add(code.toString());
        }
        return List.copyOf(codes);
    }

    /**
     * The canonical form of a code as typed: ASCII letters in lower case, spaces and hyphens
     * removed, the digit {@code 0} read as the letter {@code o}; it must then be exactly
     * {@value #SYMBOLS} symbols of {@link #ALPHABET}.
     *
     * @param input what the user typed; null gives empty
     * @return the twelve symbols without separators, or empty if the input is no recovery code
     */
    public static Optional<String> normalise(String input) {
        if (input == null || input.length() > 4 * SYMBOLS) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder(SYMBOLS);
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c == ' ' || c == '-') {
                continue;
            }
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c - 'A' + 'a');
            } else if (c == '0') {
                c = 'o';
            }
            if (ALPHABET.indexOf(c) < 0 || out.length() == SYMBOLS) {
                return Optional.empty();
            }
            out.append(c);
        }
        return out.length() == SYMBOLS ? Optional.of(out.toString()) : Optional.empty();
    }

    /**
     * The value to store for a code, and to look up: lower-case hex of
     * {@code HMAC-SHA256(hashKey, code)}.
     *
     * @param normalised a code as {@link #normalise} returns it
     * @return 64 hex digits
     * @throws IllegalArgumentException if the code is not in normalised form
     */
    public String hash(String normalised) {
        Objects.requireNonNull(normalised, "normalised");
        if (!normalise(normalised).filter(normalised::equals).isPresent()) {
            throw new IllegalArgumentException("Not a normalised recovery code");
        }
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(hashKey, HMAC));
            return HexFormat.of().formatHex(mac.doFinal(normalised.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot compute HMAC-SHA256", e);
        }
    }

    /** Says what this is, without the key. */
    @Override
    public String toString() {
        return "RecoveryCodes[HMAC-SHA256]";
    }
}
