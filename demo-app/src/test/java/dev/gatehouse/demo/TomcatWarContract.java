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

import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.demo.support.Ports;
import dev.gatehouse.demo.support.TomcatDistribution;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract against the WAR ({@code target/gatehouse-demo.war}) in the real Tomcat 10.1
 * distribution, then an undeploy that Tomcat's leak detection finds clean: the listener closes
 * the Hikari pool and the service's threads and deregisters the JDBC drivers it loaded.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TomcatWarContract extends DemoContract {
    private TomcatDistribution tomcat;

    /** {@code ROOT} for the root context, else the context path without its slash. */
    abstract String warName();

    private String contextPath() {
        return warName().equals("ROOT") ? "" : "/" + warName();
    }

    @BeforeAll
    void startTomcat() throws Exception {
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Path work = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"));
        Files.createDirectories(work);
        // the last run's CATALINA_BASE stays for inspection until the next run
        try (Stream<Path> old = Files.list(work)) {
            for (Path dir : old.filter(d -> d.getFileName().toString().startsWith("tomcat-" + warName() + "-")).toList()) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        Path base = Files.createTempDirectory(work, "tomcat-" + warName() + "-");
        int port = Ports.free();
        tomcat = TomcatDistribution.start(base, war, warName(), Map.of(
                "gatehouse.jdbc.url", "jdbc:h2:file:" + base.resolve("data/gatehouse-" + UUID.randomUUID()).toAbsolutePath(),
                "gatehouse.bcrypt.cost", String.valueOf(BCRYPT_COST),
                "gatehouse.test.mode", "true",
                "gatehouse.require.verified.email", "false",
                "gatehouse.issuer", "http://127.0.0.1:" + port + contextPath(),
                "gatehouse.admin.emails", ADMIN_EMAIL), port, Duration.ofSeconds(90));
        System.out.printf("[%s] Tomcat 10.1 with %s.war started in %d ms (CATALINA_BASE %s)%n",
                getClass().getSimpleName(), warName(), tomcat.startupTime().toMillis(), base);
        assertThat(tomcat.logLinesContaining("SEVERE")).as("errors while deploying:\n%s", tomcat.log()).isEmpty();
        assertThat(tomcat.log()).contains("Gatehouse demo deployed at context path '" + contextPath() + "'");
        // the key-encryption key the demo generated for itself: no log may show it (LogScanCheck)
        for (String generated : new String[] {"data/key-encryption-key", "data/pepper"}) {
            Path secret = base.resolve(generated);
            if (Files.exists(secret)) {
                SecretLedger.record(Base64.getDecoder().decode(Files.readString(secret).strip()));
            }
        }
    }

    @AfterAll
    void killTomcat() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Override
    protected URI base() {
        return tomcat.uri(contextPath() + "/");
    }

    @Test
    void theContextRootWithoutItsSlashRedirectsToThePage() {
        if (contextPath().isEmpty()) {
            assertThat(client().get("").status()).isEqualTo(200);
            return;
        }
        // the page's URLs are relative (app.js, auth/login, api/me): it must be served at <context>/
        Reply bare = new WebClient(tomcat.uri("/")).get(warName());
        assertThat(bare.status()).as("%s", bare).isEqualTo(302);
        assertThat(URI.create(bare.header("Location")).getRawPath()).isEqualTo(contextPath() + "/");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void stopsCleanlyWithoutLeakWarnings() throws Exception {
        assertThat(client().get("api/ping").status()).isEqualTo(200);
        Integer exit = tomcat.stop(Duration.ofSeconds(30));
        String log = tomcat.log();
        assertThat(exit).as("exit code of catalina.sh run after the shutdown command:\n%s", log).isEqualTo(0);
        assertThat(log).as("the web application was undeployed").contains("Stopping service [Catalina]")
                .contains("gatehouse-demo - Shutdown completed.");
        assertThat(tomcat.logLinesContaining("memory leak", "failed to stop", "unregister the JDBC driver",
                "failed to unregister", "SEVERE")).as("leak warnings or errors in Tomcat's log:\n%s", log).isEmpty();
    }
}
