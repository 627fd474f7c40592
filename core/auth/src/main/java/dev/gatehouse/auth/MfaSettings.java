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

import dev.gatehouse.token.ConfigurationException;

import java.time.Duration;
import java.util.Objects;

/**
 * The second factor: TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits, what authenticator
 * apps use) with single-use recovery codes, and the two-step login of an enrolled user. Given to
 * {@code AuthService.Builder#mfa}; the stores must include an {@code MfaStore}. Immutable.
 */
public final class MfaSettings {
    public static final String DEFAULT_ISSUER = "Gatehouse";
    public static final Duration DEFAULT_CHALLENGE_TTL = Duration.ofMinutes(5);
    public static final int DEFAULT_TOTP_WINDOW = 1;
    public static final int DEFAULT_RECOVERY_CODES = 10;
    public static final int DEFAULT_CHALLENGE_ATTEMPTS = 5;
    /** The fewest bytes of the secret key. */
    public static final int MIN_KEY_BYTES = 32;

    private final byte[] secretKey;
    private final String issuer;
    private final Duration challengeTtl;
    private final int totpWindow;
    private final int recoveryCodes;
    private final int challengeAttempts;

    private MfaSettings(Builder b) {
        this.secretKey = b.secretKey.clone();
        this.issuer = b.issuer;
        this.challengeTtl = b.challengeTtl;
        this.totpWindow = b.totpWindow;
        this.recoveryCodes = b.recoveryCodes;
        this.challengeAttempts = b.challengeAttempts;
    }

    /**
     * @param secretKey at least {@value #MIN_KEY_BYTES} random bytes, the same on every node and kept
     *                  like a signing key: TOTP secrets are stored encrypted under a key derived from
     *                  it (AES-256-GCM, bound to the user), and recovery codes as keyed hashes. Losing
     *                  it makes every enrolment unusable (users then recover with a password reset
     *                  and an operator's removal of their enrolment).
     */
    public static Builder builder(byte[] secretKey) {
        return new Builder(secretKey);
    }

    byte[] secretKey() {
        return secretKey.clone();
    }

    /** The issuer an authenticator app shows beside the account (the {@code otpauth://} label and parameter); default "Gatehouse". */
    public String issuer() {
        return issuer;
    }

    /** How long the first step of a two-step login can be completed; default 5 minutes. */
    public Duration challengeTtl() {
        return challengeTtl;
    }

    /** TOTP steps accepted either side of the current one (clock drift); default 1 (±30 s). */
    public int totpWindow() {
        return totpWindow;
    }

    /** Recovery codes issued at enrolment and at each regeneration; default 10. */
    public int recoveryCodes() {
        return recoveryCodes;
    }

    /** Wrong codes one challenge takes before it is spent (the password must be given again); default 5. */
    public int challengeAttempts() {
        return challengeAttempts;
    }

    /** Leaves the key out. */
    @Override
    public String toString() {
        return "MfaSettings{issuer=" + issuer + ", challengeTtl=" + challengeTtl + ", totpWindow=" + totpWindow
                + ", recoveryCodes=" + recoveryCodes + ", challengeAttempts=" + challengeAttempts + "}";
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private final byte[] secretKey;
        private String issuer = DEFAULT_ISSUER;
        private Duration challengeTtl = DEFAULT_CHALLENGE_TTL;
        private int totpWindow = DEFAULT_TOTP_WINDOW;
        private int recoveryCodes = DEFAULT_RECOVERY_CODES;
        private int challengeAttempts = DEFAULT_CHALLENGE_ATTEMPTS;

        private Builder(byte[] secretKey) {
            if (secretKey == null || secretKey.length < MIN_KEY_BYTES) {
                throw new ConfigurationException("mfaSecretKey", "must be at least " + MIN_KEY_BYTES + " bytes");
            }
            this.secretKey = secretKey.clone();
        }

        /** See {@link MfaSettings#issuer()}: 1 to 64 characters, no ':'. */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** See {@link MfaSettings#challengeTtl()}; between 30 seconds and 15 minutes. */
        public Builder challengeTtl(Duration ttl) {
            this.challengeTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** See {@link MfaSettings#totpWindow()}; 0 to 2. */
        public Builder totpWindow(int steps) {
            this.totpWindow = steps;
            return this;
        }

        /** See {@link MfaSettings#recoveryCodes()}; 5 to 20. */
        public Builder recoveryCodes(int count) {
            this.recoveryCodes = count;
            return this;
        }

        /** See {@link MfaSettings#challengeAttempts()}; 1 to 10. */
        public Builder challengeAttempts(int attempts) {
            this.challengeAttempts = attempts;
            return this;
        }

        /** @throws ConfigurationException naming the first invalid setting */
        public MfaSettings build() {
            if (issuer.isBlank() || issuer.length() > 64 || issuer.indexOf(':') >= 0 || !issuer.equals(issuer.strip())) {
                throw new ConfigurationException("mfaIssuer", "must be 1 to 64 characters without ':' or surrounding spaces");
            }
            if (challengeTtl.compareTo(Duration.ofSeconds(30)) < 0 || challengeTtl.compareTo(Duration.ofMinutes(15)) > 0) {
                throw new ConfigurationException("mfaChallengeTtl", "must be between PT30S and PT15M");
            }
            if (totpWindow < 0 || totpWindow > 2) {
                throw new ConfigurationException("totpWindow", "must be between 0 and 2");
            }
            if (recoveryCodes < 5 || recoveryCodes > 20) {
                throw new ConfigurationException("recoveryCodes", "must be between 5 and 20");
            }
            if (challengeAttempts < 1 || challengeAttempts > 10) {
                throw new ConfigurationException("mfaChallengeAttempts", "must be between 1 and 10");
            }
            return new MfaSettings(this);
        }
    }
}
