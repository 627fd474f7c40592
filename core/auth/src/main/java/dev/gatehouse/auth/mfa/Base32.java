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

import java.util.Arrays;
import java.util.Objects;

/**
 * Base32 of RFC 4648 §6 (alphabet {@code A-Z2-7}), the encoding authenticator apps expect for a
 * TOTP secret.
 *
 * <p>{@link #encode} writes upper case without {@code =} padding, as the Key Uri Format asks.
 * {@link #decode} reads either case, with or without correct padding, and refuses anything else:
 * characters outside the alphabet (whitespace included), a length no encoding produces, misplaced
 * or excess padding, and non-zero bits after the last whole byte (only the canonical encoding of a
 * byte string is accepted, RFC 4648 §3.5). Stateless and thread-safe.
 */
public final class Base32 {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final int BITS_PER_CHAR = 5;
    private static final int MASK = 0x1f;
    /** The value of each ASCII character, -1 where it is not in the alphabet. */
    private static final int[] VALUES = new int[128];

    static {
        Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            char c = ALPHABET[i];
            VALUES[c] = i;
            if (c >= 'A' && c <= 'Z') {
                VALUES[c - 'A' + 'a'] = i;
            }
        }
    }

    private Base32() {
    }

    /**
     * Encodes bytes as upper-case base32 without padding.
     *
     * @param data the bytes to encode
     * @return the encoding, empty for no bytes
     * @throws NullPointerException if {@code data} is null
     */
    public static String encode(byte[] data) {
        Objects.requireNonNull(data, "data");
        StringBuilder out = new StringBuilder((data.length * 8 + BITS_PER_CHAR - 1) / BITS_PER_CHAR);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= BITS_PER_CHAR) {
                bits -= BITS_PER_CHAR;
                out.append(ALPHABET[(buffer >>> bits) & MASK]);
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (BITS_PER_CHAR - bits)) & MASK]);
        }
        return out.toString();
    }

    /**
     * Decodes base32 in either case, padded or not.
     *
     * @param text the encoding
     * @return the bytes it encodes
     * @throws NullPointerException if {@code text} is null
     * @throws IllegalArgumentException if {@code text} is not the canonical base32 encoding of any
     *     byte string (see the class description)
     */
    public static byte[] decode(String text) {
        Objects.requireNonNull(text, "text");
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '=') {
            end--;
        }
        int padding = text.length() - end;
        int remainder = end % 8;
        // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters carries no whole byte count
        if (remainder == 1 || remainder == 3 || remainder == 6) {
            throw new IllegalArgumentException("Not base32: impossible length");
        }
        if (padding > 0 && (padding > 6 || (end + padding) % 8 != 0)) {
            throw new IllegalArgumentException("Not base32: wrong padding");
        }
        byte[] out = new byte[end * BITS_PER_CHAR / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            int value = c < VALUES.length ? VALUES[c] : -1;
            if (value < 0) {
                throw new IllegalArgumentException("Not base32: invalid character at index " + i);
            }
            buffer = (buffer << BITS_PER_CHAR) | value;
            bits += BITS_PER_CHAR;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (buffer >>> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        if (buffer != 0) {
            throw new IllegalArgumentException("Not base32: non-zero trailing bits");
        }
        return out;
    }
}
