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

import dev.gatehouse.web.Problem;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The password rules of NIST SP 800-63B §5.1.1.2: a minimum and a maximum length (in code points,
 * any Unicode allowed), no control characters, not one of the commonly used passwords, and no
 * composition rules. Thread-safe.
 *
 * <p>The list of common passwords is bundled as {@code common-passwords.txt} beside this class;
 * its source and licence are stated in its header and in {@code docs/security.md}.
 */
public final class PasswordPolicy {
    static final String COMMON_LIST = "common-passwords.txt";
    private static final Set<String> COMMON = load();

    private final int minLength;
    private final int maxLength;

    public PasswordPolicy(AuthSettings settings) {
        this.minLength = settings.passwordMinLength();
        this.maxLength = settings.passwordMaxLength();
    }

    /** Why the password is not acceptable for a new account, or empty when it is. */
    public Optional<Problem.FieldError> check(String password) {
        if (password == null || password.isEmpty()) {
            return error("is required");
        }
        for (int i = 0; i < password.length(); ) {
            int cp = password.codePointAt(i);
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE) {
                return error("must not contain control characters");
            }
            i += Character.charCount(cp);
        }
        String normalised = Normalizer.normalize(password, Normalizer.Form.NFKC);
        int length = normalised.codePointCount(0, normalised.length());
        if (length < minLength) {
            return error("must be at least " + minLength + " characters long");
        }
        if (length > maxLength) {
            return error("must be at most " + maxLength + " characters long");
        }
        if (isCommon(normalised)) {
            return error("is too common; choose a less predictable password");
        }
        return Optional.empty();
    }

    /** Whether the password is on the bundled list (compared without regard to case). */
    public static boolean isCommon(String password) {
        return COMMON.contains(password.toLowerCase(Locale.ROOT));
    }

    /** How many passwords the bundled list holds. */
    public static int commonListSize() {
        return COMMON.size();
    }

    private static Optional<Problem.FieldError> error(String message) {
        return Optional.of(new Problem.FieldError("password", message));
    }

    private static Set<String> load() {
        Set<String> set = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream(COMMON_LIST)) {
            if (in == null) {
                throw new IllegalStateException("The bundled list " + COMMON_LIST + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    set.add(line.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(set);
    }
}
