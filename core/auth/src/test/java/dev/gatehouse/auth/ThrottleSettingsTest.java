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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The throttle settings of {@link AuthSettings}: their defaults, and what is refused at build time. */
class ThrottleSettingsTest {
    @Test
    void defaultsAreFiveThenOneEveryFiveMinutesAndFiftyThenFiftyAnHourAndThirtyDaysOfKnownClients() {
        AuthSettings s = AuthSettings.builder().build();
        assertThat(s.throttleAccountClientBurst()).isEqualTo(5);
        assertThat(s.throttleAccountClientInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.throttleAccountBurst()).isEqualTo(50);
        assertThat(s.throttleAccountInterval()).isEqualTo(Duration.ofSeconds(72));
        assertThat(s.throttleKnownClientWindow()).isEqualTo(Duration.ofDays(30));
        // NIST SP 800-63B: no more than 100 failed attempts an hour on one account
        assertThat(s.throttleAccountBurst() + Duration.ofHours(1).dividedBy(s.throttleAccountInterval())).isEqualTo(100);
    }

    @Test
    void burstsOutsideOneToAHundredAreRefusedNamingTheSetting() {
        for (int bad : new int[] {0, -1, 101}) {
            assertThatThrownBy(() -> AuthSettings.builder().throttleAccountClientBurst(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("throttleAccountClientBurst");
            assertThatThrownBy(() -> AuthSettings.builder().throttleAccountBurst(bad).throttleAccountInterval(Duration.ofDays(1)).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("throttleAccountBurst");
        }
    }

    @Test
    void intervalsOutsideOneSecondToOneDayAreRefusedNamingTheSetting() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(-5), Duration.ofDays(1).plusSeconds(1)}) {
            assertThatThrownBy(() -> AuthSettings.builder().throttleAccountClientInterval(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("throttleAccountClientInterval");
            assertThatThrownBy(() -> AuthSettings.builder().throttleAccountInterval(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("throttleAccountInterval");
        }
    }

    @Test
    void anAccountLimitAllowingMoreThanAHundredFailuresAnHourIsRefused() {
        // 50 at once, then one every 70 s: 51 more within the hour
        assertThatThrownBy(() -> AuthSettings.builder().throttleAccountInterval(Duration.ofSeconds(70)).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("throttleAccountInterval").hasMessageContaining("allows 101");
        assertThat(AuthSettings.builder().throttleAccountInterval(Duration.ofSeconds(71)).build().throttleAccountInterval())
                .isEqualTo(Duration.ofSeconds(71));
        assertThat(AuthSettings.builder().throttleAccountInterval(Duration.ofSeconds(70)).throttleAccountBurst(49).build()
                .throttleAccountInterval()).isEqualTo(Duration.ofSeconds(70));
        assertThatThrownBy(() -> AuthSettings.builder().throttleAccountBurst(51).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("allows 101");
        assertThatThrownBy(() -> AuthSettings.builder().throttleAccountBurst(1).throttleAccountInterval(Duration.ofSeconds(30)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("allows 121");
        assertThat(AuthSettings.builder().throttleAccountBurst(100).throttleAccountInterval(Duration.ofDays(1)).build()
                .throttleAccountBurst()).isEqualTo(100);
    }

    @Test
    void theKnownClientWindowIsZeroToAYear() {
        assertThat(AuthSettings.builder().throttleKnownClientWindow(Duration.ZERO).build().throttleKnownClientWindow()).isZero();
        assertThat(AuthSettings.builder().throttleKnownClientWindow(Duration.ofDays(365)).build().throttleKnownClientWindow())
                .isEqualTo(Duration.ofDays(365));
        for (Duration bad : new Duration[] {null, Duration.ofSeconds(-1), Duration.ofDays(366)}) {
            assertThatThrownBy(() -> AuthSettings.builder().throttleKnownClientWindow(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("throttleKnownClientWindow");
        }
    }
}
