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

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JWKS cache lifetime follows the rotation schedule of managed keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwksCacheLifetimeTest {
    private final TestDatabases.Database db = TestDatabases.h2();
    private ManagedKeySource keys;
    private AuthService service;

    @BeforeAll
    void setUp() {
        JdbcSchema.createIfAbsent(db.dataSource());
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        TokenSettings tokens = TokenSettings.builder("https://issuer.test", "gatehouse-test").build();
        // publish lead 4 min, refresh 30 s: verifiers may cache the JWKS for (4 min − 30 s) / 2 = 105 s at most
        keys = ManagedKeySource.builder(db.dataSource()).publishLead(Duration.ofMinutes(4))
                .refreshInterval(Duration.ofSeconds(30)).tokenLifetime(tokens).keyEncryptionKey(kek).build();
        keys.start();
        JdbcStores stores = new JdbcStores(db.dataSource());
        service = AuthService.builder(tokens, AuthSettings.builder().bcryptCostForTests(4).build(), keys,
                new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle())).build();
        service.start();
    }

    @AfterAll
    void tearDown() {
        service.close();
        keys.close();
        db.close();
    }

    @Test
    void defaultMaxAgeIsCappedByThePublishLeadOfManagedKeys() throws Exception {
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig().register(GatehouseFeature.builder(service).build())
                        .property(ServerProperties.WADL_FEATURE_DISABLE, true), true);
        try {
            int port = server.getListener("grizzly").getPort();
            Client.Reply jwks = new Client(URI.create("http://127.0.0.1:" + port + "/")).get(".well-known/jwks.json");
            assertThat(jwks.status()).isEqualTo(200);
            assertThat(jwks.header("Cache-Control")).isEqualTo("public, max-age=105");
            assertThat(jwks.json().get("keys").size()).isGreaterThanOrEqualTo(1);
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void explicitMaxAgeLongerThanThePublishLeadAllowsIsRefused() {
        assertThatThrownBy(() -> GatehouseFeature.builder(service).jwksMaxAge(Duration.ofMinutes(10)).build())
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("jwksMaxAge");
    }

    @Test
    void explicitMaxAgeWithinTheLimitIsKept() {
        assertThat(GatehouseFeature.builder(service).jwksMaxAge(Duration.ofSeconds(60)).build()).isNotNull();
    }
}
