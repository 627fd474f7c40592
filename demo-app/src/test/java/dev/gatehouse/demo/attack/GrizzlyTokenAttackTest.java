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

import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.demo.grizzly.DemoMain;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token attack suite against the standalone demo on Jersey + Grizzly, started in-process on
 * port 0 with a fresh H2 file database and the suite's key file.
 */
class GrizzlyTokenAttackTest extends TokenAttackContract {
    @TempDir
    static Path dir;
    private DemoMain.Running running;

    @Override
    protected void startServer() throws Exception {
        Path keys = KEYS.writeKeysFile(dir.resolve("keys.json"));
        running = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("gatehouse").toAbsolutePath(),
                "GATEHOUSE_KEYS_FILE", keys.toAbsolutePath().toString(),
                "GATEHOUSE_REFRESH_REUSE_GRACE", REUSE_GRACE.toString(),
                "GATEHOUSE_PEPPER", dev.gatehouse.demo.DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false",
                "GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", String.valueOf(CLIENT_ATTEMPTS_PER_MINUTE)), name -> null, name -> null));
    }

    @Override
    protected void stopServer() {
        if (running != null) {
            running.stop();
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }

    @Override
    protected void changeRole(String email, String role, boolean grant) {
        var service = running.context.service;
        String id = service.findUserByEmail(email).orElseThrow().id();
        assertThat(grant ? service.grantRole(id, role) : service.revokeRole(id, role)).isPresent();
    }

    @Override
    protected String issuer() {
        String url = running.url;
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
