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

import dev.gatehouse.demo.DemoContract;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.demo.grizzly.DemoMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second-factor and session attacks against the standalone demo on Jersey + Grizzly
 * ({@code /api/secure} behind {@code @StepUp(secondFactor = true)}), in-process on port 0, on a
 * fresh H2 file database, with the local mailbox, challenges of
 * {@value MfaAndSessionsAttackContract#CHALLENGE_TTL} and a recent login of
 * {@value MfaAndSessionsAttackContract#RECENT_AUTHENTICATION}.
 */
class GrizzlyMfaAndSessionsAttackTest extends MfaAndSessionsAttackContract {
    @TempDir
    static Path dir;
    private DemoMain.Running running;

    @BeforeAll
    void start() throws Exception {
        running = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("mfa-attack").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_MFA_KEY", DemoContract.newPepper(),
                "GATEHOUSE_MFA_CHALLENGE_TTL", CHALLENGE_TTL,
                "GATEHOUSE_RECENT_AUTHENTICATION", RECENT_AUTHENTICATION,
                "GATEHOUSE_BCRYPT_COST", String.valueOf(WebAttackContract.BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_TRUSTED_PROXIES", WebAttackContract.TRUSTED_PROXY), name -> null, name -> null));
        assertThat(running.context.mailbox).as("the demo's local mailbox").isNotNull();
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
