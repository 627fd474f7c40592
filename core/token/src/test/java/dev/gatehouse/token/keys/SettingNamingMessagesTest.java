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

package dev.gatehouse.token.keys;

import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration errors name what the user sets: the setting (as renamed), the file, the init-param. */
class SettingNamingMessagesTest {
    private static final SigningKey KEY = SigningKey.generate(SigningAlgorithm.ES256);

    @TempDir
    Path dir;

    @Test
    void anEmptyJwkSetSaysTheFileHasNoKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("keys.json"), "{\"keys\":[]}");

        assertThatThrownBy(() -> KeyFiles.load(file)).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo(KeyFiles.SETTING);
            assertThat(e.problem()).isEqualTo("'" + file + "' has no keys (its \"keys\" array is empty)");
        });
        FileKeySource source = FileKeySource.builder(file).settingName("GATEHOUSE_KEYS_FILE").pollInterval(Duration.ZERO).build();
        assertThatThrownBy(source::start).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("GATEHOUSE_KEYS_FILE");
            assertThat(e.problem()).isEqualTo("'" + file + "' has no keys (its \"keys\" array is empty)");
        });
    }

    @Test
    void aVerifyOnlyKeyFileUsedForSigningNamesTheSettingAndTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("public.json"), JwkSets.toPublicJson(List.of(KEY)));
        try (FileKeySource source = FileKeySource.builder(file).settingName("GATEHOUSE_KEYS_FILE").pollInterval(Duration.ZERO).build()) {
            source.start();

            assertThatThrownBy(() -> new AccessTokenIssuer(Fixtures.settings(), source))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                        assertThat(e.setting()).isEqualTo("GATEHOUSE_KEYS_FILE");
                        assertThat(e.getMessage()).contains("'GATEHOUSE_KEYS_FILE'", "'" + file + "' has no key with a private part",
                                "can verify tokens but not sign them");
                    });
        }
    }

    @Test
    void aVerifyOnlyKeySetUsedForSigningSaysItCannotSign() {
        KeySet keys = KeySet.verifyOnly(List.of(KEY));

        assertThatThrownBy(keys::signingKey).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("keys");
            assertThat(e.problem()).contains("can only verify", "[" + KEY.kid() + "]", "cannot sign tokens");
        });
    }

    @Test
    void anHttpJwksUrlNamesTheInitParamAndTheBuilderMethodThatAllowIt() {
        assertThatThrownBy(() -> RemoteJwksKeySource.builder("http://127.0.0.1:9/jwks.json").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("jwksUrl");
                    assertThat(e.problem()).contains("jwks-allow-http-loopback=true", "allowHttpLoopback(true)");
                });
    }

    @Test
    void algorithmsArePrintedAsUsersWriteThem() {
        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settings(), Fixtures.keys());

        assertThat(verifier.toString()).contains("algorithms=[RS256, ES256]").doesNotContain("rs256", "es256");
    }
}
