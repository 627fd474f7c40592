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
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 6238 and RFC 4226 test vectors, and the acceptance rules of {@link Totp#verify}. */
class TotpTest {
    /** The SHA-1 seed of RFC 6238 Appendix B and the secret of RFC 4226 Appendix D. */
    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    /** RFC 6238 Appendix B: T = 1111111109 is in step 0x23523EC, its 8-digit code 07081804. */
    private static final Instant T_1111111109 = Instant.ofEpochSecond(1111111109L);
    private static final long STEP_1111111109 = 0x23523ECL;
    private static final String CODE_1111111109 = "081804";
    /** RFC 6238 Appendix B: T = 1111111111 is in step 0x23523ED, its 8-digit code 14050471. */
    private static final Instant T_1111111111 = Instant.ofEpochSecond(1111111111L);
    private static final long STEP_1111111111 = 0x23523EDL;
    private static final String CODE_1111111111 = "050471";

    @ParameterizedTest
    @CsvSource({
        "59, 0000000000000001, 94287082",
        "1111111109, 00000000023523EC, 07081804",
        "1111111111, 00000000023523ED, 14050471",
        "1234567890, 000000000273EF07, 89005924",
        "2000000000, 0000000003F940AA, 69279037",
        "20000000000, 0000000027BC86AA, 65353130",
    })
    void rfc6238AppendixBSha1Vectors(long epochSeconds, String stepHex, String eightDigits) {
        long step = Totp.step(Instant.ofEpochSecond(epochSeconds));

        assertThat(step).isEqualTo(Long.parseLong(stepHex, 16));
        // Truncation is modulo 10^digits, so six digits are the last six of eight
        assertThat(Totp.code(SEED, step)).isEqualTo(eightDigits.substring(2));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 755224", "1, 287082", "2, 359152", "3, 969429", "4, 338314",
        "5, 254676", "6, 287922", "7, 162583", "8, 399871", "9, 520489",
    })
    void rfc4226AppendixDHotpValues(long counter, String expected) {
        assertThat(Totp.code(SEED, counter)).isEqualTo(expected);
    }

    @Test
    void stepsAreThirtySecondsFromTheEpochRoundedDown() {
        assertThat(Totp.step(Instant.ofEpochSecond(0))).isZero();
        assertThat(Totp.step(Instant.ofEpochSecond(29, 999_999_999))).isZero();
        assertThat(Totp.step(Instant.ofEpochSecond(30))).isEqualTo(1);
        assertThat(Totp.step(Instant.ofEpochSecond(-1))).isEqualTo(-1);
        assertThat(Totp.PERIOD).hasSeconds(30);
        assertThat(Totp.DIGITS).isEqualTo(6);
    }

    @Test
    void theCurrentStepAndOneEitherSideAreAccepted() {
        assertThat(Totp.verify(SEED, CODE_1111111111, T_1111111111, 1, -1)).hasValue(STEP_1111111111);
        assertThat(Totp.verify(SEED, CODE_1111111109, T_1111111111, 1, -1)).as("one step before").hasValue(STEP_1111111109);
        assertThat(Totp.verify(SEED, CODE_1111111111, T_1111111109, 1, -1)).as("one step after").hasValue(STEP_1111111111);
    }

    @Test
    void twoStepsOffAreRefusedWithAWindowOfOne() {
        Instant twoStepsLater = T_1111111111.plusSeconds(60);
        Instant twoStepsEarlier = T_1111111109.minusSeconds(60);

        assertThat(Totp.verify(SEED, CODE_1111111111, twoStepsLater, 1, -1)).isEmpty();
        assertThat(Totp.verify(SEED, CODE_1111111111, twoStepsEarlier, 1, -1)).isEmpty();
        assertThat(Totp.verify(SEED, CODE_1111111111, twoStepsLater, 2, -1)).as("a window of two").hasValue(STEP_1111111111);
        assertThat(Totp.verify(SEED, CODE_1111111109, T_1111111111, 0, -1)).as("a window of none").isEmpty();
    }

    @Test
    void theLastUsedStepAndEarlierOnesAreNotAcceptedAgain() {
        assertThat(Totp.verify(SEED, CODE_1111111111, T_1111111111, 1, STEP_1111111111)).as("replay").isEmpty();
        assertThat(Totp.verify(SEED, CODE_1111111109, T_1111111111, 1, STEP_1111111111)).as("an earlier step").isEmpty();
        assertThat(Totp.verify(SEED, CODE_1111111109, T_1111111111, 1, STEP_1111111109)).isEmpty();
        assertThat(Totp.verify(SEED, CODE_1111111111, T_1111111111, 1, STEP_1111111109)).hasValue(STEP_1111111111);
        assertThat(Totp.verify(SEED, CODE_1111111111, T_1111111111, 1, Long.MIN_VALUE)).hasValue(STEP_1111111111);
    }

    @Test
    void whenTwoStepsOfTheWindowShareTheCodeTheEarliestEligibleOneIsReturned() {
        // Find two steps at most two apart with the same code (about four in a million steps do)
        long first = -1;
        long second = -1;
        String previous2 = Totp.code(SEED, 0);
        String previous1 = Totp.code(SEED, 1);
        for (long s = 2; s < 5_000_000 && first < 0; s++) {
            String code = Totp.code(SEED, s);
            if (code.equals(previous2)) {
                first = s - 2;
                second = s;
            } else if (code.equals(previous1)) {
                first = s - 1;
                second = s;
            }
            previous2 = previous1;
            previous1 = code;
        }
        assertThat(first).as("a collision in the search range").isNotNegative();
        String shared = Totp.code(SEED, first);
        Instant middle = Instant.ofEpochSecond((first + 1) * 30);

        assertThat(Totp.verify(SEED, shared, middle, 2, -1)).hasValue(first);
        assertThat(Totp.verify(SEED, shared, middle, 2, first)).as("the later one once the first is used").hasValue(second);
        assertThat(Totp.verify(SEED, shared, middle, 2, second)).isEmpty();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", " ", "12345", "1234567", "12a456", "１２３４５６", "-12345", "+12345", "12345\t6", "050471\n", "0504７1", "050 4710"})
    void malformedCodesMatchNothing(String code) {
        assertThat(Totp.verify(SEED, code, T_1111111111, 10, -1)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"050 471", " 050471 ", "05 04 71", "0 5 0 4 7 1"})
    void spacesInACodeAreIgnored(String code) {
        assertThat(Totp.verify(SEED, code, T_1111111111, 1, -1)).hasValue(STEP_1111111111);
    }

    @Test
    void aWrongCodeMatchesNothing() {
        String wrong = CODE_1111111111.equals("000000") ? "000001" : "000000";
        OptionalLong result = Totp.verify(SEED, wrong, T_1111111111, 0, -1);

        assertThat(result).isEmpty();
    }

    @Test
    void stepsBeforeTheEpochAreSkippedNotComputed() {
        assertThat(Totp.verify(SEED, "755224", Instant.ofEpochSecond(0), 1, -1)).as("HOTP counter 0").hasValue(0);
        assertThat(Totp.verify(SEED, "287082", Instant.ofEpochSecond(-1), 2, -1)).hasValue(1);
        assertThatThrownBy(() -> Totp.code(SEED, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shortSecretsAndWideWindowsAreRefused() {
        byte[] short15 = new byte[15];

        assertThatThrownBy(() -> Totp.code(short15, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Totp.verify(short15, "123456", T_1111111111, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Totp.verify(SEED, "123456", T_1111111111, -1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Totp.verify(SEED, "123456", T_1111111111, Totp.MAX_WINDOW + 1, -1))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(Totp.code(new byte[16], 0)).hasSize(6);
    }

    @Test
    void newSecretsAreTwentyRandomBytes() {
        byte[] one = Totp.newSecret();
        byte[] two = Totp.newSecret();

        assertThat(one).hasSize(20);
        assertThat(two).hasSize(20).isNotEqualTo(one);
    }
}
