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

import dev.gatehouse.demo.support.DemoProcess;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.demo.support.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real launcher as an operator runs it ({@code run-demo.sh}: {@code java -cp
 * target/classes:target/lib/* dev.gatehouse.demo.grizzly.DemoMain}), in a child process with its
 * default settings except {@code GATEHOUSE_PORT=0}, in an empty working directory (its H2 database
 * goes to {@code ./data}). Needs {@code target/lib}, which {@code prepare-package} makes.
 */
class StandaloneProcessIT {
    private static final Pattern URL = Pattern.compile("http://[^\\s]+");

    @TempDir
    Path workDir;

    @Test
    void printsOneLineWithItsUrlServesAndStopsGracefullyOnSigterm() throws Exception {
        DemoProcess demo = launch(Map.of("GATEHOUSE_PORT", "0"));
        try {
            String ready = demo.awaitLine(Duration.ofSeconds(60));
            long startMillis = (System.nanoTime() - demo.startedNanos()) / 1_000_000;
            assertThat(ready).as("stdout's first line; stderr:\n%s", demo.stderr()).isNotNull().contains("http://127.0.0.1:");
            assertThat(ready).as("the ready line starts its line, so that a script can wait for it").startsWith("Gatehouse demo ready at http://");
            // nothing alarming at start: java.util.logging (Jersey, Grizzly) writes its warnings as "WARNING: ..."
            assertThat(demo.stderr().lines().filter(l -> l.startsWith("WARNING:") || l.startsWith("SEVERE:")))
                    .as("JUL warnings at start; stderr:\n%s", demo.stderr()).isEmpty();
            System.out.printf("[StandaloneProcessIT] standalone demo: process start -> ready line in %d ms (%s)%n", startMillis, ready);
            Matcher m = URL.matcher(ready);
            assertThat(m.find()).isTrue();
            URI url = URI.create(m.group());
            assertThat(url.getPort()).as("port 0 picks a free port").isPositive();
            assertThat(url.getPath()).isEqualTo("/");

            WebClient client = new WebClient(url);
            WebClient.Reply ping = client.get("api/ping");
            assertThat(ping.status()).as("%s", ping).isEqualTo(200);
            assertThat(ping.json().path("status").asText()).isEqualTo("ok");
            assertThat(client.get("").header("Content-Security-Policy")).isNotBlank();
            assertThat(Files.isDirectory(workDir.resolve("data"))).as("the default H2 database under ./data").isTrue();
            recordGeneratedKek();
            Path pepper = workDir.resolve("data/pepper");
            if (Files.exists(pepper)) {
                SecretLedger.record(Base64.getDecoder().decode(Files.readString(pepper).strip()));
            }

            demo.process().destroy(); // SIGTERM
            boolean exited = demo.process().waitFor(15, TimeUnit.SECONDS);
            assertThat(exited).as("exited within 15 s of SIGTERM; stderr:\n%s", demo.stderr()).isTrue();
            assertThat(demo.process().exitValue()).as("exit code after SIGTERM").isIn(0, 143);
            assertThat(demo.stdoutLines()).as("stdout: exactly one line, the ready line").containsExactly(ready);
            assertThat(demo.stderr()).as("the pool was closed by the shutdown hook")
                    .contains("gatehouse-demo - Shutdown completed.");
        } finally {
            demo.kill();
        }
    }

    @Test
    void refusesAnInvalidSettingWithAMessageThatNamesIt() throws Exception {
        DemoProcess demo = launch(Map.of("GATEHOUSE_PORT", "eighty"));
        try {
            assertThat(demo.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.process().exitValue()).isEqualTo(2);
            assertThat(demo.stdoutLines()).as("no ready line").isEmpty();
            assertThat(demo.stderr()).contains("GATEHOUSE_PORT").contains("eighty").doesNotContain("\tat ");
        } finally {
            demo.kill();
        }
    }

    @Test
    void aKeyStoreItCannotOpenIsReportedNamingThePasswordSetting() throws Exception {
        Path keystore = dev.gatehouse.demo.support.TestKeyStores.keytool(workDir.resolve("server.p12"), "the-right-password");
        DemoProcess demo = launch(Map.of("GATEHOUSE_PORT", "0", "GATEHOUSE_TLS_KEYSTORE", keystore.toString(),
                "GATEHOUSE_TLS_KEYSTORE_PASSWORD", "a-wrong-password"));
        try {
            assertThat(demo.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.process().exitValue()).isEqualTo(2);
            assertThat(demo.stdoutLines()).as("no ready line").isEmpty();
            assertThat(demo.stderr()).contains("GATEHOUSE_TLS_KEYSTORE_PASSWORD").contains("wrong password")
                    .doesNotContain("a-wrong-password").doesNotContain("\tat ");
        } finally {
            demo.kill();
        }
    }

    @Test
    void aPortInUseIsReportedAsSuchNotAsAStackTrace() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            DemoProcess demo = launch(Map.of("GATEHOUSE_PORT", String.valueOf(taken.getLocalPort())));
            try {
                assertThat(demo.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(demo.process().exitValue()).isEqualTo(2);
                assertThat(demo.stdoutLines()).as("no ready line").isEmpty();
                assertThat(demo.stderr()).contains("GATEHOUSE_PORT").contains(String.valueOf(taken.getLocalPort()))
                        .doesNotContain("\tat ");
            } finally {
                demo.kill();
            }
        }
    }

    @Test
    void aPepperItGeneratesIsKeptSoThatAUserRegisteredBeforeARestartCanStillLogIn() throws Exception {
        String email = "pepper-" + java.util.UUID.randomUUID() + "@gatehouse.test";
        String password = "plum-Kettle-4-orbit";
        SecretLedger.record(password);
        String body = "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
        Path pepper = workDir.resolve("data/pepper");

        DemoProcess first = launch(Map.of("GATEHOUSE_PORT", "0", "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false"));
        String generated;
        try {
            WebClient client = new WebClient(readyUrl(first));
            assertThat(client.postJson("auth/register", body).status()).isEqualTo(201);
            assertThat(client.postJson("auth/login", body).status()).isEqualTo(200);
            generated = Files.readString(pepper).strip();
            SecretLedger.record(Base64.getDecoder().decode(generated));
            assertThat(Base64.getDecoder().decode(generated)).hasSize(32);
            if (Files.getFileStore(pepper).supportsFileAttributeView("posix")) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pepper)))
                        .isEqualTo("rw-------");
            }
            assertThat(first.stderr()).contains("GATEHOUSE_PEPPER is not set: generated a password pepper into")
                    .contains("changing it later invalidates every stored password hash").doesNotContain(generated);
        } finally {
            stop(first);
        }
        recordGeneratedKek();

        DemoProcess second = launch(Map.of("GATEHOUSE_PORT", "0", "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false"));
        try {
            WebClient client = new WebClient(readyUrl(second));
            WebClient.Reply login = client.postJson("auth/login", body);
            assertThat(login.status()).as("the same password after a restart: %s", login).isEqualTo(200);
            assertThat(second.stderr()).contains("GATEHOUSE_PEPPER is not set: using the demo password pepper in")
                    .doesNotContain(generated);
            assertThat(Files.readString(pepper).strip()).isEqualTo(generated);
        } finally {
            stop(second);
        }

        // the control: with another pepper the stored hash no longer matches, so the pepper is what was used
        DemoProcess other = launch(Map.of("GATEHOUSE_PORT", "0", "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false"));
        try {
            WebClient client = new WebClient(readyUrl(other));
            assertThat(client.postJson("auth/login", body).status()).isEqualTo(401);
        } finally {
            stop(other);
        }
    }

    private static URI readyUrl(DemoProcess demo) throws Exception {
        String ready = demo.awaitLine(Duration.ofSeconds(60));
        assertThat(ready).as("ready line; stderr:\n%s", demo.stderr()).isNotNull();
        Matcher m = URL.matcher(ready);
        assertThat(m.find()).isTrue();
        return URI.create(m.group());
    }

    private static void stop(DemoProcess demo) throws Exception {
        demo.process().destroy();
        demo.process().waitFor(15, TimeUnit.SECONDS);
        demo.kill();
    }

    private void recordGeneratedKek() throws java.io.IOException {
        Path kek = workDir.resolve("data/key-encryption-key");
        if (Files.exists(kek)) {
            SecretLedger.record(Base64.getDecoder().decode(Files.readString(kek).strip()));
        }
    }

    private DemoProcess launch(Map<String, String> settings) {
        return DemoProcess.start(workDir, settings);
    }
}
