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

package dev.gatehouse.demo;

import dev.gatehouse.token.AccessTokenType;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.MfaSettings;
import dev.gatehouse.web.TransportSecurity;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The demo's settings (the table in docs/http-api.md): an environment variable {@code GATEHOUSE_X}, or the
 * system property {@code gatehouse.x}, which wins; then a fallback source (the WAR's context
 * parameters); then the default. Immutable.
 */
public final class DemoSettings {
    public final int port;
    public final String host;
    public final String jdbcUrl;
    public final String jdbcUser;
    public final String jdbcPassword;
    /** How long a request waits for a pooled connection (HikariCP's {@code connectionTimeout}, also the driver's connect timeout). */
    public final Duration jdbcConnectionTimeout;
    /** The timeout of every statement ({@code Statement.setQueryTimeout}). */
    public final Duration jdbcQueryTimeout;
    /** The driver's socket read timeout, added to a PostgreSQL or MariaDB URL that sets none. */
    public final Duration jdbcSocketTimeout;
    /** The longest a register, login, refresh or logout waits (queue, hashing, database) before a 503. */
    public final Duration authTimeout;
    public final String issuer;
    public final String audience;
    public final SigningAlgorithm signingAlgorithm;
    /** The {@code typ} of issued access tokens (TokenSettings#tokenType). */
    public final AccessTokenType tokenType;
    /** The {@code typ}s accepted (TokenSettings#acceptedTokenTypes); empty: the tokenType alone. */
    public final Set<AccessTokenType> acceptedTokenTypes;
    public final Path keysFile;
    /** Base64 of 32 bytes, or empty: then the demo generates one under {@code ./data} (demos only). Never logged. */
    final String keyEncryptionKey;
    public final Duration keyRotation;
    public final Duration keyPublishLead;
    public final Duration keyRefreshInterval;
    public final Duration accessTokenTtl;
    public final Duration refreshTokenTtl;
    public final Duration refreshReuseGrace;
    /** 10 to 16; 4 to 9 only with {@link #testMode}. */
    public final int bcryptCost;
    /**
     * Base64 of at least 32 bytes (the key of the HMAC that pre-hashes passwords), or empty: then the
     * demo generates one under {@code ./data} (demos only). Never logged.
     */
    final String pepper;
    /** {@code GATEHOUSE_TEST_MODE}: settings only automated tests may use (a bcrypt cost below 10) are accepted. */
    public final boolean testMode;
    public final Duration revocationStaleness;
    /** {@code GATEHOUSE_REVOCATION_OVERLAP}: how long a skipped revocation change number is awaited. */
    public final Duration revocationOverlap;
    /** {@code GATEHOUSE_REVOCATION_RECONCILIATION}: how often every revocation in force is read again. */
    public final Duration revocationReconciliation;
    public final Set<String> adminEmails;
    /** Whether verified access tokens are remembered (TokenSettings#verifiedTokenCache). */
    public final boolean verifiedTokenCache;
    public final int verifiedTokenCacheSize;
    /** Register and login attempts per client address per minute (AuthSettings#clientAttemptsPerMinute). */
    public final int clientAttemptsPerMinute;
    /** Refuse tokens and passwords over plain HTTP except from loopback ({@code GATEHOUSE_REQUIRE_HTTPS}). */
    public final boolean requireHttps;
    /** Reverse proxies whose forwarding headers are believed ({@code GATEHOUSE_TRUSTED_PROXIES}). */
    public final Set<String> trustedProxies;
    /** Name the failed check in a refused token's 401 ({@code GATEHOUSE_ERROR_DESCRIPTIONS}). */
    public final boolean errorDescriptions;
    /** How the standalone demo serves TLS ({@code GATEHOUSE_TLS}). */
    public final Tls tls;
    /** The PKCS#12 key store ({@code GATEHOUSE_TLS_KEYSTORE}); for {@link Tls#SELF_SIGNED}, where it is kept. */
    public final Path tlsKeystore;
    /** The key store's password, or empty. Never logged. */
    final String tlsKeystorePassword;
    /** {@code Strict-Transport-Security: max-age} of HTTPS responses ({@code GATEHOUSE_HSTS_MAX_AGE}). */
    public final Duration hstsMaxAge;
    /** Log in only with a verified address ({@code GATEHOUSE_REQUIRE_VERIFIED_EMAIL}, AuthSettings#requireVerifiedEmail). */
    public final boolean requireVerifiedEmail;
    /**
     * The base of the links in mail ({@code GATEHOUSE_PUBLIC_URL}), or empty: then the issuer
     * ({@link #publicUrlFor}).
     */
    public final String publicUrl;
    /** The SMTP server ({@code GATEHOUSE_SMTP_HOST}), or empty: then mail goes to the demo's local mailbox. */
    public final String smtpHost;
    /** The SMTP port ({@code GATEHOUSE_SMTP_PORT}); by default 587, 465 for {@link SmtpSecurity#SMTPS}, 25 for none. */
    public final int smtpPort;
    /** How the SMTP connection is protected ({@code GATEHOUSE_SMTP_SECURITY}). */
    public final SmtpSecurity smtpSecurity;
    /** The SMTP user name, or empty: no authentication. */
    public final String smtpUser;
    /** The SMTP password, or empty. Never logged. */
    final String smtpPassword;
    /** The {@code From} of mail ({@code GATEHOUSE_MAIL_FROM}). */
    public final String mailFrom;
    /**
     * Base64 of at least 32 bytes (the key that seals TOTP secrets and keys recovery-code hashes,
     * {@code GATEHOUSE_MFA_KEY}), or empty: then the demo generates one under {@code ./data} (demos only). Never logged.
     */
    final String mfaKey;
    /** The name authenticator apps show beside the account ({@code GATEHOUSE_MFA_ISSUER}, MfaSettings#issuer). */
    public final String mfaIssuer;
    /** How long the code step of a two-step login can be completed ({@code GATEHOUSE_MFA_CHALLENGE_TTL}). */
    public final Duration mfaChallengeTtl;
    /** A session unused this long ends ({@code GATEHOUSE_SESSION_IDLE_TIMEOUT}, AuthSettings#sessionIdleTimeout). */
    public final Duration sessionIdleTimeout;
    /** How recent a login sensitive actions need ({@code GATEHOUSE_RECENT_AUTHENTICATION}, AuthSettings#recentAuthentication). */
    public final Duration recentAuthentication;

