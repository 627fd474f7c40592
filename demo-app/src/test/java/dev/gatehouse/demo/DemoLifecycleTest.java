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

import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.testing.GatehouseThreads;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo starts what it built, each part before what depends on it, and its stop ends every
 * thread Gatehouse and the connection pool started (what a container checks on undeploy).
 */
class DemoLifecycleTest {
    @Test
    void theDemoStartsItsPartsAndStopEndsEveryThreadTheyStarted() throws Exception {
        DemoSettings settings = DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:mem:lifecycle_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", "4",
                "GATEHOUSE_TEST_MODE", "true"), name -> null, name -> null);
        Set<Thread> before = GatehouseThreads.live();

        DemoMain.Running running = DemoMain.start(settings);
        try {
            assertThat(running.context.service.isRunning()).isTrue();
            assertThat(GatehouseThreads.newSince(before))
                    .contains("gatehouse-key-refresh", "gatehouse-revocations", "gatehouse-maintenance");
            HttpResponse<String> jwks = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(running.url + ".well-known/jwks.json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(jwks.statusCode()).isEqualTo(200);
        } finally {
            running.stop();
        }

        assertThat(running.context.service.isRunning()).isFalse();
        GatehouseThreads.awaitGone(before, "gatehouse-");
    }
}
