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

package dev.gatehouse.demo.attack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import dev.gatehouse.testing.TokenForge;
import dev.gatehouse.demo.DemoContract;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone who can write to the database, but does not hold the key-encryption key, adds a signing
 * key of their own to a running demo with managed keys (the default: no {@code GATEHOUSE_KEYS_FILE}):
 * a row in {@code gh_signing_keys} with their RSA public key under a kid they chose, active since an
 * hour ago, of the next generation. After the node's next key refresh, the row is refused (an
 * ERROR in the log names it): {@code /.well-known/jwks.json} does not publish it, a token they sign
 * with that kid is {@code 401} on a protected route, and the node goes on signing with its own key.
 *
 * <p>A subclass starts the demo on {@link #openDatabase()} with {@link #settings()} (keys reloaded
 * every {@value #KEY_REFRESH_TEXT}, so that a refresh comes quickly) and shows what it logs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ManagedKeyTamperingContract {
    static final String KEY_REFRESH_TEXT = "PT1S";
    private static final String AUDIENCE = "gatehouse-demo";
    private static final String PASSWORD = "plum-Kettle-4-orbit";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Database db;
    private String genuineKid;
    private String victimId;
    private String victimToken;

    /** A fresh database for the demo, reachable from this test too. */
    protected abstract Database openDatabase();

    /** Starts the demo with these settings (environment variable names). */
    protected abstract void startServer(Map<String, String> settings) throws Exception;

    protected abstract void stopServer() throws Exception;

    /** The running demo's base URI, ending with {@code /}. */
    protected abstract URI base();

    /** The {@code iss} of the demo's tokens. */
    protected abstract String issuer();

    /** Everything the demo has logged so far. */
    protected abstract String serverLog();

    /** The demo's settings: this database, managed keys reloaded every second, a test bcrypt cost. */
    protected Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("GATEHOUSE_JDBC_URL", db.jdbcUrl());
        settings.put("GATEHOUSE_JDBC_USER", db.user());
        settings.put("GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
        settings.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        settings.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        settings.put("GATEHOUSE_KEY_REFRESH_INTERVAL", KEY_REFRESH_TEXT);
        settings.put("GATEHOUSE_BCRYPT_COST", "4");
        settings.put("GATEHOUSE_TEST_MODE", "true");
        settings.put("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false");
        return settings;
    }

    @BeforeAll
    void startAndLogIn() throws Exception {
        db = openDatabase();
        startServer(settings());
        String email = "victim-" + UUID.randomUUID() + "@gatehouse.test";
        SecretLedger.record(PASSWORD);
        String body = "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
        Reply registered = client().postJson("auth/register", body);
        assertThat(registered.status()).as("%s", registered).isEqualTo(201);
        Reply login = client().postJson("auth/login", body);
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        victimToken = login.json().path("access_token").asText();
        SecretLedger.record(victimToken);
        victimId = client().get("api/me", "Authorization", "Bearer " + victimToken).json().path("sub").asText();
        genuineKid = header(victimToken).path("kid").asText();
        assertThat(publishedKids()).as("the demo's own managed key").containsExactly(genuineKid);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            stopServer();
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    /** After each case the node still signs with its own key, and its tokens still work. */
    @AfterEach
    void theGenuineKeyStillSignsAndVerifies() {
        Reply me = client().get("api/me", "Authorization", "Bearer " + victimToken);
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(publishedKids()).contains(genuineKid);
    }

    @Test
    void anAttackersPublicKeyInsertedIntoTheKeyTableIsNotPublishedAndItsTokensAreRefused() {
        KeyPair attacker = AttackKeys.rsaPair();
        String kid = "attacker-" + UUID.randomUUID();
        String jwk = toJson(AttackKeys.publicJwk((RSAPublicKey) attacker.getPublic(), kid));
        insertRow(kid, jwk, null);

        awaitRefused(kid);

        assertThat(publishedKids()).doesNotContain(kid).containsExactly(genuineKid);
        long now = Instant.now().getEpochSecond();
        String forged = TokenForge.accessToken("RS256", kid, issuer(), AUDIENCE, victimId, now, now + 300)
                .claim("roles", List.of("user", "admin")).signRs256(attacker.getPrivate());
        for (String route : List.of("api/me", "api/claims", "api/admin")) {
            Reply reply = client().get(route, "Authorization", "Bearer " + forged);
            assertThat(reply.status()).as("%s %s", route, reply).isEqualTo(401);
            assertThat(reply.header("WWW-Authenticate")).contains("invalid_token");
        }
        // a genuine token with the same claims would have passed: the refusal is the key's
        String login = loginToken();
        assertThat(header(login).path("kid").asText()).isEqualTo(genuineKid);
    }

    @Test
    void aPlainPrivateKeyInsertedIntoTheKeyTableNeverSigns() {
        KeyPair attacker = AttackKeys.rsaPair();
        String kid = "attacker-plain-" + UUID.randomUUID();
        SigningKey key = SigningKey.rsa(kid, (RSAPublicKey) attacker.getPublic(), (RSAPrivateKey) attacker.getPrivate());
        String jwk = toJson(AttackKeys.publicJwk((RSAPublicKey) attacker.getPublic(), kid));
        insertRow(kid, jwk, "plain:" + JwkSets.toPrivateJson(List.of(key)));

        awaitRefused(kid);

        // the row, if it were trusted, would be the newest key and active: every login would be signed with it
        String token = loginToken();
        assertThat(header(token).path("kid").asText()).isEqualTo(genuineKid);
        assertThat(publishedKids()).doesNotContain(kid);
        assertThat(privateKeyOf(kid)).as("left as it was, not adopted").startsWith("plain:");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private WebClient client() {
        return new WebClient(base());
    }

    private String loginToken() {
        Reply login = client().postJson("auth/login", "{\"email\":\"" + emailOf() + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        String token = login.json().path("access_token").asText();
        SecretLedger.record(token);
        return token;
    }

    private String emailOf() {
        return client().get("api/me", "Authorization", "Bearer " + victimToken).json().path("email").asText();
    }

    private List<String> publishedKids() {
        Reply jwks = client().get(".well-known/jwks.json");
        assertThat(jwks.status()).as("%s", jwks).isEqualTo(200);
        return jwks.json().path("keys").findValuesAsText("kid");
    }

    private void awaitRefused(String kid) {
        String line = "Signing key " + kid + " is REFUSED";
        Poll.until(Duration.ofSeconds(30), this::serverLog, log -> log.contains(line));
    }

    /** What the attacker writes: the next generation, active since an hour ago, no row MAC. */
    private void insertRow(String kid, String publicJwk, String privateKey) {
        Instant past = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MICROS);
        try (Connection c = db.dataSource().getConnection()) {
            int generation;
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(generation) FROM gh_signing_keys");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                generation = rs.getInt(1) + 1;
            }
            boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            Object at = postgres ? OffsetDateTime.ofInstant(past, ZoneOffset.UTC) : LocalDateTime.ofInstant(past, ZoneOffset.UTC);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO gh_signing_keys (kid, generation, alg, public_jwk,"
                    + " private_key, created_at, activates_at) VALUES (?, ?, 'RS256', ?, ?, ?, ?)")) {
                ps.setString(1, kid);
                ps.setInt(2, generation);
                ps.setString(3, publicJwk);
                ps.setString(4, privateKey);
                ps.setObject(5, at);
                ps.setObject(6, at);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String privateKeyOf(String kid) {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT private_key FROM gh_signing_keys WHERE kid = ?")) {
            ps.setString(1, kid);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode header(String token) {
        try {
            return JSON.readTree(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
