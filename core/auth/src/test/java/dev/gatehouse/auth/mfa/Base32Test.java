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
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 4648 §10 vectors, round trips and what {@link Base32#decode} refuses. */
class Base32Test {
    @ParameterizedTest
    @CsvSource(value = {
        "'', '', ''",
        "f, MY, MY======",
        "fo, MZXQ, MZXQ====",
        "foo, MZXW6, MZXW6===",
        "foob, MZXW6YQ, MZXW6YQ=",
        "fooba, MZXW6YTB, MZXW6YTB",
        "foobar, MZXW6YTBOI, MZXW6YTBOI======",
    })
    void rfc4648Section10Vectors(String plain, String unpadded, String padded) {
        byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);

        assertThat(Base32.encode(bytes)).isEqualTo(unpadded);
        assertThat(Base32.decode(unpadded)).isEqualTo(bytes);
        assertThat(Base32.decode(padded)).isEqualTo(bytes);
        assertThat(Base32.decode(unpadded.toLowerCase(Locale.ROOT))).isEqualTo(bytes);
    }

    @Test
    void theRfc6238SeedEncodesAsAuthenticatorAppsShowIt() {
        byte[] seed = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

        assertThat(Base32.encode(seed)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    @Test
    void randomBytesRoundTrip() {
        Random random = new Random(4648);
        for (int length = 0; length <= 64; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            String encoded = Base32.encode(bytes);

            assertThat(encoded).matches("[A-Z2-7]*").hasSize((length * 8 + 4) / 5);
            assertThat(Base32.decode(encoded)).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "MZXW6YT1", "MZXW6YT0", "MZXW6YT8", "MZXW 6YTB", "MZXW6YTB\n", "MZ=XW6YTB", "MZXW-6YTB", "MZXW6YTÄ", "ＭＺＸＷ６",
        "M", "MZX", "MZXW6Y", "M=======", "MY=======", "MY=====", "MZXQ===", "MZXW6YTB========", "=", "MZ", "MZXR",
    })
    void anythingButTheCanonicalEncodingIsRefused(String text) {
        assertThatThrownBy(() -> Base32.decode(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
