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
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

import java.io.IOException;
import java.net.URI;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/** Jersey on Grizzly (no servlet API) with the Gatehouse feature, on a loopback port. */
public final class TestServer implements AutoCloseable {
    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "gatehouse-test";
    private static final SigningKey KEY = SigningKey.generate(SigningAlgorithm.RS256);

    public final AuthService service;
    public final KeySet keys;
    public final URI base;
    private final HttpServer server;

    private TestServer(AuthService service, KeySet keys, HttpServer server, URI base) {
        this.service = service;
        this.keys = keys;
        this.server = server;
        this.base = base;
    }

    public static TestServer start(DataSource ds, UnaryOperator<AuthSettings.Builder> auth,
                                   UnaryOperator<GatehouseFeature.Builder> feature) throws IOException {
        return start(ds, b -> b, auth, feature);
    }

    /**
     * A server whose token settings are customised too (transports, clock, ...), starting from
     * {@code TokenSettings.builder(ISSUER, AUDIENCE)}.
     */
    public static TestServer start(DataSource ds, UnaryOperator<TokenSettings.Builder> tokens,
                                   UnaryOperator<AuthSettings.Builder> auth,
                                   UnaryOperator<GatehouseFeature.Builder> feature) throws IOException {
        return startOn("127.0.0.1", ds, tokens, auth, feature);
    }

    /**
     * A server listening on {@code host} only (an IP literal, in URI form for IPv6), so that its
     * clients' peer address is that interface's.
     */
    public static TestServer startOn(String host, DataSource ds, UnaryOperator<TokenSettings.Builder> tokens,
                                     UnaryOperator<AuthSettings.Builder> auth,
                                     UnaryOperator<GatehouseFeature.Builder> feature) throws IOException {
        JdbcSchema.createIfAbsent(ds);
        JdbcStores stores = new JdbcStores(ds);
        TokenSettings tokenSettings = tokens.apply(TokenSettings.builder(ISSUER, AUDIENCE)).build();
        AuthSettings authSettings = auth.apply(AuthSettings.builder().bcryptCostForTests(4).clientAttemptsPerMinute(100_000)).build();
        KeySet keys = KeySet.of(KEY);
        SecretLedger.recordKey(KEY);
        AuthService service = AuthService.builder(tokenSettings, authSettings, keys,
                new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle())).build();
        service.start();
        ResourceConfig app = new ResourceConfig(TestResources.class)
                .register(feature.apply(GatehouseFeature.builder(service)).build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        HttpServer server = GrizzlyServers.server(URI.create("http://" + host + ":0/"), app, false);
        server.start();
        int port = server.getListener("grizzly").getPort();
        return new TestServer(service, keys, server, URI.create("http://" + host + ":" + port + "/"));
    }

    public static TestServer start(DataSource ds) throws IOException {
        return start(ds, b -> b, b -> b);
    }

    @Override
    public void close() {
        server.shutdownNow();
        service.close();
    }
}
