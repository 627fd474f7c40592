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
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** The Key Uri Format, read back with {@link URI}. */
class OtpAuthUriTest {
    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theUriHasTheLabelAndParametersAuthenticatorAppsRead() {
        URI uri = URI.create(OtpAuthUri.totp("Example", "alice", SEED));

        assertThat(uri.getScheme()).isEqualTo("otpauth");
        assertThat(uri.getHost()).isEqualTo("totp");
        assertThat(uri.getPath()).isEqualTo("/Example:alice");
        assertThat(query(uri)).containsExactly(
            entry("secret", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            entry("issuer", "Example"),
            entry("algorithm", "SHA1"),
            entry("digits", "6"),
            entry("period", "30"));
        assertThat(uri.toString()).isEqualTo(
            "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA1&digits=6&period=30");
    }

    @Test
    void spacesAtSignsAndNonAsciiArePercentEncodedAsUtf8() {
        String text = OtpAuthUri.totp("Zürich Bank & Co", "jörg.o'neil+mfa@example.com", SEED);
        URI uri = URI.create(text);

        assertThat(text).isASCII().doesNotContain("+").doesNotContain(" ").doesNotContain("@");
        assertThat(uri.getRawPath()).isEqualTo("/Z%C3%BCrich%20Bank%20%26%20Co:j%C3%B6rg.o%27neil%2Bmfa%40example.com");
        assertThat(uri.getPath()).isEqualTo("/Zürich Bank & Co:jörg.o'neil+mfa@example.com");
        assertThat(query(uri)).containsEntry("issuer", "Zürich Bank & Co").hasSize(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme:Corp", ":", "a:", " ", "", "\t\n"})
    void aBlankIssuerOrOneWithAColonIsRefused(String bad) {
        assertThatThrownBy(() -> OtpAuthUri.totp(bad, "alice", SEED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OtpAuthUri.totp("Example", bad, SEED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> OtpAuthUri.totp("Example", "alice", new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    /** The query parameters in order, percent-decoded (the URI has no '+', so URLDecoder is exact). */
    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&", -1)) {
            int equals = pair.indexOf('=');
            assertThat(equals).as(pair).isPositive();
            String previous = parameters.put(pair.substring(0, equals), URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            assertThat(previous).as("a repeated parameter").isNull();
        }
        return parameters;
    }
}
