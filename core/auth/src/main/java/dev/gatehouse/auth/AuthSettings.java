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
import java.util.List;

/**
 * Settings of the onboarding flow (the token settings are {@link dev.gatehouse.token.TokenSettings}).
 * Immutable; made by {@link #builder()}, validated by {@link Builder#build()}.
 */
public final class AuthSettings {
    public static final Duration DEFAULT_REFRESH_TOKEN_TTL = Duration.ofDays(14);
    public static final Duration DEFAULT_REFRESH_FAMILY_LIFETIME = Duration.ofDays(30);
    public static final Duration DEFAULT_REFRESH_REUSE_GRACE = Duration.ofSeconds(10);
    public static final int DEFAULT_BCRYPT_COST = 12;
    public static final int DEFAULT_PASSWORD_MIN_LENGTH = 12;
    public static final int DEFAULT_PASSWORD_MAX_LENGTH = 128;
    public static final int DEFAULT_THROTTLE_ACCOUNT_CLIENT_BURST = 5;
    public static final Duration DEFAULT_THROTTLE_ACCOUNT_CLIENT_INTERVAL = Duration.ofMinutes(5);
    public static final int DEFAULT_THROTTLE_ACCOUNT_BURST = 50;
    public static final Duration DEFAULT_THROTTLE_ACCOUNT_INTERVAL = Duration.ofSeconds(72);
    public static final Duration DEFAULT_THROTTLE_KNOWN_CLIENT_WINDOW = Duration.ofDays(30);
    /**
     * Most failed logins the per-account limit may allow on one account in any hour, from clients
     * other than the owner's (NIST SP 800-63B §5.2.2: no more than 100).
     */
    public static final int MAX_ACCOUNT_FAILURES_PER_HOUR = 100;
    public static final int DEFAULT_CLIENT_ATTEMPTS_PER_MINUTE = 30;
    public static final int DEFAULT_HASHING_QUEUE = 64;
    public static final int DEFAULT_STORE_THREADS = 8;
    public static final int DEFAULT_STORE_QUEUE = 64;
    public static final Duration DEFAULT_REVOCATION_STALENESS = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REVOCATION_OVERLAP = CachedRevocationCheck.DEFAULT_OVERLAP;
    public static final Duration DEFAULT_REVOCATION_RECONCILIATION = CachedRevocationCheck.DEFAULT_RECONCILIATION;
    public static final List<String> DEFAULT_ROLES = List.of("user");
    public static final Duration DEFAULT_EMAIL_VERIFICATION_TTL = Duration.ofHours(24);
    public static final Duration DEFAULT_PASSWORD_RESET_TTL = Duration.ofMinutes(30);
    public static final int DEFAULT_MAIL_ACCOUNT_BURST = 3;
    public static final Duration DEFAULT_MAIL_ACCOUNT_INTERVAL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_SESSION_IDLE_TIMEOUT = DEFAULT_REFRESH_TOKEN_TTL;
    public static final Duration DEFAULT_RECENT_AUTHENTICATION = Duration.ofMinutes(10);

    private final Duration refreshTokenTtl;
    private final Duration refreshFamilyLifetime;
    private final Duration refreshReuseGrace;
    private final int bcryptCost;
    private final int passwordMinLength;
    private final int passwordMaxLength;
    private final int throttleAccountClientBurst;
    private final Duration throttleAccountClientInterval;
    private final int throttleAccountBurst;
    private final Duration throttleAccountInterval;
    private final Duration throttleKnownClientWindow;
    private final int clientAttemptsPerMinute;
    private final int hashingThreads;
    private final int hashingQueue;
    private final int storeThreads;
    private final int storeQueue;
    private final Duration revocationStaleness;
    private final Duration revocationOverlap;
    private final Duration revocationReconciliation;
    private final byte[] pepper;
    private final boolean requireVerifiedEmail;
    private final Duration emailVerificationTtl;
    private final Duration passwordResetTtl;
    private final int mailAccountBurst;
    private final Duration mailAccountInterval;
    private final Duration sessionIdleTimeout;
    private final Duration recentAuthentication;

