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

package dev.gatehouse.jaxrs.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.jaxrs.support.Client.Reply;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on the RFC 9457 problem responses of the HTTP contract, as a client sees them. */
public final class Problems {
    public static final String PREFIX = "urn:gatehouse:problem:";

    /** The Content-Type of every problem body, in both adapters (docs/http-api.md). */
    public static final String PROBLEM_CONTENT_TYPE = "application/problem+json;charset=UTF-8";

    private Problems() {
    }

    /**
     * Asserts status, {@code Content-Type: application/problem+json;charset=UTF-8} (as the servlet
     * filter writes it), {@code Cache-Control: no-store}
     * and the body's {@code type}, {@code title}, {@code status} and {@code detail}; never a stack trace.
     *
     * @return the parsed body
     */
    public static JsonNode assertProblem(Reply r, int status, String slug, String title) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(r.toString()).isEqualToIgnoringCase(PROBLEM_CONTENT_TYPE);
        assertThat(r.header("Cache-Control")).as(r.toString()).isEqualTo("no-store");
        JsonNode body = r.json();
        assertThat(body.path("type").asText()).as(r.toString()).isEqualTo(PREFIX + slug);
        assertThat(body.path("title").asText()).as(r.toString()).isEqualTo(title);
        assertThat(body.path("status").isInt()).as(r.toString()).isTrue();
        assertThat(body.path("status").asInt()).as(r.toString()).isEqualTo(status);
        assertThat(body.path("detail").isTextual()).as(r.toString()).isTrue();
        assertThat(r.body()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("at dev.gatehouse");
        return body;
    }

    /** {@code 400} validation problem whose {@code errors[].field} are exactly {@code fields}, in any order. */
    public static JsonNode assertValidation(Reply r, String... fields) {
        JsonNode body = assertProblem(r, 400, "validation", "Invalid request fields");
        assertThat(fields(body)).as(r.toString()).containsExactlyInAnyOrder(fields);
        for (JsonNode e : body.get("errors")) {
            assertThat(e.path("message").asText()).as(r.toString()).isNotBlank();
        }
        return body;
    }

    public static List<String> fields(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.path("errors").forEach(e -> out.add(e.path("field").asText()));
        return out;
    }

    public static JsonNode assertInvalidRequest(Reply r) {
        return assertProblem(r, 400, "invalid-request", "Invalid request");
    }

    public static JsonNode assertUnsupportedMediaType(Reply r) {
        return assertProblem(r, 415, "unsupported-media-type", "Unsupported media type");
    }

    public static JsonNode assertTooLarge(Reply r) {
        return assertProblem(r, 413, "payload-too-large", "Payload too large");
    }

    public static JsonNode assertEmailTaken(Reply r) {
        return assertProblem(r, 409, "email-taken", "Email already registered");
    }

    /** {@code 401} for bad credentials, with the RFC 6750 {@code invalid_token} challenge. */
    public static JsonNode assertInvalidCredentials(Reply r) {
        JsonNode body = assertProblem(r, 401, "invalid-credentials", "Invalid credentials");
        assertThat(r.header("WWW-Authenticate")).as(r.toString()).startsWith("Bearer realm=").contains("error=\"invalid_token\"");
        return body;
    }

    /** {@code 429} with a numeric {@code Retry-After} of at least one second; returns it. */
    public static long assertThrottled(Reply r) {
        assertProblem(r, 429, "throttled", "Too many attempts");
        return retryAfter(r);
    }

    /** {@code 503} with a numeric {@code Retry-After} of at least one second; returns it. */
    public static long assertUnavailable(Reply r) {
        assertProblem(r, 503, "unavailable", "Service unavailable");
        return retryAfter(r);
    }

    private static long retryAfter(Reply r) {
        String value = r.header("Retry-After");
        assertThat(value).as(r.toString()).isNotNull().matches("[0-9]+");
        long seconds = Long.parseLong(value);
        assertThat(seconds).as(r.toString()).isGreaterThanOrEqualTo(1);
        return seconds;
    }
}
