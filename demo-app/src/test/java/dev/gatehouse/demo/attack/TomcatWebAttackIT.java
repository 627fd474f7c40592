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

import dev.gatehouse.demo.support.TomcatDistribution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The web attacks against the WAR ({@code target/gatehouse-demo.war}) in the real Tomcat 10.1
 * distribution, under the context path {@code /attack} (so the refresh cookie's path is
 * {@code /attack/auth}), on a fresh H2 file database in a CATALINA_BASE of its own.
 */
class TomcatWebAttackIT extends WebAttackContract {
    private static final String CONTEXT = "attack";
    /** Tomcat's {@code maxHttpHeaderSize} default: the request line and headers together, in bytes. */
    private static final int TOMCAT_MAX_HEADER_SECTION = 8 * 1024;
    private TomcatDistribution tomcat;

    @BeforeAll
    void startTomcat() throws Exception {
        tomcat = TomcatDistribution.startDemoWar(CONTEXT, Map.of(
                "gatehouse.bcrypt.cost", String.valueOf(BCRYPT_COST),
                "gatehouse.test.mode", "true",
                "gatehouse.require.verified.email", "false",
                "gatehouse.trusted.proxies", TRUSTED_PROXY));
    }

    @AfterAll
    void stopTomcat() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Override
    protected URI base() {
        return tomcat.uri("/" + CONTEXT + "/");
    }

    @Override
    protected int statusForHeaderSection(int bytes) {
        return bytes > TOMCAT_MAX_HEADER_SECTION ? 400 : 200;
    }

    @Override
    protected List<String> logLinesContaining(String needle) {
        return tomcat.consoleLinesContaining(needle);
    }

    /** The servlet filter's and the JAX-RS feature's. */
    @Override
    protected int transportSecurityInstances() {
        return 2;
    }
}
