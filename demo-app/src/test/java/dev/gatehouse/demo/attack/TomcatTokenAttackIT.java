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

import dev.gatehouse.demo.support.DemoProcess;
import dev.gatehouse.demo.support.Ports;
import dev.gatehouse.demo.support.TomcatDistribution;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token attack suite against the WAR in the real Tomcat 10.1 distribution, under a context
 * path, with a fresh H2 file database and the suite's key file (system properties, as an operator
 * would set them in {@code CATALINA_OPTS}).
 */
class TomcatTokenAttackIT extends TokenAttackContract {
    private static final String CONTEXT = "attack";
    private TomcatDistribution tomcat;
    private String issuer;
    private String jdbcUrl;
    private Path base;

    @Override
    protected void startServer() throws Exception {
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Path work = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"));
        Files.createDirectories(work);
        base = Files.createTempDirectory(work.toAbsolutePath(), "tomcat-attack-tokens-");
        // AUTO_SERVER: the admin command line (changeRole) opens the database while Tomcat holds it
        jdbcUrl = "jdbc:h2:file:" + base.resolve("data/gatehouse").toAbsolutePath() + ";AUTO_SERVER=TRUE";
        Path keys = KEYS.writeKeysFile(base.resolve("conf/gatehouse-keys.json"));
        int port = Ports.free();
        issuer = "http://127.0.0.1:" + port + "/" + CONTEXT;
        tomcat = TomcatDistribution.start(base, war, CONTEXT, Map.of(
                "gatehouse.keys.file", keys.toAbsolutePath().toString(),
                "gatehouse.refresh.reuse.grace", REUSE_GRACE.toString(),
                "gatehouse.bcrypt.cost", String.valueOf(BCRYPT_COST),
                "gatehouse.client.attempts.per.minute", String.valueOf(CLIENT_ATTEMPTS_PER_MINUTE),
                "gatehouse.test.mode", "true",
                "gatehouse.require.verified.email", "false",
                "gatehouse.issuer", issuer),
                // the URL holds a ';', which CATALINA_OPTS cannot carry
                Map.of("GATEHOUSE_JDBC_URL", jdbcUrl), port, Duration.ofSeconds(180));
        assertThat(tomcat.logLinesContaining("SEVERE")).as("errors while deploying:\n%s", tomcat.log()).isEmpty();
    }

    @Override
    protected void stopServer() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Override
    protected URI base() {
        return tomcat.uri("/" + CONTEXT + "/");
    }

    @Override
    protected void changeRole(String email, String role, boolean grant) throws Exception {
        DemoProcess admin = DemoProcess.start(base.resolve("keyadmin-" + UUID.randomUUID()), Map.of("GATEHOUSE_JDBC_URL", jdbcUrl),
                List.of(), "dev.gatehouse.jdbc.keys.KeyAdmin", "roles", grant ? "grant" : "revoke", email, role);
        assertThat(admin.awaitExit(Duration.ofSeconds(60))).as("KeyAdmin roles; stderr:\n%s", admin.stderr()).isEqualTo(0);
    }

    @Override
    protected String issuer() {
        return issuer;
    }
}
