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

package dev.gatehouse.token;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How and when a user proved who they are at the login a session began with: the access tokens of
 * that session carry it as {@code amr} (RFC 8176 authentication method references) and
 * {@code auth_time} (OpenID Connect Core §2, seconds since the epoch), and a refresh keeps both.
 *
 * @param methods the methods, in the order they were used, without duplicates (for example
 *                {@code ["pwd"]}, or {@code ["pwd", "otp", "mfa"]} after a second factor)
 * @param time    when the user last proved it, to the second
 */
public record UserAuthentication(List<String> methods, Instant time) {
    /** RFC 8176 {@code pwd}: a password. */
    public static final String PASSWORD = "pwd";
    /** RFC 8176 {@code otp}: a one-time password (a TOTP code or a recovery code). */
    public static final String ONE_TIME_PASSWORD = "otp";
    /** RFC 8176 {@code mfa}: more than one factor was used. */
    public static final String MULTIPLE_FACTORS = "mfa";
    /** The most methods a token carries; a token with more is refused. */
    public static final int MAX_METHODS = 8;

    private static final Pattern METHOD = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    public UserAuthentication {
        Objects.requireNonNull(methods, "methods");
        Objects.requireNonNull(time, "time");
        List<String> unique = List.copyOf(new LinkedHashSet<>(methods));
        if (unique.isEmpty() || unique.size() > MAX_METHODS) {
            throw new IllegalArgumentException("an authentication needs 1 to " + MAX_METHODS + " methods");
        }
        for (String method : unique) {
            if (!isMethod(method)) {
                throw new IllegalArgumentException("an authentication method is 1 to 32 letters, digits, '_' or '-'");
            }
        }
        methods = unique;
        time = time.truncatedTo(ChronoUnit.SECONDS);
    }

    /** A login with a password alone, at {@code time}. */
    public static UserAuthentication password(Instant time) {
        return new UserAuthentication(List.of(PASSWORD), time);
    }

    /** A login with a password and a one-time password (TOTP or recovery code), completed at {@code time}. */
    public static UserAuthentication passwordAndOneTimePassword(Instant time) {
        return new UserAuthentication(List.of(PASSWORD, ONE_TIME_PASSWORD, MULTIPLE_FACTORS), time);
    }

    /** Whether {@code method} was used. */
    public boolean includes(String method) {
        return methods.contains(method);
    }

    /** Whether a string is a well-formed method name (what a token's {@code amr} may hold). */
    static boolean isMethod(String method) {
        return method != null && METHOD.matcher(method).matches();
    }
}
