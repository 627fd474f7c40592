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

import dev.gatehouse.testing.Fixtures;

import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.testing.TokenForge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.gatehouse.testing.Fixtures.EC;
import static dev.gatehouse.testing.Fixtures.EC_KID;
import static dev.gatehouse.testing.Fixtures.HMAC_KID;
import static dev.gatehouse.testing.Fixtures.HMAC_SECRET;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.RSA_KID;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.rs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The compact serialisation: size, segments, base64url spelling, JSON, crit; and fuzzing. */
class TokenStructureTest {
    private static final String B64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final AccessTokenVerifier VERIFIER = Fixtures.verifier();
    private static final String VALID = rs256().signRs256(RSA.getPrivate());

    private static String[] parts(String token) {
        return token.split("\\.", -1);
    }

    private static String join(String... parts) {
        return String.join(".", parts);
    }

    @Test
    void theValidTokenUsedBelowIsAccepted() {
        assertThat(VERIFIER.verify(VALID).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    // ---- size --------------------------------------------------------------------------------

    @Test
    void tokenOneCharacterOverMaxTokenSizeIsRefusedAsOversizedBeforeParsing() {
        // The content would be MALFORMED; OVERSIZED proves the length is checked first.
        int max = Fixtures.settings().maxTokenSize();
        assertThat(max).isEqualTo(8192);

        assertRefused(VERIFIER, "!".repeat(max + 1), Reason.OVERSIZED);
        assertRefused(VERIFIER, "!".repeat(max), Reason.MALFORMED);
    }

    @Test
    void validlySignedTokenOverMaxTokenSizeIsRefusedAsOversized() {
        String big = rs256().claim("filler", "f".repeat(7000)).signRs256(RSA.getPrivate());
        assertThat(big.length()).isGreaterThan(8192);

        assertRefused(VERIFIER, big, Reason.OVERSIZED);
    }

    @Test
    void validlySignedTokenJustUnderMaxTokenSizeIsAccepted() {
        String token = rs256().claim("filler", "f".repeat(5000)).signRs256(RSA.getPrivate());
        assertThat(token.length()).isLessThanOrEqualTo(8192);

        assertThat(VERIFIER.verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    // ---- segments ----------------------------------------------------------------------------

    static Stream<Arguments> wrongSegmentCounts() {
        String[] p = parts(VALID);
        return Stream.of(
                Arguments.of("1 segment", p[0]),
                Arguments.of("2 segments", join(p[0], p[1])),
                Arguments.of("2 segments and a dot", join(p[0], p[1]) + "."),
                Arguments.of("4 segments", join(p[0], p[1], p[2], p[2])),
                Arguments.of("5 segments (JWE shape)", join(p[0], p[1], p[2], p[1], p[2])),
                Arguments.of("trailing dot", VALID + "."),
                Arguments.of("leading dot", "." + VALID),
                Arguments.of("empty header", join("", p[1], p[2])),
                Arguments.of("empty payload", join(p[0], "", p[2])),
                Arguments.of("only dots", ".."),
                Arguments.of("empty string", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongSegmentCounts")
    void tokenWithoutExactlyThreeNonEmptySegmentsIsRefusedAsMalformed(String what, String token) {
        assertRefused(VERIFIER, token, Reason.MALFORMED);
    }

    @Test
    void nullTokenIsRefusedAsMalformed() {
        assertRefused(VERIFIER, null, Reason.MALFORMED);
    }

    static Stream<Arguments> foreignCharacters() {
        List<Arguments> out = new ArrayList<>();
        for (int segment = 0; segment < 3; segment++) {
            for (char c : new char[] {'*', ' ', '+', '/', '=', '\t', '\n', '\u00e9', '\u0000'}) {
                out.add(Arguments.of(segment, c));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "segment {0}, char U+{1}")
    @MethodSource("foreignCharacters")
    void characterOutsideTheBase64UrlAlphabetIsRefusedAsMalformed(int segment, char c) {
        String[] p = parts(VALID);
        StringBuilder s = new StringBuilder(p[segment]);
        s.setCharAt(s.length() / 2, c);
        p[segment] = s.toString();

        assertRefused(VERIFIER, join(p), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "\n", "\r\n", "\t"})
    void surroundingWhiteSpaceIsRefusedAsMalformed(String ws) {
        assertRefused(VERIFIER, ws + VALID, Reason.MALFORMED);
        assertRefused(VERIFIER, VALID + ws, Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void paddingAddedToASegmentIsRefusedAsMalformed(int segment) {
        // RFC 7515 §2: base64url without '=' padding. A padded segment decodes to the same bytes (same
        // signature), so accepting it would give one token several spellings.
        String[] p = parts(VALID);
        String original = p[segment];
        String padded = original + "=".repeat((4 - original.length() % 4) % 4);
        assertThat(padded).as("segment %d must need padding for this test to mean anything", segment).isNotEqualTo(original);
        assertThat(Base64.getUrlDecoder().decode(padded)).isEqualTo(Base64.getUrlDecoder().decode(original));
        p[segment] = padded;

        assertRefused(VERIFIER, join(p), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void nonCanonicalLastCharacterOfASegmentIsRefusedAsMalformed(int segment) {
        // RFC 4648 §3.5: spare bits must be zero. Setting them leaves the decoded bytes unchanged.
        String[] p = parts(VALID);
        String original = p[segment];
        assertThat(original.length() % 4).as("segment %d must have spare bits", segment).isIn(2, 3);
        char last = original.charAt(original.length() - 1);
        char respelled = B64URL_ALPHABET.charAt(B64URL_ALPHABET.indexOf(last) | 1);
        String changed = original.substring(0, original.length() - 1) + respelled;
        assertThat(changed).isNotEqualTo(original);
        assertThat(Base64.getUrlDecoder().decode(changed)).isEqualTo(Base64.getUrlDecoder().decode(original));
        p[segment] = changed;

        assertRefused(VERIFIER, join(p), Reason.MALFORMED);
    }

    @Test
    void signatureSegmentOfALengthNoBase64TextCanHaveIsRefusedAsMalformed() {
        String[] p = parts(VALID);
        p[2] = p[2] + "A".repeat((4 - p[2].length() % 4) % 4 + 1);
        assertThat(p[2].length() % 4).isEqualTo(1);

        assertRefused(VERIFIER, join(p), Reason.MALFORMED);
    }

    // ---- JSON --------------------------------------------------------------------------------

    private static String signedRaw(String header, String payload) {
        TokenForge forge = TokenForge.empty();
        if (header != null) {
            forge.rawHeader(header);
        }
        if (payload != null) {
            forge.rawPayload(payload);
        }
        return forge.signRs256(RSA.getPrivate());
    }

    private static String validHeaderJson() {
        return "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"" + RSA_KID + "\"}";
    }

    private static String validPayloadJson() {
        return new String(Base64.getUrlDecoder().decode(parts(VALID)[1]), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(chars = {'\u00ff', '\u0100', '\u0141', '\u012d', '\uff21', '\u2024', '\ufe52', '\u00c1', '\u0000'})
    void aCharacterOutsideAsciiAnywhereIsRefusedEvenWhenItsLowByteIsBase64url(char c) {
        // U+0141 and U+FF21 end in 0x41 ('A'), U+012D in 0x2D ('-'), U+2024 and U+FE52 are dot look-alikes.
        for (int position : new int[] {0, VALID.indexOf('.') - 1, VALID.indexOf('.') + 1, VALID.length() - 1}) {
            String token = VALID.substring(0, position) + c + VALID.substring(position + 1);
            assertRefused(VERIFIER, token, Reason.MALFORMED);
        }
        String dotLookalike = VALID.replaceFirst("\\.", String.valueOf(c));
        assertRefused(VERIFIER, dotLookalike, Reason.MALFORMED);
    }

    @Test
    void rawJsonHelpersReproduceAnAcceptedToken() {
        assertThat(VERIFIER.verify(signedRaw(validHeaderJson(), validPayloadJson())).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{", "{\"alg\":\"RS256\"", "[]", "[\"RS256\"]", "\"at+jwt\"", "42", "null", ""})
    void headerThatIsNotAJsonObjectIsRefusedAsMalformed(String header) {
        String token = header.isEmpty()
                ? join("", parts(VALID)[1], parts(VALID)[2])
                : signedRaw(header, validPayloadJson());

        assertRefused(VERIFIER, token, Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{", "[]", "[1,2]", "[{\"sub\":\"user-1\"}]", "\"user-1\"", "42", "null", "true"})
    void payloadThatIsNotAJsonObjectIsRefusedAsMalformed(String payload) {
        assertRefused(VERIFIER, signedRaw(validHeaderJson(), payload), Reason.MALFORMED);
    }

    @Test
    void payloadJsonFollowedByTrailingGarbageIsRefusedAsMalformed() {
        // RFC 7519 §7.2 step 10: the payload must be a JSON object (RFC 8259: one JSON value and nothing else).
        assertRefused(VERIFIER, signedRaw(validHeaderJson(), validPayloadJson() + "}"), Reason.MALFORMED);
        assertRefused(VERIFIER, signedRaw(validHeaderJson(), validPayloadJson() + "{\"sub\":\"admin\"}"), Reason.MALFORMED);
    }

    @Test
    void headerJsonFollowedByTrailingGarbageIsRefusedAsMalformed() {
        assertRefused(VERIFIER, signedRaw(validHeaderJson() + "x", validPayloadJson()), Reason.MALFORMED);
    }

    @Test
    void duplicateClaimIsRefusedOrResolvedToTheLexicallyLastValue() {
        // RFC 7519 §4: reject duplicates, or use only the lexically last member.
        String payload = validPayloadJson().replaceFirst("^\\{", "{\"sub\":\"first\",");
        String token = signedRaw(validHeaderJson(), payload);

        Throwable thrown = catchThrowable(() -> VERIFIER.verify(token));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(InvalidTokenException.class);
        } else {
            assertThat(VERIFIER.verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
        }
    }

    private static AccessTokenVerifier bigTokenVerifier() {
        TokenSettings s = Fixtures.settings().toBuilder().maxTokenSize(65536).build();
        return new AccessTokenVerifier(s, Fixtures.keys());
    }

    @ParameterizedTest
    @ValueSource(ints = {3000, 20000})
    void deeplyNestedArraysInAClaimAreRefusedWithoutStackOverflow(int depth) {
        String nested = "[".repeat(depth) + "]".repeat(depth);
        String payload = validPayloadJson().replaceFirst("\\}$", ",\"x\":" + nested + "}");
        String token = signedRaw(validHeaderJson(), payload);
        assertThat(token.length()).isLessThanOrEqualTo(65536);

        assertRefused(bigTokenVerifier(), token, Reason.MALFORMED);
    }

    @Test
    void deeplyNestedObjectsInAClaimAreRefusedWithoutStackOverflow() {
        int depth = 6000;
        String nested = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        String payload = validPayloadJson().replaceFirst("\\}$", ",\"x\":" + nested + "}");
        String token = signedRaw(validHeaderJson(), payload);
        assertThat(token.length()).isLessThanOrEqualTo(65536);

        assertRefused(bigTokenVerifier(), token, Reason.MALFORMED);
    }

    @Test
    void deeplyNestedArraysInTheHeaderAreRefusedWithoutStackOverflow() {
        int depth = 10000;
        String header = validHeaderJson().replaceFirst("\\}$", ",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
        String token = signedRaw(header, validPayloadJson());

        assertRefused(bigTokenVerifier(), token, Reason.MALFORMED);
    }

    @Test
    void moderatelyNestedUnknownClaimIsIgnoredAndTheTokenAccepted() {
        // RFC 7519 §4: claims that are not understood are ignored.
        String payload = validPayloadJson().replaceFirst("\\}$", ",\"x\":" + "[".repeat(20) + "]".repeat(20) + "}");

        assertThat(VERIFIER.verify(signedRaw(validHeaderJson(), payload)).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    // ---- crit and unknown headers ------------------------------------------------------------

    static Stream<Arguments> critHeaders() {
        return Stream.of(
                Arguments.of("crit naming a present extension", Map.of("crit", List.of("x-ext"), "x-ext", "v")),
                Arguments.of("crit naming an absent extension", Map.of("crit", List.of("x-ext"))),
                Arguments.of("crit b64 (RFC 7797)", Map.of("crit", List.of("b64"), "b64", false)),
                Arguments.of("crit naming a registered header", Map.of("crit", List.of("kid"))),
                Arguments.of("empty crit", Map.of("crit", List.of())),
                Arguments.of("crit not an array", Map.of("crit", "x-ext")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("critHeaders")
    void headerWithCritIsRefusedAsMalformed(String what, Map<String, Object> headers) {
        // RFC 7515 §4.1.11: critical extensions that are not understood make the JWS invalid.
        TokenForge forge = rs256();
        headers.forEach(forge::header);

        assertRefused(VERIFIER, forge.signRs256(RSA.getPrivate()), Reason.MALFORMED);
    }

    @Test
    void critAsJsonNullIsRefused() {
        String token = rs256().headerNull("crit").signRs256(RSA.getPrivate());

        assertThatThrownBy(() -> VERIFIER.verify(token)).isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isEqualTo(Reason.MALFORMED);
    }

    @Test
    void unknownNonCriticalHeaderIsIgnored() {
        // RFC 7515 §4: header parameters that are not understood are ignored unless listed in crit.
        String token = rs256().header("x-ext", "v").header("cty", "JWT").signRs256(RSA.getPrivate());

        assertThat(VERIFIER.verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    // ---- 11. nothing but InvalidTokenException, whatever the input --------------------------

    private static void assertRefusedSomehow(AccessTokenVerifier verifier, String token) {
        assertThatThrownBy(() -> verifier.verify(token))
                .as("token %s", token)
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void randomStringsAreRefusedWithInvalidTokenExceptionOnly() {
        Random random = new Random(20261123L);
        for (int i = 0; i < 300; i++) {
            int length = random.nextInt(400);
            StringBuilder s = new StringBuilder(length);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(10);
                s.append(kind == 0 ? '.' : kind < 8 ? (char) (0x20 + random.nextInt(0x5F)) : (char) random.nextInt(0x10000));
            }
            assertRefusedSomehow(VERIFIER, s.toString());
        }
    }

    @Test
    void randomBytesAsLatin1AreRefusedWithInvalidTokenExceptionOnly() {
        Random random = new Random(7L);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[random.nextInt(600)];
            random.nextBytes(bytes);
            assertRefusedSomehow(VERIFIER, new String(bytes, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void randomBase64UrlSegmentsAreRefusedWithInvalidTokenExceptionOnly() {
        Random random = new Random(42L);
        for (int i = 0; i < 300; i++) {
            int segments = 1 + random.nextInt(5);
            String[] parts = new String[segments];
            for (int k = 0; k < segments; k++) {
                byte[] bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
                parts[k] = B64URL.encodeToString(bytes);
            }
            assertRefusedSomehow(VERIFIER, String.join(".", parts));
        }
    }

    @Test
    void randomJsonHeadersAndPayloadsAreRefusedWithInvalidTokenExceptionOnly() {
        Random random = new Random(99L);
        Object[] values = {"RS256", "ES256", "HS256", "none", RSA_KID, EC_KID, HMAC_KID, "at+jwt", "", 0, -1, 1.5,
                Long.MAX_VALUE, true, false, List.of(), List.of("x"), Map.of(), Map.of("a", 1), "\u0000", "\ud800",
                Fixtures.ISSUER, Fixtures.AUDIENCE, Fixtures.NOW_S, Fixtures.NOW_S + 300, 1e300, -1e300};
        String[] headerNames = {"alg", "typ", "kid", "crit", "jku", "jwk", "x5c", "b64", "cty", "zip"};
        String[] claimNames = {"iss", "aud", "sub", "iat", "exp", "nbf", "jti", "roles"};
        for (int i = 0; i < 300; i++) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("alg", values[random.nextInt(3)]);
            header.put("typ", "at+jwt");
            header.put("kid", values[4 + random.nextInt(3)]);
            header.put(headerNames[random.nextInt(headerNames.length)], values[random.nextInt(values.length)]);
            TokenForge forge = Fixtures.forge("RS256", RSA_KID);
            header.forEach(forge::header);
            forge.claim(claimNames[random.nextInt(claimNames.length)], values[random.nextInt(values.length)]);
            if (random.nextBoolean()) {
                forge.claimNull(claimNames[random.nextInt(claimNames.length)]);
            }
            String token;
            switch (random.nextInt(4)) {
                case 0:
                    token = forge.signRs256(RSA.getPrivate());
                    break;
                case 1:
                    token = forge.signEs256(EC.getPrivate());
                    break;
                case 2:
                    token = forge.signHs256(HMAC_SECRET);
                    break;
                default:
                    byte[] sig = new byte[random.nextInt(300) + 1];
                    random.nextBytes(sig);
                    token = forge.withSignatureBytes(sig);
            }
            String t = token;
            Throwable thrown = catchThrowable(() -> VERIFIER.verify(t));
            // Some combinations are genuinely valid (e.g. a harmless extra header); the rest must be refused cleanly.
            if (thrown != null) {
                assertThat(thrown).as("token %s", token).isInstanceOf(InvalidTokenException.class);
            }
        }
    }

    @Test
    void everySingleCharacterMutationOfAValidTokenIsRefused() {
        Random random = new Random(1L);
        String alphabet = B64URL_ALPHABET + ".=+/ ";
        for (int i = 0; i < VALID.length(); i++) {
            char original = VALID.charAt(i);
            char replacement;
            do {
                replacement = alphabet.charAt(random.nextInt(alphabet.length()));
            } while (replacement == original);
            String mutated = VALID.substring(0, i) + replacement + VALID.substring(i + 1);
            assertRefusedSomehow(VERIFIER, mutated);
        }
    }

    @Test
    void everySingleCharacterDeletionOrDuplicationOfAValidTokenIsRefused() {
        IntStream.range(0, VALID.length()).forEach(i -> {
            assertRefusedSomehow(VERIFIER, VALID.substring(0, i) + VALID.substring(i + 1));
            assertRefusedSomehow(VERIFIER, VALID.substring(0, i + 1) + VALID.substring(i));
        });
    }

    @Test
    void swappingSegmentsOfTwoValidTokensIsRefused() {
        String other = rs256().claim("sub", "admin-1").claim("roles", List.of("admin")).signRs256(RSA.getPrivate());
        String[] a = parts(VALID);
        String[] b = parts(other);

        assertRefused(VERIFIER, join(a[0], b[1], a[2]), Reason.BAD_SIGNATURE);
        assertRefused(VERIFIER, join(b[0], a[1], b[2]), Reason.BAD_SIGNATURE);
        assertThat(Arrays.equals(a, b)).isFalse();
    }
}
