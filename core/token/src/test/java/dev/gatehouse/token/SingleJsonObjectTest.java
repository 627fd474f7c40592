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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "exactly one JSON object" check of a token segment (RFC 7519 §7.2, RFC 8259), which decodes
 * base64url as it scans. Judged against Jackson with trailing tokens refused, on JSON that parses
 * (the check runs only after java-jwt has parsed the segment).
 */
class SingleJsonObjectTest {
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static String segment(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Jackson's verdict: one JSON object, nothing but white space around it. */
    private static boolean oracle(String json) {
        try {
            JsonNode node = STRICT.readTree(json);
            return node != null && node.isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", " {} ", "\t\r\n{\"a\":1}\n", "{\"a\":\"}{\"}", "{\"a\":\"\\\"}{\"}", "{\"a\":\"\\\\\"}",
            "{\"a\":[{},[],{\"b\":[1,{\"c\":\"]\"}]}]}", "{\"\u00e9\u4e2d\":\"\ud83d\ude00\"}"})
    void oneObjectIsAccepted(String json) {
        assertThat(oracle(json)).isTrue();
        assertThat(AccessTokenVerifier.isSingleJsonObject(segment(json))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}{}", "{} {}", "{}x", "{}]", "{}}", "[]", "[{}]", "\"{}\"", "42", "{\"a\":\"\\\\\"}\"}",
            "{\"a\":1}{\"sub\":\"admin\"}", "{}\u00a0", ""})
    void anythingElseIsRefused(String json) {
        assertThat(AccessTokenVerifier.isSingleJsonObject(segment(json))).isFalse();
    }

    @Test
    void randomObjectsWithRandomTailsAgreeWithJackson() throws Exception {
        Random random = new Random(7);
        String[] tails = {"", " ", "\n\t ", "{}", " {\"x\":1}", "]", "}", "x", "[]", " \"s\"", "0", "\r\n"};
        String[] heads = {"", " ", "\n", "\t\r\n "};
        ObjectMapper json = new ObjectMapper();
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            var node = json.createObjectNode();
            int members = random.nextInt(5);
            for (int m = 0; m < members; m++) {
                String key = randomText(random);
                switch (random.nextInt(4)) {
                    case 0:
                        node.put(key, randomText(random));
                        break;
                    case 1:
                        node.put(key, random.nextInt());
                        break;
                    case 2:
                        node.putArray(key).add(randomText(random)).addObject().put(randomText(random), randomText(random));
                        break;
                    default:
                        node.putObject(key).putArray(randomText(random)).add(random.nextBoolean());
                }
            }
            String text = heads[random.nextInt(heads.length)] + json.writeValueAsString(node) + tails[random.nextInt(tails.length)];
            boolean expected = oracle(text);
            assertThat(AccessTokenVerifier.isSingleJsonObject(segment(text))).as(text).isEqualTo(expected);
            if (expected) {
                accepted++;
            }
        }
        assertThat(accepted).isBetween(500, 2500); // both verdicts were exercised
    }

    /** Text full of the characters that matter to the scanner: quotes, backslashes, brackets. */
    private static String randomText(Random random) {
        String alphabet = "ab\"\\{}[]:, \u00e9\u4e2d\n";
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