    /** How the standalone demo serves TLS. */
    public enum Tls {
        /** Plain HTTP. */
        OFF,
        /** HTTPS with the key and certificate of {@code GATEHOUSE_TLS_KEYSTORE}. */
        KEYSTORE,
        /** HTTPS with a self-signed certificate generated on first start and kept for later ones. */
        SELF_SIGNED
    }

    /** How the demo's SMTP connection is protected ({@code GATEHOUSE_SMTP_SECURITY}). */
    public enum SmtpSecurity {
        /** Plain connection upgraded with STARTTLS, which must succeed (port 587). */
        STARTTLS(587),
        /** TLS from the first byte (port 465). */
        SMTPS(465),
        /** No TLS at all: only to a loopback host (a local relay or a test server). */
        NONE(25);

        private final int defaultPort;

        SmtpSecurity(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        /** The usual port of this kind of connection. */
        public int defaultPort() {
            return defaultPort;
        }
    }

    /** The default {@code From} of the demo's mail ({@code GATEHOUSE_MAIL_FROM}). */
    public static final String DEFAULT_MAIL_FROM = "Gatehouse demo <no-reply@localhost>";

    /** The switch that lets automated tests use settings that are unsafe for real accounts. */
    public static final String TEST_MODE = "GATEHOUSE_TEST_MODE";
    /** The lowest bcrypt cost accepted outside {@link #TEST_MODE}. */
    public static final int MIN_BCRYPT_COST = 10;
    /** The lowest bcrypt cost accepted in {@link #TEST_MODE}. */
    public static final int MIN_TEST_BCRYPT_COST = 4;
    /** The fewest bytes a pepper has ({@code AuthSettings.Builder.pepper}). */
    public static final int MIN_PEPPER_BYTES = 32;
    /** The fewest bytes of the second factor's key ({@code MfaSettings.MIN_KEY_BYTES}). */
    public static final int MIN_MFA_KEY_BYTES = MfaSettings.MIN_KEY_BYTES;
    /** The default of {@code GATEHOUSE_MFA_ISSUER}. */
    public static final String DEFAULT_MFA_ISSUER = "Gatehouse demo";

