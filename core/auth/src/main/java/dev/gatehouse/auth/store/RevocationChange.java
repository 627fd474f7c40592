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
 * One change to what verification refuses, numbered by the store ({@link RevocationStore#changesAfter}).
 *
 * @param sequence   the store's number for this change: higher for a change numbered later. A change
 *                   made again (a token revoked again, a higher generation) gets a new number, and
 *                   only the newest is kept
 * @param kind       what was revoked
 * @param id         the token id ({@link Kind#TOKEN}), the session id ({@link Kind#SESSION}) or the user id
 *                   ({@link Kind#GENERATION})
 * @param at         for a token, until when it is refused; for a session or a generation cut-off, when it
 *                   was made
 * @param generation for {@link Kind#GENERATION}, the lowest generation still accepted; else 0
 */
public record RevocationChange(long sequence, Kind kind, String id, Instant at, int generation) {
    /** What a change revokes. */
    public enum Kind {
        /** One access token, by {@code jti}. */
        TOKEN,
        /** Every access token of one session (refresh-token family). */
        SESSION,
        /** Every access token of a user below a generation. */
        GENERATION
    }

    /** Checks that nothing is missing. */
    public RevocationChange {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        if (generation < 0) {
            throw new IllegalArgumentException("generation must not be negative");
        }
    }
}
