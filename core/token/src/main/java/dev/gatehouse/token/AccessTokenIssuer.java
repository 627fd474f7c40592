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

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signs access tokens exactly as the HTTP contract says: header {@code alg}, {@code kid},
 * {@code typ} ({@link TokenSettings#tokenType()}: {@code at+jwt} by default, RFC 9068 §2.1); claims {@code iss aud sub iat exp jti roles} and nothing
 * else. A token issued in a session carries the session and the user's token generation inside
 * its {@code jti} (see {@link AccessTokenPrincipal#sessionId()}), which is what lets revocation
 * refuse every token of a session, or of a user's older generations, at once. Thread-safe.
 */
public final class AccessTokenIssuer {
    /**
     * The default {@code typ} header of access tokens (RFC 9068 §2.1), the
     * {@link AccessTokenType#headerValue()} of {@link AccessTokenType#AT_JWT}; what a token
     * carries is {@link TokenSettings#tokenType()}.
     */
    public static final String TOKEN_TYPE = "at+jwt";
    /** The claim that carries roles. */
    public static final String ROLES_CLAIM = "roles";
    /** The claim that carries the authentication methods (RFC 8176). */
    public static final String AMR_CLAIM = "amr";
    /** The claim that carries the time of the authentication (OpenID Connect Core §2). */
    public static final String AUTH_TIME_CLAIM = "auth_time";

    private final TokenSettings settings;
    private final KeySource keys;

    public AccessTokenIssuer(TokenSettings settings, KeySource keys) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = Objects.requireNonNull(keys, "keys");
        SigningKey key = keys.signingKey();
        if (!settings.acceptedAlgorithms().contains(key.algorithm())) {
            throw new ConfigurationException("acceptedAlgorithms", "the signing key uses " + key.algorithm()
                    + ", which is not accepted; tokens issued would never verify");
        }
    }

    /**
     * Issues a token for a subject, outside any session: only its own {@code jti} can revoke it.
     *
     * @param subject the user's id (not the email)
     * @param roles   the user's roles; duplicates are dropped
     */
    public IssuedAccessToken issue(String subject, Collection<String> roles) {
        return sign(subject, roles, TokenIds.random(), null);
    }

    /**
     * Issues a token for a subject in a session: revoking the session, or starting a new token
     * generation for the user, refuses it.
     *
     * @param subject    the user's id (not the email)
     * @param roles      the user's roles; duplicates are dropped
     * @param sessionId  the login's refresh-token family id (a UUID in canonical form)
     * @param generation the user's current token generation
     */
    public IssuedAccessToken issue(String subject, Collection<String> roles, String sessionId, int generation) {
        return issue(subject, roles, sessionId, generation, null);
    }

    /**
     * Issues a token for a subject in a session, saying how and when the user authenticated at the
     * login the session began with ({@code amr} and {@code auth_time}).
     *
     * @param authentication the session's authentication, or {@code null} to carry neither claim
     */
    public IssuedAccessToken issue(String subject, Collection<String> roles, String sessionId, int generation,
                                   UserAuthentication authentication) {
        Objects.requireNonNull(sessionId, "sessionId");
        return sign(subject, roles, TokenIds.forSession(sessionId, generation), authentication);
    }

    private IssuedAccessToken sign(String subject, Collection<String> roles, String jti, UserAuthentication authentication) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
        List<String> roleList = new ArrayList<>(new LinkedHashSet<>(Objects.requireNonNull(roles, "roles")));
        for (String role : roleList) {
            if (role == null || role.isBlank()) {
                throw new IllegalArgumentException("a role must not be blank");
            }
        }
        SigningKey key = keys.signingKey();
        Instant issuedAt = settings.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = issuedAt.plus(settings.accessTokenTtl());
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", settings.tokenType().headerValue());
        header.put("kid", key.kid());
        JWTCreator.Builder jwt = JWT.create()
                .withHeader(header)
                .withIssuer(settings.issuer())
                .withAudience(settings.audience())
                .withSubject(subject)
                .withIssuedAt(issuedAt)
                .withExpiresAt(expiresAt)
                .withJWTId(jti)
                .withClaim(ROLES_CLAIM, roleList);
        if (authentication != null) {
            if (authentication.time().isAfter(issuedAt)) {
                throw new IllegalArgumentException("the authentication time is after the token's issue time");
            }
            jwt.withClaim(AMR_CLAIM, authentication.methods()).withClaim(AUTH_TIME_CLAIM, authentication.time());
        }
        String token = jwt.sign(key.jwtAlgorithm());
        return new IssuedAccessToken(token, new AccessTokenPrincipal(subject, roleList, issuedAt, expiresAt, jti, key.kid(),
                authentication));
    }
}
