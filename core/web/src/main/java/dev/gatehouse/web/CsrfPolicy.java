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


import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The CSRF rule for requests authenticated by cookie (the HTTP contract's cookie transport): a
 * state-changing request must echo the CSRF cookie in the CSRF header (double submit, compared
 * in constant time), and must not come from another site ({@code Sec-Fetch-Site: cross-site}, or an
 * {@code Origin} that is neither the request's own origin nor an allowed one). Thread-safe.
 */
public final class CsrfPolicy {
    private final WebSettings settings;
    private final Set<String> allowedOrigins;

    /** The policy with the CSRF cookie and header names, and the allowed origins, of {@code settings}. */
    public CsrfPolicy(WebSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.allowedOrigins = Set.copyOf(settings.allowedOrigins().stream().map(CsrfPolicy::normaliseOrigin).toList());
    }

    /** GET, HEAD, OPTIONS and TRACE are safe (RFC 9110 §9.2.1); everything else changes state. */
    public static boolean isStateChanging(String method) {
        if (method == null) {
            return true;
        }
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> false;
            default -> true;
        };
    }

    /**
     * Checks a cookie-authenticated request.
     *
     * @param method        the HTTP method
     * @param cookieHeaders every {@code Cookie} header value
     * @param csrfHeader    the value of the CSRF header, or {@code null}
     * @param secFetchSite  the {@code Sec-Fetch-Site} header, or {@code null}
     * @param origin        the {@code Origin} header, or {@code null}
     * @param ownOrigin     the origin this request was addressed to ({@code scheme://host[:port]})
     * @return {@code null} when the request passes, else a fixed reason text for a {@code 403}
     */
    public String check(String method, java.util.List<String> cookieHeaders, String csrfHeader, String secFetchSite,
                        String origin, String ownOrigin) {
        if (!isStateChanging(method)) {
            return null;
        }
        if (secFetchSite != null && secFetchSite.strip().equalsIgnoreCase("cross-site")) {
            return "Cross-site requests may not change state";
        }
        if (origin != null) {
            String normalised = normaliseOrigin(origin);
            if (normalised == null || !(normalised.equals(normaliseOrigin(ownOrigin)) || allowedOrigins.contains(normalised))) {
                return "Requests from another origin may not change state";
            }
        }
        String cookie = TokenLocator.Cookies.single(cookieHeaders, settings.csrfCookieName());
        if (cookie == null || csrfHeader == null || csrfHeader.isEmpty()) {
            return "The CSRF token is missing";
        }
        if (!MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), csrfHeader.getBytes(StandardCharsets.UTF_8))) {
            return "The CSRF token does not match";
        }
        return null;
    }

    /** {@code scheme://host[:port]} in lower case with default ports dropped, or {@code null}. */
    static String normaliseOrigin(String origin) {
        if (origin == null || origin.equals("null")) {
            return null;
        }
        try {
            URI uri = new URI(origin.strip());
            String scheme = uri.getScheme();
            String host = uri.getHost();
            if (scheme == null || host == null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return null;
            }
            int port = uri.getPort();
            if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
                port = -1;
            }
            return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port);
        } catch (Exception e) {
            return null;
        }
    }
}
