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
import dev.gatehouse.testing.TokenForge;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.NOW_S;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A refused token's {@code 401} names the class of check that failed, in the challenge's RFC 6750
 * {@code error_description} and the problem's {@code detail}: a fixed text, never token content;
 * and {@link WebSettings.Builder#errorDescriptions(boolean) errorDescriptions(false)} takes it away.
 */
class ErrorDescriptionTest {
    private static final String INVALID_TOKEN = "Bearer realm=\"gatehouse\", error=\"invalid_token\"";
    /** RFC 6750 §3: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ). */
    private static final Pattern RFC_6750_DESCRIPTION = Pattern.compile("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    private static final AccessTokenVerifier VERIFIER = new AccessTokenVerifier(
            TokenSettings.builder(ISSUER, AUDIENCE).clock(Fixtures.CLOCK).build(), Fixtures.keys(),
            principal -> "revoked-user".equals(principal.subject()));

    private static RequestAuthenticator.Outcome authenticate(WebSettings settings, AccessTokenVerifier verifier, String token) {
        return new RequestAuthenticator(verifier, settings).authenticate(new RequestAuthenticator.HttpRequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public List<String> headers(String name) {
                return name.equalsIgnoreCase("Authorization") ? List.of("Bearer " + token) : List.of();
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
        });
    }

    private static String sign(TokenForge forge) {
        return forge.signRs256(Fixtures.RSA.getPrivate());
    }

    private static void assertDescribed(String token, String description) {
        RequestAuthenticator.Outcome outcome = authenticate(WebSettings.defaults(), VERIFIER, token);

        assertThat(outcome.problem().status()).isEqualTo(401);
        assertThat(outcome.challenge()).isEqualTo(INVALID_TOKEN + ", error_description=\"" + description + "\"");
        assertThat(outcome.problem().detail()).isEqualTo(description);
        assertThat(outcome.problem().type()).isEqualTo("urn:gatehouse:problem:invalid-token");
    }

    @Test
    void aWrongIssuerSaysSoButNeitherTheIssuerSentNorTheOneExpected() {
        String sent = "http://localhost:8080";
        RequestAuthenticator.Outcome outcome = authenticate(WebSettings.defaults(), VERIFIER, sign(Fixtures.rs256().claim("iss", sent)));

        assertThat(outcome.challenge()).isEqualTo(INVALID_TOKEN + ", error_description=\"The token's issuer is not accepted\"")
                .doesNotContain(sent, ISSUER);
        assertThat(outcome.problem().toJson()).contains("\"detail\":\"The token's issuer is not accepted\"").doesNotContain(sent, ISSUER);
    }

    @Test
    void eachFailedCheckHasItsDescription() {
        assertDescribed(sign(Fixtures.rs256().claim("iss", null)), "The token's issuer is not accepted");
        assertDescribed(sign(Fixtures.rs256().claim("aud", "http://127.0.0.1:8080")), "The token's audience is not accepted");
        assertDescribed(sign(Fixtures.rs256().claim("aud", null)), "The token's audience is not accepted");
        assertDescribed(sign(Fixtures.rs256().claim("iat", NOW_S - 3600).claim("exp", NOW_S - 600)), "The token has expired");
        assertDescribed(sign(Fixtures.rs256().claim("nbf", NOW_S + 600)), "The token is not valid yet");
        assertDescribed(Fixtures.rs256().signRs256(Fixtures.RSA_ATTACKER.getPrivate()), "The token's signature is invalid");
        assertDescribed(sign(Fixtures.rs256().header("kid", "no-such-key")), "The token's signature is invalid");
        assertDescribed(sign(Fixtures.rs256().claim("sub", "revoked-user")), "The token has been revoked");
        assertDescribed(sign(Fixtures.rs256().header("typ", "JWT")), "The token is malformed");
        assertDescribed(sign(Fixtures.rs256().claim("sub", null)), "The token is malformed");
        assertDescribed("a.b.c", "The token is malformed");
    }

    @Test
    void aKeySourceThatIsNotStartedIsNotCalledMalformed() {
        KeySource unstarted = new KeySource() {
            @Override
            public SigningKey signingKey() {
                throw new IllegalStateException("TestKeySource is not started: call start() first");
            }

            @Override
            public Optional<SigningKey> verificationKey(String kid) {
                throw new IllegalStateException("TestKeySource is not started: call start() first");
            }

            @Override
            public List<SigningKey> publishedKeys() {
                throw new IllegalStateException("TestKeySource is not started: call start() first");
            }
        };
        AccessTokenVerifier verifier = new AccessTokenVerifier(TokenSettings.builder(ISSUER, AUDIENCE).clock(Fixtures.CLOCK).build(),
                unstarted);

        RequestAuthenticator.Outcome outcome = authenticate(WebSettings.defaults(), verifier, sign(Fixtures.rs256()));

        assertThat(outcome.challenge()).isEqualTo(INVALID_TOKEN + ", error_description=\"The token could not be verified\"");
    }

    @Test
    void errorDescriptionsOffGivesEveryRefusedTokenTheSameOpaqueAnswer() {
        WebSettings opaque = WebSettings.builder().errorDescriptions(false).build();
        assertThat(WebSettings.defaults().errorDescriptions()).isTrue();
        assertThat(opaque.errorDescriptions()).isFalse();
        assertThat(opaque.toBuilder().build().errorDescriptions()).isFalse();

        for (String token : List.of(sign(Fixtures.rs256().claim("iss", "http://localhost:8080")),
                sign(Fixtures.rs256().claim("iat", NOW_S - 3600).claim("exp", NOW_S - 600)), "a.b.c")) {
            RequestAuthenticator.Outcome outcome = authenticate(opaque, VERIFIER, token);

            assertThat(outcome.challenge()).isEqualTo(INVALID_TOKEN);
            assertThat(outcome.problem()).isEqualTo(Problem.invalidToken());
        }
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void everyReasonMapsToAFixedDescriptionThatRfc6750Allows(Reason reason) {
        for (String claim : new String[] {null, "iss", "aud", "sub"}) {
            String description = Challenge.description(new InvalidTokenException(reason, claim, "log text"));

            assertThat(description).matches(RFC_6750_DESCRIPTION).isIn(Challenge.ISSUER_DESCRIPTION, Challenge.AUDIENCE_DESCRIPTION,
                    Challenge.EXPIRED_DESCRIPTION, Challenge.NOT_YET_VALID_DESCRIPTION, Challenge.SIGNATURE_DESCRIPTION,
                    Challenge.REVOKED_DESCRIPTION, Challenge.MALFORMED_DESCRIPTION, Challenge.UNVERIFIABLE_DESCRIPTION);
        }
    }

    @Test
    void aDescriptionOutsideRfc6750IsRefused() {
        assertThatThrownBy(() -> Challenge.invalidToken("gatehouse", "say \"hi\""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Challenge.invalidToken("gatehouse", "caf\u00e9"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Challenge.invalidToken("gatehouse", null)).isEqualTo(INVALID_TOKEN);
    }
}
