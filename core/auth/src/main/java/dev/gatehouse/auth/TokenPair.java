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

import dev.gatehouse.token.IssuedAccessToken;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * An access token and the refresh token issued with it (login or refresh). Both strings are
 * secrets; {@link #toString()} prints neither.
 *
 * @param access           the access token
 * @param refreshToken     the opaque refresh token (only its hash is stored)
 * @param refreshExpiresAt when the refresh token expires
 * @param refreshIssuedAt  the instant the refresh token's expiry was computed from. (The access
 *                         token's {@code iat} is read from the clock a moment later and cut to whole
 *                         seconds, so counting from it could make the lifetime a second shorter than
 *                         configured.)
 */
public record TokenPair(IssuedAccessToken access, String refreshToken, Instant refreshExpiresAt, Instant refreshIssuedAt) {

    public TokenPair {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(refreshExpiresAt, "refreshExpiresAt");
        Objects.requireNonNull(refreshIssuedAt, "refreshIssuedAt");
    }

    /** Whole seconds from issue to the refresh token's expiry. */
    public long refreshExpiresInSeconds() {
        return Math.max(0, Duration.between(refreshIssuedAt, refreshExpiresAt).toSeconds());
    }

    /** Leaves both tokens out. */
    @Override
    public String toString() {
        return "TokenPair{" + access.principal() + ", refreshExpiresAt=" + refreshExpiresAt + "}";
    }
}
