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

package dev.gatehouse.token;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The principal's roles: in the order given, each once, whatever the length of the list. */
class AccessTokenPrincipalTest {
    private static AccessTokenPrincipal principal(List<String> roles) {
        return new AccessTokenPrincipal("u", roles, Instant.EPOCH, Instant.EPOCH.plusSeconds(60), "j", "k");
    }

    @Test
    void repeatsAnywhereInAShortListAreDroppedKeepingTheFirstPlace() {
        assertThat(principal(List.of("a", "b", "c", "b")).roles()).containsExactly("a", "b", "c");
        assertThat(principal(List.of("a", "a")).roles()).containsExactly("a");
        assertThat(principal(List.of("c", "b", "a")).roles()).containsExactly("c", "b", "a");
        assertThat(principal(List.of()).roles()).isEmpty();
    }

    @Test
    void repeatsInALongListAreDroppedToo() {
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            roles.add("r" + (i % 20));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("r" + i);
        }

        assertThat(principal(roles).roles()).containsExactlyElementsOf(expected);
        assertThat(principal(roles).hasRole("r19")).isTrue();
        assertThat(principal(roles).hasRole("r20")).isFalse();
    }

    @Test
    void theRolesCannotBeChangedThroughTheListGiven() {
        List<String> roles = new ArrayList<>(List.of("user"));
        AccessTokenPrincipal p = principal(roles);
        roles.add("admin");

        assertThat(p.roles()).containsExactly("user");
        assertThat(p.hasRole("admin")).isFalse();
    }

    @Test
    void aNullRoleIsRefused() {
        assertThatThrownBy(() -> principal(Arrays.asList("user", null))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> principal(Arrays.asList(null, "user"))).isInstanceOf(NullPointerException.class);
    }
}
