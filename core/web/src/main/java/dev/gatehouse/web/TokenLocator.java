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

package dev.gatehouse.web;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Finds the access token of a request, one strategy for every adapter (servlet filter, JAX-RS
 * filter). Thread-safe.
 *
 * <ul>
 *   <li>{@code Authorization: Bearer <token>} (RFC 6750 §2.1): the scheme is matched without regard
 *       to case; exactly one space-separated token of the {@code b64token} syntax; more than one
 *       {@code Authorization} header is malformed. A header with another scheme (Basic, …) is
 *       left alone, as if absent.</li>
 *   <li>The access cookie (when the cookie transport is enabled); the same cookie twice (cookie
 *       tossing from a sibling domain) is malformed. An empty cookie counts as absent.</li>
 *   <li>A token in both places is malformed (RFC 6750 §2: clients must not use more than one
 *       method).</li>
 *   <li>The query string and form body are never read (RFC 6750 §2.2 and §2.3 are not supported):
 *       they leak into logs and referrers.</li>
 * </ul>
 */
public final class TokenLocator {
    private static final String BEARER = "bearer";
    /** The problem text of a malformed {@code Authorization: Bearer} header. */
    static final String NOT_ONE_BEARER_TOKEN = "The Authorization header is not 'Bearer' followed by one token";

    private final WebSettings settings;

    /** A locator of the transports and cookie names of {@code settings}. */
    public TokenLocator(WebSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Locates the token.
     *
     * @param authorizationHeaders every {@code Authorization} header value (empty list when none)
     * @param cookieHeaders        every {@code Cookie} header value (empty list when none)
     */
    public LocatedToken locate(List<String> authorizationHeaders, List<String> cookieHeaders) {
        return locate(authorizationHeaders, cookieHeaders, true);
    }

    /**
     * Locates the token, optionally leaving the bearer token's characters unchecked.
     * {@link RequestAuthenticator} passes {@code false}: it asks the verifier first, and checks
     * {@link #isB64Token} only when the verifier refuses the token (a token the verifier accepts is
     * base64url in three parts, so it is always a {@code b64token}). The answer for any request is
     * the same either way; only the order of the checks differs.
     */
    LocatedToken locate(List<String> authorizationHeaders, List<String> cookieHeaders, boolean checkBearerSyntax) {
        List<String> auth = authorizationHeaders == null ? Collections.emptyList() : authorizationHeaders;
        String bearer = null;
        if (settings.allows(Transport.BEARER) && !auth.isEmpty()) {
            if (auth.size() > 1) {
                return LocatedToken.malformed("More than one Authorization header");
            }
            String value = auth.get(0);
            if (value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    && value.length() > BEARER.length() && Character.isWhitespace(value.charAt(BEARER.length()))
                    && value.charAt(BEARER.length()) != ' ') {
                return LocatedToken.malformed(NOT_ONE_BEARER_TOKEN);
            }
            if (value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    && (value.length() == BEARER.length() || value.charAt(BEARER.length()) == ' ')) {
                bearer = value.substring(Math.min(value.length(), BEARER.length() + 1));
                if (bearer.isEmpty() || (checkBearerSyntax && !isB64Token(bearer))) {
                    return LocatedToken.malformed(NOT_ONE_BEARER_TOKEN);
                }
            }
        }
        String cookie = null;
        if (settings.allows(Transport.COOKIE) && cookieHeaders != null && !cookieHeaders.isEmpty()) {
            List<String> values = Cookies.values(cookieHeaders, settings.accessCookieName());
            values.removeIf(String::isEmpty);
            if (values.size() > 1) {
                return LocatedToken.malformed("The access-token cookie is present more than once");
            }
            cookie = values.isEmpty() ? null : values.get(0);
        }
        if (bearer != null && cookie != null) {
            return LocatedToken.malformed("A token was sent both in the Authorization header and in a cookie");
        }
        if (bearer != null) {
            return LocatedToken.found(bearer, Transport.BEARER);
        }
        if (cookie != null) {
            return LocatedToken.found(cookie, Transport.COOKIE);
        }
        return LocatedToken.none();
    }

    /** The characters of RFC 6750's {@code b64token} besides the trailing {@code "="}: one flag per ASCII code. */
    private static final boolean[] B64TOKEN_CHAR = new boolean[128];

    static {
        for (char c = 'A'; c <= 'Z'; c++) {
            B64TOKEN_CHAR[c] = true;
            B64TOKEN_CHAR[Character.toLowerCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            B64TOKEN_CHAR[c] = true;
        }
        for (char c : "-._~+/".toCharArray()) {
            B64TOKEN_CHAR[c] = true;
        }
    }

    /**
     * RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
     * On every request, over every character of the token: one table look-up per character.
     */
    static boolean isB64Token(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        boolean[] table = B64TOKEN_CHAR;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c >= table.length || !table[c]) {
                return false;
            }
        }
        return true;
    }

    /** Minimal RFC 6265 §5.4 {@code Cookie} header reading, shared by every adapter. */
    public static final class Cookies {
        private Cookies() {
        }

        /** Every value of the cookie with exactly this name, in order; surrounding quotes removed. */
        public static List<String> values(List<String> cookieHeaders, String name) {
            List<String> out = new ArrayList<>(1);
            if (cookieHeaders == null) {
                return out;
            }
            for (String header : cookieHeaders) {
                if (header == null) {
                    continue;
                }
                int pos = 0;
                int len = header.length();
                while (pos < len) {
                    int semi = header.indexOf(';', pos);
                    if (semi < 0) {
                        semi = len;
                    }
                    int eq = header.indexOf('=', pos);
                    if (eq > 0 && eq < semi) {
                        String cookieName = header.substring(pos, eq).strip();
                        if (cookieName.equals(name)) {
                            String value = header.substring(eq + 1, semi).strip();
                            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                                value = value.substring(1, value.length() - 1);
                            }
                            out.add(value);
                        }
                    }
                    pos = semi + 1;
                }
            }
            return out;
        }

        /** The single value of a cookie, or {@code null} when it is absent, empty or present more than once. */
        public static String single(List<String> cookieHeaders, String name) {
            List<String> values = values(cookieHeaders, name);
            values.removeIf(String::isEmpty);
            return values.size() == 1 ? values.get(0) : null;
        }
    }
}
