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
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The demo's settings that users copy into production: a bcrypt test cost only with the test
 * switch, a password pepper of their own (or one generated once, for demos), and an issuer the WAR
 * never guesses.
 */
class SafeDefaultsSettingsTest {
    @TempDir
    Path dir;

    private static DemoSettings settings(Map<String, String> env, Map<String, String> properties) {
        return DemoSettings.from(env, properties::get, name -> null);
    }

    private static DemoSettings settings(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return settings(env, Map.of());
    }

    // ---- bcrypt cost ------------------------------------------------------------------------------

    @Test
    void aTestCostIsRefusedWithoutTheTestSwitchNamingBothSettings() {
        for (int cost = 4; cost <= 9; cost++) {
            String value = String.valueOf(cost);
            assertThatThrownBy(() -> settings("GATEHOUSE_BCRYPT_COST", value))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                        assertThat(e.setting()).isEqualTo("GATEHOUSE_BCRYPT_COST");
                        assertThat(e.getMessage()).contains("GATEHOUSE_TEST_MODE").contains("between 10 and 16");
                    });
        }
        assertThatThrownBy(() -> settings("GATEHOUSE_BCRYPT_COST", "4", "GATEHOUSE_TEST_MODE", "false"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_TEST_MODE");
    }

    @Test
    void theTestSwitchFromTheEnvironmentOrASystemPropertyAllowsATestCost() {
        DemoSettings env = settings("GATEHOUSE_BCRYPT_COST", "4", "GATEHOUSE_TEST_MODE", "true");
        DemoSettings property = settings(Map.of("GATEHOUSE_BCRYPT_COST", "9"), Map.of("gatehouse.test.mode", "true"));

        assertThat(env.bcryptCost).isEqualTo(4);
        assertThat(env.testMode).isTrue();
        assertThat(env.toString()).contains("TEST MODE");
        assertThat(property.bcryptCost).isEqualTo(9);
        assertThat(property.testMode).isTrue();
        // the system property wins over the environment, as for every setting
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_BCRYPT_COST", "4", "GATEHOUSE_TEST_MODE", "true"),
                Map.of("gatehouse.test.mode", "false"))).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void realCostsNeedNoSwitchAndTheRangeStaysBounded() {
        assertThat(settings().bcryptCost).isEqualTo(12);
        assertThat(settings().testMode).isFalse();
        assertThat(settings().toString()).doesNotContain("TEST MODE");
        assertThat(settings("GATEHOUSE_BCRYPT_COST", "10").bcryptCost).isEqualTo(10);
        assertThat(settings("GATEHOUSE_BCRYPT_COST", "16").bcryptCost).isEqualTo(16);
        assertThatThrownBy(() -> settings("GATEHOUSE_BCRYPT_COST", "3", "GATEHOUSE_TEST_MODE", "true"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_BCRYPT_COST");
        assertThatThrownBy(() -> settings("GATEHOUSE_BCRYPT_COST", "17")).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> settings("GATEHOUSE_TEST_MODE", "yes"))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("GATEHOUSE_TEST_MODE"));
    }

    // ---- pepper -----------------------------------------------------------------------------------

    @Test
    void aPepperIsBase64OfAtLeast32BytesAndIsNeverShown() {
        byte[] raw = new byte[48];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 5 + 3);
        }
        SecretLedger.record(raw);
        String standard = Base64.getEncoder().encodeToString(raw);
        DemoSettings settings = settings("GATEHOUSE_PEPPER", standard + "\n");

        assertThat(DemoSettings.pepperBytes(settings.pepper)).isEqualTo(raw);
        assertThat(DemoSettings.pepperBytes(Base64.getUrlEncoder().withoutPadding().encodeToString(raw))).isEqualTo(raw);
        assertThat(settings.toString()).doesNotContain(standard).doesNotContain("PEPPER");
        assertThat(settings().pepper).isEmpty();

        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> settings("GATEHOUSE_PEPPER", short16)).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("GATEHOUSE_PEPPER");
            assertThat(e.problem()).contains("at least 32 bytes").contains("not 16").doesNotContain(short16);
        });
        assertThatThrownBy(() -> settings("GATEHOUSE_PEPPER", "not base64!"))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("GATEHOUSE_PEPPER");
                    assertThat(e.getMessage()).doesNotContain("not base64!");
                });
    }

    @Test
    void aGeneratedDemoSecretIsMadeOnceOwnerOnlyAndReadBackAfterwards() throws Exception {
        Path file = dir.resolve("data/pepper");

        String first = DemoContext.demoSecret(file, "GATEHOUSE_PEPPER", "password pepper", "");
        SecretLedger.record(Base64.getDecoder().decode(first));
        String second = DemoContext.demoSecret(file, "GATEHOUSE_PEPPER", "password pepper", "");

        assertThat(Base64.getDecoder().decode(first)).hasSize(32);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readString(file, StandardCharsets.US_ASCII).strip()).isEqualTo(first);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        // a pepper generated this way is one the settings accept
        assertThat(DemoSettings.pepperBytes(first)).hasSize(32);
        // another file, another secret
        String other = DemoContext.demoSecret(dir.resolve("data/other"), "GATEHOUSE_PEPPER", "password pepper", "");
        SecretLedger.record(Base64.getDecoder().decode(other));
        assertThat(other).isNotEqualTo(first);
    }

    // ---- issuer -----------------------------------------------------------------------------------

    @Test
    void theWarsIssuerMustBeSetAndIsNeverGuessed() {
        assertThatThrownBy(() -> settings().requiredIssuer()).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("GATEHOUSE_ISSUER");
            assertThat(e.problem()).contains("is required").contains("GATEHOUSE_ISSUER=https://");
        });
        assertThat(settings("GATEHOUSE_ISSUER", "https://demo.example.com/app").requiredIssuer())
                .isEqualTo("https://demo.example.com/app");
        // a context parameter (the WAR's fallback source) counts as set
        assertThat(DemoSettings.from(Map.of(), name -> null, name -> name.equals("GATEHOUSE_ISSUER") ? "https://ctx.example" : null)
                .requiredIssuer()).isEqualTo("https://ctx.example");
    }

    @Test
    void theStandaloneDemoKeepsTheAddressItBoundAsDefaultIssuer() {
        assertThat(settings().issuerFor("http", "127.0.0.1", 8081)).isEqualTo("http://127.0.0.1:8081");
        assertThat(settings("GATEHOUSE_ISSUER", "https://demo.example.com").issuerFor("https", "0.0.0.0", 8443))
                .isEqualTo("https://demo.example.com");
    }
}