    /** Where {@link Tls#SELF_SIGNED} keeps its key store when {@code GATEHOUSE_TLS_KEYSTORE} is not set. */
    public static final Path DEFAULT_SELF_SIGNED_KEYSTORE = Path.of("data", "tls", "keystore.p12");

    private DemoSettings(Function<String, String> source) {
        this.port = integer(source, "GATEHOUSE_PORT", "8080", 0, 65535);
        this.host = text(source, "GATEHOUSE_HOST", "127.0.0.1");
        this.jdbcUrl = text(source, "GATEHOUSE_JDBC_URL", "jdbc:h2:file:./data/gatehouse;DB_CLOSE_ON_EXIT=FALSE");
        this.jdbcUser = text(source, "GATEHOUSE_JDBC_USER", "");
        this.jdbcPassword = text(source, "GATEHOUSE_JDBC_PASSWORD", "");
        this.jdbcConnectionTimeout = durationBetween(source, "GATEHOUSE_JDBC_CONNECTION_TIMEOUT", "PT5S",
                Duration.ofMillis(250), Duration.ofMinutes(5));
        this.jdbcQueryTimeout = durationBetween(source, "GATEHOUSE_JDBC_QUERY_TIMEOUT", "PT10S",
                Duration.ofSeconds(1), Duration.ofHours(1));
        this.jdbcSocketTimeout = durationBetween(source, "GATEHOUSE_JDBC_SOCKET_TIMEOUT", "PT15S",
                Duration.ofSeconds(1), Duration.ofHours(1));
        if (jdbcSocketTimeout.compareTo(jdbcQueryTimeout) <= 0) {
            // the query timeout cancels a slow statement on the server; the socket timeout is the
            // last resort for a link that no longer answers, and must not cut a statement first
            throw new ConfigurationException("GATEHOUSE_JDBC_SOCKET_TIMEOUT", "must be longer than GATEHOUSE_JDBC_QUERY_TIMEOUT ("
                    + jdbcQueryTimeout + ")");
        }
        this.authTimeout = durationBetween(source, "GATEHOUSE_AUTH_TIMEOUT", "PT30S", Duration.ofSeconds(1), Duration.ofMinutes(10));
        this.issuer = text(source, "GATEHOUSE_ISSUER", "");
        this.audience = text(source, "GATEHOUSE_AUDIENCE", "gatehouse-demo");
        this.signingAlgorithm = algorithm(text(source, "GATEHOUSE_SIGNING_ALG", "RS256"));
        this.tokenType = tokenType("GATEHOUSE_TOKEN_TYPE", text(source, "GATEHOUSE_TOKEN_TYPE", AccessTokenType.AT_JWT.headerValue()));
        Set<AccessTokenType> accepted = EnumSet.noneOf(AccessTokenType.class);
        for (String type : text(source, "GATEHOUSE_ACCEPTED_TOKEN_TYPES", "").split(",")) {
            if (!type.isBlank()) {
                accepted.add(tokenType("GATEHOUSE_ACCEPTED_TOKEN_TYPES", type));
            }
        }
        if (!accepted.isEmpty() && !accepted.contains(tokenType)) {
            throw new ConfigurationException("GATEHOUSE_ACCEPTED_TOKEN_TYPES", "must include GATEHOUSE_TOKEN_TYPE (" + tokenType
                    + "), or tokens issued would never verify");
        }
        this.acceptedTokenTypes = Collections.unmodifiableSet(accepted);
        String keys = text(source, "GATEHOUSE_KEYS_FILE", "");
        this.keysFile = keys.isEmpty() ? null : Path.of(keys);
        this.keyEncryptionKey = text(source, "GATEHOUSE_KEY_ENCRYPTION_KEY", "");
        this.keyRotation = duration(source, "GATEHOUSE_KEY_ROTATION", "P30D");
        this.keyPublishLead = duration(source, "GATEHOUSE_KEY_PUBLISH_LEAD", "PT1H");
        this.keyRefreshInterval = duration(source, "GATEHOUSE_KEY_REFRESH_INTERVAL", "PT30S");
        this.accessTokenTtl = duration(source, "GATEHOUSE_ACCESS_TOKEN_TTL", "PT5M");
        this.refreshTokenTtl = duration(source, "GATEHOUSE_REFRESH_TOKEN_TTL", "P14D");
        this.refreshReuseGrace = duration(source, "GATEHOUSE_REFRESH_REUSE_GRACE", "PT10S");
        this.testMode = bool(source, TEST_MODE, "false");
        this.bcryptCost = integer(source, "GATEHOUSE_BCRYPT_COST", "12", MIN_TEST_BCRYPT_COST, 16);
        if (bcryptCost < MIN_BCRYPT_COST && !testMode) {
            throw new ConfigurationException("GATEHOUSE_BCRYPT_COST", "must be between " + MIN_BCRYPT_COST + " and 16. "
                    + MIN_TEST_BCRYPT_COST + " to " + (MIN_BCRYPT_COST - 1) + " are test costs, accepted only with " + TEST_MODE
                    + "=true (automated tests; never for real accounts)");
        }
        this.pepper = text(source, "GATEHOUSE_PEPPER", "");
        if (!pepper.isEmpty()) {
            pepperBytes(pepper); // fails now, naming the variable, rather than when the service is built
        }
        this.revocationStaleness = duration(source, "GATEHOUSE_REVOCATION_STALENESS", "PT5S");
        this.revocationOverlap = duration(source, "GATEHOUSE_REVOCATION_OVERLAP", AuthSettings.DEFAULT_REVOCATION_OVERLAP.toString());
        this.revocationReconciliation = duration(source, "GATEHOUSE_REVOCATION_RECONCILIATION",
                AuthSettings.DEFAULT_REVOCATION_RECONCILIATION.toString());
        this.verifiedTokenCache = bool(source, "GATEHOUSE_VERIFIED_TOKEN_CACHE",
                String.valueOf(TokenSettings.DEFAULT_VERIFIED_TOKEN_CACHE));
        this.verifiedTokenCacheSize = integer(source, "GATEHOUSE_VERIFIED_TOKEN_CACHE_SIZE",
                String.valueOf(TokenSettings.DEFAULT_VERIFIED_TOKEN_CACHE_SIZE), 1, TokenSettings.MAX_VERIFIED_TOKEN_CACHE_SIZE);
        this.clientAttemptsPerMinute = integer(source, "GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE",
                String.valueOf(AuthSettings.DEFAULT_CLIENT_ATTEMPTS_PER_MINUTE), 1, 1_000_000);
        this.adminEmails = new LinkedHashSet<>();
        for (String email : text(source, "GATEHOUSE_ADMIN_EMAILS", "").split(",", -1)) {
            if (!email.isBlank()) {
                adminEmails.add(email.strip());
            }
        }
        this.requireHttps = bool(source, "GATEHOUSE_REQUIRE_HTTPS", "true");
        this.errorDescriptions = bool(source, "GATEHOUSE_ERROR_DESCRIPTIONS", "true");
        this.trustedProxies = new LinkedHashSet<>();
        for (String proxy : text(source, "GATEHOUSE_TRUSTED_PROXIES", "").split(",", -1)) {
            if (!proxy.isBlank()) {
                if (!TransportSecurity.isAddressLiteral(proxy.strip())) {
                    throw new ConfigurationException("GATEHOUSE_TRUSTED_PROXIES", "'" + proxy.strip() + "' is not an IP address literal");
                }
                trustedProxies.add(proxy.strip());
            }
        }
        String keystore = text(source, "GATEHOUSE_TLS_KEYSTORE", "");
        String mode = text(source, "GATEHOUSE_TLS", keystore.isEmpty() ? "off" : "keystore");
        this.tls = switch (mode.toLowerCase(Locale.ROOT)) {
            case "off" -> Tls.OFF;
            case "keystore" -> Tls.KEYSTORE;
            case "self-signed" -> Tls.SELF_SIGNED;
            default -> throw new ConfigurationException("GATEHOUSE_TLS", "'" + mode + "' is not one of off, keystore, self-signed");
        };
        if (tls == Tls.OFF && !keystore.isEmpty()) {
            throw new ConfigurationException("GATEHOUSE_TLS", "is off, but GATEHOUSE_TLS_KEYSTORE is set");
        }
        if (tls == Tls.KEYSTORE && keystore.isEmpty()) {
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", "is required with GATEHOUSE_TLS=keystore (a PKCS#12 file)");
        }
        this.tlsKeystore = !keystore.isEmpty() ? Path.of(keystore) : tls == Tls.SELF_SIGNED ? DEFAULT_SELF_SIGNED_KEYSTORE : null;
        this.tlsKeystorePassword = text(source, "GATEHOUSE_TLS_KEYSTORE_PASSWORD", "");
        this.hstsMaxAge = duration(source, "GATEHOUSE_HSTS_MAX_AGE", "P365D");
        if (hstsMaxAge.isNegative()) {
            throw new ConfigurationException("GATEHOUSE_HSTS_MAX_AGE", "must not be negative");
        }
        this.requireVerifiedEmail = bool(source, "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "true");
        this.publicUrl = text(source, "GATEHOUSE_PUBLIC_URL", "");
        if (!publicUrl.isEmpty()) {
            checkPlainHttpOnLoopback("GATEHOUSE_PUBLIC_URL", checkPublicUrl("GATEHOUSE_PUBLIC_URL", publicUrl), "use its https URL");
        }
        this.smtpHost = text(source, "GATEHOUSE_SMTP_HOST", "");
        String security = text(source, "GATEHOUSE_SMTP_SECURITY", "starttls");
        this.smtpSecurity = switch (security.toLowerCase(Locale.ROOT)) {
            case "starttls" -> SmtpSecurity.STARTTLS;
            case "smtps" -> SmtpSecurity.SMTPS;
            case "none" -> SmtpSecurity.NONE;
            default -> throw new ConfigurationException("GATEHOUSE_SMTP_SECURITY", "'" + security + "' is not one of starttls, smtps, none");
        };
        this.smtpPort = integer(source, "GATEHOUSE_SMTP_PORT", String.valueOf(smtpSecurity.defaultPort()), 1, 65535);
        this.smtpUser = text(source, "GATEHOUSE_SMTP_USER", "");
        this.smtpPassword = text(source, "GATEHOUSE_SMTP_PASSWORD", "");
        this.mailFrom = text(source, "GATEHOUSE_MAIL_FROM", DEFAULT_MAIL_FROM);
        if (mailFrom.isEmpty() || mailFrom.indexOf('\r') >= 0 || mailFrom.indexOf('\n') >= 0 || mailFrom.indexOf('@') < 0) {
            throw new ConfigurationException("GATEHOUSE_MAIL_FROM", "must be one address, such as '" + DEFAULT_MAIL_FROM
                    + "' or no-reply@example.com");
        }
        if (smtpHost.isEmpty()) {
            // the local mailbox: settings of an SMTP server without the server are a mistake, said now
            for (String name : new String[] {"GATEHOUSE_SMTP_PORT", "GATEHOUSE_SMTP_USER", "GATEHOUSE_SMTP_PASSWORD",
                    "GATEHOUSE_SMTP_SECURITY"}) {
                if (source.apply(name) != null && !source.apply(name).isBlank()) {
                    throw new ConfigurationException(name, "is set, but GATEHOUSE_SMTP_HOST is not (without it, mail goes to the"
                            + " demo's local mailbox, GET /demo/mailbox)");
                }
            }
        } else {
            if (smtpSecurity == SmtpSecurity.NONE && !isLoopbackHost(smtpHost)) {
                throw new ConfigurationException("GATEHOUSE_SMTP_SECURITY", "none sends mail (with its single-use links) and the"
                        + " SMTP password unencrypted: allowed only to a loopback host (localhost, 127.0.0.1, ::1), not '"
                        + smtpHost + "'. Use starttls or smtps");
            }
            if (smtpUser.isEmpty() != smtpPassword.isEmpty()) {
                throw new ConfigurationException(smtpUser.isEmpty() ? "GATEHOUSE_SMTP_USER" : "GATEHOUSE_SMTP_PASSWORD",
                        "is required with " + (smtpUser.isEmpty() ? "GATEHOUSE_SMTP_PASSWORD" : "GATEHOUSE_SMTP_USER")
                        + " (set both for an authenticated connection, or neither)");
            }
        }
        this.mfaKey = text(source, "GATEHOUSE_MFA_KEY", "");
        if (!mfaKey.isEmpty()) {
            Arrays.fill(mfaKeyBytes(mfaKey), (byte) 0); // fails now, naming the variable
        }
        this.mfaIssuer = text(source, "GATEHOUSE_MFA_ISSUER", DEFAULT_MFA_ISSUER);
        if (mfaIssuer.isEmpty() || mfaIssuer.length() > 64 || mfaIssuer.indexOf(':') >= 0) {
            throw new ConfigurationException("GATEHOUSE_MFA_ISSUER", "must be 1 to 64 characters without ':' (authenticator"
                    + " apps show it beside the account), such as '" + DEFAULT_MFA_ISSUER + "'");
        }
        this.mfaChallengeTtl = durationBetween(source, "GATEHOUSE_MFA_CHALLENGE_TTL", MfaSettings.DEFAULT_CHALLENGE_TTL.toString(),
                Duration.ofSeconds(30), Duration.ofMinutes(15));
        this.sessionIdleTimeout = durationBetween(source, "GATEHOUSE_SESSION_IDLE_TIMEOUT",
                AuthSettings.DEFAULT_SESSION_IDLE_TIMEOUT.toString(), Duration.ofMinutes(1), Duration.ofDays(365));
        this.recentAuthentication = durationBetween(source, "GATEHOUSE_RECENT_AUTHENTICATION",
                AuthSettings.DEFAULT_RECENT_AUTHENTICATION.toString(), Duration.ofMinutes(1), Duration.ofHours(24));
    }

    /** Whether mail goes to the demo's local mailbox ({@code GATEHOUSE_SMTP_HOST} not set). */
    public boolean localMailbox() {
        return smtpHost.isEmpty();
    }

    /** The SMTP password as given, or empty. */
    public String smtpPassword() {
        return smtpPassword;
    }

    /**
     * The base of the links in mail: {@code GATEHOUSE_PUBLIC_URL}, or else the issuer the demo runs
     * with (standalone: {@code GATEHOUSE_ISSUER} or the URL it serves, where a wildcard bind address
     * such as {@code 0.0.0.0} becomes {@code localhost}; the WAR: {@code GATEHOUSE_ISSUER}, which it
     * requires and which is the application's public URL with its context path). A link carries a
     * single-use credential, so it is {@code https}, or {@code http} to a loopback host only.
     *
     * @throws ConfigurationException naming {@code GATEHOUSE_PUBLIC_URL} when neither gives such a URL
     */
    public URI publicUrlFor(String issuer) {
        if (!publicUrl.isEmpty()) {
            return checkPlainHttpOnLoopback("GATEHOUSE_PUBLIC_URL", checkPublicUrl("GATEHOUSE_PUBLIC_URL", publicUrl),
                    "use its https URL");
        }
        URI uri;
        try {
            uri = checkPublicUrl("GATEHOUSE_ISSUER", issuer);
        } catch (ConfigurationException e) {
            throw new ConfigurationException("GATEHOUSE_PUBLIC_URL", "is not set, and the issuer '" + issuer + "' cannot stand"
                    + " in for it (" + e.problem() + "): set GATEHOUSE_PUBLIC_URL to the public URL of the demo, such as"
                    + " https://demo.example.com", e);
        }
        String host = uri.getHost();
        if (host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::")) {
            // bound to every address: only this machine is sure to reach it by a name it knows
            uri = URI.create(uri.getScheme() + "://localhost" + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getRawPath());
        }
        return checkPlainHttpOnLoopback("GATEHOUSE_PUBLIC_URL", uri, "it is not set, and the issuer " + issuer
                + " stands in for it: set GATEHOUSE_PUBLIC_URL to the demo's https URL (or serve HTTPS, GATEHOUSE_TLS)");
    }

    private static URI checkPlainHttpOnLoopback(String name, URI uri, String advice) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if ("http".equalsIgnoreCase(uri.getScheme()) && !isLoopbackHost(host) && !host.endsWith(".localhost")) {
            throw new ConfigurationException(name, "the links in mail carry single-use credentials, so they are https, or http"
                    + " only to a loopback host (localhost, 127.0.0.1, [::1]), not " + uri + ": " + advice);
        }
        return uri;
    }

    /** An absolute http(s) URL without query, fragment or user info, as mail links need. */
    private static URI checkPublicUrl(String name, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(name, "'" + value + "' is not a URL, such as https://demo.example.com");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new ConfigurationException(name, "'" + value + "' is not an absolute http(s) URL, such as https://demo.example.com");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ConfigurationException(name, "must have no query, fragment or user info");
        }
        return uri;
    }

