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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;

/**
 * An RFC 9457 problem detail, written the same way by every adapter. Immutable.
 *
 * <p>The {@code type} is a URN naming the kind of problem ({@code urn:gatehouse:problem:<slug>}),
 * so clients can tell problems apart without parsing the title. Details are fixed texts chosen by
 * Gatehouse, never echoed client input and never a stack trace.
 *
 * @param status the HTTP status
 * @param slug   the last part of the {@linkplain #type() type}, for example {@code invalid-token}
 * @param title  a short, fixed summary of the kind of problem
 * @param detail a fixed explanation of this occurrence, or {@code null}
 * @param errors the invalid fields of a request body; empty for other problems
 */
public record Problem(int status, String slug, String title, String detail, List<FieldError> errors) {
    /** The media type of problem bodies (RFC 9457 §3). */
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:gatehouse:problem:";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One invalid field of a request body.
     *
     * @param field   the field's name in the body
     * @param message what is wrong with it: a fixed text, never the value sent
     */
    public record FieldError(String field, String message) {
        public FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }

    public Problem {
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(title, "title");
        errors = List.copyOf(errors);
    }

    /** A problem without field errors. */
    public Problem(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, List.of());
    }

    public static Problem invalidToken() {
        return new Problem(401, "invalid-token", "Invalid access token",
                "The access token is missing, malformed, expired or revoked.");
    }

    /**
     * {@link #invalidToken()} whose {@code detail} is the challenge's {@code error_description}
     * (one of {@link Challenge}'s fixed texts), or the generic detail when it is {@code null}.
     */
    public static Problem invalidToken(String description) {
        return description == null ? invalidToken() : new Problem(401, "invalid-token", "Invalid access token", description);
    }

    public static Problem unauthenticated() {
        return new Problem(401, "unauthenticated", "Authentication required", "This resource requires an access token.");
    }

    public static Problem invalidRequest(String detail) {
        return new Problem(400, "invalid-request", "Invalid request", detail);
    }

    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Forbidden", detail);
    }

    /**
     * {@code 403}: credentials (or a request for a protected resource) over plain HTTP from other
     * than loopback. Not a {@code 401}: a challenge would invite the client to send its token over
     * the same insecure channel, and a token it already sent must be treated as exposed.
     */
    public static Problem httpsRequired() {
        return new Problem(403, "https-required", "HTTPS required",
                "Credentials must be sent over HTTPS. This request came over plain HTTP: treat any token or password it"
                        + " carried as exposed.");
    }

    /** The {@code type} member: {@code urn:gatehouse:problem:} and the {@linkplain #slug() slug}. */
    public String type() {
        return TYPE_PREFIX + slug;
    }

    /** The JSON body. */
    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type());
        node.put("title", title);
        node.put("status", status);
        if (detail != null) {
            node.put("detail", detail);
        }
        if (!errors.isEmpty()) {
            ArrayNode array = node.putArray("errors");
            for (FieldError e : errors) {
                array.addObject().put("field", e.field()).put("message", e.message());
            }
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Problem{" + status + " " + type() + "}";
    }
}
