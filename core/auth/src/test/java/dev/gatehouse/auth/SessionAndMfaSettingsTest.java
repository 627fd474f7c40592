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

package dev.gatehouse.auth;

import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The settings of sessions and of the second factor: defaults, refusals at build time, and how a
 * session shows its client's {@code User-Agent}.
 */
class SessionAndMfaSettingsTest {
    private static final byte[] KEY = new byte[32];

    @Test
    void sessionsIdleForFourteenDaysEndAndSensitiveOperationsWantALoginOfTheLastTenMinutes() {
        AuthSettings s = AuthSettings.builder().build();

        assertThat(s.sessionIdleTimeout()).isEqualTo(Duration.ofDays(14)).isEqualTo(s.refreshTokenTtl());
        assertThat(s.recentAuthentication()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void sessionAndRecentAuthenticationSettingsOutOfRangeAreRefusedNamingThem() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(59), Duration.ofDays(366)}) {
            assertThatThrownBy(() -> AuthSettings.builder().sessionIdleTimeout(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("sessionIdleTimeout");
        }
        for (Duration bad : new Duration[] {null, Duration.ofSeconds(59), Duration.ofHours(24).plusSeconds(1)}) {
            assertThatThrownBy(() -> AuthSettings.builder().recentAuthentication(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("recentAuthentication");
        }
        assertThat(AuthSettings.builder().sessionIdleTimeout(Duration.ofMinutes(1)).recentAuthentication(Duration.ofHours(24)).build()
                .sessionIdleTimeout()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void mfaDefaultsAreFiveMinuteChallengesOneStepOfDriftTenCodesAndFiveAttempts() {
        MfaSettings s = MfaSettings.builder(KEY).build();

        assertThat(s.issuer()).isEqualTo("Gatehouse");
        assertThat(s.challengeTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.totpWindow()).isEqualTo(1);
        assertThat(s.recoveryCodes()).isEqualTo(10);
        assertThat(s.challengeAttempts()).isEqualTo(5);
        assertThat(s.toString()).doesNotContain("secretKey", "[B@");
    }

    @Test
    void theMfaKeyIsCopiedAndAShortOneIsRefused() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        MfaSettings s = MfaSettings.builder(key).build();
        Arrays.fill(key, (byte) 0);

        assertThat(s.secretKey()).containsOnly((byte) 7);
        assertThatThrownBy(() -> MfaSettings.builder(new byte[31])).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("mfaSecretKey");
        assertThatThrownBy(() -> MfaSettings.builder(null)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void mfaSettingsOutOfRangeAreRefusedNamingThem() {
        assertThatThrownBy(() -> MfaSettings.builder(KEY).issuer("Acme:Corp").build()).hasMessageContaining("mfaIssuer");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).issuer(" ").build()).hasMessageContaining("mfaIssuer");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).issuer("x".repeat(65)).build()).hasMessageContaining("mfaIssuer");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).challengeTtl(Duration.ofSeconds(29)).build()).hasMessageContaining("mfaChallengeTtl");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).challengeTtl(Duration.ofMinutes(16)).build()).hasMessageContaining("mfaChallengeTtl");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).totpWindow(3).build()).hasMessageContaining("totpWindow");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).totpWindow(-1).build()).hasMessageContaining("totpWindow");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).recoveryCodes(4).build()).hasMessageContaining("recoveryCodes");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).recoveryCodes(21).build()).hasMessageContaining("recoveryCodes");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).challengeAttempts(0).build()).hasMessageContaining("mfaChallengeAttempts");
        assertThatThrownBy(() -> MfaSettings.builder(KEY).challengeAttempts(11).build()).hasMessageContaining("mfaChallengeAttempts");
    }

    @Test
    void aSessionShowsTheUserAgentWithoutControlCharactersOrRunsOfSpaceAndAtMost256Characters() {
        assertThat(AuthService.userAgent(null)).isNull();
        assertThat(AuthService.userAgent(" \t\r\n ")).isNull();
        assertThat(AuthService.userAgent("  Mozilla/5.0 (X11;\tLinux)\r\n\u0000evil  ")).isEqualTo("Mozilla/5.0 (X11; Linux) evil");
        assertThat(AuthService.userAgent("a\u202Eb\u200Bc")).isEqualTo("a b c");
        assertThat(AuthService.userAgent("é".repeat(300))).hasSize(256);
        String emoji = "x" + "\uD83D\uDE00".repeat(200);
        String shown = AuthService.userAgent(emoji);
        assertThat(shown.length()).isLessThanOrEqualTo(256);
        assertThat(Character.isHighSurrogate(shown.charAt(shown.length() - 1))).isFalse();
        assertThat(AuthService.userAgent("a" + " ".repeat(300) + "b")).isEqualTo("a b");
    }
}
