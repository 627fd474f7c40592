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
import java.util.Map;

/**
 * The second-factor and session attacks against the WAR ({@code target/gatehouse-demo.war}) in the
 * real Tomcat 10.1 distribution, where the servlet filter in front of Jersey guards
 * {@code /api/secure} by its {@code step-up-paths} rule, under the context path {@code /mfa}, on a
 * fresh H2 file database in a CATALINA_BASE of its own, with the local mailbox, challenges of
 * {@value MfaAndSessionsAttackContract#CHALLENGE_TTL} and a recent login of
 * {@value MfaAndSessionsAttackContract#RECENT_AUTHENTICATION}.
 */
class TomcatMfaAndSessionsAttackIT extends MfaAndSessionsAttackContract {
    private static final String CONTEXT = "mfa";
    private TomcatDistribution tomcat;

    @BeforeAll
    void startTomcat() throws Exception {
        tomcat = TomcatDistribution.startDemoWar(CONTEXT, Map.of(
                "gatehouse.bcrypt.cost", String.valueOf(WebAttackContract.BCRYPT_COST),
                "gatehouse.test.mode", "true",
                "gatehouse.mfa.challenge.ttl", CHALLENGE_TTL,
                "gatehouse.recent.authentication", RECENT_AUTHENTICATION,
                "gatehouse.trusted.proxies", WebAttackContract.TRUSTED_PROXY));
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
}