    /** {@code localhost}, or a loopback IP literal (with or without brackets). */
    static boolean isLoopbackHost(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || TransportSecurity.isLoopback(h);
    }

    /** The key store password as given, or empty. */
    public String tlsKeystorePassword() {
        return tlsKeystorePassword;
    }

    /** The {@code Strict-Transport-Security} value for HTTPS responses. */
    public String hstsHeader() {
        return "max-age=" + hstsMaxAge.toSeconds();
    }

    /** Settings from the environment and system properties only. */
    public static DemoSettings fromEnvironment() {
        return from(System.getenv(), System.getProperties()::getProperty, name -> null);
    }

    /** Settings from the environment and system properties, with {@code fallback} (context parameters) below them. */
    public static DemoSettings fromEnvironment(Function<String, String> fallback) {
        return from(System.getenv(), System.getProperties()::getProperty, fallback);
    }

    /** For tests: explicit sources. */
    public static DemoSettings from(Map<String, String> env, Function<String, String> properties, Function<String, String> fallback) {
        return new DemoSettings(name -> {
            String property = properties.apply(propertyName(name));
            if (property != null) {
                return property;
            }
            String variable = env.get(name);
            if (variable != null) {
                return variable;
            }
            return fallback.apply(name);
        });
    }

    /** {@code GATEHOUSE_JDBC_URL} → {@code gatehouse.jdbc.url}. */
    public static String propertyName(String variable) {
        return variable.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /**
     * The issuer of a servlet container, where it must be set: the public URL is unknowable at
     * start (the connector, a proxy and the context path decide it), and a request's {@code Host}
     * header is the client's to choose, so it is never guessed.
     *
     * @throws ConfigurationException naming {@code GATEHOUSE_ISSUER} when it is not set
     */
    public String requiredIssuer() {
        if (issuer.isEmpty()) {
            throw new ConfigurationException("GATEHOUSE_ISSUER", "is required when the demo runs as a WAR: set it to the"
                    + " public URL of the application, with its context path, the same on every node (for example"
                    + " GATEHOUSE_ISSUER=https://demo.example.com/gatehouse-demo, or the system property gatehouse.issuer)");
        }
        return issuer;
    }

    /** The issuer of the standalone demo: the setting, or {@code <scheme>://<host>:<port>} of the address it bound. */
    public String issuerFor(String scheme, String host, int boundPort) {
        return issuer.isEmpty() ? scheme + "://" + host + ":" + boundPort : issuer;
    }

    /**
     * The pepper's bytes, from base64 (standard or URL-safe, padded or not, as
     * {@code openssl rand -base64 32} prints it). Errors never echo the value.
     */
    static byte[] pepperBytes(String base64) {
        return secretBytes("GATEHOUSE_PEPPER", base64, MIN_PEPPER_BYTES);
    }

    /** The second factor's key's bytes, from base64 as {@link #pepperBytes}. Errors never echo the value. */
    static byte[] mfaKeyBytes(String base64) {
        return secretBytes("GATEHOUSE_MFA_KEY", base64, MIN_MFA_KEY_BYTES);
    }

    private static byte[] secretBytes(String variable, String base64, int minBytes) {
        String text = base64.strip();
        byte[] bytes;
        try {
            bytes = text.indexOf('-') >= 0 || text.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(variable, "is not base64 (generate one with: openssl rand -base64 32)");
        }
        if (bytes.length < minBytes) {
            int length = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new ConfigurationException(variable, "must be the base64 of at least " + minBytes
                    + " bytes, not " + length + " (generate one with: openssl rand -base64 32)");
        }
        return bytes;
    }

    private static AccessTokenType tokenType(String name, String value) {
        try {
            return AccessTokenType.parse(value);
        } catch (ConfigurationException e) {
            throw e.forSetting(name);
        }
    }

    private static SigningAlgorithm algorithm(String value) {
        try {
            return SigningAlgorithm.parse(value);
        } catch (ConfigurationException e) {
            throw e.forSetting("GATEHOUSE_SIGNING_ALG");
        }
    }

    private static boolean bool(Function<String, String> source, String name, String defaultValue) {
        String value = text(source, name, defaultValue);
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw new ConfigurationException(name, "must be true or false, not '" + value + "'");
    }

    private static String text(Function<String, String> source, String name, String defaultValue) {
        String value = source.apply(name);
        return value == null ? defaultValue : value.strip();
    }

    private static int integer(Function<String, String> source, String name, String defaultValue, int min, int max) {
        String value = text(source, name, defaultValue);
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new ConfigurationException(name, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "'" + value + "' is not a whole number");
        }
    }

