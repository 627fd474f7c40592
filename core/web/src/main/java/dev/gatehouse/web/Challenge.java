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

import dev.gatehouse.token.InvalidTokenException;

import java.util.regex.Pattern;

/**
 * {@code WWW-Authenticate} values for the {@code Bearer} scheme (RFC 6750 §3), written in one place
 * for every adapter. The realm is validated by {@link WebSettings} (no quote or backslash),
 * and descriptions are fixed texts, so nothing a client sent ever reaches the header.
 *
 * <p>The {@code error_description} of an {@code invalid_token} names the class of check that
 * failed, one of the {@code *_DESCRIPTION} texts below, and nothing else: never a value from the
 * token, never the expected issuer or audience (those go to the server's log).
 */
public final class Challenge {
    /** The header name. */
    public static final String HEADER = "WWW-Authenticate";

    /** The token's {@code iss} is missing or not the configured issuer. */
    public static final String ISSUER_DESCRIPTION = "The token's issuer is not accepted";
    /** The token's {@code aud} is missing or does not name the configured audience. */
    public static final String AUDIENCE_DESCRIPTION = "The token's audience is not accepted";
    /** The token's {@code exp} has passed (beyond the leeway). */
    public static final String EXPIRED_DESCRIPTION = "The token has expired";
    /** The token's {@code iat} or {@code nbf} lies in the future (beyond the leeway). */
    public static final String NOT_YET_VALID_DESCRIPTION = "The token is not valid yet";
    /** The signature does not verify, the key id is unknown, or the algorithm is not the key's. */
    public static final String SIGNATURE_DESCRIPTION = "The token's signature is invalid";
    /** The token was revoked (logout, logout-all, a revoked key). */
    public static final String REVOKED_DESCRIPTION = "The token has been revoked";
    /** Not a well-formed access token: syntax, size, {@code typ}, a required claim missing or mistyped. */
    public static final String MALFORMED_DESCRIPTION = "The token is malformed";
    /** The token could not be checked (keys unavailable, a key source not started, an unexpected failure). */
    public static final String UNVERIFIABLE_DESCRIPTION = "The token could not be verified";

    /** RFC 6750 §3: the characters an {@code error_description} may hold. */
    private static final Pattern DESCRIPTION = Pattern.compile("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    private Challenge() {
    }

    /**
     * The {@code error_description} for a refused token: the class of check that failed, as one
     * of the fixed {@code *_DESCRIPTION} texts.
     */
    public static String description(InvalidTokenException e) {
        return switch (e.reason()) {
            case WRONG_CLAIM, MISSING_CLAIM -> {
                if ("iss".equals(e.claim())) {
                    yield ISSUER_DESCRIPTION;
                }
                yield "aud".equals(e.claim()) ? AUDIENCE_DESCRIPTION : MALFORMED_DESCRIPTION;
            }
            case EXPIRED -> EXPIRED_DESCRIPTION;
            case NOT_YET_VALID -> NOT_YET_VALID_DESCRIPTION;
            case BAD_SIGNATURE, UNKNOWN_KEY, ALGORITHM_MISMATCH -> SIGNATURE_DESCRIPTION;
            case REVOKED -> REVOKED_DESCRIPTION;
            case MALFORMED, OVERSIZED, WRONG_TYPE -> MALFORMED_DESCRIPTION;
            case KEYS_UNAVAILABLE -> UNVERIFIABLE_DESCRIPTION;
        };
    }

    /** No credentials were sent: a bare challenge without an error code (RFC 6750 §3.1). */
    public static String bare(String realm) {
        return "Bearer realm=\"" + realm + "\"";
    }

    /** The token was expired, revoked, malformed or invalid for another reason: {@code 401}. */
    public static String invalidToken(String realm) {
        return "Bearer realm=\"" + realm + "\", error=\"invalid_token\"";
    }

    /**
     * {@link #invalidToken(String)} with an {@code error_description} (RFC 6750 §3), or without
     * one when {@code description} is {@code null}.
     *
     * @param description a fixed text of printable ASCII without {@code "} or {@code \\}, normally
     *                    one of the {@code *_DESCRIPTION} constants; never anything the client sent
     * @throws IllegalArgumentException if the description has a character RFC 6750 does not allow
     */
    public static String invalidToken(String realm, String description) {
        if (description == null) {
            return invalidToken(realm);
        }
        return withError(realm, "invalid_token", description);
    }

    /**
     * An RFC 9470 step-up challenge: {@code error="insufficient_user_authentication"} with its
     * description and the {@code acr_values} and/or {@code max_age} the resource wants.
     *
     * @param acrValues     space-separated authentication context classes, or {@code null}
     * @param maxAgeSeconds the greatest acceptable age of the login in seconds, or {@code null}
     */
    public static String insufficientUserAuthentication(String realm, String description, String acrValues, Long maxAgeSeconds) {
        StringBuilder b = new StringBuilder(withError(realm, "insufficient_user_authentication", description));
        if (acrValues != null) {
            b.append(", acr_values=\"").append(quotable(acrValues)).append('"');
        }
        if (maxAgeSeconds != null) {
            b.append(", max_age=\"").append(maxAgeSeconds).append('"');
        }
        return b.toString();
    }

    private static String withError(String realm, String error, String description) {
        return "Bearer realm=\"" + realm + "\", error=\"" + error + "\", error_description=\"" + quotable(description) + "\"";
    }

    private static String quotable(String value) {
        if (!DESCRIPTION.matcher(value).matches()) {
            throw new IllegalArgumentException("A challenge parameter must be printable ASCII without '\"' or '\\\\'");
        }
        return value;
    }

    /** The request was malformed (bad header, two tokens): {@code 400}. */
    public static String invalidRequest(String realm) {
        return "Bearer realm=\"" + realm + "\", error=\"invalid_request\"";
    }
}
