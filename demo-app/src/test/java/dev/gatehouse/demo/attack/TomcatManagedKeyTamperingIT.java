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

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.demo.support.Ports;
import dev.gatehouse.demo.support.TomcatDistribution;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tampering with the managed keys of the WAR in the real Tomcat 10.1 distribution, under a context
 * path, on PostgreSQL (which the test writes to as well; an embedded H2 file would be locked by
 * Tomcat's process). Settings as system properties, as an operator sets them in
 * {@code CATALINA_OPTS}, except the secrets, which are environment variables.
 */
class TomcatManagedKeyTamperingIT extends ManagedKeyTamperingContract {
    private static final String CONTEXT = "tampering";
    private TomcatDistribution tomcat;
    private Database db;
    private String issuer;

    @Override
    protected Database openDatabase() {
        db = TestDatabases.postgres();
        return db;
    }

    @Override
    protected void startServer(Map<String, String> settings) throws Exception {
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Path work = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"));
        Files.createDirectories(work);
        Path base = Files.createTempDirectory(work.toAbsolutePath(), "tomcat-key-tampering-");
        int port = Ports.free();
        issuer = "http://127.0.0.1:" + port + "/" + CONTEXT;
        // secrets as environment variables (Tomcat logs its command line, so every system property),
        // the rest as system properties, as an operator would set them in CATALINA_OPTS
        Map<String, String> environment = new LinkedHashMap<>();
        Map<String, String> properties = new LinkedHashMap<>();
        settings.forEach((name, value) -> {
            if (name.equals("GATEHOUSE_KEY_ENCRYPTION_KEY") || name.equals("GATEHOUSE_PEPPER")) {
                environment.put(name, value);
            } else if (!value.isEmpty()) {
                properties.put(DemoSettings.propertyName(name), value);
            }
        });
        // CATALINA_OPTS goes through the shell: the schema as the URL's only parameter (no '&')
        String address = System.getProperty(TestDatabases.POSTGRES_ADDRESS_PROPERTY, TestDatabases.POSTGRES_DEFAULT);
        properties.put("gatehouse.jdbc.url", "jdbc:postgresql://" + address + "/test?currentSchema=" + db.name());
        properties.put("gatehouse.issuer", issuer);
        tomcat = TomcatDistribution.start(base, war, CONTEXT, properties, environment, port, Duration.ofSeconds(180));
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
    protected String issuer() {
        return issuer;
    }

    @Override
    protected String serverLog() {
        return tomcat.log();
    }
}
