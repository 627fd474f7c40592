package com.example.warjaxrs;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.token.TokenSettings;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Starts Gatehouse before the container initialises the filter and Jersey, and closes it after
 * they are destroyed: the pool, the tables, the keys, the service, in that order, and back.
 * Its settings are the context-params of web.xml.
 */
public class GatehouseSetup implements ServletContextListener {
    /** The context attribute the filter's {@code verifier-attribute} names. */
    public static final String VERIFIER_ATTRIBUTE = "gatehouse.verifier";
    /** The audience of the access tokens this application issues and accepts. */
    public static final String AUDIENCE = "orders";

    private static volatile AuthService service;

    private HikariDataSource pool;
    private ManagedKeySource keys;

    /** The running service, for the JAX-RS application (built after this listener has run). */
    static AuthService service() {
        AuthService s = service;
        if (s == null) {
            throw new IllegalStateException("GatehouseSetup has not run: declare it as a <listener> in web.xml");
        }
        return s;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        try {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(setting(context, "database-url"));
            config.setDriverClassName("org.h2.Driver");   // DriverManager discovery is unreliable in a WAR
            pool = new HikariDataSource(config);
            JdbcSchema.createIfAbsent(pool);
            JdbcStores stores = new JdbcStores(pool);

            TokenSettings tokens = TokenSettings.builder(setting(context, "issuer"), AUDIENCE).build();
            keys = ManagedKeySource.builder(pool)
                    .keyEncryptionKey(setting(context, "key-encryption-key"))
                    .tokenLifetime(tokens)
                    .build();
            keys.start();

            AuthService started = AuthService.builder(tokens, AuthSettings.builder().build(), keys,
                    new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                    .build();
            started.start();
            service = started;
            context.setAttribute(VERIFIER_ATTRIBUTE, started.verifier());   // the filter verifies with the service's keys
        } catch (RuntimeException e) {
            contextDestroyed(event);
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        AuthService s = service;
        service = null;
        if (s != null) {
            s.close();
        }
        if (keys != null) {
            keys.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** A context-param; one still reading {@code ${...}} names a system property that was not set. */
    private static String setting(ServletContext context, String name) {
        String value = context.getInitParameter(name);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("The context-param '" + name + "' is not set (web.xml: " + value + ")");
        }
        return value;
    }
}
