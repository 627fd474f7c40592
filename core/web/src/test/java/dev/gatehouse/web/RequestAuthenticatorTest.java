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

import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.SUBJECT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RequestAuthenticator} asks the verified-token cache before it checks the bearer token's
 * characters: whatever the order, every request gets the answer it would get without the cache.
 */
class RequestAuthenticatorTest {
    private static final String DEFAULT_COOKIE = WebSettings.DEFAULT_ACCESS_COOKIE;

    /** A request as an adapter presents it: HTTPS, from a remote address. */
    private static final class Request implements RequestAuthenticator.HttpRequestView {
        private final List<String> authorization;
        private final List<String> cookies;

        Request(List<String> authorization, List<String> cookies) {
            this.authorization = authorization;
            this.cookies = cookies;
        }

        static Request bearer(String value) {
            return new Request(List.of("Bearer " + value), List.of());
        }

        @Override
        public String method() {
            return "GET";
        }

        @Override
        public List<String> headers(String name) {
            if (name.equalsIgnoreCase("Authorization")) {
                return authorization;
            }
            return name.equalsIgnoreCase("Cookie") ? cookies : List.of();
        }

        @Override
        public String ownOrigin() {
            return "https://app.example";
        }

        @Override
        public boolean isSecure() {
            return true;
        }

        @Override
        public String peerAddress() {
            return "198.51.100.4";
        }
    }

    private static RequestAuthenticator authenticator(boolean cache) {
        return authenticator(new AccessTokenVerifier(TokenSettings.builder(ISSUER, AUDIENCE).clock(Fixtures.CLOCK)
                .verifiedTokenCache(cache).build(), Fixtures.keys()));
    }

    private static RequestAuthenticator authenticator(AccessTokenVerifier verifier) {
        return new RequestAuthenticator(verifier, WebSettings.defaults());
    }

    private static String token(String jti) {
        return Fixtures.rs256().claim("jti", jti).signRs256(Fixtures.RSA.getPrivate());
    }

    private static void assertInvalidRequest(RequestAuthenticator.Outcome outcome) {
        assertThat(outcome.isRejected()).isTrue();
        assertThat(outcome.problem().status()).isEqualTo(400);
        assertThat(outcome.challenge()).contains("error=\"invalid_request\"");
        assertThat(outcome.principal()).isNull();
    }

    private static void assertInvalidToken(RequestAuthenticator.Outcome outcome) {
        assertThat(outcome.isRejected()).isTrue();
        assertThat(outcome.problem().status()).isEqualTo(401);
        assertThat(outcome.challenge()).contains("error=\"invalid_token\"");
        assertThat(outcome.principal()).isNull();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aValidBearerTokenIsAcceptedTwiceWithOrWithoutTheCache(boolean cache) {
        RequestAuthenticator authenticator = authenticator(cache);
        String token = token("j-valid");

        RequestAuthenticator.Outcome first = authenticator.authenticate(Request.bearer(token));
        RequestAuthenticator.Outcome second = authenticator.authenticate(Request.bearer(token));

        assertThat(first.isRejected()).isFalse();
        assertThat(first.principal().subject()).isEqualTo(SUBJECT);
        assertThat(first.transport()).isEqualTo(Transport.BEARER);
        assertThat(second.principal()).isEqualTo(first.principal());
        // With the cache the second answer is the remembered principal itself.
        assertThat(second.principal() == first.principal()).isEqualTo(cache);
    }

    @ParameterizedTest
    @ValueSource(strings = {"=", "a,b", "a;b", "a\"b", "a=b", "a\u00e9b", "a%2Eb", "a@b", "a\\b"})
    void aBearerTokenOutsideB64TokenIsAnInvalidRequestWithOrWithoutTheCache(String value) {
        assertInvalidRequest(authenticator(true).authenticate(Request.bearer(value)));
        assertInvalidRequest(authenticator(false).authenticate(Request.bearer(value)));
    }

    @Test
    void aVerifiedTokenWithOneCharacterChangedToOutsideB64TokenIsStillAnInvalidRequest() {
        RequestAuthenticator authenticator = authenticator(true);
        String token = token("j-changed");
        assertThat(authenticator.authenticate(Request.bearer(token)).isRejected()).isFalse();

        String changed = token.substring(0, token.length() - 1) + ",";

        assertInvalidRequest(authenticator.authenticate(Request.bearer(changed)));
        assertThat(authenticator.authenticate(Request.bearer(token)).isRejected()).isFalse();
    }

    @Test
    void aB64TokenThatIsNotAJwsIsAnInvalidTokenNotAnInvalidRequest() {
        // "~" and "+" are b64token characters but not base64url: the verifier refuses it.
        assertInvalidToken(authenticator(true).authenticate(Request.bearer("abc~def+ghi")));
        assertInvalidToken(authenticator(false).authenticate(Request.bearer("abc~def+ghi")));
    }

    @Test
    void aCookieTokenIsNotHeldToTheBearerSyntaxButStillVerified() {
        RequestAuthenticator authenticator = authenticator(true);
        String token = token("j-cookie");

        RequestAuthenticator.Outcome ok = authenticator.authenticate(new Request(List.of(), List.of(DEFAULT_COOKIE + "=" + token)));
        RequestAuthenticator.Outcome bad = authenticator.authenticate(new Request(List.of(), List.of(DEFAULT_COOKIE + "=a,b")));

        assertThat(ok.principal().subject()).isEqualTo(SUBJECT);
        assertThat(ok.transport()).isEqualTo(Transport.COOKIE);
        assertInvalidToken(bad);
    }

    @Test
    void cachedPrincipalIsNullOnAMissAndWithTheCacheOff() {
        AccessTokenVerifier on = new AccessTokenVerifier(
                TokenSettings.builder(ISSUER, AUDIENCE).clock(Fixtures.CLOCK).build(), Fixtures.keys());
        AccessTokenVerifier off = new AccessTokenVerifier(
                TokenSettings.builder(ISSUER, AUDIENCE).clock(Fixtures.CLOCK).verifiedTokenCache(false).build(), Fixtures.keys());
        String token = token("j-miss");

        assertThat(on.cachedPrincipal(token)).isNull();
        assertThat(on.cachedPrincipal(null)).isNull();
        assertThat(on.cachedPrincipal("")).isNull();
        AccessTokenPrincipal verified = on.verify(token);
        assertThat(on.cachedPrincipal(token)).isSameAs(verified);

        off.verify(token);
        assertThat(off.cachedPrincipal(token)).isNull();
    }
}
