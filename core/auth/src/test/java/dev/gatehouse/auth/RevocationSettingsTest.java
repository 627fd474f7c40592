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

/** The settings of the revocation view: defaults, and refusals at build time naming the setting. */
class RevocationSettingsTest {
    @Test
    void aViewIsFiveSecondsStaleAwaitsASkippedChangeForAMinuteAndIsReadWholeEveryTenMinutes() {
        AuthSettings s = AuthSettings.builder().build();

        assertThat(s.revocationStaleness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.revocationOverlap()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.revocationReconciliation()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void overlapAndReconciliationOutOfRangeAreRefusedNamingThem() {
        for (Duration bad : new Duration[] {null, Duration.ZERO, Duration.ofMillis(999), Duration.ofHours(1).plusSeconds(1)}) {
            assertThatThrownBy(() -> AuthSettings.builder().revocationOverlap(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("revocationOverlap");
        }
        for (Duration bad : new Duration[] {null, Duration.ofSeconds(59), Duration.ofHours(24).plusSeconds(1)}) {
            assertThatThrownBy(() -> AuthSettings.builder().revocationReconciliation(bad).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("revocationReconciliation");
        }
        assertThatThrownBy(() -> AuthSettings.builder().revocationStaleness(Duration.ofMinutes(3))
                .revocationReconciliation(Duration.ofMinutes(2)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("revocationReconciliation")
                .hasMessageContaining("revocationStaleness");

        AuthSettings edges = AuthSettings.builder().revocationOverlap(Duration.ofSeconds(1)).revocationReconciliation(Duration.ofMinutes(1))
                .build();
        assertThat(edges.revocationOverlap()).isEqualTo(Duration.ofSeconds(1));
        assertThat(edges.revocationReconciliation()).isEqualTo(Duration.ofMinutes(1));
        assertThat(AuthSettings.builder().revocationOverlap(Duration.ofHours(1)).revocationReconciliation(Duration.ofHours(24)).build()
                .revocationReconciliation()).isEqualTo(Duration.ofHours(24));
    }
}
