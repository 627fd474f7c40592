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

package dev.gatehouse.demo.attack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Other spellings of one compact JWS that decode to the same bytes: padding, non-zero spare bits
 * in a segment's last character, the standard base64 alphabet. RFC 7515 §2 and §7.1 allow exactly
 * one spelling (base64url without padding), so a server that keys revocation on the token's text
 * but decodes leniently could be fooled by any of these.
 */
final class Spellings {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    /** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private Spellings() {
    }

    /** Whether a credential fits RFC 6750's {@code b64token}, the only shape an {@code Authorization: Bearer} may carry. */
    static boolean isB64Token(String token) {
        return B64TOKEN.matcher(token).matches();
    }

    /**
     * Every non-canonical spelling of {@code token} (a compact JWS or an opaque base64url token),
     * by name; spellings that would equal the original (no spare bits, nothing to translate) are
     * left out.
     */
    static Map<String, String> of(String token) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] parts = token.split("\\.", -1);
        String[] names = parts.length == 3 ? new String[] {"header", "payload", "signature"} : new String[] {"token"};
        out.put("'=' appended", token + "=");
        out.put("'==' appended", token + "==");
        for (int i = 0; i < parts.length; i++) {
            String padded = pad(parts[i]);
            if (!padded.equals(parts[i])) {
                out.put(names[i] + " padded with '='", join(parts, i, padded));
            }
            String flipped = flipSpareBits(parts[i]);
            if (flipped != null) {
                out.put(names[i] + " with its unused low bits set", join(parts, i, flipped));
            }
        }
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            all.append(i == 0 ? "" : ".").append(pad(parts[i]));
        }
        out.put("every segment padded", all.toString());
        String standard = token.replace('-', '+').replace('_', '/');
        if (!standard.equals(token)) {
            out.put("standard base64 alphabet ('+' '/')", standard);
            out.put("standard base64 alphabet, padded", standard + (token.length() % 4 == 0 ? "" : "="));
        }
        out.put("trailing dot", token + ".");
        return out;
    }

    private static String join(String[] parts, int replaced, String with) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            b.append(i == 0 ? "" : ".").append(i == replaced ? with : parts[i]);
        }
        return b.toString();
    }

    static String pad(String segment) {
        int rest = segment.length() % 4;
        return rest == 0 ? segment : segment + "=".repeat(4 - rest);
    }

    /**
     * The segment with the unused low bits of its last character set (2 characters of a group
     * carry 12 bits for 8: 4 spare; 3 carry 18 for 16: 2 spare); {@code null} when it has none.
     */
    static String flipSpareBits(String segment) {
        int spare = switch (segment.length() % 4) {
            case 2 -> 0x0F;
            case 3 -> 0x03;
            default -> 0;
        };
        if (spare == 0) {
            return null;
        }
        char last = segment.charAt(segment.length() - 1);
        int value = ALPHABET.indexOf(last);
        if (value < 0) {
            return null;
        }
        return segment.substring(0, segment.length() - 1) + ALPHABET.charAt(value | spare);
    }
}
