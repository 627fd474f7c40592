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

import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo settings for several nodes (docs/scaling.md): defaults, and errors that name the variable. */
class ScaleOutSettingsTest {

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_JDBC_URL", "jdbc:h2:mem:settings_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        env.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        env.put("GATEHOUSE_BCRYPT_COST", "4");
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static DemoSettings settings(Map<String, String> env) {
        return DemoSettings.from(env, name -> null, name -> null);
    }

    @Test
    void defaultsAreTheLibraryDefaults() {
        DemoSettings s = settings(Map.of());
        assertThat(s.revocationStaleness).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.revocationOverlap).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.revocationReconciliation).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.keyPublishLead).isEqualTo(Duration.ofHours(1));
        assertThat(s.keyRefreshInterval).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.clientAttemptsPerMinute).isEqualTo(30);
    }

    @Test
    void theSettingsReachTheRunningService() {
        try (DemoContext context = DemoContext.create(settings(env("GATEHOUSE_REVOCATION_STALENESS", "PT1S",
                "GATEHOUSE_REVOCATION_OVERLAP", "PT20S", "GATEHOUSE_REVOCATION_RECONCILIATION", "PT2M",
                "GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "500", "GATEHOUSE_KEY_PUBLISH_LEAD", "PT2M",
                "GATEHOUSE_KEY_REFRESH_INTERVAL", "PT10S")), "https://issuer.test", null)) {
            assertThat(context.service.settings().revocationStaleness()).isEqualTo(Duration.ofSeconds(1));
            assertThat(context.service.settings().revocationOverlap()).isEqualTo(Duration.ofSeconds(20));
            assertThat(context.service.settings().revocationReconciliation()).isEqualTo(Duration.ofMinutes(2));
            assertThat(context.service.settings().clientAttemptsPerMinute()).isEqualTo(500);
            assertThat(context.keys.toString()).contains("publishLead=PT2M").contains("refreshInterval=PT10S");
        }
    }

    @Test
    void invalidValuesAreReportedUnderTheDemosVariableNames() {
        assertThatThrownBy(() -> settings(env("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE");
        assertThatThrownBy(() -> settings(env("GATEHOUSE_KEY_PUBLISH_LEAD", "an hour")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_KEY_PUBLISH_LEAD");
        assertThatThrownBy(() -> DemoContext.create(settings(env("GATEHOUSE_REVOCATION_STALENESS", "PT0S")), "https://i.test", null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_REVOCATION_STALENESS");
        assertThatThrownBy(() -> DemoContext.create(settings(env("GATEHOUSE_REVOCATION_OVERLAP", "PT2H")), "https://i.test", null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_REVOCATION_OVERLAP");
        assertThatThrownBy(() -> DemoContext.create(settings(env("GATEHOUSE_REVOCATION_RECONCILIATION", "PT30S")), "https://i.test", null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_REVOCATION_RECONCILIATION");
        assertThatThrownBy(() -> DemoContext.create(settings(env("GATEHOUSE_KEY_PUBLISH_LEAD", "PT10S",
                "GATEHOUSE_KEY_REFRESH_INTERVAL", "PT10S")), "https://i.test", null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_KEY_REFRESH_INTERVAL");
        assertThatThrownBy(() -> DemoContext.create(settings(env("GATEHOUSE_KEY_PUBLISH_LEAD", "P60D")), "https://i.test", null))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_KEY_ROTATION");
    }
}
