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

import dev.gatehouse.token.AccessTokenType;
import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo's load-related settings (verified-token cache, client attempts) and its token type: defaults, environment, system property, bad values. */
class LoadSettingsTest {
    private static DemoSettings settings(Map<String, String> env, Map<String, String> properties) {
        return DemoSettings.from(env, properties::get, name -> null);
    }

    @Test
    void cacheIsOnWithTenThousandEntriesByDefault() {
        DemoSettings settings = settings(Map.of(), Map.of());

        assertThat(settings.verifiedTokenCache).isTrue();
        assertThat(settings.verifiedTokenCacheSize).isEqualTo(10_000);
    }

    @Test
    void environmentTurnsItOffAndSystemPropertyWins() {
        DemoSettings off = settings(Map.of("GATEHOUSE_VERIFIED_TOKEN_CACHE", "false", "GATEHOUSE_VERIFIED_TOKEN_CACHE_SIZE", "50"), Map.of());
        DemoSettings on = settings(Map.of("GATEHOUSE_VERIFIED_TOKEN_CACHE", "false"), Map.of("gatehouse.verified.token.cache", "TRUE"));

        assertThat(off.verifiedTokenCache).isFalse();
        assertThat(off.verifiedTokenCacheSize).isEqualTo(50);
        assertThat(off.toString()).contains("verifiedTokenCache=off");
        assertThat(on.verifiedTokenCache).isTrue();
    }

    @Test
    void clientAttemptsPerMinuteDefaultsToTheLibrarysAndCanBeRaised() {
        assertThat(settings(Map.of(), Map.of()).clientAttemptsPerMinute).isEqualTo(30);
        assertThat(settings(Map.of("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "100000"), Map.of()).clientAttemptsPerMinute).isEqualTo(100_000);
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "0"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE");
    }

    @Test
    void tokenTypeIsAtJwtByDefaultAndJwtOnRequestWithBothAcceptedForASwitch() {
        DemoSettings defaults = settings(Map.of(), Map.of());
        DemoSettings jwt = settings(Map.of("GATEHOUSE_TOKEN_TYPE", "JWT", "GATEHOUSE_ACCEPTED_TOKEN_TYPES", "at+jwt, JWT"), Map.of());

        assertThat(defaults.tokenType).isEqualTo(AccessTokenType.AT_JWT);
        assertThat(defaults.acceptedTokenTypes).isEmpty();
        assertThat(defaults.toString()).contains("tokenType=at+jwt");
        assertThat(jwt.tokenType).isEqualTo(AccessTokenType.JWT);
        assertThat(jwt.acceptedTokenTypes).containsExactlyInAnyOrder(AccessTokenType.AT_JWT, AccessTokenType.JWT);
        assertThat(jwt.toString()).contains("tokenType=JWT", "acceptedTokenTypes=[at+jwt, JWT]");
    }

    @Test
    void badTokenTypesNameTheVariable() {
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_TOKEN_TYPE", "jose"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_TOKEN_TYPE");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_ACCEPTED_TOKEN_TYPES", "at+jwt,jose"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_ACCEPTED_TOKEN_TYPES");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_TOKEN_TYPE", "JWT", "GATEHOUSE_ACCEPTED_TOKEN_TYPES", "at+jwt"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_ACCEPTED_TOKEN_TYPES");
    }

    @Test
    void badValuesNameTheVariable() {
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_VERIFIED_TOKEN_CACHE", "yes"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_VERIFIED_TOKEN_CACHE");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_VERIFIED_TOKEN_CACHE_SIZE", "0"), Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_VERIFIED_TOKEN_CACHE_SIZE");
    }
}
