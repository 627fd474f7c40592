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

import java.util.Locale;

/**
 * The JOSE {@code typ} header of access tokens (RFC 7515 §4.1.9): the one an
 * {@link AccessTokenIssuer} writes ({@link TokenSettings#tokenType()}), and those an
 * {@link AccessTokenVerifier} accepts ({@link TokenSettings#acceptedTokenTypes()}). Not to be
 * confused with OAuth's {@code token_type} ({@code Bearer}), which says how a client sends the token.
 *
 * <p>{@link #AT_JWT} is the default and the safer choice: a verifier that requires it cannot take
 * an ID token, or any other JWT signed with the same keys, for an access token (RFC 9068 §4,
 * RFC 8725 §3.11). {@link #JWT} is for resource servers whose defaults insist on it: Spring
 * Security's {@code JwtDecoders.fromIssuerLocation}, and so Spring Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri}, accepts {@code typ} {@code JWT} or
 * none and refuses {@code at+jwt}. See docs/security.md, "The typ header".
 */
public enum AccessTokenType {
    /** {@code at+jwt}: an OAuth 2.0 access token in JWT format (RFC 9068 §2.1). The default. */
    AT_JWT("at+jwt"),
    /** {@code JWT}: a JWT of no particular kind (RFC 7519 §5.1), as ID tokens and most other JWTs are typed. */
    JWT("JWT");

    private static final String MEDIA_TYPE_PREFIX = "application/";

    private final String headerValue;
    private final String mediaType;

    AccessTokenType(String headerValue) {
        this.headerValue = headerValue;
        this.mediaType = MEDIA_TYPE_PREFIX + headerValue;
    }

    /** The value an issuer writes into the {@code typ} header: {@code at+jwt} or {@code JWT}. */
    public String headerValue() {
        return headerValue;
    }

    /**
     * Whether a token's {@code typ} header names this type. Media types compare without regard to
     * case, and {@code application/} may be left out (RFC 7515 §4.1.9), so {@code at+jwt},
     * {@code AT+JWT} and {@code application/at+jwt} all name {@link #AT_JWT}. Nothing else does:
     * no parameters, no white space.
     *
     * @param typ the header's value, or {@code null} when the token has none (never a match)
     */
    public boolean matches(String typ) {
        // the exact spelling an issuer writes first: that is what nearly every token carries
        return typ != null && (typ.equals(headerValue) || typ.equalsIgnoreCase(headerValue) || typ.equalsIgnoreCase(mediaType));
    }

    /**
     * Parses a setting's value: {@code at+jwt} or {@code JWT}, in any case.
     *
     * @throws ConfigurationException naming the setting {@code tokenType} for anything else
     *                                ({@link ConfigurationException#forSetting} renames it)
     */
    public static AccessTokenType parse(String value) {
        if (value != null) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            for (AccessTokenType type : values()) {
                if (type.headerValue.toLowerCase(Locale.ROOT).equals(v)) {
                    return type;
                }
            }
        }
        throw new ConfigurationException("tokenType", "'" + value + "' is not one of at+jwt, JWT");
    }

    /** The header value, as in settings and logs. */
    @Override
    public String toString() {
        return headerValue;
    }
}