    private AuthSettings(Builder b) {
        this.refreshTokenTtl = b.refreshTokenTtl;
        this.refreshFamilyLifetime = b.refreshFamilyLifetime;
        this.refreshReuseGrace = b.refreshReuseGrace;
        this.bcryptCost = Math.abs(b.bcryptCost);
        this.passwordMinLength = b.passwordMinLength;
        this.passwordMaxLength = b.passwordMaxLength;
        this.throttleAccountClientBurst = b.throttleAccountClientBurst;
        this.throttleAccountClientInterval = b.throttleAccountClientInterval;
        this.throttleAccountBurst = b.throttleAccountBurst;
        this.throttleAccountInterval = b.throttleAccountInterval;
        this.throttleKnownClientWindow = b.throttleKnownClientWindow;
        this.clientAttemptsPerMinute = b.clientAttemptsPerMinute;
        this.hashingThreads = b.hashingThreads;
        this.hashingQueue = b.hashingQueue;
        this.storeThreads = b.storeThreads;
        this.storeQueue = b.storeQueue;
        this.revocationStaleness = b.revocationStaleness;
        this.revocationOverlap = b.revocationOverlap;
        this.revocationReconciliation = b.revocationReconciliation;
        this.pepper = b.pepper == null ? null : b.pepper.clone();
        this.requireVerifiedEmail = b.requireVerifiedEmail;
        this.emailVerificationTtl = b.emailVerificationTtl;
        this.passwordResetTtl = b.passwordResetTtl;
        this.mailAccountBurst = b.mailAccountBurst;
        this.mailAccountInterval = b.mailAccountInterval;
        this.sessionIdleTimeout = b.sessionIdleTimeout;
        this.recentAuthentication = b.recentAuthentication;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration refreshTokenTtl() {
        return refreshTokenTtl;
    }

    public Duration refreshFamilyLifetime() {
        return refreshFamilyLifetime;
    }

    public Duration refreshReuseGrace() {
        return refreshReuseGrace;
    }

    public int bcryptCost() {
        return bcryptCost;
    }

    public int passwordMinLength() {
        return passwordMinLength;
    }

    public int passwordMaxLength() {
        return passwordMaxLength;
    }

    /** Failed logins one client network may make on one account at once, before it is slowed down. */
    public int throttleAccountClientBurst() {
        return throttleAccountClientBurst;
    }

    /** After the burst, one more failed login per account and client network per this interval. */
    public Duration throttleAccountClientInterval() {
        return throttleAccountClientInterval;
    }

    /** Failed logins all clients together may make on one account at once (the owner's devices aside). */
    public int throttleAccountBurst() {
        return throttleAccountBurst;
    }

    /** After the account burst, one more failed login on the account per this interval. */
    public Duration throttleAccountInterval() {
        return throttleAccountInterval;
    }

    /**
     * How long a successful login makes its client network a known client of the account, exempt
     * from the account-wide limit; {@link Duration#ZERO} for never.
     */
    public Duration throttleKnownClientWindow() {
        return throttleKnownClientWindow;
    }

    public int clientAttemptsPerMinute() {
        return clientAttemptsPerMinute;
    }

    public int hashingThreads() {
        return hashingThreads;
    }

    public int hashingQueue() {
        return hashingQueue;
    }

    public int storeThreads() {
        return storeThreads;
    }

    public int storeQueue() {
        return storeQueue;
    }

    public Duration revocationStaleness() {
        return revocationStaleness;
    }

    /** How long a node awaits a revocation change number it skipped (see {@link Builder#revocationOverlap}). */
    public Duration revocationOverlap() {
        return revocationOverlap;
    }

    /** How often a node reads every revocation in force again (see {@link Builder#revocationReconciliation}). */
    public Duration revocationReconciliation() {
        return revocationReconciliation;
    }

    /**
     * Whether an account must prove its email before it can log in; default {@code false}. When on,
     * registration answers the same whether or not the address is taken, and a login before the
     * proof is refused as a wrong password would be. Needs mail ({@code AuthService.Builder#mail}).
     */
    public boolean requireVerifiedEmail() {
        return requireVerifiedEmail;
    }

    /** How long an email verification link stays valid; default 24 hours. */
    public Duration emailVerificationTtl() {
        return emailVerificationTtl;
    }

    /** How long a password-reset link stays valid; default 30 minutes. */
    public Duration passwordResetTtl() {
        return passwordResetTtl;
    }

    /** Verification or reset mails one account may be sent at once on request, before it is slowed down; default 3. */
    public int mailAccountBurst() {
        return mailAccountBurst;
    }

    /** After the burst, one more requested mail per account per this interval; default 10 minutes. */
    public Duration mailAccountInterval() {
        return mailAccountInterval;
    }

    /**
     * How long a session may go unused before it ends: a refresh after a longer pause is refused
     * and the session is no longer listed. Separate from the absolute lifetime
     * ({@link #refreshFamilyLifetime()}). "Used" means a refresh; requests with an access token do
     * not count (they touch no database). Default: the refresh token's lifetime (14 days), which
     * ends an unused session no earlier than before this setting existed.
     */
    public Duration sessionIdleTimeout() {
        return sessionIdleTimeout;
    }

    /**
     * How recent a login must be for sensitive operations: changing the password, deleting the
     * account, enrolling or removing a second factor, regenerating recovery codes; default 10
     * minutes. An older login is answered with a step-up challenge ({@code max_age}).
     */
    public Duration recentAuthentication() {
        return recentAuthentication;
    }

    /** The key of the password pre-hash, or {@code null} for the built-in constant. */
    byte[] pepper() {
        return pepper == null ? null : pepper.clone();
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private Duration refreshTokenTtl = DEFAULT_REFRESH_TOKEN_TTL;
        private Duration refreshFamilyLifetime = DEFAULT_REFRESH_FAMILY_LIFETIME;
        private Duration refreshReuseGrace = DEFAULT_REFRESH_REUSE_GRACE;
        private int bcryptCost = DEFAULT_BCRYPT_COST;
        private int passwordMinLength = DEFAULT_PASSWORD_MIN_LENGTH;
        private int passwordMaxLength = DEFAULT_PASSWORD_MAX_LENGTH;
        private int throttleAccountClientBurst = DEFAULT_THROTTLE_ACCOUNT_CLIENT_BURST;
        private Duration throttleAccountClientInterval = DEFAULT_THROTTLE_ACCOUNT_CLIENT_INTERVAL;
        private int throttleAccountBurst = DEFAULT_THROTTLE_ACCOUNT_BURST;
        private Duration throttleAccountInterval = DEFAULT_THROTTLE_ACCOUNT_INTERVAL;
        private Duration throttleKnownClientWindow = DEFAULT_THROTTLE_KNOWN_CLIENT_WINDOW;
        private int clientAttemptsPerMinute = DEFAULT_CLIENT_ATTEMPTS_PER_MINUTE;
        private int hashingThreads = Runtime.getRuntime().availableProcessors();
        private int hashingQueue = DEFAULT_HASHING_QUEUE;
        private int storeThreads = DEFAULT_STORE_THREADS;
        private int storeQueue = DEFAULT_STORE_QUEUE;
        private Duration revocationStaleness = DEFAULT_REVOCATION_STALENESS;
        private Duration revocationOverlap = DEFAULT_REVOCATION_OVERLAP;
        private Duration revocationReconciliation = DEFAULT_REVOCATION_RECONCILIATION;
        private byte[] pepper;
        private boolean requireVerifiedEmail;
        private Duration emailVerificationTtl = DEFAULT_EMAIL_VERIFICATION_TTL;
        private Duration passwordResetTtl = DEFAULT_PASSWORD_RESET_TTL;
        private int mailAccountBurst = DEFAULT_MAIL_ACCOUNT_BURST;
        private Duration mailAccountInterval = DEFAULT_MAIL_ACCOUNT_INTERVAL;
        private Duration sessionIdleTimeout = DEFAULT_SESSION_IDLE_TIMEOUT;
        private Duration recentAuthentication = DEFAULT_RECENT_AUTHENTICATION;

        private Builder() {
        }

        /** See {@link AuthSettings#sessionIdleTimeout()}; between 1 minute and 365 days. */
        public Builder sessionIdleTimeout(Duration timeout) {
            this.sessionIdleTimeout = timeout;
            return this;
        }

        /** See {@link AuthSettings#recentAuthentication()}; between 1 minute and 24 hours. */
        public Builder recentAuthentication(Duration maxAge) {
            this.recentAuthentication = maxAge;
            return this;
        }

        /** See {@link AuthSettings#requireVerifiedEmail()}; default {@code false}. */
        public Builder requireVerifiedEmail(boolean require) {
            this.requireVerifiedEmail = require;
            return this;
        }

        /** See {@link AuthSettings#emailVerificationTtl()}; between 5 minutes and 30 days. */
        public Builder emailVerificationTtl(Duration ttl) {
            this.emailVerificationTtl = ttl;
            return this;
        }

        /** See {@link AuthSettings#passwordResetTtl()}; between 1 minute and 24 hours. */
        public Builder passwordResetTtl(Duration ttl) {
            this.passwordResetTtl = ttl;
            return this;
        }

        /** See {@link AuthSettings#mailAccountBurst()}; between 1 and 20. */
        public Builder mailAccountBurst(int mails) {
            this.mailAccountBurst = mails;
            return this;
        }

        /** See {@link AuthSettings#mailAccountInterval()}; between 1 second and 1 day. */
        public Builder mailAccountInterval(Duration interval) {
            this.mailAccountInterval = interval;
            return this;
        }

        /** Lifetime of one refresh token; default 14 days. */
        public Builder refreshTokenTtl(Duration ttl) {
            this.refreshTokenTtl = ttl;
            return this;
        }

        /** Absolute lifetime of a login's refresh-token family, whatever the rotations; default 30 days. */
        public Builder refreshFamilyLifetime(Duration lifetime) {
            this.refreshFamilyLifetime = lifetime;
            return this;
        }

        /** How long a spent refresh token still gets a pair of its own (parallel tabs); default 10 s. */
        public Builder refreshReuseGrace(Duration grace) {
            this.refreshReuseGrace = grace;
            return this;
        }

        /** bcrypt cost (log2 rounds), 10 to 16; default 12. Tests may use 4 to 9 through {@link #bcryptCostForTests}. */
        public Builder bcryptCost(int cost) {
            this.bcryptCost = cost;
            return this;
        }

        /** A cost below 10, for tests only: never in production. */
        public Builder bcryptCostForTests(int cost) {
            this.bcryptCost = -cost;
            return this;
        }

        /** Minimum password length in code points; default 12, at least 8. */
        public Builder passwordMinLength(int length) {
            this.passwordMinLength = length;
            return this;
        }

        /** Maximum password length in code points; default 128, at least 64 and at most 1024. */
        public Builder passwordMaxLength(int length) {
            this.passwordMaxLength = length;
            return this;
        }

        /**
         * Failed logins one client network (an IPv4 address or an IPv6 {@code /64}) may make on
         * one account in a burst, before it is slowed to one per
         * {@link #throttleAccountClientInterval}; 1 to 100, default 5.
         */
        public Builder throttleAccountClientBurst(int failures) {
            this.throttleAccountClientBurst = failures;
            return this;
        }

        /**
         * How often one client network regains one failed login on one account; PT1S to P1D,
         * default 5 minutes.
         */
        public Builder throttleAccountClientInterval(Duration interval) {
            this.throttleAccountClientInterval = interval;
            return this;
        }

        /**
         * Failed logins all clients together (except the account's known clients) may make on one
         * account in a burst, before they are slowed to one per {@link #throttleAccountInterval};
         * 1 to 100, default 50.
         */
        public Builder throttleAccountBurst(int failures) {
            this.throttleAccountBurst = failures;
            return this;
        }

        /**
         * How often an account regains one failed login for all clients together; PT1S to P1D,
         * default 72 seconds (50 an hour). With the burst it may allow at most
         * {@value AuthSettings#MAX_ACCOUNT_FAILURES_PER_HOUR} failures in any hour.
         */
        public Builder throttleAccountInterval(Duration interval) {
            this.throttleAccountInterval = interval;
            return this;
        }

        /**
         * How long after a successful login its client network counts as the owner's device for
         * that account (only the per-client limit applies to it, not the account-wide one);
         * PT0S (never) to P365D, default 30 days.
         */
        public Builder throttleKnownClientWindow(Duration window) {
            this.throttleKnownClientWindow = window;
            return this;
        }

        /** Login and registration attempts per client address per minute; default 30. */
        public Builder clientAttemptsPerMinute(int attempts) {
            this.clientAttemptsPerMinute = attempts;
            return this;
        }

        /** Threads that hash passwords; default the number of cores. */
        public Builder hashingThreads(int threads) {
            this.hashingThreads = threads;
            return this;
        }

        /** Logins and registrations that may wait for a hashing thread; beyond that, 503. Default 64. */
        public Builder hashingQueue(int size) {
            this.hashingQueue = size;
            return this;
        }

        /**
         * Threads that run refresh, logout and logout-all (database work without hashing), so that
         * a slow or hung database never holds the container's request threads; default 8.
         */
        public Builder storeThreads(int threads) {
            this.storeThreads = threads;
            return this;
        }

        /** Refreshes and logouts that may wait for a store thread; beyond that, 503. Default 64. */
        public Builder storeQueue(int size) {
            this.storeQueue = size;
            return this;
        }

        /** How stale a node's view of revocations may be; default 5 s. */
        public Builder revocationStaleness(Duration staleness) {
            this.revocationStaleness = staleness;
            return this;
        }

        /**
         * How long a node awaits a change number that its refresh skipped: a revocation written by a
         * transaction that took its number before another one and committed after it. Until then
         * every refresh reads again from below that number; a revocation that commits later than
         * this is learnt at the next reconciliation. Between 1 s and 1 h; default 1 min.
         */
        public Builder revocationOverlap(Duration overlap) {
            this.revocationOverlap = overlap;
            return this;
        }

        /**
         * How often a node reads every revocation in force again and replaces its view with it (in
         * between, a refresh reads only what changed). It bounds how long a revocation can be missed
         * that no refresh could see: one committed later than the overlap, or one written by a node
         * of a release before change numbers (during a rolling upgrade). Between 1 min and 24 h, and
         * not below the staleness; default 10 min.
         */
        public Builder revocationReconciliation(Duration reconciliation) {
            this.revocationReconciliation = reconciliation;
            return this;
        }

        /**
         * A secret key (at least 32 bytes) for the HMAC that pre-hashes passwords before bcrypt.
         * Optional; without it a built-in constant is used. Changing it invalidates every stored hash.
         */
        public Builder pepper(byte[] key) {
            this.pepper = key == null ? null : key.clone();
            return this;
        }

        public AuthSettings build() {
            positive("refreshTokenTtl", refreshTokenTtl);
            positive("refreshFamilyLifetime", refreshFamilyLifetime);
            if (refreshFamilyLifetime.compareTo(refreshTokenTtl) < 0) {
                throw new ConfigurationException("refreshFamilyLifetime", "must not be shorter than refreshTokenTtl");
            }
            if (refreshReuseGrace == null || refreshReuseGrace.isNegative() || refreshReuseGrace.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new ConfigurationException("refreshReuseGrace", "must be between PT0S and PT5M");
            }
            if (bcryptCost < 0) {
                if (-bcryptCost < 4 || -bcryptCost > 9) {
                    throw new ConfigurationException("bcryptCost", "a test cost must be between 4 and 9");
                }
            } else if (bcryptCost < 10 || bcryptCost > 16) {
                throw new ConfigurationException("bcryptCost", "must be between 10 and 16");
            }
            if (passwordMinLength < 8 || passwordMinLength > 64) {
                throw new ConfigurationException("passwordMinLength", "must be between 8 and 64");
            }
            if (passwordMaxLength < 64 || passwordMaxLength > 1024 || passwordMaxLength < passwordMinLength) {
                throw new ConfigurationException("passwordMaxLength", "must be between 64 and 1024 and not below the minimum");
            }
            if (throttleAccountClientBurst < 1 || throttleAccountClientBurst > 100) {
                throw new ConfigurationException("throttleAccountClientBurst", "must be between 1 and 100");
            }
            interval("throttleAccountClientInterval", throttleAccountClientInterval);
            if (throttleAccountBurst < 1 || throttleAccountBurst > 100) {
                throw new ConfigurationException("throttleAccountBurst", "must be between 1 and 100");
            }
            interval("throttleAccountInterval", throttleAccountInterval);
            // Full at the start of an hour, plus what it regains during the hour.
            long perHour = throttleAccountBurst + Duration.ofHours(1).toNanos() / throttleAccountInterval.toNanos();
            if (perHour > MAX_ACCOUNT_FAILURES_PER_HOUR) {
                throw new ConfigurationException("throttleAccountInterval", "with throttleAccountBurst " + throttleAccountBurst
                        + " allows " + perHour + " failed logins an hour on one account; at most "
                        + MAX_ACCOUNT_FAILURES_PER_HOUR + " are allowed (NIST SP 800-63B)");
            }
            if (throttleKnownClientWindow == null || throttleKnownClientWindow.isNegative()
                    || throttleKnownClientWindow.compareTo(Duration.ofDays(365)) > 0) {
                throw new ConfigurationException("throttleKnownClientWindow", "must be between PT0S and P365D");
            }
            if (clientAttemptsPerMinute < 1) {
                throw new ConfigurationException("clientAttemptsPerMinute", "must be at least 1");
            }
            if (hashingThreads < 1 || hashingThreads > 256) {
                throw new ConfigurationException("hashingThreads", "must be between 1 and 256");
            }
            if (hashingQueue < 0 || hashingQueue > 100_000) {
                throw new ConfigurationException("hashingQueue", "must be between 0 and 100000");
            }
            if (storeThreads < 1 || storeThreads > 256) {
                throw new ConfigurationException("storeThreads", "must be between 1 and 256");
            }
            if (storeQueue < 0 || storeQueue > 100_000) {
                throw new ConfigurationException("storeQueue", "must be between 0 and 100000");
            }
            positive("revocationStaleness", revocationStaleness);
            between("revocationOverlap", revocationOverlap, Duration.ofSeconds(1), Duration.ofHours(1));
            between("revocationReconciliation", revocationReconciliation, Duration.ofMinutes(1), Duration.ofHours(24));
            if (revocationReconciliation.compareTo(revocationStaleness) < 0) {
                throw new ConfigurationException("revocationReconciliation", "must not be shorter than revocationStaleness");
            }
            between("emailVerificationTtl", emailVerificationTtl, Duration.ofMinutes(5), Duration.ofDays(30));
            between("passwordResetTtl", passwordResetTtl, Duration.ofMinutes(1), Duration.ofHours(24));
            if (mailAccountBurst < 1 || mailAccountBurst > 20) {
                throw new ConfigurationException("mailAccountBurst", "must be between 1 and 20");
            }
            interval("mailAccountInterval", mailAccountInterval);
            between("sessionIdleTimeout", sessionIdleTimeout, Duration.ofMinutes(1), Duration.ofDays(365));
            between("recentAuthentication", recentAuthentication, Duration.ofMinutes(1), Duration.ofHours(24));
            if (pepper != null && pepper.length < 32) {
                throw new ConfigurationException("pepper", "must be at least 32 bytes");
            }
            return new AuthSettings(this);
        }

        private static void interval(String name, Duration value) {
            if (value == null || value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
                throw new ConfigurationException(name, "must be between PT1S and P1D");
            }
        }

        private static void between(String name, Duration value, Duration min, Duration max) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new ConfigurationException(name, "must be between " + min + " and " + max);
            }
        }

        private static void positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new ConfigurationException(name, "must be a positive duration");
            }
        }
    }
}
