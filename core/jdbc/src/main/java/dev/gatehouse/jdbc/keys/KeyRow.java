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
 * One row of {@code gh_signing_keys}, as stored. {@link #toString()} leaves out the stored private
 * key and the row MAC (even encrypted, the key has no business in a log).
 *
 * @param privateKey {@code v1:...} (encrypted), {@code plain:...}, or {@code null} once destroyed
 * @param retiredAt  when the key stopped signing, once some node has written it down
 * @param mac        the row's MAC under the key-encryption key ({@link KeyRowMac}), or {@code null}
 *                   when it has none (stored unencrypted, or written before rows were authenticated)
 */
record KeyRow(String kid, int generation, String alg, String publicJwk, String privateKey,
              Instant createdAt, Instant activatesAt, Instant retiredAt, Instant revokedAt, String mac) {

    KeyRow {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(publicJwk, "publicJwk");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(activatesAt, "activatesAt");
    }

    boolean revoked() {
        return revokedAt != null;
    }

    /** This row as revoked at {@code at}, with its private key gone and this MAC (what {@code revoke} writes). */
    KeyRow asRevoked(Instant at, String newMac) {
        return new KeyRow(kid, generation, alg, publicJwk, null, createdAt, activatesAt, retiredAt, at, newMac);
    }

    /** This row with another MAC. */
    KeyRow withMac(String newMac) {
        return new KeyRow(kid, generation, alg, publicJwk, privateKey, createdAt, activatesAt, retiredAt, revokedAt, newMac);
    }

    /** This row with another stored private key. */
    KeyRow withPrivateKey(String stored) {
        return new KeyRow(kid, generation, alg, publicJwk, stored, createdAt, activatesAt, retiredAt, revokedAt, mac);
    }

    /**
     * When this key took over signing, or {@code null} if it never did: a key revoked before its
     * activation never signed, so it did not end its predecessor's time.
     */
    Instant tookOverAt() {
        return revokedAt == null || !revokedAt.isBefore(activatesAt) ? activatesAt : null;
    }

    @Override
    public String toString() {
        return "KeyRow{kid=" + kid + ", generation=" + generation + ", alg=" + alg + ", activatesAt=" + activatesAt
                + ", retiredAt=" + retiredAt + ", revokedAt=" + revokedAt + "}";
    }
}
