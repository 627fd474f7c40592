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

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.web.WebSettings;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.token.events.SecurityEventListener;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.MfaSettings;
import dev.gatehouse.auth.mail.MailSender;
import dev.gatehouse.auth.mail.MailSettings;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.token.keys.FileKeySource;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.smtp.SmtpMailSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Everything the demo runs on, built and started once from {@link DemoSettings}: the connection
 * pool, the schema (created when absent), the keys, the mail (an SMTP server, or the demo's local
 * {@link DemoMailbox}) and the {@link AuthService}, each started
 * before what depends on it (keys, then the service). Shared by the Grizzly app and the WAR.
 * {@link #close()} stops them the other way round: the service, the keys, then the pool.
 *
 * <p>Keys: managed in the database ({@link ManagedKeySource}: generated, rotated every
 * {@code GATEHOUSE_KEY_ROTATION}, private parts encrypted under {@code GATEHOUSE_KEY_ENCRYPTION_KEY}),
 * unless {@code GATEHOUSE_KEYS_FILE} names a key file ({@link FileKeySource}). Without a
 * key-encryption key, the demo generates one into {@value #DEMO_KEK_FILE_TEXT} once, without a
 * password pepper ({@code GATEHOUSE_PEPPER}) one into {@value #DEMO_PEPPER_FILE_TEXT}, and without a
 * second-factor key ({@code GATEHOUSE_MFA_KEY}) one into {@value #DEMO_MFA_KEY_FILE_TEXT}: for demos only.
 *
 * <p>Second factor: always offered (TOTP with recovery codes, {@link MfaSettings}); users choose
 * whether to enrol, and the login of an enrolled user takes two steps.
 */
public final class DemoContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoContext.class);
    static final String DEMO_KEK_FILE_TEXT = "data/key-encryption-key";
    /** Where the demo keeps the key-encryption key it generated when none was set. */
    static final Path DEMO_KEK_FILE = Path.of(DEMO_KEK_FILE_TEXT);
    static final String DEMO_PEPPER_FILE_TEXT = "data/pepper";
    /** Where the demo keeps the password pepper it generated when none was set. */
    static final Path DEMO_PEPPER_FILE = Path.of(DEMO_PEPPER_FILE_TEXT);
    static final String DEMO_MFA_KEY_FILE_TEXT = "data/mfa-key";
    /** Where the demo keeps the second factor's key it generated when none was set. */
    static final Path DEMO_MFA_KEY_FILE = Path.of(DEMO_MFA_KEY_FILE_TEXT);
    /** How long closing waits for the pool's threads to end ({@link PoolThreads}). */
    private static final Duration POOL_THREADS_WAIT = Duration.ofSeconds(5);

    public final DemoSettings settings;
    public final AuthService service;
    public final KeySource keys;
    /** How tokens travel (the contract's defaults) and the HTTPS rule: shared by the JAX-RS feature and the WAR's filter. */
    public final WebSettings web;
    /** What {@code /api/me} shows besides the token, kept per node ({@link Profiles}). */
    public final Profiles profiles;
    /**
     * The demo's local mailbox ({@code GET /demo/mailbox}), or {@code null} when mail goes to an
     * SMTP server ({@code GATEHOUSE_SMTP_HOST}). Demo only.
     */
    public final DemoMailbox mailbox;
    /** The SMTP sender ({@code GATEHOUSE_SMTP_HOST}), or {@code null} with the local mailbox. */
    private final SmtpMailSender smtp;
    private final HikariDataSource pool;

    private DemoContext(DemoSettings settings, AuthService service, KeySource keys, Profiles profiles, DemoMailbox mailbox,
                        SmtpMailSender smtp, HikariDataSource pool) {
        this.settings = settings;
        this.service = service;
        this.keys = keys;
        this.web = WebSettings.builder()
                .requireHttps(settings.requireHttps)
                .trustedProxies(settings.trustedProxies)
                .errorDescriptions(settings.errorDescriptions)
                .build();
        this.profiles = profiles;
        this.mailbox = mailbox;
        this.smtp = smtp;
        this.pool = pool;
    }

    /**
     * Builds the context.
     *
     * @param issuer     the {@code iss} of tokens
     * @param dataSource a DataSource from the container (JNDI), or {@code null} to make a pool from the settings
     */
    public static DemoContext create(DemoSettings settings, String issuer, DataSource dataSource) {
        HikariDataSource pool = null;
        DataSource ds = dataSource;
        if (ds == null) {
            try {
                pool = pool(settings);
            } catch (RuntimeException e) {
                throw databaseError(settings, "GATEHOUSE_JDBC_URL", e);
            }
            ds = pool;
        }
        KeySource keys = null;
        AuthService service = null;
        DemoMailbox mailbox = null;
        SmtpMailSender smtp = null;
        // one listener for the flow and the keys: the default, System.Logger under dev.gatehouse.audit (routed to
        // slf4j-simple with the rest of the demo's log by slf4j-jdk-platform-logging), which
        // also drops a deleted account from the profile cache
        Profiles.Holder profiles = new Profiles.Holder();
        DemoAdmins.Holder admins = new DemoAdmins.Holder();
        SecurityEventListener events = DemoAdmins.grantToVerifiedAdmins(
                Profiles.evictOnDeletion(SecurityEventListener.logging(), profiles), settings.adminEmails,
                settings.requireVerifiedEmail, admins);
        try {
            if (settings.testMode) {
                LOG.warn("{}=true: TEST MODE. Settings that are unsafe for real accounts are accepted (bcrypt cost {})."
                        + " For automated tests only: never in production", DemoSettings.TEST_MODE, settings.bcryptCost);
            }
            try {
                JdbcSchema.createIfAbsent(ds);
            } catch (RuntimeException e) {
                throw databaseError(settings, pool != null ? "GATEHOUSE_JDBC_URL" : "GATEHOUSE_JNDI_DATASOURCE", e);
            }
            keys = settings.keysFile != null ? fileKeys(settings, events) : managedKeys(settings, ds, events);
            // managed keys: the configured algorithm applies to new keys, the active key may still be another.
            // A key file: every key in it verifies (FileKeySource), so each of their algorithms is accepted;
            // the algorithm stays pinned to each key. Accepting only the signing key's algorithm refused
            // every outstanding token the moment a hand rotation moved the marker to a key of another one.
            EnumSet<SigningAlgorithm> algorithms = EnumSet.of(keys.signingKey().algorithm());
            if (settings.keysFile != null) {
                keys.publishedKeys().forEach(k -> algorithms.add(k.algorithm()));
            } else {
                algorithms.add(settings.signingAlgorithm);
            }
            TokenSettings tokens = TokenSettings.builder(issuer, settings.audience)
                    .accessTokenTtl(settings.accessTokenTtl)
                    .verifiedTokenCache(settings.verifiedTokenCache)
                    .verifiedTokenCacheSize(settings.verifiedTokenCacheSize)
                    .acceptedAlgorithms(algorithms)
                    .tokenType(settings.tokenType)
                    .acceptedTokenTypes(settings.acceptedTokenTypes)
                    .build();
            AuthSettings.Builder auth = AuthSettings.builder()
                    .refreshTokenTtl(settings.refreshTokenTtl)
                    .refreshFamilyLifetime(settings.refreshTokenTtl.compareTo(AuthSettings.DEFAULT_REFRESH_FAMILY_LIFETIME) > 0
                            ? settings.refreshTokenTtl : AuthSettings.DEFAULT_REFRESH_FAMILY_LIFETIME)
                    .refreshReuseGrace(settings.refreshReuseGrace)
                    .revocationStaleness(settings.revocationStaleness)
                    .revocationOverlap(settings.revocationOverlap)
                    .revocationReconciliation(settings.revocationReconciliation)
                    .clientAttemptsPerMinute(settings.clientAttemptsPerMinute)
                    .requireVerifiedEmail(settings.requireVerifiedEmail)
                    .sessionIdleTimeout(settings.sessionIdleTimeout)
                    .recentAuthentication(settings.recentAuthentication);
            // DemoSettings accepts a cost below 10 only in test mode
            if (settings.bcryptCost < DemoSettings.MIN_BCRYPT_COST) {
                auth.bcryptCostForTests(settings.bcryptCost);
            } else {
                auth.bcryptCost(settings.bcryptCost);
            }
            byte[] pepper = DemoSettings.pepperBytes(settings.pepper.isEmpty() ? demoPepper() : settings.pepper);
            auth.pepper(pepper);
            Arrays.fill(pepper, (byte) 0);
            // forService() includes the second factor's store (JdbcStores.mfa()), which .mfa(...) below needs
            JdbcStores stores = new JdbcStores(ds, settings.jdbcQueryTimeout);
            // mail always: the lifecycle (verification, reset, change) works whether or not logins need a verified address
            MailSettings mailSettings;
            try {
                mailSettings = MailSettings.builder(settings.publicUrlFor(issuer)).build();
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("GATEHOUSE_PUBLIC_URL", e.getMessage(), e);
            }
            if (settings.localMailbox()) {
                try {
                    mailbox = DemoMailbox.create(ds);
                } catch (RuntimeException e) {
                    throw databaseError(settings, pool != null ? "GATEHOUSE_JDBC_URL" : "GATEHOUSE_JNDI_DATASOURCE", e);
                }
                LOG.warn("GATEHOUSE_SMTP_HOST is not set: mail goes to the demo's local mailbox, GET /demo/mailbox (served to"
                        + " this machine only). Demo only: whoever reads it can verify any address; real deployments send mail");
            }
            if (mailbox == null) {
                smtp = DemoSmtp.sender(settings);
                LOG.info("Mail goes to the SMTP server {}:{} ({})", settings.smtpHost, settings.smtpPort,
                        settings.smtpSecurity.name().toLowerCase(Locale.ROOT));
            }
            MailSender sender = mailbox != null ? mailbox : smtp;
            service = AuthService.builder(tokens, authSettings(auth), keys, stores.forService())
                    .securityEvents(events)
                    .mail(mailSettings, sender)
                    .mfa(mfaSettings(settings))
                    .build();
            service.start();
            LOG.info("Gatehouse demo: {} ({} key {})", settings, keys.signingKey().algorithm(), keys.signingKey().kid());
            profiles.profiles = new Profiles(service);
            admins.service = service;
            return new DemoContext(settings, service, keys, profiles.profiles, mailbox, smtp, pool);
        } catch (RuntimeException e) {
            if (service != null) {
                service.close();
            }
            if (smtp != null) {
                smtp.close();
            }
            closeKeys(keys);
            if (pool != null) {
                PoolThreads.close(pool, POOL_THREADS_WAIT);
            }
            throw e;
        }
    }

    /** H2's error code for a database file another process holds open (ErrorCode.DATABASE_ALREADY_OPEN_1). */
    static final int H2_DATABASE_ALREADY_OPEN = 90020;

    /**
     * A database failure at start as a {@link ConfigurationException} naming the variable that
     * chose the database, and what to do: a second demo on the same H2 file is told that another
     * instance holds it and how to pick another {@code GATEHOUSE_JDBC_URL}. The URL is shown
     * masked; the driver's own message only as its first line.
     */
    static ConfigurationException databaseError(DemoSettings settings, String variable, RuntimeException e) {
        if (e instanceof ConfigurationException configuration) {
            return configuration;
        }
        SQLException sql = null;
        for (Throwable t = e; t != null && sql == null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                sql = s;
            }
        }
        String url = settings.maskedUrl();
        if (sql != null && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN && "GATEHOUSE_JDBC_URL".equals(variable)) {
            return new ConfigurationException(variable, "the H2 database " + url + " is in use by another process, most"
                    + " likely another Gatehouse demo started from the same directory (H2 lets one process open a database"
                    + " file). Stop that one, or give this one its own database, for example"
                    + " GATEHOUSE_JDBC_URL=jdbc:h2:file:./data-2/gatehouse (and GATEHOUSE_PORT=0 for another port)", e);
        }
        String cause = sql != null ? firstLine(sql.getMessage()) + " (SQLState " + sql.getSQLState() + ")"
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()));
        String where = "GATEHOUSE_JDBC_URL".equals(variable) ? url : "the container's DataSource";
        return new ConfigurationException(variable, "cannot use the database " + where + ": " + cause
                + ". Check that the database runs and that " + variable + " (and GATEHOUSE_JDBC_USER, GATEHOUSE_JDBC_PASSWORD)"
                + " point at it", e);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    /** Builds the onboarding settings; an invalid one is reported under the demo's variable name. */
    private static AuthSettings authSettings(AuthSettings.Builder auth) {
        try {
            return auth.build();
        } catch (ConfigurationException e) {
            String variable = AUTH_VARIABLES.get(e.setting());
            if (variable == null) {
                throw e;
            }
            throw new ConfigurationException(variable, e.problem(), e);
        }
    }

    /**
     * The second factor's settings: the key of {@code GATEHOUSE_MFA_KEY}, or the one generated for
     * the demo ({@link #demoMfaKey}); an invalid setting is reported under the demo's variable name.
     */
    static MfaSettings mfaSettings(DemoSettings settings) {
        byte[] key = DemoSettings.mfaKeyBytes(settings.mfaKey.isEmpty() ? demoMfaKey() : settings.mfaKey);
        try {
            return MfaSettings.builder(key)
                    .issuer(settings.mfaIssuer)
                    .challengeTtl(settings.mfaChallengeTtl)
                    .build();
        } catch (ConfigurationException e) {
            String variable = MFA_VARIABLES.get(e.setting());
            if (variable == null) {
                throw e;
            }
            throw new ConfigurationException(variable, e.problem(), e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The demo's variable for each {@link MfaSettings} setting it exposes. */
    private static final java.util.Map<String, String> MFA_VARIABLES = java.util.Map.of(
            "mfaSecretKey", "GATEHOUSE_MFA_KEY",
            "mfaIssuer", "GATEHOUSE_MFA_ISSUER",
            "mfaChallengeTtl", "GATEHOUSE_MFA_CHALLENGE_TTL");

    /** The demo's variable for each {@link AuthSettings} setting it exposes. */
    private static final java.util.Map<String, String> AUTH_VARIABLES = java.util.Map.of(
            "sessionIdleTimeout", "GATEHOUSE_SESSION_IDLE_TIMEOUT",
            "recentAuthentication", "GATEHOUSE_RECENT_AUTHENTICATION",
            "refreshTokenTtl", "GATEHOUSE_REFRESH_TOKEN_TTL",
            "refreshReuseGrace", "GATEHOUSE_REFRESH_REUSE_GRACE",
            "bcryptCost", "GATEHOUSE_BCRYPT_COST",
            "revocationStaleness", "GATEHOUSE_REVOCATION_STALENESS",
            "revocationOverlap", "GATEHOUSE_REVOCATION_OVERLAP",
            "revocationReconciliation", "GATEHOUSE_REVOCATION_RECONCILIATION",
            "clientAttemptsPerMinute", "GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE",
            "requireVerifiedEmail", "GATEHOUSE_REQUIRE_VERIFIED_EMAIL");

    /** Keys from the operator's file, read now; started (the caller closes them). */
    private static FileKeySource fileKeys(DemoSettings settings, SecurityEventListener events) {
        FileKeySource keys = FileKeySource.builder(settings.keysFile).settingName("GATEHOUSE_KEYS_FILE")
                .securityEvents(events).build();
        keys.start();
        return keys;
    }

    /**
     * Keys in the database, rotated on schedule, loaded now; started (the caller closes them).
     * Settings errors name the demo's variables.
     */
    private static ManagedKeySource managedKeys(DemoSettings settings, DataSource ds, SecurityEventListener events) {
        boolean generated = settings.keyEncryptionKey.isEmpty();
        String kek = generated ? demoKeyEncryptionKey() : settings.keyEncryptionKey;
        try {
            ManagedKeySource keys = ManagedKeySource.builder(ds)
                    .algorithm(settings.signingAlgorithm)
                    .rotationPeriod(settings.keyRotation)
                    .publishLead(settings.keyPublishLead)
                    .refreshInterval(settings.keyRefreshInterval)
                    .tokenLifetime(settings.accessTokenTtl.plus(TokenSettings.DEFAULT_CLOCK_LEEWAY))
                    .keyEncryptionKey(kek)
                    .securityEvents(events)
                    .build();
            keys.start();
            return keys;
        } catch (ConfigurationException e) {
            // start() leaves nothing running when it throws
            throw switch (e.setting()) {
                case "keyEncryptionKey" -> new ConfigurationException("GATEHOUSE_KEY_ENCRYPTION_KEY", e.problem()
                        + (generated ? " (the key generated into " + DEMO_KEK_FILE.toAbsolutePath() + " was used)" : ""), e);
                case "rotationPeriod" -> new ConfigurationException("GATEHOUSE_KEY_ROTATION", e.problem(), e);
                case "publishLead" -> new ConfigurationException("GATEHOUSE_KEY_PUBLISH_LEAD", e.problem(), e);
                case "refreshInterval" -> new ConfigurationException("GATEHOUSE_KEY_REFRESH_INTERVAL", e.problem(), e);
                default -> e;
            };
        }
    }

    /**
     * The key-encryption key of a demo without {@code GATEHOUSE_KEY_ENCRYPTION_KEY}: generated once
     * into {@link #DEMO_KEK_FILE}, read from there afterwards ({@link #demoSecret}). Keeping it
     * beside the database it protects defeats the purpose, so this is for the one-command demo only,
     * and says so.
     */
    static String demoKeyEncryptionKey() {
        return demoSecret(DEMO_KEK_FILE, "GATEHOUSE_KEY_ENCRYPTION_KEY", "key-encryption key", "");
    }

    /**
     * The password pepper of a demo without {@code GATEHOUSE_PEPPER}: generated once into
     * {@link #DEMO_PEPPER_FILE}, read from there afterwards ({@link #demoSecret}), so that passwords
     * registered before a restart still verify after it. For the one-command demo only: a pepper
     * stored beside the password hashes it protects adds nothing against whoever copies both.
     */
    static String demoPepper() {
        return demoSecret(DEMO_PEPPER_FILE, "GATEHOUSE_PEPPER", "password pepper",
                "; changing it later invalidates every stored password hash");
    }

    /**
     * The second factor's key of a demo without {@code GATEHOUSE_MFA_KEY}: generated once into
     * {@link #DEMO_MFA_KEY_FILE}, read from there afterwards ({@link #demoSecret}), so that
     * enrolments made before a restart still work after it. For the one-command demo only: a key
     * stored beside the sealed TOTP secrets it protects adds nothing against whoever copies both.
     */
    static String demoMfaKey() {
        return demoSecret(DEMO_MFA_KEY_FILE, "GATEHOUSE_MFA_KEY", "second-factor key",
                "; changing it later makes every TOTP enrolment and recovery code unusable");
    }

    /**
     * A secret of 32 random bytes (base64) that a demo generates when {@code variable} is not set:
     * created once in {@code file} (owner-only where the file system has POSIX permissions; a
     * process that loses the race to create it reads the winner's), read from there afterwards,
     * with a warning each time that this is for demos only. The value is never logged.
     *
     * @param what   what the secret is, for the warning ("key-encryption key")
     * @param caveat added to the advice for production, or empty
     */
    static String demoSecret(Path file, String variable, String what, String caveat) {
        try {
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Path dir = file.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                try {
                    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    } else {
                        Files.createFile(file);
                    }
                    String text = Base64.getEncoder().encodeToString(secret);
                    Arrays.fill(secret, (byte) 0);
                    Files.writeString(file, text + "\n", StandardCharsets.US_ASCII);
                    LOG.warn("{} is not set: generated a {} into {}. For demos only: in production, set {} from a secret"
                            + " store (openssl rand -base64 32){}", variable, what, file.toAbsolutePath(), variable, caveat);
                    return text;
                } catch (FileAlreadyExistsException raced) {
                    // another demo process created it first: use that one
                }
            }
            LOG.warn("{} is not set: using the demo {} in {}. For demos only", variable, what, file.toAbsolutePath());
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create or read the demo " + what + " " + file.toAbsolutePath()
                    + "; set " + variable, e);
        }
    }

    private static void closeKeys(KeySource keys) {
        if (keys instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Could not stop the key source", e);
            }
        }
    }

    private static HikariDataSource pool(DemoSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(withTimeouts(settings.jdbcUrl, settings.jdbcConnectionTimeout, settings.jdbcSocketTimeout));
        config.setDriverClassName(driverFor(settings.jdbcUrl));
        if (!settings.jdbcUser.isEmpty()) {
            config.setUsername(settings.jdbcUser);
        }
        if (!settings.jdbcPassword.isEmpty()) {
            config.setPassword(settings.jdbcPassword);
        }
        config.setPoolName("gatehouse-demo");
        config.setThreadFactory(new PoolThreads("gatehouse-demo"));
        config.setMaximumPoolSize(10);
        long connectionTimeout = settings.jdbcConnectionTimeout.toMillis();
        config.setConnectionTimeout(connectionTimeout);
        // a connection that cannot prove it is alive within this is dropped (HikariCP's minimum is 250 ms)
        config.setValidationTimeout(Math.max(250, Math.min(2_000, connectionTimeout / 2)));
        config.setInitializationFailTimeout(10_000);
        return new HikariDataSource(config);
    }

    /**
     * A PostgreSQL or MariaDB/MySQL URL with a connect timeout and a socket (read) timeout added
     * where it sets none, so that a database that stops answering ends a statement with an error
     * instead of holding its thread for ever (both drivers wait without limit by default). A
     * timeout the URL sets itself is kept; H2 URLs are returned as they are.
     */
    static String withTimeouts(String url, Duration connect, Duration socket) {
        String u = url.toLowerCase(Locale.ROOT);
        boolean postgres = u.startsWith("jdbc:postgresql:");
        boolean mariadb = u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:");
        if (!postgres && !mariadb) {
            return url;
        }
        // PostgreSQL counts in seconds, MariaDB in milliseconds
        String connectValue = postgres ? String.valueOf(Math.max(1, ceilSeconds(connect))) : String.valueOf(connect.toMillis());
        String socketValue = postgres ? String.valueOf(Math.max(1, ceilSeconds(socket))) : String.valueOf(socket.toMillis());
        String result = url;
        if (!hasParameter(result, "connectTimeout")) {
            result = withParameter(result, "connectTimeout", connectValue);
        }
        if (!hasParameter(result, "socketTimeout")) {
            result = withParameter(result, "socketTimeout", socketValue);
        }
        return result;
    }

    private static long ceilSeconds(Duration d) {
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    private static boolean hasParameter(String url, String name) {
        int query = url.indexOf('?');
        if (query < 0) {
            return false;
        }
        for (String pair : url.substring(query + 1).split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static String withParameter(String url, String name, String value) {
        int query = url.indexOf('?');
        String separator = query < 0 ? "?" : url.endsWith("?") || url.endsWith("&") ? "" : "&";
        return url + separator + name + "=" + value;
    }

    /** The driver class for a JDBC URL (inside Tomcat, DriverManager discovery is unreliable). */
    static String driverFor(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:h2:")) {
            return "org.h2.Driver";
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
            return "org.mariadb.jdbc.Driver";
        }
        throw new dev.gatehouse.token.ConfigurationException("GATEHOUSE_JDBC_URL", "only H2, PostgreSQL and MariaDB/MySQL URLs are supported");
    }

    /** Stops what {@link #create} started, in reverse order: the service (and its mail), the keys, then the pool. */
    @Override
    public void close() {
        service.close();
        if (smtp != null) {
            smtp.close();
        }
        closeKeys(keys);
        if (pool != null) {
            PoolThreads.close(pool, POOL_THREADS_WAIT);
        }
    }
}
