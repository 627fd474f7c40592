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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.AccessTokenPrincipal;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written JSON bodies of /api/claims are valid JSON for any characters in the claims. */
class DemoResourcesJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void claimsWithQuotesBackslashesControlAndNonAsciiCharactersComeBackExactly() throws Exception {
        List<String> roles = List.of("user", "a\"b", "c\\d", "line\nbreak", "\u0001", "\u00e9\u4e2d\ud83d\ude00", "</script>");
        String subject = "id-\"quoted\"-\\";
        AccessTokenPrincipal principal = new AccessTokenPrincipal(subject, roles, Instant.ofEpochSecond(1_700_000_000),
                Instant.ofEpochSecond(1_700_000_300), "jti", "kid");

        JsonNode body = JSON.readTree(new DemoResources(null).claims(principal));

        assertThat(body.size()).isEqualTo(3);
        assertThat(body.get("sub").asText()).isEqualTo(subject);
        assertThat(body.get("exp").isIntegralNumber()).isTrue();
        assertThat(body.get("exp").asLong()).isEqualTo(1_700_000_300L);
        List<String> parsed = new java.util.ArrayList<>();
        body.get("roles").forEach(r -> parsed.add(r.asText()));
        assertThat(parsed).containsExactlyElementsOf(roles);
    }

    @Test
    void noRolesIsAnEmptyArray() throws Exception {
        AccessTokenPrincipal principal = new AccessTokenPrincipal("u", List.of(), Instant.ofEpochSecond(1),
                Instant.ofEpochSecond(2), "jti", "kid");

        JsonNode body = JSON.readTree(new DemoResources(null).claims(principal));

        assertThat(body.get("roles").isArray()).isTrue();
        assertThat(body.get("roles")).isEmpty();
    }
}
