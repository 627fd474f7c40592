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

package dev.gatehouse.auth.mfa;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Format, normalisation, hashing and a loose uniformity check of recovery codes. */
class RecoveryCodesTest {
    /** The digits 2-9 and the letters but i and l, written out here independently of the class. */
    private static final String SYMBOL = "[2-9a-hjkm-z]";
    private static final String FORMAT = SYMBOL + "{4}-" + SYMBOL + "{4}-" + SYMBOL + "{4}";
    private static final byte[] KEY = HexFormat.of().parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    private static final byte[] OTHER_KEY = HexFormat.of().parseHex("0f0e0d0c0b0a090807060504030201000f0e0d0c0b0a09080706050403020100");

    private final RecoveryCodes codes = new RecoveryCodes(KEY);

    @Test
    void tenDistinctCodesInTheDocumentedFormat() {
        List<String> generated = codes.generate(RecoveryCodes.DEFAULT_COUNT);

        assertThat(generated).hasSize(10).doesNotHaveDuplicates().allMatch(code -> code.matches(FORMAT));
        assertThat(generated).allSatisfy(code -> assertThat(RecoveryCodes.normalise(code)).contains(code.replace("-", "")));
        assertThatThrownBy(() -> generated.add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(RecoveryCodes.ALPHABET).hasSize(32).matches(SYMBOL + "{32}");
    }

    @Test
    void countsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> codes.generate(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codes.generate(RecoveryCodes.MAX_COUNT + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySymbolTurnsUpAboutEquallyOften() {
        Map<Character, Integer> counts = new HashMap<>();
        for (int batch = 0; batch < 20; batch++) {
            for (String code : codes.generate(100)) {
                for (char c : code.replace("-", "").toCharArray()) {
                    counts.merge(c, 1, Integer::sum);
                }
            }
        }
        // 2,000 codes of 12 symbols: 750 expected per symbol, standard deviation about 27
        assertThat(counts).hasSize(32);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(550, 950));
    }

    @ParameterizedTest
    @CsvSource({
        "ABCD-EFGH-JKMN, abcdefghjkmn",
        "abcd efgh jkmn, abcdefghjkmn",
        "' abcd - efgh - jkmn ', abcdefghjkmn",
        "abcdefghjkmn, abcdefghjkmn",
        "2345-6789-wxyz, 23456789wxyz",
        "ab0d-efgh-jkmn, abodefghjkmn",
    })
    void normaliseLowerCasesAndDropsSpacesAndHyphens(String input, String expected) {
        assertThat(RecoveryCodes.normalise(input)).contains(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"abcd-efgh-jkm", "abcd-efgh-jkmnp", "abcd-efgh-jkm1", "abcd-efgh-jkml", "abcd-efgh-jkmi", "ABCD-EFGH-JKMI",
        "abcd_efgh_jkmn", "abcd.efgh.jkmn", "abcd\tefgh-jkmn", "ａｂｃｄ-efgh-jkmn", "abcd-efgh-jkmñ", "------------", "abcd-efgh-jkmn-abcd"})
    void anythingElseIsNoRecoveryCode(String input) {
        assertThat(RecoveryCodes.normalise(input)).isEmpty();
    }

    @Test
    void hashesAreKeyedHmacsInLowerCaseHex() throws Exception {
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        String expected = HexFormat.of().formatHex(hmac.doFinal("abcdefghjkmn".getBytes(StandardCharsets.US_ASCII)));

        String hash = codes.hash("abcdefghjkmn");

        assertThat(hash).hasSize(64).matches("[0-9a-f]{64}").isEqualTo(expected);
        assertThat(new RecoveryCodes(KEY.clone()).hash("abcdefghjkmn")).isEqualTo(hash);
        assertThat(new RecoveryCodes(OTHER_KEY).hash("abcdefghjkmn")).isNotEqualTo(hash);
        assertThat(codes.hash("abcdefghjkmp")).isNotEqualTo(hash);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ABCDEFGHJKMN", "abcd-efgh-jkmn", "abcdefghjkm", "abcdefghjkm1", "ab0defghjkmn", ""})
    void onlyNormalisedCodesAreHashed(String notNormalised) {
        assertThatThrownBy(() -> codes.hash(notNormalised)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shortKeysAreRefusedAndToStringShowsNoKey() {
        assertThatThrownBy(() -> new RecoveryCodes(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThat(codes.toString()).doesNotContain(HexFormat.of().formatHex(KEY).substring(0, 8));
    }
}
