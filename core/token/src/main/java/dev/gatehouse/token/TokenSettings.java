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

package dev.gatehouse.token;


import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The settings that issuing and verifying access tokens share (what a request looks like on the
 * wire, cookies and transports, is {@code dev.gatehouse.web.WebSettings}). Immutable and
 * thread-safe; made by {@link #builder(String, String)}, which validates everything in {@link Builder#build()} and
 * names the offending setting in a {@link ConfigurationException}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>issuer</td><td>required</td></tr>
 *   <tr><td>audience</td><td>required</td></tr>
 *   <tr><td>accessTokenTtl</td><td>{@value #DEFAULT_ACCESS_TOKEN_TTL_TEXT}</td></tr>
 *   <tr><td>clockLeeway</td><td>{@value #DEFAULT_CLOCK_LEEWAY_TEXT}</td></tr>
 *   <tr><td>acceptedAlgorithms</td><td>RS256, ES256</td></tr>
 *   <tr><td>tokenType</td><td>{@code at+jwt}</td></tr>
 *   <tr><td>acceptedTokenTypes</td><td>the {@code tokenType}</td></tr>
 *   <tr><td>maxTokenSize</td><td>{@value #DEFAULT_MAX_TOKEN_SIZE} characters</td></tr>
 *   <tr><td>verifiedTokenCache</td><td>{@value #DEFAULT_VERIFIED_TOKEN_CACHE}</td></tr>
 *   <tr><td>verifiedTokenCacheSize</td><td>{@value #DEFAULT_VERIFIED_TOKEN_CACHE_SIZE} entries</td></tr>
 *   <tr><td>clock</td><td>the system UTC clock</td></tr>
 * </table>
 */
public final class TokenSettings {
    public static final String DEFAULT_ACCESS_TOKEN_TTL_TEXT = "PT5M";
    public static final Duration DEFAULT_ACCESS_TOKEN_TTL = Duration.parse(DEFAULT_ACCESS_TOKEN_TTL_TEXT);
    public static final String DEFAULT_CLOCK_LEEWAY_TEXT = "PT30S";
    public static final Duration DEFAULT_CLOCK_LEEWAY = Duration.parse(DEFAULT_CLOCK_LEEWAY_TEXT);
    public static final int DEFAULT_MAX_TOKEN_SIZE = 8192;
    public static final boolean DEFAULT_VERIFIED_TOKEN_CACHE = true;
    public static final int DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = 10_000;
    /** Largest {@code verifiedTokenCacheSize} accepted. */
    public static final int MAX_VERIFIED_TOKEN_CACHE_SIZE = 1_000_000;

    /** Upper bounds that keep a typo from disabling expiry in practice. */
    static final Duration MAX_ACCESS_TOKEN_TTL = Duration.ofHours(24);
    static final Duration MAX_CLOCK_LEEWAY = Duration.ofMinutes(5);


    private final String issuer;
    private final String audience;
    private final Duration accessTokenTtl;
    private final Duration clockLeeway;
    private final Set<SigningAlgorithm> acceptedAlgorithms;
    private final AccessTokenType tokenType;
    private final Set<AccessTokenType> acceptedTokenTypes;
    private final int maxTokenSize;
    private final boolean verifiedTokenCache;
    private final int verifiedTokenCacheSize;
    private final Clock clock;

    private TokenSettings(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.accessTokenTtl = b.accessTokenTtl;
        this.clockLeeway = b.clockLeeway;
        this.acceptedAlgorithms = Collections.unmodifiableSet(EnumSet.copyOf(b.acceptedAlgorithms));
        this.tokenType = b.tokenType;
        this.acceptedTokenTypes = Collections.unmodifiableSet(b.acceptedTokenTypes == null
                ? EnumSet.of(b.tokenType) : EnumSet.copyOf(b.acceptedTokenTypes));
        this.maxTokenSize = b.maxTokenSize;
        this.verifiedTokenCache = b.verifiedTokenCache;
        this.verifiedTokenCacheSize = b.verifiedTokenCacheSize;
        this.clock = b.clock;
    }

    /**
     * Starts a builder with the two settings that have no default.
     *
     * @param issuer   the {@code iss} of issued tokens and the only {@code iss} accepted (usually the
     *                 service's base URL)
     * @param audience the {@code aud} of issued tokens and the audience a verifier requires
     */
    public static Builder builder(String issuer, String audience) {
        return new Builder(issuer, audience);
    }

    /** A builder initialised from these settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(issuer, audience);
        b.accessTokenTtl = accessTokenTtl;
        b.clockLeeway = clockLeeway;
        b.acceptedAlgorithms = EnumSet.copyOf(acceptedAlgorithms);
        b.tokenType = tokenType;
        // only when set apart from the tokenType: a variant with another tokenType then accepts that one
        b.acceptedTokenTypes = acceptedTokenTypes.equals(EnumSet.of(tokenType)) ? null : EnumSet.copyOf(acceptedTokenTypes);
        b.maxTokenSize = maxTokenSize;
        b.verifiedTokenCache = verifiedTokenCache;
        b.verifiedTokenCacheSize = verifiedTokenCacheSize;
        b.clock = clock;
        return b;
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    public Duration accessTokenTtl() {
        return accessTokenTtl;
    }

    public Duration clockLeeway() {
        return clockLeeway;
    }

    public Set<SigningAlgorithm> acceptedAlgorithms() {
        return acceptedAlgorithms;
    }

    /** The {@code typ} header of issued tokens (see {@link Builder#tokenType(AccessTokenType)}). */
    public AccessTokenType tokenType() {
        return tokenType;
    }

    /**
     * The {@code typ} headers a verifier accepts: the {@link #tokenType()}, and any other that
     * {@link Builder#acceptedTokenTypes(Set)} added.
     */
    public Set<AccessTokenType> acceptedTokenTypes() {
        return acceptedTokenTypes;
    }

    public int maxTokenSize() {
        return maxTokenSize;
    }

    /** Whether a verifier remembers tokens it has verified (see {@link Builder#verifiedTokenCache(boolean)}). */
    public boolean verifiedTokenCache() {
        return verifiedTokenCache;
    }

    /** How many verified tokens a verifier remembers at most (typical-size tokens; large ones count more). */
    public int verifiedTokenCacheSize() {
        return verifiedTokenCacheSize;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "TokenSettings{issuer=" + issuer + ", audience=" + audience + ", accessTokenTtl=" + accessTokenTtl
                + ", clockLeeway=" + clockLeeway + ", acceptedAlgorithms=" + acceptedAlgorithms + ", tokenType=" + tokenType
                + (acceptedTokenTypes.size() > 1 ? ", acceptedTokenTypes=" + acceptedTokenTypes : "") + ", maxTokenSize="
                + maxTokenSize + ", verifiedTokenCache="
                + (verifiedTokenCache ? verifiedTokenCacheSize : "off") + "}";
    }

    /** Collects settings; not thread-safe. {@link #build()} validates and returns an immutable object. */
    public static final class Builder {
        private final String issuer;
        private final String audience;
        private Duration accessTokenTtl = DEFAULT_ACCESS_TOKEN_TTL;
        private Duration clockLeeway = DEFAULT_CLOCK_LEEWAY;
        private Set<SigningAlgorithm> acceptedAlgorithms = EnumSet.of(SigningAlgorithm.RS256, SigningAlgorithm.ES256);
        private AccessTokenType tokenType = AccessTokenType.AT_JWT;
        /** {@code null}: the tokenType alone. */
        private Set<AccessTokenType> acceptedTokenTypes;
        private int maxTokenSize = DEFAULT_MAX_TOKEN_SIZE;
        private boolean verifiedTokenCache = DEFAULT_VERIFIED_TOKEN_CACHE;
        private int verifiedTokenCacheSize = DEFAULT_VERIFIED_TOKEN_CACHE_SIZE;
        private Clock clock = Clock.systemUTC();

        private Builder(String issuer, String audience) {
            this.issuer = issuer;
            this.audience = audience;
        }

        /** Lifetime of issued access tokens; default 5 minutes, at most 24 hours. */
        public Builder accessTokenTtl(Duration ttl) {
            this.accessTokenTtl = ttl;
            return this;
        }

        /** Tolerance for clock skew on {@code exp}, {@code nbf} and {@code iat}; default 30 s, at most 5 min. */
        public Builder clockLeeway(Duration leeway) {
            this.clockLeeway = leeway;
            return this;
        }

        /**
         * The algorithms a verifier accepts at all; default RS256 and ES256. HS256 must be listed
         * explicitly. Independently of this, each key verifies only its own algorithm.
         */
        public Builder acceptedAlgorithms(Set<SigningAlgorithm> algorithms) {
            this.acceptedAlgorithms = algorithms == null || algorithms.isEmpty() ? null : EnumSet.copyOf(algorithms);
            return this;
        }

        /**
         * The {@code typ} header of issued tokens, and the one a verifier accepts; default
         * {@link AccessTokenType#AT_JWT at+jwt} (RFC 9068). {@link AccessTokenType#JWT JWT} is for
         * resource servers whose defaults insist on it, such as Spring Security's
         * {@code JwtDecoders.fromIssuerLocation}: it gives up the protection {@code at+jwt}
         * gives against a verifier taking another kind of JWT for an access token (see
         * docs/security.md, "The typ header"). Issuer and verifiers must agree; to switch
         * without refusing tokens, see {@link #acceptedTokenTypes(Set)}.
         */
        public Builder tokenType(AccessTokenType type) {
            this.tokenType = type;
            return this;
        }

        /**
         * The {@code typ} headers a verifier accepts; default the {@link #tokenType(AccessTokenType)}
         * alone. It must include the {@code tokenType}. Both types are meant for a switch only:
         * verifiers accept both first, then the issuer changes its {@code tokenType}, and once the
         * tokens issued before have expired ({@code accessTokenTtl}) verifiers accept the new one
         * alone again. {@code null} or an empty set restores the default.
         */
        public Builder acceptedTokenTypes(Set<AccessTokenType> types) {
            this.acceptedTokenTypes = types == null || types.isEmpty() ? null : EnumSet.copyOf(types);
            return this;
        }

        /** Tokens longer than this many characters are refused before any parsing; default 8192. */
        public Builder maxTokenSize(int chars) {
            this.maxTokenSize = chars;
            return this;
        }

        /**
         * Whether a verifier remembers the tokens it has verified, so that the next request with
         * the same token costs a lookup instead of a signature check; default on. An entry is
         * found only by the exact token string, is served only until shortly before the token's
         * {@code exp}, and on every hit the token's key must still be a verification key and the
         * {@link RevocationCheck} is asked again. A token that failed verification is never
         * remembered. See docs/security.md, "Verified-token cache".
         */
        public Builder verifiedTokenCache(boolean enabled) {
            this.verifiedTokenCache = enabled;
            return this;
        }

        /**
         * The most verified tokens a verifier remembers; default 10,000, from 1 to 1,000,000. An
         * entry for a typical access token (up to about 1,400 characters) counts once and takes
         * about 1.5 KiB; a larger token counts once more per further 2 KiB, so memory stays below
         * about {@code size × 2 KiB} (20 MiB at the default); the bound holds under any
         * concurrency. When it is full, a new entry makes room by dropping expired entries first;
         * only when a sample of entries holds none that has expired does a live one go: one not
         * used since the cache last looked at it, the one that expires first (a sampled CLOCK, see
         * docs/security.md, "Verified-token cache"). An entry evicted costs its token one full
         * check the next time, nothing more.
         */
        public Builder verifiedTokenCacheSize(int entries) {
            this.verifiedTokenCacheSize = entries;
            return this;
        }

        /** The clock for {@code iat}/{@code exp}; tests pass a fixed one. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Validates every setting and returns the immutable settings. */
        public TokenSettings build() {
            requireText("issuer", issuer);
            if (issuer.length() > 512) {
                throw new ConfigurationException("issuer", "longer than 512 characters");
            }
            if (issuer.contains(":")) {
                // RFC 7519 §4.1.1: a StringOrURI. A value with a colon must be a URI.
                try {
                    new URI(issuer);
                } catch (URISyntaxException e) {
                    throw new ConfigurationException("issuer", "contains ':' but is not a valid URI");
                }
            }
            requireText("audience", audience);
            requirePositive("accessTokenTtl", accessTokenTtl, MAX_ACCESS_TOKEN_TTL);
            if (accessTokenTtl.toSeconds() < 10) {
                throw new ConfigurationException("accessTokenTtl", "must be at least 10 seconds");
            }
            if (clockLeeway == null || clockLeeway.isNegative() || clockLeeway.compareTo(MAX_CLOCK_LEEWAY) > 0) {
                throw new ConfigurationException("clockLeeway", "must be between PT0S and " + MAX_CLOCK_LEEWAY);
            }
            if (acceptedAlgorithms == null || acceptedAlgorithms.isEmpty()) {
                throw new ConfigurationException("acceptedAlgorithms", "must name at least one algorithm");
            }
            if (tokenType == null) {
                throw new ConfigurationException("tokenType", "must be at+jwt or JWT");
            }
            if (acceptedTokenTypes != null && !acceptedTokenTypes.contains(tokenType)) {
                throw new ConfigurationException("acceptedTokenTypes", "must include the tokenType " + tokenType
                        + " (accepted: " + acceptedTokenTypes + "); tokens issued would never verify");
            }
            if (maxTokenSize < 512 || maxTokenSize > 65536) {
                throw new ConfigurationException("maxTokenSize", "must be between 512 and 65536 characters");
            }
            if (verifiedTokenCacheSize < 1 || verifiedTokenCacheSize > MAX_VERIFIED_TOKEN_CACHE_SIZE) {
                throw new ConfigurationException("verifiedTokenCacheSize", "must be between 1 and " + MAX_VERIFIED_TOKEN_CACHE_SIZE);
            }
            if (clock == null) {
                throw new ConfigurationException("clock", "must not be null");
            }
            return new TokenSettings(this);
        }

        private static void requireText(String setting, String value) {
            if (value == null || value.isBlank()) {
                throw new ConfigurationException(setting, "is required");
            }
            if (!value.equals(value.strip())) {
                throw new ConfigurationException(setting, "has leading or trailing white space");
            }
        }


        private static void requirePositive(String setting, Duration value, Duration max) {
            Objects.requireNonNull(max);
            if (value == null || value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
                throw new ConfigurationException(setting, "must be positive and at most " + max);
            }
        }
    }
}
