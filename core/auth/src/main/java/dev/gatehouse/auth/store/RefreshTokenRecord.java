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

import java.time.Instant;
import java.util.Objects;

/**
 * One stored refresh token: only the SHA-256 hash of the token is kept, never the token.
 *
 * @param tokenHash       lower-case hex SHA-256 of the token's bytes (64 characters)
 * @param familyId        the login (session) this token descends from; every rotation keeps it
 * @param parentHash      the hash of the token this one replaced, or {@code null} for the first of a family
 * @param userId          the user the family belongs to
 * @param issuedAt        when the token was issued
 * @param expiresAt       when the token expires
 * @param familyExpiresAt the absolute end of the family, whatever the rotations
 * @param usedAt          when it was spent (rotated), or {@code null}
 * @param revokedAt       when it or its family was revoked, or {@code null}
 * @see RefreshTokenStore
 */
public record RefreshTokenRecord(String tokenHash, String familyId, String parentHash, String userId, Instant issuedAt,
                                 Instant expiresAt, Instant familyExpiresAt, Instant usedAt, Instant revokedAt) {
    public RefreshTokenRecord {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(familyId, "familyId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(familyExpiresAt, "familyExpiresAt");
    }

    /** Whether it can still be spent at {@code now}: unspent, unrevoked and unexpired (token and family). */
    public boolean isLive(Instant now) {
        return usedAt == null && revokedAt == null && now.isBefore(expiresAt) && now.isBefore(familyExpiresAt);
    }

    /** Leaves the hashes out: they identify a token as well as the token itself does to the database. */
    @Override
    public String toString() {
        return "RefreshTokenRecord{family=" + familyId + ", user=" + userId + ", expires=" + expiresAt + ", used=" + usedAt
                + ", revoked=" + revokedAt + "}";
    }
}
