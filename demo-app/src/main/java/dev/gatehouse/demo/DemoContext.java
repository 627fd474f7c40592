package dev.gatehouse.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.core.GatehouseSettings;
import dev.gatehouse.core.KeyFiles;
import dev.gatehouse.core.KeySet;
import dev.gatehouse.core.SigningKey;
import dev.gatehouse.core.auth.AuthService;
import dev.gatehouse.core.auth.AuthSettings;
import dev.gatehouse.core.jdbc.JdbcSchema;
import dev.gatehouse.core.jdbc.JdbcStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Everything the demo runs on, built once from {@link DemoSettings}: the connection pool, the
 * schema (created when absent), the keys and the {@link AuthService}. Shared by the Grizzly app and
 * the WAR. {@link #close()} stops background work and closes the pool.
 */
public final class DemoContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoContext.class);

    public final DemoSettings settings;
    public final AuthService service;
    public final KeySet keys;
    private final HikariDataSource pool;

    private DemoContext(DemoSettings settings, AuthService service, KeySet keys, HikariDataSource pool) {
        this.settings = settings;
        this.service = service;
        this.keys = keys;
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
            pool = pool(settings);
            ds = pool;
        }
        try {
            JdbcSchema.createIfAbsent(ds);
            KeySet keys = settings.keysFile != null
                    ? KeyFiles.load("GATEHOUSE_KEYS_FILE", settings.keysFile)
                    : KeySet.of(SigningKey.generate(settings.signingAlgorithm));
            GatehouseSettings tokens = GatehouseSettings.builder(issuer, settings.audience)
                    .accessTokenTtl(settings.accessTokenTtl)
                    .acceptedAlgorithms(EnumSet.of(keys.signingKey().algorithm()))
                    .build();
            AuthSettings.Builder auth = AuthSettings.builder()
                    .refreshTokenTtl(settings.refreshTokenTtl)
                    .refreshFamilyLifetime(settings.refreshTokenTtl.compareTo(AuthSettings.DEFAULT_REFRESH_FAMILY_LIFETIME) > 0
                            ? settings.refreshTokenTtl : AuthSettings.DEFAULT_REFRESH_FAMILY_LIFETIME)
                    .refreshReuseGrace(settings.refreshReuseGrace)
                    .adminEmails(settings.adminEmails);
            if (settings.bcryptCost < 10) {
                auth.bcryptCostForTests(settings.bcryptCost);
            } else {
                auth.bcryptCost(settings.bcryptCost);
            }
            JdbcStores stores = new JdbcStores(ds);
            AuthService service = new AuthService(tokens, auth.build(), keys,
                    new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()));
            LOG.info("Gatehouse demo: {} ({} key {})", settings, keys.signingKey().algorithm(), keys.signingKey().kid());
            return new DemoContext(settings, service, keys, pool);
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw e;
        }
    }

    private static HikariDataSource pool(DemoSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl);
        config.setDriverClassName(driverFor(settings.jdbcUrl));
        if (!settings.jdbcUser.isEmpty()) {
            config.setUsername(settings.jdbcUser);
        }
        if (!settings.jdbcPassword.isEmpty()) {
            config.setPassword(settings.jdbcPassword);
        }
        config.setPoolName("gatehouse-demo");
        config.setMaximumPoolSize(10);
        config.setConnectionTimeout(5_000);
        config.setValidationTimeout(2_000);
        config.setInitializationFailTimeout(10_000);
        return new HikariDataSource(config);
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
        throw new dev.gatehouse.core.ConfigurationException("GATEHOUSE_JDBC_URL", "only H2, PostgreSQL and MariaDB/MySQL URLs are supported");
    }

    @Override
    public void close() {
        service.close();
        if (pool != null) {
            pool.close();
        }
    }
}
