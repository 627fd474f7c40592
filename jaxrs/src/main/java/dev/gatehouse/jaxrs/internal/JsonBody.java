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

package dev.gatehouse.jaxrs.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.web.Problem;
import jakarta.ws.rs.core.MediaType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the small JSON bodies of the auth endpoints: only {@code application/json} (415 otherwise),
 * at most the configured size (413, checked on {@code Content-Length} before reading and again
 * while reading), strictly UTF-8 (not UTF-16 or UTF-32, which Jackson alone would detect), a JSON
 * object, duplicate keys refused, nesting shallow. Only the named string fields are taken; every
 * other field is ignored, never bound.
 */
final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(65536).build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private JsonBody() {
    }

    /** Whether the content type is JSON (any charset parameter but UTF-8 is refused). */
    static void requireJson(MediaType type) {
        if (type == null || !"application".equalsIgnoreCase(type.getType()) || !"json".equalsIgnoreCase(type.getSubtype())) {
            throw new ProblemException(new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send the body as application/json."));
        }
        String charset = type.getParameters().get("charset");
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw new ProblemException(new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "Send the body as UTF-8."));
        }
    }

    /**
     * Refuses a body of any type but JSON on an endpoint that may also be called without a body
     * (cookie refresh, logout, logout-all): docs/http-api.md's "any other content type on a POST to /auth/*
     * gets 415" holds there too, so a form that another site can post without a preflight is
     * never processed, whatever else protects the endpoint.
     */
    static void refuseOtherMediaTypes(MediaType type) {
        if (type != null) {
            requireJson(type);
        }
    }

    /**
     * Reads the body and returns the named fields as strings (absent or JSON null: missing).
     *
     * @throws ProblemException 413, 400 (not JSON, not an object, a field not a string)
     */
    static Map<String, String> read(InputStream in, String contentLength, int maxBytes, String... fields) {
        if (contentLength != null) {
            try {
                if (Long.parseLong(contentLength.strip()) > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            } catch (NumberFormatException e) {
                throw new ProblemException(Problem.invalidRequest("The Content-Length header is invalid."));
            }
        }
        String text = strictUtf8(readLimited(in, maxBytes));
        JsonNode root;
        try (JsonParser parser = JSON.createParser(text)) {
            root = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw new IOException("trailing content");
            }
        } catch (IOException | RuntimeException e) {
            throw new ProblemException(Problem.invalidRequest("The body is not valid JSON."));
        }
        if (root == null || !root.isObject()) {
            throw new ProblemException(Problem.invalidRequest("The body must be a JSON object."));
        }
        Map<String, String> out = new HashMap<>();
        List<Problem.FieldError> errors = new ArrayList<>();
        for (String field : fields) {
            JsonNode value = root.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isTextual()) {
                errors.add(new Problem.FieldError(field, "must be a string"));
            } else {
                out.put(field, value.textValue());
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem(400, "validation", "Invalid request fields", "One or more fields are invalid.", errors));
        }
        return out;
    }

    /**
     * Decodes the body as UTF-8, strictly (RFC 8259 §8.1). Jackson, given bytes, would also detect
     * and accept UTF-16 and UTF-32, so a body could be read differently here than by anything in
     * front of the application that inspects it as UTF-8. A leading byte-order mark is ignored.
     */
    private static String strictUtf8(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProblemException(Problem.invalidRequest("The body is not valid UTF-8."));
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static byte[] readLimited(InputStream in, int maxBytes) {
        if (in == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 1024));
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + n > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ProblemException(Problem.invalidRequest("The body could not be read."));
        }
        return out.toByteArray();
    }

    private static ProblemException tooLarge(int maxBytes) {
        return new ProblemException(new Problem(413, "payload-too-large", "Payload too large",
                "The body is larger than " + maxBytes + " bytes."));
    }

    /** An empty JSON object to fill, for answers {@link #object} cannot write (nested objects, JSON nulls). */
    static ObjectNode newObject() {
        return JSON.createObjectNode();
    }

    /** Writes a JSON object from alternating names and values (strings, numbers, booleans, lists of strings); a null value is left out. */
    static String object(Object... namesAndValues) {
        var node = JSON.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String name = (String) namesAndValues[i];
            Object value = namesAndValues[i + 1];
            if (value instanceof Number number) {
                node.put(name, number.longValue());
            } else if (value instanceof Boolean bool) {
                node.put(name, bool.booleanValue());
            } else if (value instanceof List<?> list) {
                var array = node.putArray(name);
                for (Object o : list) {
                    array.add(String.valueOf(o));
                }
            } else if (value != null) {
                node.put(name, String.valueOf(value));
            }
        }
        return node.toString();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
