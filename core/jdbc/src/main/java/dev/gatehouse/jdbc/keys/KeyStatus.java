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

package dev.gatehouse.jdbc.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * What a managed signing key is doing at one instant, for operators and monitoring: a row of
 * {@code gh_signing_keys} without its key material. Immutable.
 *
 * @param kid         the key's id (the {@code kid} header of the tokens it signs)
 * @param generation  1 for the first key, one more for each key after it
 * @param algorithm   {@code RS256}, {@code ES256} or {@code HS256}
 * @param state       what the key is doing now
 * @param createdAt   when it was generated
 * @param activatesAt when it starts (or started) signing
 * @param retiredAt   when it stopped signing because a newer key took over, or {@code null}
 * @param revokedAt   when it was revoked, or {@code null}
 * @param storage     how its private part is stored
 */
public record KeyStatus(String kid, int generation, String algorithm, State state, Instant createdAt,
                        Instant activatesAt, Instant retiredAt, Instant revokedAt, Storage storage) {

    public KeyStatus {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(storage, "storage");
    }

    /**
     * The life of a managed key: {@code PENDING → ACTIVE → RETIRED → EXPIRED}, or {@code REVOKED} at
     * any point; {@code REFUSED} for a row that is not trusted at all.
     */
    public enum State {
        /** Published in the JWK Set and verifying, not signing yet. */
        PENDING,
        /** Signing new tokens (exactly one key at a time), published, verifying. */
        ACTIVE,
        /** No longer signing; still published and verifying until every token it signed has expired. */
        RETIRED,
        /** Every token it signed has expired: neither published nor verifying. */
        EXPIRED,
        /** Revoked by an operator: neither published nor verifying; tokens it signed are refused. */
        REVOKED,
        /**
         * Not authenticated under the key-encryption key, or unreadable: neither published, nor
         * verifying, nor signing, and left out of the rotation schedule, as if it were not in the
         * table. Written by someone without the key-encryption key, altered, or stored before rows
         * were authenticated ({@code KeyAdmin authenticate}). Its {@code retiredAt} is as stored.
         */
        REFUSED
    }

    /** How the private part is stored in the database. */
    public enum Storage {
        /** AES-256-GCM under the key-encryption key. */
        ENCRYPTED,
        /** Unencrypted, because {@code allowUnencryptedPrivateKeys} was set. */
        UNENCRYPTED,
        /** Deleted: the key was revoked or has expired, and can never sign again. */
        DESTROYED
    }
}
