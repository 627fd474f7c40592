package com.example.grizzly;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.jaxrs.GatehouseFeature;
import dev.gatehouse.jaxrs.grizzly.IgnoreUpgradeAddOn;
import dev.gatehouse.jaxrs.grizzly.PeerAddressHandler;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.token.TokenSettings;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Objects;

/**
 * The application: a HikariCP pool, the Gatehouse tables, signing keys managed in the database,
 * the onboarding service, and Jersey on Grizzly with {@link GatehouseFeature} and {@link MeResource}.
 * {@link #start} starts them in that order; {@link #close()} stops them in the reverse one.
 */
public final class App implements AutoCloseable {
    /** The audience of the access tokens this application issues and accepts. */
    public static final String AUDIENCE = "grizzly-app";

    private final HikariDataSource pool;
    private final ManagedKeySource keys;
    private final AuthService service;
    private final HttpServer server;
    private final URI baseUri;

    private App(HikariDataSource pool, ManagedKeySource keys, AuthService service, HttpServer server, URI baseUri) {
        this.pool = pool;
        this.keys = keys;
        this.service = service;
        this.server = server;
        this.baseUri = baseUri;
    }

    /**
     * What the application is told.
     *
     * @param host             the address to listen on
     * @param port             the port, 0 for any free one
     * @param issuer           the {@code iss} of the tokens, the URL clients reach; {@code null} for {@code http://host:port}
     * @param databaseUrl      a JDBC URL: {@code jdbc:h2:./data/app} keeps the users in a file,
     *                         {@code jdbc:h2:mem:app;DB_CLOSE_DELAY=-1} in memory
     * @param keyEncryptionKey base64 of 32 bytes ({@code openssl rand -base64 32}); the signing keys
     *                         are stored encrypted under it
     */
    public record Settings(String host, int port, String issuer, String databaseUrl, String keyEncryptionKey) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(databaseUrl, "databaseUrl");
            if (keyEncryptionKey == null || keyEncryptionKey.isBlank()) {
                throw new IllegalArgumentException("KEY_ENCRYPTION_KEY is not set: make one with `openssl rand -base64 32`");
            }
        }

        /**
         * From the environment: {@code HOST} (default 127.0.0.1), {@code PORT} (8080), {@code ISSUER}
         * (http://HOST:PORT), {@code DATABASE_URL} (jdbc:h2:./data/app), {@code KEY_ENCRYPTION_KEY} (required).
         */
        public static Settings fromEnvironment() {
            return new Settings(env("HOST", "127.0.0.1"), Integer.parseInt(env("PORT", "8080")), env("ISSUER", null),
                    env("DATABASE_URL", "jdbc:h2:./data/app"), env("KEY_ENCRYPTION_KEY", null));
        }

        private static String env(String name, String defaultValue) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? defaultValue : value;
        }
    }

    /** Starts everything, or, when a step fails, closes what it had started and throws. */
    public static App start(Settings settings) {
        HikariDataSource pool = null;
        ManagedKeySource keys = null;
        AuthService service = null;
        HttpServer server = null;
        try {
            // 1. A connection pool, and the Gatehouse tables (created, or brought to this release's version).
            HikariConfig poolConfig = new HikariConfig();
            poolConfig.setJdbcUrl(settings.databaseUrl());
            pool = new HikariDataSource(poolConfig);
            JdbcSchema.createIfAbsent(pool);
            JdbcStores stores = new JdbcStores(pool);

            // 2. The port is bound first, so that the issuer can name it when the port was 0.
            server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://" + settings.host() + ":" + settings.port() + "/"), false);
            // java.net.http and others send "Upgrade: h2c", which Grizzly would otherwise wait on
            server.getListener("grizzly").registerAddOn(new IgnoreUpgradeAddOn());
            server.start();
            URI baseUri = URI.create("http://" + settings.host() + ":" + server.getListener("grizzly").getPort());
            String issuer = settings.issuer() != null ? settings.issuer() : baseUri.toString();

            // 3. Token settings, and signing keys kept in the database: generated, encrypted, rotated.
            TokenSettings tokens = TokenSettings.builder(issuer, AUDIENCE).build();
            keys = ManagedKeySource.builder(pool)
                    .keyEncryptionKey(settings.keyEncryptionKey())
                    .tokenLifetime(tokens)
                    .build();
            keys.start();

            // 4. The onboarding flow, started, and the feature that puts it on HTTP beside the application's resource.
            service = AuthService.builder(tokens, AuthSettings.builder().build(), keys,
                    new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                    .build();
            service.start();
            ResourceConfig app = new ResourceConfig(MeResource.class)
                    .register(GatehouseFeature.builder(service).build())
                    .property(ServerProperties.WADL_FEATURE_DISABLE, true);
            // PeerAddressHandler tells Gatehouse the client's address (per-client throttling)
            server.getServerConfiguration().addHttpHandler(
                    new PeerAddressHandler(ContainerFactory.createContainer(GrizzlyHttpContainer.class, app)), "/");
            return new App(pool, keys, service, server, baseUri);
        } catch (IOException | RuntimeException e) {
            close(server, service, keys, pool);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Grizzly did not start", io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Where the application listens, {@code http://host:port}. */
    public URI baseUri() {
        return baseUri;
    }

    /** The onboarding service, for what has no endpoint (granting a role, for instance). */
    public AuthService service() {
        return service;
    }

    /** Stops taking requests, then closes Gatehouse, the keys and the pool: the reverse order of {@link #start}. */
    @Override
    public void close() {
        close(server, service, keys, pool);
    }

    private static void close(HttpServer server, AuthService service, ManagedKeySource keys, HikariDataSource pool) {
        if (server != null) {
            server.shutdownNow();
        }
        if (service != null) {
            service.close();
        }
        if (keys != null) {
            keys.close();
        }
        if (pool != null) {
            pool.close();
        }
    }
}
