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

package dev.gatehouse.web;

import dev.gatehouse.token.ConfigurationException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docs/http-api.md "Token transports": double submit plus same-site checks for cookie-authenticated state changes. */
class CsrfPolicyTest {
    private static final String OWN = "https://app.example";
    private static final String CSRF = "k9f8Y2Lq0t3ZrX5w";
    private static final List<String> COOKIES = List.of("__Host-access_token=tok; __Host-csrf_token=" + CSRF);

    private static final CsrfPolicy POLICY = new CsrfPolicy(WebSettings.defaults());

    private static String post(String header, String secFetchSite, String origin) {
        return POLICY.check("POST", COOKIES, header, secFetchSite, origin, OWN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE"})
    void safeMethodsPassWithoutAnything(String method) {
        assertThat(POLICY.check(method, List.of(), null, "cross-site", "https://evil.example", OWN)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "post", "PROPFIND"})
    void stateChangingMethodWithoutCsrfHeaderIsRefused(String method) {
        assertThat(POLICY.check(method, COOKIES, null, null, null, OWN)).isNotBlank();
        assertThat(POLICY.check(method, COOKIES, "", null, null, OWN)).isNotBlank();
    }

    @Test
    void postWithMatchingCsrfHeaderPasses() {
        assertThat(post(CSRF, null, null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong", "k9f8Y2Lq0t3ZrX5", "k9f8Y2Lq0t3ZrX5w ", "K9F8Y2LQ0T3ZRX5W"})
    void postWithMismatchingCsrfHeaderIsRefused(String header) {
        assertThat(post(header, null, null)).isNotBlank();
    }

    @Test
    void postWithoutCsrfCookieIsRefusedEvenIfAHeaderIsSent() {
        assertThat(POLICY.check("POST", List.of("__Host-access_token=tok"), CSRF, null, null, OWN)).isNotBlank();
        assertThat(POLICY.check("POST", List.of("__Host-access_token=tok; __Host-csrf_token="), "", null, null, OWN)).isNotBlank();
    }

    @Test
    void postWithTheCsrfCookieTwiceIsRefused() {
        List<String> tossed = List.of("__Host-csrf_token=" + CSRF + "; __Host-csrf_token=attacker");

        assertThat(POLICY.check("POST", tossed, CSRF, null, null, OWN)).isNotBlank();
        assertThat(POLICY.check("POST", tossed, "attacker", null, null, OWN)).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cross-site", "CROSS-SITE", " cross-site "})
    void secFetchSiteCrossSiteIsRefusedEvenWithAMatchingToken(String value) {
        assertThat(post(CSRF, value, null)).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"same-origin", "same-site", "none"})
    void secFetchSiteOtherThanCrossSitePassesWithAMatchingToken(String value) {
        assertThat(post(CSRF, value, OWN)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "https://app.example:8443", "http://app.example", "null",
            "https://app.example.evil.example", "https://evil.example/https://app.example", "file://", "https://",
            "https://user@app.example", "not an origin"})
    void originOtherThanTheServersOwnIsRefusedEvenWithAMatchingToken(String origin) {
        assertThat(post(CSRF, null, origin)).isNotBlank();
    }

    @Test
    void ownOriginPasses() {
        assertThat(post(CSRF, "same-origin", OWN)).isNull();
    }

    @Test
    void ownOriginWithItsDefaultPortSpelledOutPasses() {
        // RFC 6454 §4: the default port of the scheme is the same origin.
        assertThat(post(CSRF, null, "https://app.example:443")).isNull();
        assertThat(POLICY.check("POST", COOKIES, CSRF, null, "https://app.example", "https://app.example:443")).isNull();
        assertThat(POLICY.check("POST", COOKIES, CSRF, null, "http://localhost:80", "http://localhost")).isNull();
    }

    @Test
    void ownOriginInAnotherCaseOfSchemeAndHostPasses() {
        // RFC 6454 §4: scheme and host are compared in lower case.
        assertThat(post(CSRF, null, "HTTPS://APP.Example")).isNull();
    }

    @Test
    void explicitNonDefaultPortIsAnotherOrigin() {
        assertThat(POLICY.check("POST", COOKIES, CSRF, null, "https://app.example", "https://app.example:8443")).isNotBlank();
    }

    @Test
    void allowedExtraOriginPasses() {
        CsrfPolicy policy = new CsrfPolicy(WebSettings.builder().allowedOrigins(Set.of("https://admin.example:8443")).build());

        assertThat(policy.check("POST", COOKIES, CSRF, "same-site", "https://admin.example:8443", OWN)).isNull();
        assertThat(policy.check("POST", COOKIES, CSRF, null, "https://admin.example", OWN)).isNotBlank();
        assertThat(policy.check("POST", COOKIES, CSRF, null, "https://evil.example", OWN)).isNotBlank();
    }

    @Test
    void allowedOriginStillNeedsTheCsrfToken() {
        CsrfPolicy policy = new CsrfPolicy(WebSettings.builder().allowedOrigins(Set.of("https://admin.example")).build());

        assertThat(policy.check("POST", COOKIES, null, null, "https://admin.example", OWN)).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "admin.example", "https://admin.example/path", "ftp://admin.example", "*"})
    void allowedOriginThatIsNotAnOriginIsAConfigurationError(String origin) {
        assertThatThrownBy(() -> new CsrfPolicy(WebSettings.builder().allowedOrigins(Set.of(origin)).build()))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("allowedOrigins");
    }

    @Test
    void customCsrfCookieNameIsUsed() {
        CsrfPolicy policy = new CsrfPolicy(WebSettings.builder().csrfCookieName("xsrf").build());

        assertThat(policy.check("POST", List.of("xsrf=abc"), "abc", null, null, OWN)).isNull();
        assertThat(policy.check("POST", COOKIES, CSRF, null, null, OWN)).isNotBlank();
    }
}
