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

import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.MfaSettings;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The demo's settings of the second factor and of sessions: the key (its own, or one generated once
 * for demos), the issuer authenticator apps show, the code step's lifetime, the session idle timeout
 * and the age of a "recent" login. A bad value stops the demo at start, naming the variable.
 */
class SecondFactorSettingsTest {

    private static DemoSettings settings(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return DemoSettings.from(env, name -> null, name -> null);
    }

    private static void refused(String variable, String value, String... problem) {
        assertThatThrownBy(() -> settings(variable, value)).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo(variable);
            assertThat(e.problem()).contains(problem);
        });
    }

    @Test
    void defaults() {
        DemoSettings settings = settings();

        assertThat(settings.mfaKey).isEmpty();
        assertThat(settings.mfaIssuer).isEqualTo("Gatehouse demo");
        assertThat(settings.mfaChallengeTtl).isEqualTo(Duration.ofMinutes(5)).isEqualTo(MfaSettings.DEFAULT_CHALLENGE_TTL);
        assertThat(settings.sessionIdleTimeout).isEqualTo(AuthSettings.DEFAULT_SESSION_IDLE_TIMEOUT);
        assertThat(settings.recentAuthentication).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.toString()).contains("mfa=Gatehouse demo").contains("recentAuthentication=PT10M");
    }

    @Test
    void valuesAreTakenFromTheEnvironmentOrSystemProperties() {
        DemoSettings settings = settings("GATEHOUSE_MFA_ISSUER", " Example Corp ", "GATEHOUSE_MFA_CHALLENGE_TTL", "PT2M",
                "GATEHOUSE_SESSION_IDLE_TIMEOUT", "P1D", "GATEHOUSE_RECENT_AUTHENTICATION", "PT15M");

        assertThat(settings.mfaIssuer).isEqualTo("Example Corp");
        assertThat(settings.mfaChallengeTtl).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.sessionIdleTimeout).isEqualTo(Duration.ofDays(1));
        assertThat(settings.recentAuthentication).isEqualTo(Duration.ofMinutes(15));
        assertThat(DemoSettings.from(Map.of("GATEHOUSE_RECENT_AUTHENTICATION", "PT15M"),
                Map.of("gatehouse.recent.authentication", "PT20M")::get, name -> null).recentAuthentication)
                .isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void theKeyIsBase64OfAtLeast32BytesAndIsNeverShown() {
        byte[] raw = new byte[40];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 7 + 1);
        }
        SecretLedger.record(raw);
        String key = Base64.getEncoder().encodeToString(raw);
        DemoSettings settings = settings("GATEHOUSE_MFA_KEY", key);

        assertThat(DemoSettings.mfaKeyBytes(settings.mfaKey)).isEqualTo(raw);
        assertThat(DemoSettings.mfaKeyBytes(Base64.getUrlEncoder().withoutPadding().encodeToString(raw))).isEqualTo(raw);
        assertThat(settings.toString()).doesNotContain(key).doesNotContain("MFA_KEY");
        assertThat(DemoContext.mfaSettings(settings).issuer()).isEqualTo("Gatehouse demo");

        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> settings("GATEHOUSE_MFA_KEY", short16)).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("GATEHOUSE_MFA_KEY");
            assertThat(e.problem()).contains("at least 32 bytes").contains("not 16").doesNotContain(short16);
        });
        assertThatThrownBy(() -> settings("GATEHOUSE_MFA_KEY", "not base64!")).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("GATEHOUSE_MFA_KEY");
            assertThat(e.getMessage()).doesNotContain("not base64!");
        });
    }

    @Test
    void badValuesNameTheirVariable() {
        refused("GATEHOUSE_MFA_ISSUER", "Acme: login", "without ':'");
        refused("GATEHOUSE_MFA_ISSUER", "", "1 to 64 characters");
        refused("GATEHOUSE_MFA_ISSUER", "x".repeat(65), "1 to 64 characters");
        refused("GATEHOUSE_MFA_CHALLENGE_TTL", "five minutes", "not an ISO-8601 duration");
        refused("GATEHOUSE_MFA_CHALLENGE_TTL", "PT10S", "between PT30S and PT15M");
        refused("GATEHOUSE_MFA_CHALLENGE_TTL", "PT16M", "between PT30S and PT15M");
        refused("GATEHOUSE_SESSION_IDLE_TIMEOUT", "PT30S", "between PT1M and PT8760H");
        refused("GATEHOUSE_SESSION_IDLE_TIMEOUT", "P366D", "between");
        refused("GATEHOUSE_SESSION_IDLE_TIMEOUT", "14 days", "not an ISO-8601 duration");
        refused("GATEHOUSE_RECENT_AUTHENTICATION", "PT59S", "between PT1M and PT24H");
        refused("GATEHOUSE_RECENT_AUTHENTICATION", "P2D", "between PT1M and PT24H");
        refused("GATEHOUSE_RECENT_AUTHENTICATION", "-PT5M", "between");
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        assertThat(settings("GATEHOUSE_MFA_CHALLENGE_TTL", "PT30S").mfaChallengeTtl).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings("GATEHOUSE_MFA_CHALLENGE_TTL", "PT15M").mfaChallengeTtl).isEqualTo(Duration.ofMinutes(15));
        assertThat(settings("GATEHOUSE_SESSION_IDLE_TIMEOUT", "PT1M").sessionIdleTimeout).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings("GATEHOUSE_SESSION_IDLE_TIMEOUT", "P365D").sessionIdleTimeout).isEqualTo(Duration.ofDays(365));
        assertThat(settings("GATEHOUSE_RECENT_AUTHENTICATION", "PT24H").recentAuthentication).isEqualTo(Duration.ofHours(24));
        assertThat(settings("GATEHOUSE_MFA_ISSUER", "x".repeat(64)).mfaIssuer).hasSize(64);
    }
}
