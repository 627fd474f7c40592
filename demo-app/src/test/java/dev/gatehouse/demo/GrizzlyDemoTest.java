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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** The contract against the standalone app on Jersey + Grizzly, started in-process on port 0 with an H2 file database. */
class GrizzlyDemoTest extends DemoContract {
    @TempDir
    static Path dir;
    private DemoMain.Running running;

    @BeforeAll
    void start() throws Exception {
        DemoSettings settings = DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("gatehouse").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false",
                "GATEHOUSE_ADMIN_EMAILS", ADMIN_EMAIL), name -> null, name -> null);
        running = DemoMain.start(settings);
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }
}
