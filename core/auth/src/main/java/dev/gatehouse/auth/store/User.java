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
import java.util.List;
import java.util.Objects;

/**
 * A stored user. Immutable. {@link #toString()} leaves the password hash out.
 *
 * @param id              a random UUID, never sequential
 * @param email           the normalised email (trimmed, NFKC, case-folded)
 * @param passwordHash    the password hash as stored (bcrypt of the pre-hashed password)
 * @param roles           the user's roles
 * @param createdAt       when the user registered
 * @param tokenGeneration the generation of the user's access tokens: every token is issued in the
 *                        current one, and logging out everywhere or a change of roles starts the
 *                        next, which refuses the tokens of every earlier generation on every node
 *                        (see {@link RevocationStore#userGenerations}); never negative
 * @param emailVerifiedAt when the user proved they own the email (a verification or reset link),
 *                        or {@code null} while they have not
 * @param language        the language tag mails to the user are written in, or {@code null}
 */
public record User(String id, String email, String passwordHash, List<String> roles, Instant createdAt,
                   int tokenGeneration, Instant emailVerifiedAt, String language) {

    public User {
        if (tokenGeneration < 0) {
            throw new IllegalArgumentException("tokenGeneration must not be negative");
        }
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(passwordHash, "passwordHash");
        roles = List.copyOf(roles);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** A user whose email is verified at its creation and whose language is not known. */
    public User(String id, String email, String passwordHash, List<String> roles, Instant createdAt, int tokenGeneration) {
        this(id, email, passwordHash, roles, createdAt, tokenGeneration, createdAt, null);
    }

    /** Whether the user proved they own their email (or the account predates verification). */
    public boolean emailVerified() {
        return emailVerifiedAt != null;
    }

    /** A user whose tokens are of generation 0 (nothing has ever revoked them all). */
    public User(String id, String email, String passwordHash, List<String> roles, Instant createdAt) {
        this(id, email, passwordHash, roles, createdAt, 0);
    }

    /** Leaves the email and the password hash out. */
    @Override
    public String toString() {
        return "User{id=" + id + ", roles=" + roles + ", tokenGeneration=" + tokenGeneration
                + ", emailVerified=" + emailVerified() + "}";
    }
}
