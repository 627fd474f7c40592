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

package dev.gatehouse.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.demo.support.TestKeyStores;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.demo.support.WebClient.SetCookie;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The standalone demo over HTTPS on Grizzly: with a self-signed certificate it generates (and
 * keeps for the next start), and with a PKCS#12 key store made by {@code keytool}. Clients trust
 * exactly the served certificate and verify the host name; the onboarding flow works over TLS,
 * every response carries {@code Strict-Transport-Security}, and a key store that does not open
 * stops the start naming the setting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrizzlyHttpsDemoTest {
    private static final String PASSWORD = "correct horse battery";
    private static final String STORE_PASSWORD = "store-" + UUID.randomUUID();
    /** 365 days in seconds, the documented default. */
    private static final long ONE_YEAR_SECONDS = 365L * 24 * 60 * 60;

    @TempDir
    static Path dir;
    private Path supplied;

    @BeforeAll
    void keyStore() throws Exception {
        supplied = TestKeyStores.keytool(dir.resolve("supplied.p12"), STORE_PASSWORD);
    }

    private DemoSettings settings(String name, String... extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve(name).toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(DemoContract.BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false",
                "GATEHOUSE_SIGNING_ALG", "ES256")); // quick to generate
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return DemoSettings.from(env, n -> null, n -> null);
    }

    private static String credentials(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
    }

    @Test
    void selfSignedCertificateServesTheOnboardingFlowWithHstsAndIsKeptForTheNextStart() throws Exception {
        Path keystore = dir.resolve("tls").resolve("keystore.p12");
        DemoSettings settings = settings("self-signed", "GATEHOUSE_TLS", "self-signed", "GATEHOUSE_TLS_KEYSTORE", keystore.toString());
        X509Certificate served;
        DemoMain.Running running = DemoMain.start(settings);
        try {
            assertThat(running.url).startsWith("https://127.0.0.1:");
            assertThat(running.context.service.tokenSettings().issuer()).as("the issuer is the https URL")
                    .isEqualTo(running.url.substring(0, running.url.length() - 1));
            String password = Files.readString(keystore.resolveSibling("keystore.p12.password"), StandardCharsets.US_ASCII).strip();
            X509Certificate certificate = TestKeyStores.certificate(keystore, password);
            assertThat(certificate.getSubjectAlternativeNames()).as("valid for the loopback address and localhost")
                    .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
            X509Certificate pem = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(Files.readAllBytes(keystore.resolveSibling("certificate.pem"))));
            assertThat(pem).as("the PEM beside the key store is the same certificate").isEqualTo(certificate);

            SSLContext trustingIt = TestKeyStores.trusting(certificate);
            WebClient browser = new WebClient(URI.create(running.url), trustingIt);
            Reply page = browser.get("");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Strict-Transport-Security")).isEqualTo("max-age=" + ONE_YEAR_SECONDS);
            served = (X509Certificate) page.response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertThat(served).isEqualTo(certificate);
            assertThat(page.response.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.3", "TLSv1.2");

            String email = "tls-" + UUID.randomUUID() + "@example.org";
            Reply registered = browser.postJson("auth/register", credentials(email));
            assertThat(registered.status()).as("%s", registered).isEqualTo(201);
            assertThat(registered.header("Strict-Transport-Security")).isEqualTo("max-age=" + ONE_YEAR_SECONDS);
            Reply login = browser.postJson("auth/login", credentials(email), "Auth-Transport", "cookie");
            assertThat(login.status()).as("%s", login).isEqualTo(200);
            assertThat(login.setCookies()).hasSize(3);
            for (SetCookie cookie : login.setCookies()) {
                assertThat(cookie.has("Secure")).as("%s", cookie).isTrue();
            }
            Reply me = browser.get("api/me");
            assertThat(me.status()).as("%s", me).isEqualTo(200);
            assertThat(me.json().path("email").asText()).isEqualTo(email);

            Reply refused = new WebClient(URI.create(running.url), trustingIt).get("api/me");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("Strict-Transport-Security")).as("errors carry it too").isEqualTo("max-age=" + ONE_YEAR_SECONDS);

            HttpClient defaultTrust = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThatThrownBy(() -> defaultTrust.send(HttpRequest.newBuilder(URI.create(running.url)).build(),
                    HttpResponse.BodyHandlers.discarding()))
                    .as("a client that does not trust the self-signed certificate").isInstanceOf(IOException.class);
        } finally {
            running.stop();
        }

        DemoMain.Running again = DemoMain.start(settings);
        try {
            X509Certificate certificate = TestKeyStores.certificate(keystore,
                    Files.readString(keystore.resolveSibling("keystore.p12.password"), StandardCharsets.US_ASCII).strip());
            assertThat(certificate).as("the key store was kept, not regenerated").isEqualTo(served);
            Reply ping = new WebClient(URI.create(again.url), TestKeyStores.trusting(served)).get("api/ping");
            assertThat(ping.status()).isEqualTo(200);
        } finally {
            again.stop();
        }
    }

    @Test
    void suppliedKeyStoreServesHttpsWithTheConfiguredHstsMaxAge() throws Exception {
        DemoMain.Running running = DemoMain.start(settings("supplied", "GATEHOUSE_TLS_KEYSTORE", supplied.toString(),
                "GATEHOUSE_TLS_KEYSTORE_PASSWORD", STORE_PASSWORD, "GATEHOUSE_HSTS_MAX_AGE", "PT1H"));
        try {
            assertThat(running.url).startsWith("https://127.0.0.1:");
            WebClient client = new WebClient(URI.create(running.url),
                    TestKeyStores.trusting(TestKeyStores.certificate(supplied, STORE_PASSWORD)));
            String email = "p12-" + UUID.randomUUID() + "@example.org";
            assertThat(client.postJson("auth/register", credentials(email)).status()).isEqualTo(201);
            Reply login = client.postJson("auth/login", credentials(email), "Auth-Transport", "bearer");
            assertThat(login.status()).as("%s", login).isEqualTo(200);
            assertThat(login.header("Strict-Transport-Security")).isEqualTo("max-age=3600");
            JsonNode tokens = login.json();
            Reply me = client.get("api/me", "Authorization", "Bearer " + tokens.path("access_token").asText());
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.json().path("email").asText()).isEqualTo(email);
        } finally {
            running.stop();
        }
    }

    @Test
    void aKeyStoreThatDoesNotOpenStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> DemoMain.start(settings("wrong", "GATEHOUSE_TLS_KEYSTORE", supplied.toString(),
                "GATEHOUSE_TLS_KEYSTORE_PASSWORD", "not-the-password")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_TLS_KEYSTORE_PASSWORD")
                .hasMessageContaining("wrong password")
                .hasMessageNotContaining("not-the-password");
        assertThatThrownBy(() -> DemoMain.start(settings("missing", "GATEHOUSE_TLS_KEYSTORE", dir.resolve("nope.p12").toString())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_TLS_KEYSTORE")
                .hasMessageContaining("nope.p12");
    }

    @Test
    void tlsSettingsAreValidatedNamingTheSetting() {
        assertThatThrownBy(() -> settings("x", "GATEHOUSE_TLS", "keystore"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_TLS_KEYSTORE");
        assertThatThrownBy(() -> settings("x", "GATEHOUSE_TLS", "yes"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_TLS");
        assertThatThrownBy(() -> settings("x", "GATEHOUSE_HSTS_MAX_AGE", "a year"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_HSTS_MAX_AGE");
        assertThatThrownBy(() -> settings("x", "GATEHOUSE_REQUIRE_HTTPS", "sometimes"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_REQUIRE_HTTPS");
        assertThatThrownBy(() -> settings("x", "GATEHOUSE_TRUSTED_PROXIES", "proxy.internal"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_TRUSTED_PROXIES");
        assertThat(settings("x").tls).as("plain HTTP by default").isEqualTo(DemoSettings.Tls.OFF);
        assertThat(settings("x").requireHttps).as("secure by default").isTrue();
    }
}
