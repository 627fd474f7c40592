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

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The answer to a password: a completed login, or the first step of a two-step login when the
 * account has a second factor.
 */
public sealed interface LoginResult permits LoginResult.Completed, LoginResult.SecondFactorRequired {

    /** The login is complete: the tokens of a new session. */
    record Completed(TokenPair tokens) implements LoginResult {
        public Completed {
            Objects.requireNonNull(tokens, "tokens");
        }
    }

    /**
     * The password was right and the account has a second factor: {@link #mfaToken()} and a code
     * complete the login ({@code AuthService#completeLogin}) until {@link #expiresAt()}. The token
     * is single-use, opaque, stored only as a hash, and is no access token anywhere.
     */
    record SecondFactorRequired(String mfaToken, Instant issuedAt, Instant expiresAt) implements LoginResult {
        public SecondFactorRequired {
            Objects.requireNonNull(mfaToken, "mfaToken");
            Objects.requireNonNull(issuedAt, "issuedAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        /** Whole seconds from issue to expiry. */
        public long expiresInSeconds() {
            return Math.max(0, Duration.between(issuedAt, expiresAt).toSeconds());
        }

        /** Leaves the token out. */
        @Override
        public String toString() {
            return "SecondFactorRequired{expiresAt=" + expiresAt + "}";
        }
    }
}
