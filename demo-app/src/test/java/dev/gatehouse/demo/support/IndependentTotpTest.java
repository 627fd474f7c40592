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


package dev.gatehouse.demo.support;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tests' own TOTP against the test vectors of RFC 6238 (appendix B, SHA-1) and RFC 4648. */
class IndependentTotpTest {
    private static final byte[] RFC_SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void matchesTheSha1VectorsOfRfc6238() {
        IndependentTotp totp = IndependentTotp.of(RFC_SECRET);
        assertThat(totp.code(59 / 30, 8)).isEqualTo("94287082");
        assertThat(totp.code(1111111109L / 30, 8)).isEqualTo("07081804");
        assertThat(totp.code(1111111111L / 30, 8)).isEqualTo("14050471");
        assertThat(totp.code(1234567890L / 30, 8)).isEqualTo("89005924");
        assertThat(totp.code(2000000000L / 30, 8)).isEqualTo("69279037");
        assertThat(totp.code(20000000000L / 30, 8)).isEqualTo("65353130");
        assertThat(totp.code(59 / 30)).as("six digits are the last six").isEqualTo("287082");
        assertThat(totp.code(1111111109L / 30)).as("leading zeros kept").isEqualTo("081804");
    }

    @Test
    void decodesBase32AndTheSecretOfAnOtpauthUri() {
        assertThat(IndependentTotp.base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")).isEqualTo(RFC_SECRET);
        assertThat(IndependentTotp.base32Decode("mzxw6ytboi======")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
        assertThat(IndependentTotp.base32Decode("MZXW6YQ")).isEqualTo("foob".getBytes(StandardCharsets.US_ASCII));
        String uri = "otpauth://totp/Gatehouse%20demo:a%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=Gatehouse%20demo&algorithm=SHA1&digits=6&period=30";
        assertThat(IndependentTotp.secretParameter(uri)).isEqualTo("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assertThat(IndependentTotp.fromUri(uri).code(59 / 30)).isEqualTo("287082");
        assertThatThrownBy(() -> IndependentTotp.base32Decode("GEZ1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IndependentTotp.secretParameter("otpauth://hotp/x?secret=AAAA")).isInstanceOf(IllegalArgumentException.class);
    }
}
