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

package dev.gatehouse.jaxrs.support;

import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

import java.net.URI;
import java.util.EnumSet;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * A Gatehouse issuer on Jersey/Grizzly whose issuer is its own base URL
 * ({@code http://127.0.0.1:<port>}), as a deployment's must be for discovery to work: the port is
 * bound first, then the application is built with that issuer and mounted.
 */
public final class IssuerServer implements AutoCloseable {
    public static final String AUDIENCE = "gatehouse-interop";
    public static final String PASSWORD = "correct horse battery staple";

    public final String issuer;
    public final URI base;
    public final SigningKey key;
    public final AuthService service;
    private final HttpServer server;

    private IssuerServer(String issuer, URI base, SigningKey key, AuthService service, HttpServer server) {
        this.issuer = issuer;
        this.base = base;
        this.key = key;
        this.service = service;
        this.server = server;
    }

    /** An issuer signing with a fresh key of this algorithm, issuer = its own URL. */
    public static IssuerServer start(DataSource ds, SigningAlgorithm algorithm, UnaryOperator<GatehouseFeature.Builder> feature) {
        return start(ds, algorithm, null, feature);
    }

    /**
     * @param issuerOverride an issuer other than the server's URL, or {@code null} for the URL
     */
    public static IssuerServer start(DataSource ds, SigningAlgorithm algorithm, String issuerOverride,
                                     UnaryOperator<GatehouseFeature.Builder> feature) {
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), true);
        try {
            int port = server.getListener("grizzly").getPort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            String issuer = issuerOverride != null ? issuerOverride : "http://127.0.0.1:" + port;

            JdbcSchema.createIfAbsent(ds);
            JdbcStores stores = new JdbcStores(ds);
            TokenSettings tokens = TokenSettings.builder(issuer, AUDIENCE)
                    .acceptedAlgorithms(EnumSet.of(algorithm))
                    .build();
            AuthSettings auth = AuthSettings.builder().bcryptCostForTests(4).clientAttemptsPerMinute(100_000).build();
            SigningKey key = SigningKey.generate(algorithm);
            KeySet keys = KeySet.of(key);
            SecretLedger.recordKey(key);
            AuthService service = AuthService.builder(tokens, auth, keys,
                    new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle())).build();
            service.start();
            ResourceConfig app = new ResourceConfig(TestResources.class)
                    .register(feature.apply(GatehouseFeature.builder(service)).build())
                    .property(ServerProperties.WADL_FEATURE_DISABLE, true);
            GrizzlyServers.serve(server, app);
            return new IssuerServer(issuer, base, key, service, server);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw e;
        }
    }

    /** Registers {@code email} and logs in with the bearer transport; returns the access token. */
    public Login registerAndLogIn(String email) {
        Client client = new Client(base);
        Client.Reply registered = client.postJson("auth/register", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
        if (registered.status() != 201) {
            throw new AssertionError("register: " + registered);
        }
        Client.Reply login = client.postJson("auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
        if (login.status() != 200) {
            throw new AssertionError("login: " + login);
        }
        return new Login(registered.json().get("id").asText(), login.json().get("access_token").asText());
    }

    /** A logged-in user: the id {@code sub} carries, and the access token. */
    public static final class Login {
        public final String userId;
        public final String accessToken;

        Login(String userId, String accessToken) {
            this.userId = userId;
            this.accessToken = accessToken;
        }
    }

    /** Stops serving (the issuer is down); the database is left alone. */
    public void stop() {
        server.shutdownNow();
    }

    @Override
    public void close() {
        server.shutdownNow();
        service.close();
    }
}