    private static Duration duration(Function<String, String> source, String name, String defaultValue) {
        String value = text(source, name, defaultValue);
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(name, "'" + value + "' is not an ISO-8601 duration such as PT5M");
        }
    }

    private static Duration durationBetween(Function<String, String> source, String name, String defaultValue, Duration min,
                                            Duration max) {
        Duration d = duration(source, name, defaultValue);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigurationException(name, "must be between " + min + " and " + max);
        }
        return d;
    }

    @Override
    public String toString() {
        return "DemoSettings{host=" + host + ", port=" + port + ", jdbcUrl=" + maskedUrl() + ", jdbcTimeouts=connection " + jdbcConnectionTimeout
                + "/query " + jdbcQueryTimeout + "/socket " + jdbcSocketTimeout + ", authTimeout=" + authTimeout + ", audience=" + audience
                + ", alg=" + signingAlgorithm + ", tokenType=" + tokenType
                + (acceptedTokenTypes.size() > 1 ? ", acceptedTokenTypes=" + acceptedTokenTypes : "")
                + ", keys=" + (keysFile != null ? keysFile : "managed, rotated every " + keyRotation
                + " (published " + keyPublishLead + " ahead, reloaded every " + keyRefreshInterval + ")")
                + ", accessTokenTtl=" + accessTokenTtl + ", revocationStaleness=" + revocationStaleness
                + ", revocationOverlap=" + revocationOverlap + ", revocationReconciliation=" + revocationReconciliation
                + ", verifiedTokenCache=" + (verifiedTokenCache ? verifiedTokenCacheSize : "off") + ", admins=" + Arrays.toString(adminEmails.toArray())
                + ", requireHttps=" + requireHttps + ", trustedProxies=" + trustedProxies
                + ", errorDescriptions=" + errorDescriptions + ", tls=" + tls
                + ", requireVerifiedEmail=" + requireVerifiedEmail
                + ", mfa=" + mfaIssuer + " (challenge " + mfaChallengeTtl + "), sessionIdleTimeout=" + sessionIdleTimeout
                + ", recentAuthentication=" + recentAuthentication
                + ", mail=" + (smtpHost.isEmpty() ? "local mailbox (GET /demo/mailbox)" : "smtp " + smtpSecurity.name().toLowerCase(Locale.ROOT)
                + " " + smtpHost + ":" + smtpPort + (smtpUser.isEmpty() ? "" : " as " + smtpUser))
                + (publicUrl.isEmpty() ? "" : ", publicUrl=" + publicUrl)
                + (testMode ? ", TEST MODE" : "")
                + (tlsKeystore != null ? " " + tlsKeystore : "") + "}";
    }

    /** The JDBC URL without anything that looks like a password parameter. */
    public String maskedUrl() {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }
}
