package dev.gatehouse.token;


import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings that issuing and verifying access tokens share. Immutable and thread-safe; made by
 * {@link #builder(String, String)}, which validates everything in {@link Builder#build()} and
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
 *   <tr><td>maxTokenSize</td><td>{@value #DEFAULT_MAX_TOKEN_SIZE} characters</td></tr>
 *   <tr><td>realm</td><td>{@value #DEFAULT_REALM}</td></tr>
 *   <tr><td>transports</td><td>bearer, cookie</td></tr>
 *   <tr><td>accessCookieName</td><td>{@value #DEFAULT_ACCESS_COOKIE}</td></tr>
 *   <tr><td>refreshCookieName</td><td>{@value #DEFAULT_REFRESH_COOKIE}</td></tr>
 *   <tr><td>csrfCookieName</td><td>{@value #DEFAULT_CSRF_COOKIE}</td></tr>
 *   <tr><td>csrfHeaderName</td><td>{@value #DEFAULT_CSRF_HEADER}</td></tr>
 *   <tr><td>verifiedTokenCache</td><td>{@value #DEFAULT_VERIFIED_TOKEN_CACHE}</td></tr>
 *   <tr><td>verifiedTokenCacheSize</td><td>{@value #DEFAULT_VERIFIED_TOKEN_CACHE_SIZE} entries</td></tr>
 *   <tr><td>clock</td><td>the system UTC clock</td></tr>
 * </table>
 */
public final class GatehouseSettings {
    public static final String DEFAULT_ACCESS_TOKEN_TTL_TEXT = "PT5M";
    public static final Duration DEFAULT_ACCESS_TOKEN_TTL = Duration.parse(DEFAULT_ACCESS_TOKEN_TTL_TEXT);
    public static final String DEFAULT_CLOCK_LEEWAY_TEXT = "PT30S";
    public static final Duration DEFAULT_CLOCK_LEEWAY = Duration.parse(DEFAULT_CLOCK_LEEWAY_TEXT);
    public static final int DEFAULT_MAX_TOKEN_SIZE = 8192;
    public static final String DEFAULT_REALM = "gatehouse";
    public static final String DEFAULT_ACCESS_COOKIE = "__Host-access_token";
    public static final String DEFAULT_REFRESH_COOKIE = "__Secure-refresh_token";
    public static final String DEFAULT_CSRF_COOKIE = "__Host-csrf_token";
    public static final String DEFAULT_CSRF_HEADER = "X-CSRF-Token";
    public static final boolean DEFAULT_VERIFIED_TOKEN_CACHE = true;
    public static final int DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = 10_000;
    /** Largest {@code verifiedTokenCacheSize} accepted. */
    public static final int MAX_VERIFIED_TOKEN_CACHE_SIZE = 1_000_000;

    /** Upper bounds that keep a typo from disabling expiry in practice. */
    static final Duration MAX_ACCESS_TOKEN_TTL = Duration.ofHours(24);
    static final Duration MAX_CLOCK_LEEWAY = Duration.ofMinutes(5);

    // RFC 6265 token characters: what a cookie name may contain.
    private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    // RFC 7230 token: what a header name may contain.
    private static final Pattern HEADER_NAME = COOKIE_NAME;
    // Printable ASCII without the quote and backslash: safe inside an RFC 6750 quoted-string.
    private static final Pattern REALM = Pattern.compile("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");

    private final String issuer;
    private final String audience;
    private final Duration accessTokenTtl;
    private final Duration clockLeeway;
    private final Set<SigningAlgorithm> acceptedAlgorithms;
    private final int maxTokenSize;
    private final String realm;
    private final Set<Transport> transports;
    private final String accessCookieName;
    private final String refreshCookieName;
    private final String csrfCookieName;
    private final String csrfHeaderName;
    private final boolean verifiedTokenCache;
    private final int verifiedTokenCacheSize;
    private final Clock clock;

    private GatehouseSettings(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.accessTokenTtl = b.accessTokenTtl;
        this.clockLeeway = b.clockLeeway;
        this.acceptedAlgorithms = Collections.unmodifiableSet(EnumSet.copyOf(b.acceptedAlgorithms));
        this.maxTokenSize = b.maxTokenSize;
        this.realm = b.realm;
        this.transports = Collections.unmodifiableSet(EnumSet.copyOf(b.transports));
        this.accessCookieName = b.accessCookieName;
        this.refreshCookieName = b.refreshCookieName;
        this.csrfCookieName = b.csrfCookieName;
        this.csrfHeaderName = b.csrfHeaderName;
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
        b.maxTokenSize = maxTokenSize;
        b.realm = realm;
        b.transports = EnumSet.copyOf(transports);
        b.accessCookieName = accessCookieName;
        b.refreshCookieName = refreshCookieName;
        b.csrfCookieName = csrfCookieName;
        b.csrfHeaderName = csrfHeaderName;
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

    public int maxTokenSize() {
        return maxTokenSize;
    }

    public String realm() {
        return realm;
    }

    public Set<Transport> transports() {
        return transports;
    }

    public boolean allows(Transport transport) {
        return transports.contains(transport);
    }

    public String accessCookieName() {
        return accessCookieName;
    }

    public String refreshCookieName() {
        return refreshCookieName;
    }

    public String csrfCookieName() {
        return csrfCookieName;
    }

    public String csrfHeaderName() {
        return csrfHeaderName;
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
        return "GatehouseSettings{issuer=" + issuer + ", audience=" + audience + ", accessTokenTtl=" + accessTokenTtl
                + ", clockLeeway=" + clockLeeway + ", acceptedAlgorithms=" + acceptedAlgorithms + ", maxTokenSize="
                + maxTokenSize + ", realm=" + realm + ", transports=" + transports + ", verifiedTokenCache="
                + (verifiedTokenCache ? verifiedTokenCacheSize : "off") + "}";
    }

    /** Collects settings; not thread-safe. {@link #build()} validates and returns an immutable object. */
    public static final class Builder {
        private final String issuer;
        private final String audience;
        private Duration accessTokenTtl = DEFAULT_ACCESS_TOKEN_TTL;
        private Duration clockLeeway = DEFAULT_CLOCK_LEEWAY;
        private Set<SigningAlgorithm> acceptedAlgorithms = EnumSet.of(SigningAlgorithm.RS256, SigningAlgorithm.ES256);
        private int maxTokenSize = DEFAULT_MAX_TOKEN_SIZE;
        private String realm = DEFAULT_REALM;
        private Set<Transport> transports = EnumSet.allOf(Transport.class);
        private String accessCookieName = DEFAULT_ACCESS_COOKIE;
        private String refreshCookieName = DEFAULT_REFRESH_COOKIE;
        private String csrfCookieName = DEFAULT_CSRF_COOKIE;
        private String csrfHeaderName = DEFAULT_CSRF_HEADER;
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

        /** Tokens longer than this many characters are refused before any parsing; default 8192. */
        public Builder maxTokenSize(int chars) {
            this.maxTokenSize = chars;
            return this;
        }

        /** The {@code realm} of {@code WWW-Authenticate} challenges; default {@code gatehouse}. */
        public Builder realm(String realm) {
            this.realm = realm;
            return this;
        }

        /** Which token transports are enabled; default both. */
        public Builder transports(Set<Transport> transports) {
            this.transports = transports == null || transports.isEmpty() ? null : EnumSet.copyOf(transports);
            return this;
        }

        public Builder accessCookieName(String name) {
            this.accessCookieName = name;
            return this;
        }

        public Builder refreshCookieName(String name) {
            this.refreshCookieName = name;
            return this;
        }

        public Builder csrfCookieName(String name) {
            this.csrfCookieName = name;
            return this;
        }

        public Builder csrfHeaderName(String name) {
            this.csrfHeaderName = name;
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
         * about {@code size × 2 KiB} (20 MiB at the default). When it is full, Caffeine's policy
         * (recency and frequency) decides which entry goes.
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
        public GatehouseSettings build() {
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
            if (maxTokenSize < 512 || maxTokenSize > 65536) {
                throw new ConfigurationException("maxTokenSize", "must be between 512 and 65536 characters");
            }
            if (realm == null || !REALM.matcher(realm).matches()) {
                throw new ConfigurationException("realm", "must be 1 to 100 printable ASCII characters without '\"' or '\\'");
            }
            if (transports == null) {
                throw new ConfigurationException("transports", "must enable at least one of bearer, cookie");
            }
            requireToken("accessCookieName", accessCookieName, COOKIE_NAME);
            requireToken("refreshCookieName", refreshCookieName, COOKIE_NAME);
            requireToken("csrfCookieName", csrfCookieName, COOKIE_NAME);
            requireToken("csrfHeaderName", csrfHeaderName, HEADER_NAME);
            if (verifiedTokenCacheSize < 1 || verifiedTokenCacheSize > MAX_VERIFIED_TOKEN_CACHE_SIZE) {
                throw new ConfigurationException("verifiedTokenCacheSize", "must be between 1 and " + MAX_VERIFIED_TOKEN_CACHE_SIZE);
            }
            if (clock == null) {
                throw new ConfigurationException("clock", "must not be null");
            }
            return new GatehouseSettings(this);
        }

        private static void requireText(String setting, String value) {
            if (value == null || value.isBlank()) {
                throw new ConfigurationException(setting, "is required");
            }
            if (!value.equals(value.strip())) {
                throw new ConfigurationException(setting, "has leading or trailing white space");
            }
        }

        private static void requireToken(String setting, String value, Pattern pattern) {
            if (value == null || !pattern.matcher(value).matches()) {
                throw new ConfigurationException(setting, "'" + value + "' is not a valid name");
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
