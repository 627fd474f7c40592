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

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gatehouse.web.Problem;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.Emails;
import dev.gatehouse.auth.PasswordPolicy;
import dev.gatehouse.testing.FuzzRuns;
import dev.gatehouse.jaxrs.GatehouseFeature;
import org.junit.jupiter.api.AfterAll;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes the parsing of the register, login, refresh and logout bodies ({@link JsonBody#read}) with
 * arbitrary bytes, then the field rules the register and login flows apply to what it returns
 * ({@link Emails}, {@link PasswordPolicy}).
 *
 * <p>Properties: the only failure is a {@link ProblemException} with status 400 or 413 (413 only
 * for a body over the limit); a body is accepted only if it is one JSON object without duplicate
 * members, in UTF-8, and then each field returned is exactly that member's string; declaring the length
 * (Content-Length) or streaming the body in small reads changes nothing; the field rules never
 * throw; no input takes long (libFuzzer's per-input timeout).
 *
 * <p>Seeds and regression inputs: {@code src/test/resources/dev/gatehouse/jaxrs/internal/RequestBodyFuzzTestInputs/bodies/}.
 */
class RequestBodyFuzzTest {
    private static final int MAX_BYTES = GatehouseFeature.DEFAULT_MAX_BODY_BYTES;
    private static final String[] FIELDS = {"email", "password", "refresh_token"};
    /** An independent reading: strict about duplicates and trailing data, no depth limit of ours. */
    private static final JsonMapper ORACLE = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final PasswordPolicy POLICY = new PasswordPolicy(AuthSettings.builder().build());
    private static final FuzzRuns RUNS = new FuzzRuns("RequestBodyFuzzTest.bodies");

    @FuzzTest(maxDuration = "15s")
    void bodies(byte[] body) {
        RUNS.ran();
        Map<String, String> fields = read(new ByteArrayInputStream(body), null, body.length);
        Map<String, String> declared = read(new ByteArrayInputStream(body), Integer.toString(body.length), body.length);
        Map<String, String> trickled = read(new TrickleStream(body), null, body.length);
        require(same(fields, declared) && same(fields, trickled),
                "the outcome depends on Content-Length or on how the body arrives");
        if (fields == null) {
            return;
        }
        RUNS.accepted();
        // Read as RFC 8259 §8.1 says: UTF-8 text (a leading byte-order mark may be ignored).
        String text = utf8(body);
        require(text != null, "accepted a body that is not UTF-8");
        JsonNode tree;
        try {
            tree = ORACLE.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (IOException e) {
            throw new AssertionError("accepted a body that is not one UTF-8 JSON object without duplicate members", e);
        }
        require(tree != null && tree.isObject(), "accepted a body that is not a JSON object");
        for (String field : FIELDS) {
            JsonNode member = tree.get(field);
            String expected = member == null || member.isNull() ? null : member.textValue();
            require(java.util.Objects.equals(fields.get(field), expected), "field " + field + " read as "
                    + fields.get(field) + ", the body says " + member);
        }
        String email = Emails.normalise(fields.get("email"));
        Emails.problem(email);
        Emails.problem(fields.get("email"));
        POLICY.check(fields.get("password"));
    }

    @AfterAll
    static void ranEnoughInputs() {
        RUNS.assertEnough();
        if (FuzzRuns.fuzzing()) {
            RUNS.assertAccepted(1);
        }
    }

    /** The fields, or {@code null} for a refusal; a refusal must be a 400 or (over the limit) a 413. */
    private static Map<String, String> read(InputStream in, String contentLength, int length) {
        try {
            return JsonBody.read(in, contentLength, MAX_BYTES, FIELDS);
        } catch (ProblemException e) {
            Problem problem = e.problem();
            require(problem.status() == 400 || (problem.status() == 413 && length > MAX_BYTES),
                    "refused with " + problem.status() + " (" + problem.detail() + ")");
            return null;
        }
    }

    /** The body as strictly decoded UTF-8, or {@code null}. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean same(Map<String, String> a, Map<String, String> b) {
        return java.util.Objects.equals(a, b);
    }

    private static void require(boolean condition, String finding) {
        if (!condition) {
            throw new AssertionError(finding);
        }
    }

    /** Hands the body out a few bytes per read, as a slow client's packets would. */
    private static final class TrickleStream extends InputStream {
        private final byte[] bytes;
        private int pos;

        TrickleStream(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 3), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
