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

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * Email normalisation and validation. Two spellings of one address that a person would take for
 * the same (case, Unicode compatibility forms such as full-width letters or the KELVIN SIGN,
 * surrounding white space) normalise to the same string, which is what uniqueness is decided on.
 */
public final class Emails {
    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254. */
    public static final int MAX_LENGTH = 254;

    private Emails() {
    }

    /**
     * Trims, applies NFKC, case-folds with {@link Locale#ROOT} (lower, then upper-to-lower again so
     * that characters such as the long s or dotless i that fold outside ASCII are caught), and NFKC
     * again. {@code null} stays {@code null}.
     */
    public static String normalise(String raw) {
        if (raw == null) {
            return null;
        }
        String s = Normalizer.normalize(raw.strip(), Normalizer.Form.NFKC);
        s = s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(s, Normalizer.Form.NFKC);
    }

    /**
     * Why a normalised address is not acceptable, or empty when it is. Deliberately simple: one
     * {@code @}, a non-empty local part of printable characters without white space, quotes or
     * angle brackets, and a domain of at least two dot-separated labels of letters, digits and
     * hyphens (internationalised labels allowed). Deliverability is the application's business.
     */
    public static Optional<String> problem(String email) {
        if (email == null || email.isEmpty()) {
            return Optional.of("is required");
        }
        if (email.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        int at = email.indexOf('@');
        if (at <= 0 || at != email.lastIndexOf('@') || at == email.length() - 1) {
            return Optional.of("must be an email address");
        }
        String local = email.substring(0, at);
        String domain = email.substring(at + 1);
        if (local.length() > 64) {
            return Optional.of("must be an email address");
        }
        for (int i = 0; i < local.length(); ) {
            int cp = local.codePointAt(i);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp) || cp == '"' || cp == '<' || cp == '>'
                    || cp == '(' || cp == ')' || cp == ',' || cp == ';' || cp == ':' || cp == '\\' || cp == '['
                    || cp == ']' || Character.getType(cp) == Character.FORMAT || Character.getType(cp) == Character.UNASSIGNED) {
                return Optional.of("must be an email address");
            }
            i += Character.charCount(cp);
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return Optional.of("must be an email address");
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return Optional.of("must be an email address");
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return Optional.of("must be an email address");
            }
            for (int i = 0; i < label.length(); ) {
                int cp = label.codePointAt(i);
                if (!(Character.isLetterOrDigit(cp) || cp == '-')) {
                    return Optional.of("must be an email address");
                }
                i += Character.charCount(cp);
            }
        }
        return Optional.empty();
    }
}
