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

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.InvalidTokenException;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.testing.FuzzRuns;
import org.junit.jupiter.api.AfterAll;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Fuzzes the access-token path with arbitrary text: as a token given to
 * {@link AccessTokenVerifier}, as an {@code Authorization} header value and as a cookie value
 * given to {@link TokenLocator} and {@link RequestAuthenticator}.
 *
 * <p>Properties: nothing but {@link InvalidTokenException} leaves the verifier; the locator and
 * the authenticator never throw; a token is accepted only if {@link TokenOracle} (the JDK, the
 * real keys, the claim rules) agrees; the authenticator lets a request in exactly when the
 * located token verifies; the locator finds a bearer token exactly when the header is
 * {@code Bearer} and one RFC 6750 {@code b64token}.
 *
 * <p>Seeds and regression inputs: {@code src/test/resources/dev/gatehouse/web/TokenStringFuzzTestInputs/arbitraryText/}.
 * Runs fuzzing only in its own surefire execution (see the module POM) and in {@code fuzz/run.sh}.
 */
class TokenStringFuzzTest {
    private static final AccessTokenVerifier VERIFIER = FuzzKeys.verifier();
    private static final WebSettings SETTINGS = WebSettings.defaults();
    private static final TokenLocator LOCATOR = new TokenLocator(SETTINGS);
    private static final RequestAuthenticator AUTHENTICATOR = new RequestAuthenticator(VERIFIER, SETTINGS);
    /** RFC 6750 §2.1, written out here rather than taken from the code under test. */
    private static final Pattern BEARER_HEADER = Pattern.compile("(?i:bearer) ([A-Za-z0-9\\-._~+/]+=*)");
    private static final FuzzRuns RUNS = new FuzzRuns("TokenStringFuzzTest.arbitraryText");

    @FuzzTest(maxDuration = "15s")
    void arbitraryText(byte[] input) {
        RUNS.ran();
        String text = new String(input, StandardCharsets.UTF_8);

        AccessTokenPrincipal direct = verify(text);
        if (direct != null) {
            RUNS.accepted();
        }

        // The text as the whole Authorization header.
        LocatedToken located = LOCATOR.locate(List.of(text), List.of());
        java.util.regex.Matcher bearer = BEARER_HEADER.matcher(text);
        if (bearer.matches()) {
            require(located.kind() == LocatedToken.Kind.FOUND && located.transport() == Transport.BEARER
                    && located.token().equals(bearer.group(1)), "a well-formed bearer header was not located");
        } else {
            require(located.kind() != LocatedToken.Kind.FOUND, "located a token in a header that is not 'Bearer <b64token>'");
        }
        RequestAuthenticator.Outcome outcome = AUTHENTICATOR.authenticate(request("GET", text, null));
        checkOutcome(outcome, located);

        // The text as the token of a bearer header, and as the access cookie.
        String header = "Bearer " + text;
        checkOutcome(AUTHENTICATOR.authenticate(request("GET", header, null)), LOCATOR.locate(List.of(header), List.of()));
        String cookie = SETTINGS.accessCookieName() + "=" + text;
        LocatedToken fromCookie = LOCATOR.locate(List.of(), List.of(cookie));
        if (fromCookie.kind() == LocatedToken.Kind.FOUND) {
            require(fromCookie.transport() == Transport.COOKIE && !fromCookie.token().isEmpty()
                    && text.contains(fromCookie.token()), "a cookie token that is not part of the cookie header");
        }
        checkOutcome(AUTHENTICATOR.authenticate(request("GET", null, cookie)), fromCookie);
    }

    @AfterAll
    static void ranEnoughInputs() {
        RUNS.assertEnough();
    }

    /** The verifier's answer, held to the oracle; {@code null} when refused. Anything else thrown is a finding. */
    static AccessTokenPrincipal verify(String token) {
        AccessTokenPrincipal principal;
        try {
            principal = VERIFIER.verify(token);
        } catch (InvalidTokenException e) {
            require(e.reason() != null, "a refusal without a reason");
            return null;
        }
        TokenOracle.checkAccepted(token, principal);
        return principal;
    }

    /** A safe (GET) request is let in exactly when a token was located and verifies. */
    private static void checkOutcome(RequestAuthenticator.Outcome outcome, LocatedToken located) {
        AccessTokenPrincipal expected = located.kind() == LocatedToken.Kind.FOUND ? verify(located.token()) : null;
        require(Objects.equals(outcome.principal(), expected), "the authenticator let in " + outcome.principal()
                + " where the verifier says " + expected);
        require(outcome.isRejected() == (expected == null), "rejected and authenticated at once");
        require(outcome.isAnonymous() == (located.kind() == LocatedToken.Kind.NONE), "anonymous outcome does not match the locator");
        if (outcome.isRejected()) {
            int status = outcome.problem().status();
            require(status == (located.kind() == LocatedToken.Kind.MALFORMED ? 400 : 401), "a GET rejected with " + status);
            require(outcome.challenge() != null, "a 401/400 without a challenge");
        }
    }

    static RequestAuthenticator.HttpRequestView request(String method, String authorization, String cookie) {
        return new RequestAuthenticator.HttpRequestView() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public List<String> headers(String name) {
                if (name.equalsIgnoreCase("Authorization") && authorization != null) {
                    return List.of(authorization);
                }
                if (name.equalsIgnoreCase("Cookie") && cookie != null) {
                    return List.of(cookie);
                }
                return List.of();
            }

            @Override
            public String ownOrigin() {
                return "https://app.example";
            }

            // over HTTPS: the transport check passes, so every input reaches the token checks
            @Override
            public boolean isSecure() {
                return true;
            }

            @Override
            public String peerAddress() {
                return "192.0.2.10";
            }
        };
    }

    static void require(boolean condition, String finding) {
        if (!condition) {
            throw new AssertionError(finding);
        }
    }
}
