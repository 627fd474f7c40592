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

package dev.gatehouse.auth.store;

import dev.gatehouse.token.UserAuthentication;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A session: one login and the refresh-token family it began, as a user sees it in the list of
 * where they are logged in. Its id is the family id (what the session's access tokens name in
 * their {@code jti}).
 *
 * @param id             the family id
 * @param userId         whose session it is
 * @param createdAt      when the login happened
 * @param lastUsedAt     when a refresh token of the session was last spent (the login time until then);
 *                       never updated per request
 * @param expiresAt      the session's absolute end (the family's lifetime)
 * @param revokedAt      when it was ended, or {@code null}
 * @param userAgent      the login's {@code User-Agent}, trimmed and bounded ({@link #MAX_USER_AGENT}), or {@code null}
 * @param client         where the login came from, coarsely (an IPv4 {@code /24} or IPv6 {@code /48}), or {@code null}
 * @param authentication how the user authenticated at the login ({@code amr}, {@code auth_time}), or
 *                       {@code null} for a session begun by a release that did not record it
 */
public record Session(String id, String userId, Instant createdAt, Instant lastUsedAt, Instant expiresAt, Instant revokedAt,
                      String userAgent, String client, UserAuthentication authentication) {
    /** The longest user agent kept, in characters. */
    public static final int MAX_USER_AGENT = 256;
    /** The longest coarse client location kept, in characters. */
    public static final int MAX_CLIENT = 64;

    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(lastUsedAt, "lastUsedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
            throw new IllegalArgumentException("userAgent is longer than " + MAX_USER_AGENT + " characters");
        }
        if (client != null && client.length() > MAX_CLIENT) {
            throw new IllegalArgumentException("client is longer than " + MAX_CLIENT + " characters");
        }
    }

    /** Whether it can still be used at {@code now}: not ended, not past its end, and used within {@code idleTimeout}. */
    public boolean isLive(Instant now, Duration idleTimeout) {
        return revokedAt == null && now.isBefore(expiresAt) && !now.isAfter(lastUsedAt.plus(idleTimeout));
    }
}
