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

import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The caller a verified access token speaks for. {@link #getName()} is the subject (the user's
 * id, never the email). Immutable and thread-safe; holds no part of the token itself.
 */
public final class AccessTokenPrincipal implements Principal {
    private final String subject;
    private final Set<String> roles;
    private final List<String> roleList;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final String tokenId;
    private final String keyId;
    private final TokenIds.Parts idParts;
    private final UserAuthentication authentication;

    /** A principal whose token says nothing of how the user authenticated (no {@code amr}, no {@code auth_time}). */
    public AccessTokenPrincipal(String subject, List<String> roles, Instant issuedAt, Instant expiresAt,
                                String tokenId, String keyId) {
        this(subject, roles, issuedAt, expiresAt, tokenId, keyId, null);
    }

    /**
     * @param authentication how and when the user authenticated ({@code amr} and {@code auth_time}),
     *                       or {@code null} when the token does not say
     */
    public AccessTokenPrincipal(String subject, List<String> roles, Instant issuedAt, Instant expiresAt,
                                String tokenId, String keyId, UserAuthentication authentication) {
        this.authentication = authentication;
        this.subject = Objects.requireNonNull(subject, "subject");
        this.roleList = List.copyOf(new java.util.LinkedHashSet<>(roles));
        this.roles = Set.copyOf(roles);
        this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        this.tokenId = Objects.requireNonNull(tokenId, "tokenId");
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        this.idParts = TokenIds.parse(tokenId);
    }

    /** The subject ({@code sub}): the user's id. */
    @Override
    public String getName() {
        return subject;
    }

    public String subject() {
        return subject;
    }

    /** The roles ({@code roles} claim), in token order, without duplicates. */
    public List<String> roles() {
        return roleList;
    }

    public boolean hasRole(String role) {
        return role != null && roles.contains(role);
    }

    public Instant issuedAt() {
        return issuedAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** The token id ({@code jti}): what revocation is keyed on. */
    public String tokenId() {
        return tokenId;
    }

    /**
     * The session the token was issued in: the id of the login's refresh-token family, or
     * {@code null} for a token issued outside a session. Read from the {@code jti} of tokens
     * Gatehouse issued (see {@link AccessTokenIssuer}); every other {@code jti} has none.
     */
    public String sessionId() {
        return idParts.sessionId();
    }

    /**
     * The user's token generation the token was issued in (0 when its {@code jti} names none).
     * Logging out everywhere and a change of roles start a new generation; the revocation check
     * refuses tokens of older ones.
     */
    public int tokenGeneration() {
        return idParts.generation();
    }

    /**
     * How and when the user authenticated at the login this token descends from: its {@code amr}
     * and {@code auth_time}. Empty for a token that carries neither (issued outside a login, or by
     * a release before these claims).
     */
    public Optional<UserAuthentication> authentication() {
        return Optional.ofNullable(authentication);
    }

    /** The token's {@code amr} values; empty when it has none. */
    public List<String> authenticationMethods() {
        return authentication == null ? List.of() : authentication.methods();
    }

    /** The token's {@code auth_time}, when it has one. */
    public Optional<Instant> authenticatedAt() {
        return authentication == null ? Optional.empty() : Optional.of(authentication.time());
    }

    /** The id of the key that signed the token. */
    public String keyId() {
        return keyId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessTokenPrincipal other && tokenId.equals(other.tokenId) && subject.equals(other.subject);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subject, tokenId);
    }

    @Override
    public String toString() {
        return "AccessTokenPrincipal{sub=" + subject + ", roles=" + roleList + ", exp=" + expiresAt + "}";
    }
}
