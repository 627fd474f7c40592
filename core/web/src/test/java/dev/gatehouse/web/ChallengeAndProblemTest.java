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

package dev.gatehouse.web;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.gatehouse.testing.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6750 §3 challenges and RFC 9457 problem bodies, exactly as a client sees them. */
class ChallengeAndProblemTest {

    @Test
    void challengeHeaderNameIsWwwAuthenticate() {
        assertThat(Challenge.HEADER).isEqualTo("WWW-Authenticate");
    }

    @Test
    void bareChallengeHasOnlyTheRealm() {
        // RFC 6750 §3.1: no error code when the request carried no credentials.
        assertThat(Challenge.bare("gatehouse")).isEqualTo("Bearer realm=\"gatehouse\"");
    }

    @Test
    void invalidTokenChallengeHasTheRealmAndErrorInvalidToken() {
        assertThat(Challenge.invalidToken("gatehouse")).isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
    }

    @Test
    void invalidRequestChallengeHasTheRealmAndErrorInvalidRequest() {
        assertThat(Challenge.invalidRequest("gatehouse")).isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_request\"");
    }

    @Test
    void challengeUsesTheConfiguredRealm() {
        String realm = WebSettings.builder().realm("My API").build().realm();

        assertThat(Challenge.invalidToken(realm)).isEqualTo("Bearer realm=\"My API\", error=\"invalid_token\"");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void problemJsonHasTypeTitleStatusAndDetail() throws Exception {
        JsonNode body = json().readTree(Problem.invalidToken().toJson());

        assertThat(fieldNames(body)).containsExactlyInAnyOrder("type", "title", "status", "detail");
        assertThat(body.get("type").isTextual()).isTrue();
        assertThat(body.get("type").asText()).isNotBlank();
        assertThat(body.get("title").asText()).isNotBlank();
        // RFC 9457 §3.1.2: status is a JSON number.
        assertThat(body.get("status").isInt()).isTrue();
        assertThat(body.get("status").asInt()).isEqualTo(401);
        assertThat(body.get("detail").asText()).isNotBlank();
    }

    @Test
    void problemJsonWithFieldErrorsHasAnErrorsArrayOfFieldAndMessage() throws Exception {
        Problem problem = new Problem(400, "validation", "Invalid request body", "Two fields are invalid.",
                List.of(new Problem.FieldError("email", "is not an email address"),
                        new Problem.FieldError("password", "is too short")));

        JsonNode body = json().readTree(problem.toJson());

        assertThat(fieldNames(body)).containsExactlyInAnyOrder("type", "title", "status", "detail", "errors");
        assertThat(body.get("status").asInt()).isEqualTo(400);
        assertThat(body.get("title").asText()).isEqualTo("Invalid request body");
        assertThat(body.get("detail").asText()).isEqualTo("Two fields are invalid.");
        JsonNode errors = body.get("errors");
        assertThat(errors.isArray()).isTrue();
        assertThat(errors).hasSize(2);
        for (JsonNode e : errors) {
            assertThat(fieldNames(e)).containsExactlyInAnyOrder("field", "message");
        }
        assertThat(errors.get(0).get("field").asText()).isEqualTo("email");
        assertThat(errors.get(0).get("message").asText()).isEqualTo("is not an email address");
        assertThat(errors.get(1).get("field").asText()).isEqualTo("password");
        assertThat(errors.get(1).get("message").asText()).isEqualTo("is too short");
    }

    @Test
    void problemTypeIsTheSameForTheSameKindAndDiffersBetweenKinds() throws Exception {
        String a = json().readTree(Problem.invalidToken().toJson()).get("type").asText();
        String b = json().readTree(Problem.invalidToken().toJson()).get("type").asText();
        String c = json().readTree(Problem.unauthenticated().toJson()).get("type").asText();

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void problemFactoriesHaveTheirStatus() {
        assertThat(Problem.invalidToken().status()).isEqualTo(401);
        assertThat(Problem.unauthenticated().status()).isEqualTo(401);
        assertThat(Problem.invalidRequest("bad").status()).isEqualTo(400);
        assertThat(Problem.forbidden("no").status()).isEqualTo(403);
        assertThat(Problem.MEDIA_TYPE).isEqualTo("application/problem+json");
    }

    @Test
    void problemDetailWithQuotesAndNewlinesIsValidJson() throws Exception {
        String detail = "a \"quoted\" \\ detail\nwith </script> and \u0000";

        JsonNode body = json().readTree(Problem.invalidRequest(detail).toJson());

        assertThat(body.get("detail").asText()).isEqualTo(detail);
    }

    @Test
    void problemWithoutDetailOmitsIt() throws Exception {
        JsonNode body = json().readTree(new Problem(404, "not-found", "Not found", null).toJson());

        assertThat(fieldNames(body)).containsExactlyInAnyOrder("type", "title", "status");
    }
}
