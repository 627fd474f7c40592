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

import dev.gatehouse.web.LocatedToken.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6750 §2.1 header, the access cookie, and the "one token, one place" rule. */
class TokenLocatorTest {
    private static final String COOKIE = WebSettings.DEFAULT_ACCESS_COOKIE;
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

    private static final TokenLocator BOTH = new TokenLocator(WebSettings.defaults());

    private static LocatedToken locate(List<String> authorization, List<String> cookies) {
        return BOTH.locate(authorization, cookies);
    }

    private static LocatedToken header(String value) {
        return locate(List.of(value), List.of());
    }

    private static void assertFound(LocatedToken t, String token, Transport transport) {
        assertThat(t.kind()).isEqualTo(Kind.FOUND);
        assertThat(t.token()).isEqualTo(token);
        assertThat(t.transport()).isEqualTo(transport);
        assertThat(t.problem()).isNull();
    }

    private static void assertMalformed(LocatedToken t) {
        assertThat(t.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(t.token()).isNull();
        assertThat(t.problem()).isNotBlank();
    }

    private static void assertNone(LocatedToken t) {
        assertThat(t.kind()).isEqualTo(Kind.NONE);
        assertThat(t.token()).isNull();
    }

    // ---- Authorization header ------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "bearer", "BEARER", "bEaReR"})
    void bearerSchemeIsMatchedWithoutRegardToCase(String scheme) {
        // RFC 7235 §2.1: auth-scheme is case-insensitive.
        assertFound(header(scheme + " " + TOKEN), TOKEN, Transport.BEARER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a-b.c_d~e+f/g", "abc=", "abc==", "A1"})
    void everyB64TokenIsFound(String token) {
        // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        assertFound(header("Bearer " + token), token, Transport.BEARER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer a b", "Bearer a ", "Bearer  ", "Bearer ="})
    void bearerWithoutExactlyOneTokenIsMalformed(String value) {
        assertMalformed(header(value));
    }

    @Test
    void bearerFollowedByATabInsteadOfASpaceIsMalformed() {
        // RFC 6750 §2.1 / RFC 7235 §2.1: "Bearer" 1*SP b64token; a tab is not SP.
        assertMalformed(header("Bearer\t" + TOKEN));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,b", "a;b", "a\"b", "a=b", "a\u00e9", "a\u0000", "a\nb", "a%2Eb", "a@b", "a*b", "a\\b"})
    void bearerTokenWithCharactersOutsideB64TokenIsMalformed(String token) {
        assertMalformed(header("Bearer " + token));
    }

    @Test
    void everyCharacterIsJudgedByTheRfcAlphabet() {
        // RFC 6750 §2.1 spelled out by hand: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/".
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
        int accepted = 0;
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            String token = "a" + (char) c + "b";
            boolean expected = alphabet.indexOf(c) >= 0;
            assertThat(TokenLocator.isB64Token(token)).as("U+%04X", c).isEqualTo(expected);
            if (expected) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(68);
        // "=" only as trailing padding, after at least one character.
        assertThat(TokenLocator.isB64Token("ab==")).isTrue();
        assertThat(TokenLocator.isB64Token("a=b")).isFalse();
        assertThat(TokenLocator.isB64Token("==")).isFalse();
        assertThat(TokenLocator.isB64Token("")).isFalse();
    }

    @Test
    void twoAuthorizationHeadersAreMalformed() {
        assertMalformed(locate(List.of("Bearer " + TOKEN, "Bearer " + TOKEN), List.of()));
        assertMalformed(locate(List.of("Bearer " + TOKEN, "Basic dXNlcjpwYXNz"), List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Digest username=\"u\"", "Bearerx abc", "Token abc", "DPoP abc"})
    void otherSchemesAreLeftAloneAsIfAbsent(String value) {
        assertNone(header(value));
    }

    @Test
    void noHeadersAndNoCookiesIsNone() {
        assertNone(locate(List.of(), List.of()));
        assertNone(locate(null, null));
    }

    // ---- cookie ---------------------------------------------------------------------------------

    @Test
    void accessCookieAloneIsFoundAsCookie() {
        assertFound(locate(List.of(), List.of("theme=dark; " + COOKIE + "=" + TOKEN + "; lang=en")), TOKEN, Transport.COOKIE);
    }

    @Test
    void quotedAccessCookieValueIsUnquoted() {
        // RFC 6265 §4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
        assertFound(locate(List.of(), List.of(COOKIE + "=\"" + TOKEN + "\"")), TOKEN, Transport.COOKIE);
    }

    @Test
    void headerAndCookieTogetherAreMalformed() {
        // RFC 6750 §2: a client must not use more than one method.
        assertMalformed(locate(List.of("Bearer " + TOKEN), List.of(COOKIE + "=" + TOKEN)));
        assertMalformed(locate(List.of("Bearer " + TOKEN), List.of(COOKIE + "=other")));
    }

    @Test
    void accessCookieTwiceIsMalformed() {
        assertMalformed(locate(List.of(), List.of(COOKIE + "=a; " + COOKIE + "=b")));
        assertMalformed(locate(List.of(), List.of(COOKIE + "=a", COOKIE + "=b")));
        assertMalformed(locate(List.of(), List.of(COOKIE + "=a; " + COOKIE + "=a")));
    }

    @Test
    void emptyAccessCookieIsNone() {
        assertNone(locate(List.of(), List.of(COOKIE + "=")));
        assertNone(locate(List.of(), List.of(COOKIE + "=; other=1")));
    }

    @Test
    void emptyAccessCookieBesideAFullOneCountsOnce() {
        assertFound(locate(List.of(), List.of(COOKIE + "=; " + COOKIE + "=" + TOKEN)), TOKEN, Transport.COOKIE);
    }

    @Test
    void cookieNamesAreMatchedExactly() {
        // RFC 6265: cookie names are case-sensitive; a longer name is another cookie.
        assertNone(locate(List.of(), List.of(COOKIE.toLowerCase() + "=" + TOKEN)));
        assertNone(locate(List.of(), List.of("x" + COOKIE + "=" + TOKEN)));
        assertNone(locate(List.of(), List.of(COOKIE + "x=" + TOKEN)));
    }

    @Test
    void cookieIsIgnoredWhenTheCookieTransportIsDisabled() {
        TokenLocator bearerOnly = new TokenLocator(WebSettings.builder().transports(EnumSet.of(Transport.BEARER)).build());

        assertNone(bearerOnly.locate(List.of(), List.of(COOKIE + "=" + TOKEN)));
        assertFound(bearerOnly.locate(List.of("Bearer " + TOKEN), List.of(COOKIE + "=other")), TOKEN, Transport.BEARER);
    }

    @Test
    void customAccessCookieNameIsUsed() {
        TokenLocator custom = new TokenLocator(WebSettings.builder().accessCookieName("at").build());

        assertFound(custom.locate(List.of(), List.of("at=" + TOKEN)), TOKEN, Transport.COOKIE);
        assertNone(custom.locate(List.of(), List.of(COOKIE + "=" + TOKEN)));
    }

    @Test
    void locatedTokenToStringNeverPrintsTheToken() {
        assertThat(header("Bearer " + TOKEN).toString()).doesNotContain(TOKEN);
        assertThat(locate(List.of(), List.of(COOKIE + "=" + TOKEN)).toString()).doesNotContain(TOKEN);
    }

    @Test
    void cookiesSingleIsNullWhenAbsentEmptyOrRepeated() {
        assertThat(TokenLocator.Cookies.single(List.of("a=1; b=2"), "b")).isEqualTo("2");
        assertThat(TokenLocator.Cookies.single(List.of("a=1"), "b")).isNull();
        assertThat(TokenLocator.Cookies.single(List.of("b="), "b")).isNull();
        assertThat(TokenLocator.Cookies.single(List.of("b=1; b=2"), "b")).isNull();
        assertThat(TokenLocator.Cookies.values(List.of(" b = 1 ;b=2", "c=3"), "b")).containsExactly("1", "2");
    }
}
