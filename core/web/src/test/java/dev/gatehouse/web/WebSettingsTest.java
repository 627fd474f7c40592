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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WebSettings: the HTTP contract's defaults, fail-fast validation naming the setting, one transport check. */
class WebSettingsTest {
    @Test
    void defaultsAreThoseOfTheHttpContract() {
        WebSettings s = WebSettings.defaults();

        assertThat(s.realm()).isEqualTo("gatehouse");
        assertThat(s.transports()).containsExactlyInAnyOrder(Transport.BEARER, Transport.COOKIE);
        assertThat(s.accessCookieName()).isEqualTo("__Host-access_token");
        assertThat(s.refreshCookieName()).isEqualTo("__Secure-refresh_token");
        assertThat(s.csrfCookieName()).isEqualTo("__Host-csrf_token");
        assertThat(s.csrfHeaderName()).isEqualTo("X-CSRF-Token");
        assertThat(s.requireHttps()).isTrue();
        assertThat(s.trustedProxies()).isEmpty();
        assertThat(s.allowedOrigins()).isEmpty();
        assertThat(WebSettings.builder().build().transportSecurity().requiresHttps()).isTrue();
    }

    @Test
    void settingsAreImmutableAndToBuilderKeepsEverySetting() {
        Set<String> proxies = new java.util.HashSet<>(Set.of("10.0.0.1"));
        WebSettings s = WebSettings.builder().realm("api").transports(EnumSet.of(Transport.COOKIE)).accessCookieName("a")
                .refreshCookieName("r").csrfCookieName("c").csrfHeaderName("X-C").requireHttps(false).trustedProxies(proxies)
                .allowedOrigins(Set.of("https://app.example.com")).build();
        proxies.add("10.0.0.2");

        assertThatThrownBy(() -> s.transports().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.trustedProxies()).as("the set given is copied").containsExactly("10.0.0.1");
        WebSettings copy = s.toBuilder().build();
        assertThat(copy.realm()).isEqualTo("api");
        assertThat(copy.transports()).containsExactly(Transport.COOKIE);
        assertThat(copy.accessCookieName()).isEqualTo("a");
        assertThat(copy.refreshCookieName()).isEqualTo("r");
        assertThat(copy.csrfCookieName()).isEqualTo("c");
        assertThat(copy.csrfHeaderName()).isEqualTo("X-C");
        assertThat(copy.requireHttps()).isFalse();
        assertThat(copy.trustedProxies()).containsExactly("10.0.0.1");
        assertThat(copy.allowedOrigins()).containsExactly("https://app.example.com");
        assertThat(copy.transportSecurity()).as("each settings object has its own check").isNotSameAs(s.transportSecurity());
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                bad("realm", "realm with a quote", b -> b.realm("gate\"house")),
                bad("realm", "realm with a backslash", b -> b.realm("gate\\house")),
                bad("realm", "realm empty", b -> b.realm("")),
                bad("realm", "realm with a newline", b -> b.realm("gate\nhouse")),
                bad("realm", "realm null", b -> b.realm(null)),
                bad("transports", "transports empty", b -> b.transports(EnumSet.noneOf(Transport.class))),
                bad("transports", "transports empty Set.of()", b -> b.transports(Set.of())),
                bad("transports", "transports null", b -> b.transports(null)),
                bad("accessCookieName", "access cookie name with a space", b -> b.accessCookieName("access token")),
                bad("accessCookieName", "access cookie name with '='", b -> b.accessCookieName("a=b")),
                bad("accessCookieName", "access cookie name with ';'", b -> b.accessCookieName("a;b")),
                bad("accessCookieName", "access cookie name empty", b -> b.accessCookieName("")),
                bad("refreshCookieName", "refresh cookie name with a space", b -> b.refreshCookieName("refresh token")),
                bad("csrfCookieName", "csrf cookie name with a space", b -> b.csrfCookieName("csrf token")),
                bad("csrfHeaderName", "csrf header name with a space", b -> b.csrfHeaderName("X CSRF")),
                bad("csrfHeaderName", "csrf header name with ':'", b -> b.csrfHeaderName("X-CSRF:")),
                bad("trustedProxies", "a proxy that is a host name", b -> b.trustedProxies(Set.of("proxy.internal"))),
                bad("trustedProxies", "trusted proxies null", b -> b.trustedProxies(null)),
                bad("allowedOrigins", "an origin with a path", b -> b.allowedOrigins(Set.of("https://app.example.com/login"))),
                bad("allowedOrigins", "an origin without a scheme", b -> b.allowedOrigins(Set.of("app.example.com"))),
                bad("allowedOrigins", "allowed origins null", b -> b.allowedOrigins(null)));
    }

    private static Arguments bad(String setting, String what, UnaryOperator<WebSettings.Builder> change) {
        return Arguments.of(setting, what, change);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidSettings")
    void invalidSettingThrowsConfigurationExceptionNamingIt(String setting, String what, UnaryOperator<WebSettings.Builder> change) {
        assertThatThrownBy(() -> change.apply(WebSettings.builder()).build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> {
                    assertThat(((ConfigurationException) e).setting()).isEqualTo(setting);
                    assertThat(e.getMessage()).contains("'" + setting + "'");
                });
    }

    @Test
    void transportWireNamesParseIgnoringCase() {
        assertThat(Transport.fromWireName("Bearer")).isEqualTo(Transport.BEARER);
        assertThat(Transport.fromWireName(" COOKIE ")).isEqualTo(Transport.COOKIE);
        assertThat(Transport.fromWireName("query")).isNull();
        assertThat(Transport.BEARER.wireName()).isEqualTo("bearer");
    }
}
