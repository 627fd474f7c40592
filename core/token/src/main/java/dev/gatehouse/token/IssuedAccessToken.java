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

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A freshly signed access token. {@link #toString()} does not print the token.
 *
 * @param token     the compact JWS to hand to the client. A secret: never log it.
 * @param principal what the token says: subject, roles, times, id
 */
public record IssuedAccessToken(String token, AccessTokenPrincipal principal) {

    public IssuedAccessToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(principal, "principal");
    }

    public Instant expiresAt() {
        return principal.expiresAt();
    }

    /** Seconds from issue to expiry: the {@code expires_in} of RFC 6749 §5.1. */
    public long expiresInSeconds() {
        return Duration.between(principal.issuedAt(), principal.expiresAt()).toSeconds();
    }

    /** Leaves the token out. */
    @Override
    public String toString() {
        return "IssuedAccessToken{" + principal + "}";
    }
}
