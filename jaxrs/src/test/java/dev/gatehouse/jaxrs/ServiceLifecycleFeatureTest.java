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

package dev.gatehouse.jaxrs;

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.GrizzlyServers;
import dev.gatehouse.jaxrs.support.TestResources;
import dev.gatehouse.jaxrs.support.TestServer;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The feature and the service's lifecycle: an application whose service was never started does
 * not start (the error says what to call), and a service closed while requests still arrive
 * answers them {@code 503}, not {@code 500}.
 */
class ServiceLifecycleFeatureTest {
    private final TestDatabases.Database db = TestDatabases.h2();
    private AuthService service;
    private HttpServer server;
    private TestServer running;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
        if (running != null) {
            running.close();
        }
        if (service != null) {
            service.close();
        }
        db.close();
    }

    @Test
    void anApplicationWhoseServiceIsNotStartedDoesNotStart() {
        JdbcSchema.createIfAbsent(db.dataSource());
        JdbcStores stores = new JdbcStores(db.dataSource());
        service = AuthService.builder(TokenSettings.builder(TestServer.ISSUER, TestServer.AUDIENCE).build(),
                AuthSettings.builder().bcryptCostForTests(4).build(), KeySet.of(SigningKey.generate(SigningAlgorithm.ES256)),
                new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle())).build();
        // building the feature is fine before start(): the service must run once the application starts
        ResourceConfig app = new ResourceConfig(TestResources.class)
                .register(GatehouseFeature.builder(service).build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);

        assertThatThrownBy(() -> server = GrizzlyServers.server(URI.create("http://127.0.0.1:0/"), app, true))
                .hasStackTraceContaining("GatehouseFeature: the AuthService is not running: call its start() before the"
                        + " JAX-RS application starts");
    }

    @Test
    void aServiceClosedWhileRequestsStillArriveAnswers503() throws Exception {
        running = TestServer.start(db.dataSource());
        Client client = new Client(running.base);
        String credentials = "{\"email\":\"closing@example.org\",\"password\":\"a password nobody guesses 42\"}";
        assertThat(client.postJson("auth/register", credentials).status()).isEqualTo(201);

        running.service.close();

        for (String path : new String[] {"auth/login", "auth/register"}) {
            Client.Reply reply = client.postJson(path, credentials);
            assertThat(reply.status()).as(path + ": " + reply).isEqualTo(503);
            assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        }
        Client.Reply refresh = client.postJson("auth/refresh", "{\"refresh_token\":\"" + "x".repeat(43) + "\"}");
        assertThat(refresh.status()).as(refresh.toString()).isEqualTo(503);
    }
}
