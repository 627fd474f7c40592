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

package dev.gatehouse.filter;

import dev.gatehouse.filter.support.Http;
import dev.gatehouse.filter.support.Http.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract with the token in the {@code __Host-access_token} cookie, plus the CSRF rules that
 * apply to cookie-authenticated state changes (double submit of {@code __Host-csrf_token} in
 * {@code X-CSRF-Token}, and no cross-site origin).
 */
class CookieTransportContractTest extends FilterContractSuite {
    private static final String CSRF = "c3JmLXRva2VuLXZhbHVlLTEyMzQ1Ng";

    @Override
    protected HttpRequest.Builder withToken(HttpRequest.Builder request, String token) {
        return request.header("Cookie", ACCESS_COOKIE + "=" + token);
    }

    /** The browser's cookies: the access cookie and the CSRF cookie. */
    private HttpRequest.Builder withCookies(HttpRequest.Builder request, String token) {
        return request.header("Cookie", "theme=dark; " + ACCESS_COOKIE + "=" + token + "; " + CSRF_COOKIE + "=" + CSRF);
    }

    private HttpRequest.Builder stateChange(String method) {
        return withCookies(Http.request(method, server.uri(PROTECTED)), tokens.token("user-42", "user"));
    }

    @Test
    void getNeedsNoCsrfHeader() {
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.token("user-42", "user")));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void crossSiteGetIsAllowed() {
        // Safe methods change nothing; SameSite=Strict keeps the cookie off real cross-site GETs anyway.
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.token("user-42", "user"))
                .header("Sec-Fetch-Site", "cross-site")
                .header("Origin", "http://evil.example"));

        assertPrincipal(reply, "user-42", true, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void stateChangeWithoutCsrfHeaderIsForbidden(String method) {
        assertForbidden(send(stateChange(method)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void stateChangeWithMismatchedCsrfHeaderIsForbidden(String method) {
        assertForbidden(send(stateChange(method).header("X-CSRF-Token", CSRF + "x")));
    }

    @Test
    void stateChangeWithEmptyCsrfHeaderIsForbidden() {
        assertForbidden(send(stateChange("POST").header("X-CSRF-Token", "")));
    }

    @Test
    void csrfHeaderWithoutCsrfCookieIsForbidden() {
        assertForbidden(send(withToken(Http.request("POST", server.uri(PROTECTED)), tokens.token("user-42", "user"))
                .header("X-CSRF-Token", CSRF)));
    }

    @Test
    void csrfCookieSentTwiceIsForbidden() {
        String token = tokens.token("user-42", "user");

        assertForbidden(send(Http.request("POST", server.uri(PROTECTED))
                .header("Cookie", ACCESS_COOKIE + "=" + token + "; " + CSRF_COOKIE + "=" + CSRF + "; " + CSRF_COOKIE + "=other")
                .header("X-CSRF-Token", CSRF)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void stateChangeWithMatchingCsrfHeaderIsAllowed(String method) {
        Reply reply = send(stateChange(method).header("X-CSRF-Token", CSRF));

        assertPrincipal(reply, "user-42", true, false);
        assertThat(reply.json().get("method").asText()).isEqualTo(method);
    }

    @Test
    void matchingCsrfHeaderFromAnotherSiteIsForbidden() {
        assertForbidden(send(stateChange("POST").header("X-CSRF-Token", CSRF).header("Sec-Fetch-Site", "cross-site")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"same-origin", "same-site", "none"})
    void matchingCsrfHeaderFromThisSiteIsAllowed(String secFetchSite) {
        Reply reply = send(stateChange("POST").header("X-CSRF-Token", CSRF).header("Sec-Fetch-Site", secFetchSite));

        assertPrincipal(reply, "user-42", true, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example", "null", "http://127.0.0.1", "https://127.0.0.1", "not an origin"})
    void matchingCsrfHeaderFromAnotherOriginIsForbidden(String origin) {
        assertForbidden(send(stateChange("POST").header("X-CSRF-Token", CSRF).header("Origin", origin)));
    }

    @Test
    void matchingCsrfHeaderFromAnotherPortIsForbidden() {
        assertForbidden(send(stateChange("POST").header("X-CSRF-Token", CSRF).header("Origin", "http://127.0.0.1:" + (server.port() + 1))));
    }

    @Test
    void matchingCsrfHeaderFromTheServersOwnOriginIsAllowed() {
        Reply reply = send(stateChange("POST").header("X-CSRF-Token", CSRF).header("Origin", server.origin()));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void ownOriginIsComparedWithoutRegardToCase() {
        Reply reply = send(stateChange("DELETE").header("X-CSRF-Token", CSRF).header("Origin", server.origin().toUpperCase()));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void accessCookieSentTwiceIsAnInvalidRequest() {
        String token = tokens.token("user-42", "user");

        assertInvalidRequest(send(Http.get(server.uri(PROTECTED))
                .header("Cookie", ACCESS_COOKIE + "=" + token + "; " + ACCESS_COOKIE + "=" + tokens.token("admin-7", "admin"))));
    }

    @Test
    void accessCookieInTwoCookieHeadersIsAnInvalidRequest() {
        String token = tokens.token("user-42", "user");

        assertInvalidRequest(send(Http.get(server.uri(PROTECTED))
                .header("Cookie", ACCESS_COOKIE + "=" + token)
                .header("Cookie", ACCESS_COOKIE + "=" + token)));
    }

    @Test
    void emptyAccessCookieCountsAsNoToken() {
        Reply reply = send(Http.get(server.uri(PROTECTED)).header("Cookie", ACCESS_COOKIE + "="));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @Test
    void cookieWithASimilarNameIsNotTheAccessCookie() {
        Reply reply = send(Http.get(server.uri(PROTECTED))
                .header("Cookie", "access_token=" + tokens.token("user-42", "user") + "; __Secure-access_token=x"));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @Test
    void quotedCookieValueIsAccepted() {
        Reply reply = send(Http.get(server.uri(PROTECTED)).header("Cookie", ACCESS_COOKIE + "=\"" + tokens.token("user-42", "user") + "\""));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void csrfFailureOnAPublicPathFallsBackToAnonymous() {
        Reply reply = send(withCookies(Http.request("POST", server.uri(PUBLIC)), tokens.token("user-42", "user")));

        assertAnonymous(reply);
    }
}
