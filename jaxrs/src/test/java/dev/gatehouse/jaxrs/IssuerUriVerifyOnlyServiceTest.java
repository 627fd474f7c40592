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

import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.GrizzlyServers;
import dev.gatehouse.jaxrs.support.IssuerServer;
import dev.gatehouse.jaxrs.support.TestResources;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.keys.RemoteJwksKeySource;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A JAX-RS service that only verifies, configured with the issuer's identifier alone
 * ({@link RemoteJwksKeySource#fromIssuer}): the JWK Set URL comes from the discovery metadata a
 * Gatehouse issuer on Grizzly serves. Two Grizzly servers talk over real HTTP.
 */
class IssuerUriVerifyOnlyServiceTest {
    private final TestDatabases.Database db = TestDatabases.h2();
    private IssuerServer issuer;
    private RemoteJwksKeySource keys;
    private HttpServer service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.shutdownNow();
        }
        if (keys != null) {
            keys.close();
        }
        if (issuer != null) {
            issuer.close();
        }
        db.close();
    }

    private RemoteJwksKeySource keysOf(String issuerUri, TokenSettings settings) {
        keys = RemoteJwksKeySource.fromIssuer(issuerUri)
                .acceptedAlgorithms(settings.acceptedAlgorithms())
                .allowHttpLoopback(true)
                .build();
        return keys;
    }

    @Test
    void aTokenFromTheIssuerAuthenticatesAtAServiceThatKnowsOnlyTheIssuer() {
        issuer = IssuerServer.start(db.dataSource(), SigningAlgorithm.RS256, f -> f);
        TokenSettings settings = TokenSettings.builder(issuer.issuer, IssuerServer.AUDIENCE).build();
        RemoteJwksKeySource remote = keysOf(issuer.issuer, settings);
        remote.start();
        ResourceConfig app = new ResourceConfig(TestResources.class)
                .register(GatehouseFeature.verifyOnly(new AccessTokenVerifier(settings, remote)).build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        service = GrizzlyServers.server(URI.create("http://127.0.0.1:0/"), app, true);
        Client client = new Client(URI.create("http://127.0.0.1:" + service.getListener("grizzly").getPort() + "/"));
        IssuerServer.Login login = issuer.registerAndLogIn("issuer-uri-" + UUID.randomUUID() + "@example.org");

        Reply me = client.get("api/me", "Authorization", "Bearer " + login.accessToken);

        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().get("sub").asText()).isEqualTo(login.userId);
        assertThat(remote.jwksUrl()).contains(URI.create(issuer.issuer + "/.well-known/jwks.json"));
        Reply none = client.get("api/me");
        assertThat(none.status()).isEqualTo(401);
    }

    @Test
    void anIssuerWhoseDocumentNamesAnotherIssuerIsRefusedAtStart() {
        // Served at 127.0.0.1 but configured as https://auth.example.com: its metadata says so.
        issuer = IssuerServer.start(db.dataSource(), SigningAlgorithm.RS256, "https://auth.example.com", f -> f);
        String served = "http://127.0.0.1:" + issuer.base.getPort();
        RemoteJwksKeySource remote = keysOf(served, TokenSettings.builder(served, IssuerServer.AUDIENCE).build());

        assertThatThrownBy(remote::start)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("issuerUri"))
                .hasMessageContaining("'https://auth.example.com'")
                .hasMessageContaining("'" + served + "'");
        assertThat(remote.isRunning()).isFalse();
    }

    @Test
    void aVerifierExpectingAnotherIssuerThanTheKeysIsRefusedWhenBuilt() {
        issuer = IssuerServer.start(db.dataSource(), SigningAlgorithm.RS256, f -> f);
        RemoteJwksKeySource remote = keysOf(issuer.issuer, TokenSettings.builder(issuer.issuer, IssuerServer.AUDIENCE).build());

        assertThatThrownBy(() -> new AccessTokenVerifier(TokenSettings.builder("https://other.example", IssuerServer.AUDIENCE).build(),
                remote)).isInstanceOf(ConfigurationException.class).hasMessageContaining("https://other.example");
    }
}
