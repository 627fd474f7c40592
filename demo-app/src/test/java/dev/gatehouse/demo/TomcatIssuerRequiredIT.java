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

import dev.gatehouse.demo.support.Ports;
import dev.gatehouse.demo.support.TomcatDistribution;
import dev.gatehouse.demo.support.WebClient;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAR deployed in the real Tomcat 10.1 distribution without {@code GATEHOUSE_ISSUER}: the
 * issuer is never guessed from the connector or a request, so the application does not start, and
 * Tomcat's log says which setting is missing, with an example. (Every other WAR test sets it.)
 */
class TomcatIssuerRequiredIT {
    private static final String CONTEXT = "no-issuer";

    @Test
    void withoutAnIssuerTheWarDoesNotServeAndTheLogNamesTheSetting() throws Exception {
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Path work = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"));
        Files.createDirectories(work);
        Path base = Files.createTempDirectory(work.toAbsolutePath(), "tomcat-no-issuer-");
        int port = Ports.free();
        try (TomcatDistribution tomcat = TomcatDistribution.start(base, war, CONTEXT, Map.of(
                "gatehouse.jdbc.url", "jdbc:h2:file:" + base.resolve("data/gatehouse").toAbsolutePath()), Map.of(
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper()), port, Duration.ofSeconds(90))) {
            WebClient client = new WebClient(tomcat.uri("/" + CONTEXT + "/"));

            WebClient.Reply ping = client.get("api/ping");
            assertThat(ping.status()).as("%s", ping).isEqualTo(404);
            assertThat(client.get(".well-known/jwks.json").status()).isEqualTo(404);
            assertThat(client.postJson("auth/login", "{\"email\":\"a@b.test\",\"password\":\"whatever-it-is\"}").status())
                    .isEqualTo(404);
            String log = tomcat.log();
            assertThat(log).contains("Invalid Gatehouse setting 'GATEHOUSE_ISSUER': is required")
                    .contains("GATEHOUSE_ISSUER=https://demo.example.com/gatehouse-demo");
            assertThat(tomcat.logLinesContaining("SEVERE")).as("Tomcat reports the failed start:\n%s", log).isNotEmpty();
            // nothing was built: no database file, no key
            assertThat(base.resolve("data")).doesNotExist();
            assertThat(log).doesNotContain("Gatehouse demo deployed");
        }
    }
}
