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

package dev.gatehouse.smtp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The host name rules of {@link ServerIdentityVerifier} (the whole check runs in {@link SmtpTlsTest}). */
class ServerIdentityVerifierTest {
    @ParameterizedTest
    @CsvSource({
        "smtp.example.com, smtp.example.com, true",
        "SMTP.Example.COM, smtp.example.com, true",
        "smtp.example.com., smtp.example.com, true",
        "smtp.example.com, *.example.com, true",
        "a.smtp.example.com, *.example.com, false",
        "example.com, *.example.com, false",
        "smtp.example.com, *.com, false",
        "smtp.example.com, smtp.example.org, false",
        "smtp.example.com, s*.example.com, false",
        "smtp.example.com, '', false",
    })
    void namesMatchExactlyOrByOneWildcardLabel(String host, String pattern, boolean matches) {
        assertThat(ServerIdentityVerifier.matchesName(host, pattern)).isEqualTo(matches);
    }
}
