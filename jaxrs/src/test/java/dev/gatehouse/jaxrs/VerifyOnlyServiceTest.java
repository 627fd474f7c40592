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

import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.keys.RemoteJwksKeySource;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.GrizzlyServers;
import dev.gatehouse.jaxrs.support.IssuerServer;
import dev.gatehouse.jaxrs.support.TestResources;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JAX-RS service that only verifies, as {@link GatehouseFeature#verifyOnly} documents it: no
 * database, no key files, the issuer's keys from a {@link RemoteJwksKeySource} whose URL it read
 * from the issuer's discovery metadata. Two Grizzly servers talk over real HTTP.
 */
class VerifyOnlyServiceTest {
    private final TestDatabases.Database db = TestDatabases.h2();
    private IssuerServer issuer;
    private RemoteJwksKeySource keys;
    private HttpServer service;
    private Client client;

    @BeforeEach
    void start() {
        issuer = IssuerServer.start(db.dataSource(), SigningAlgorithm.RS256, f -> f);
        String jwksUri = new Client(issuer.base).get(".well-known/openid-configuration").json().get("jwks_uri").asText();

        TokenSettings settings = TokenSettings.builder(issuer.issuer, IssuerServer.AUDIENCE).build();
        keys = RemoteJwksKeySource.builder(jwksUri)
                .acceptedAlgorithms(settings.acceptedAlgorithms())
                .allowHttpLoopback(true)
                .build();
        keys.start();
        ResourceConfig app = new ResourceConfig(TestResources.class)
                .register(GatehouseFeature.verifyOnly(new AccessTokenVerifier(settings, keys)).build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
        service = GrizzlyServers.server(URI.create("http://127.0.0.1:0/"), app, true);
        client = new Client(URI.create("http://127.0.0.1:" + service.getListener("grizzly").getPort() + "/"));
    }

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

    private IssuerServer.Login logIn() {
        return issuer.registerAndLogIn("verify-only-" + UUID.randomUUID() + "@example.org");
    }

    @Test
    void aTokenFromTheIssuerAuthenticatesAtTheVerifyOnlyService() {
        IssuerServer.Login login = logIn();

        Reply me = client.get("api/me", "Authorization", "Bearer " + login.accessToken);

        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().get("sub").asText()).isEqualTo(login.userId);
        assertThat(me.json().get("user").asBoolean()).isTrue();
    }

    @Test
    void rolesAndRefusalsWorkAsWithLocalKeys() {
        IssuerServer.Login login = logIn();

        assertThat(client.get("api/admin", "Authorization", "Bearer " + login.accessToken).status()).isEqualTo(403);
        Reply none = client.get("api/me");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse\"");
        Reply forged = client.get("api/me", "Authorization", "Bearer " + login.accessToken.substring(0, login.accessToken.length() - 4) + "AAAA");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.header("Content-Type")).isEqualToIgnoringCase("application/problem+json;charset=UTF-8");
        assertThat(forged.json().path("detail").asText()).isEqualTo("The token's signature is invalid");
        assertThat(forged.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"The token's signature is invalid\"");
    }

    @Test
    void theVerifyOnlyServiceServesNoAuthEndpointsNorKeys() {
        assertThat(client.postJson("auth/login", "{\"email\":\"a@example.org\",\"password\":\"x\"}").status()).isEqualTo(404);
        assertThat(client.get(".well-known/jwks.json").status()).isEqualTo(404);
        assertThat(client.get(".well-known/openid-configuration").status()).isEqualTo(404);
    }

    @Test
    void whenTheIssuerGoesDownIssuedTokensStillVerify() {
        IssuerServer.Login login = logIn();
        assertThat(client.get("api/me", "Authorization", "Bearer " + login.accessToken).status()).isEqualTo(200);

        issuer.stop();

        Reply me = client.get("api/me", "Authorization", "Bearer " + login.accessToken);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("sub").asText()).isEqualTo(login.userId);
    }
}
