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

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract with the token in {@code Authorization: Bearer} (RFC 6750 §2.1), plus what is peculiar to that header. */
class BearerTransportContractTest extends FilterContractSuite {

    @Override
    protected HttpRequest.Builder withToken(HttpRequest.Builder request, String token) {
        return request.header("Authorization", "Bearer " + token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer", "BEARER", "bEaReR"})
    void schemeIsCaseInsensitive(String scheme) {
        Reply reply = send(Http.get(server.uri(PROTECTED)).header("Authorization", scheme + " " + tokens.token("user-42", "user")));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void twoTokensInTheHeaderIsAnInvalidRequest() {
        String token = tokens.token("user-42", "user");

        assertInvalidRequest(send(Http.get(server.uri(PROTECTED)).header("Authorization", "Bearer " + token + " " + token)));
    }

    @Test
    void twoAuthorizationHeadersIsAnInvalidRequest() {
        String token = tokens.token("user-42", "user");

        assertInvalidRequest(send(Http.get(server.uri(PROTECTED))
                .header("Authorization", "Bearer " + token)
                .header("Authorization", "Bearer " + token)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer  %s", "Bearer %s$", "Bearer %s;x", "Bearer \"%s\"", "Bearer ==", "Bearer %s=x", "Bearer\t%s"})
    void malformedBearerHeaderIsAnInvalidRequest(String template) {
        String value = template.contains("%s") ? String.format(template, tokens.token("user-42", "user")) : template;

        assertInvalidRequest(send(Http.get(server.uri(PROTECTED)).header("Authorization", value)));
    }

    @Test
    void malformedBearerHeaderIsAnInvalidRequestEvenOnStateChangingRequests() {
        assertInvalidRequest(send(Http.request("POST", server.uri(PROTECTED)).header("Authorization", "Bearer a b")));
    }

    @Test
    void tokenInTheQueryStringIsNeverRead() {
        String token = tokens.token("user-42", "user");

        Reply reply = send(Http.get(server.uri(PROTECTED + "?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
        assertProblem(reply, 401, "urn:gatehouse:problem:unauthenticated");
    }

    @Test
    void tokenInAFormBodyIsNeverRead() {
        String token = tokens.token("user-42", "user");

        Reply reply = send(Http.get(server.uri(PROTECTED))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("access_token=" + token)));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @Test
    void tokenInHeaderAndCookieIsAnInvalidRequest() {
        String token = tokens.token("user-42", "user");

        assertInvalidRequest(send(Http.get(server.uri(PROTECTED))
                .header("Authorization", "Bearer " + token)
                .header("Cookie", ACCESS_COOKIE + "=" + token)));
    }

    @Test
    void tokenInHeaderAndADifferentOneInTheCookieIsAnInvalidRequest() {
        assertInvalidRequest(send(Http.get(server.uri(PROTECTED))
                .header("Authorization", "Bearer " + tokens.token("user-42", "user"))
                .header("Cookie", ACCESS_COOKIE + "=" + tokens.token("admin-7", "admin"))));
    }

    @Test
    void basicCredentialsGetTheBareChallenge() {
        Reply reply = send(Http.get(server.uri(PROTECTED)).header("Authorization", "Basic dXNlcjpwYXNzd29yZA=="));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
        assertProblem(reply, 401, "urn:gatehouse:problem:unauthenticated");
    }

    @Test
    void schemeThatOnlyStartsWithBearerIsNotBearer() {
        Reply reply = send(Http.get(server.uri(PROTECTED)).header("Authorization", "Bearerx " + tokens.token("user-42", "user")));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.all("WWW-Authenticate")).containsExactly(BARE_CHALLENGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void bearerAuthenticatedStateChangeNeedsNoCsrfHeader(String method) {
        Reply reply = send(withToken(Http.request(method, server.uri(PROTECTED)), tokens.token("user-42", "user")));

        assertPrincipal(reply, "user-42", true, false);
        assertThat(reply.json().get("method").asText()).isEqualTo(method);
    }

    @Test
    void bearerAuthenticatedStateChangeIsNotSubjectToOriginChecks() {
        // A bearer token is not ambient authority: another site cannot make the browser send it.
        Reply reply = send(withToken(Http.request("POST", server.uri(PROTECTED)), tokens.token("user-42", "user"))
                .header("Origin", "http://evil.example")
                .header("Sec-Fetch-Site", "cross-site"));

        assertPrincipal(reply, "user-42", true, false);
    }

    @Test
    void bearerTokenIsUsedWhileUnrelatedCookiesArePresent() {
        Reply reply = send(withToken(Http.get(server.uri(PROTECTED)), tokens.token("user-42", "user"))
                .header("Cookie", "theme=dark; " + CSRF_COOKIE + "=abc"));

        assertPrincipal(reply, "user-42", true, false);
    }
}
