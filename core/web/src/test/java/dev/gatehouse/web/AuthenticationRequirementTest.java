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

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.UserAuthentication;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.gatehouse.testing.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Step-up requirements: what meets them, and the RFC 9470 challenge and problem of a refusal, as a client sees them. */
class AuthenticationRequirementTest {
    private static final Instant LOGIN = Instant.parse("2026-03-01T12:00:00Z");

    private static AccessTokenPrincipal principal(UserAuthentication authentication) {
        return new AccessTokenPrincipal("user-1", List.of("user"), LOGIN, LOGIN.plusSeconds(900), "jti-1", "kid-1", authentication);
    }

    private static final AccessTokenPrincipal PASSWORD = principal(UserAuthentication.password(LOGIN));
    private static final AccessTokenPrincipal MFA = principal(UserAuthentication.passwordAndOneTimePassword(LOGIN));
    private static final AccessTokenPrincipal NO_AMR = principal(null);

    @Test
    void secondFactorChallengeIsExactlyRfc9470() {
        assertThat(AuthenticationRequirement.secondFactor().challenge("gatehouse")).isEqualTo(
                "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
                        + " error_description=\"A login with a second factor is required\", acr_values=\"mfa\"");
    }

    @Test
    void maxAgeChallengeIsExactlyRfc9470() {
        assertThat(AuthenticationRequirement.maxAge(Duration.ofMinutes(10)).challenge("My API")).isEqualTo(
                "Bearer realm=\"My API\", error=\"insufficient_user_authentication\","
                        + " error_description=\"A recent login is required\", max_age=\"600\"");
    }

    @Test
    void combinedChallengeNamesBoth() {
        AuthenticationRequirement both = AuthenticationRequirement.secondFactor().and(AuthenticationRequirement.maxAgeSeconds(900));

        assertThat(both.challenge("gatehouse")).isEqualTo(
                "Bearer realm=\"gatehouse\", error=\"insufficient_user_authentication\","
                        + " error_description=\"A recent login with a second factor is required\", acr_values=\"mfa\", max_age=\"900\"");
    }

    /** RFC 6750 §3 / RFC 7235: auth-param = token "=" quoted-string; error_description without '"' or '\'. */
    @Test
    void everyChallengeParsesAsBearerWithQuotedAuthParams() {
        Pattern param = Pattern.compile("([A-Za-z_]+)=\"([\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*)\"(, |$)");
        for (AuthenticationRequirement r : List.of(AuthenticationRequirement.secondFactor(), AuthenticationRequirement.maxAgeSeconds(1),
                AuthenticationRequirement.secondFactor().and(AuthenticationRequirement.maxAgeSeconds(86_400)))) {
            String challenge = r.challenge("gatehouse");
            assertThat(challenge).startsWith("Bearer ");
            String rest = challenge.substring("Bearer ".length());
            Matcher m = param.matcher(rest);
            List<String> names = new ArrayList<>();
            int end = 0;
            while (m.find() && m.start() == end) {
                names.add(m.group(1));
                end = m.end();
            }
            assertThat(end).as(challenge).isEqualTo(rest.length());
            assertThat(names).startsWith("realm", "error", "error_description").doesNotHaveDuplicates();
        }
    }

    @Test
    void problemIsA401WithTheInsufficientUserAuthenticationType() throws Exception {
        Problem problem = AuthenticationRequirement.secondFactor().problem();

        assertThat(problem.status()).isEqualTo(401);
        assertThat(problem.type()).isEqualTo("urn:gatehouse:problem:insufficient-user-authentication");
        JsonNode body = json().readTree(problem.toJson());
        assertThat(body.get("type").asText()).isEqualTo("urn:gatehouse:problem:insufficient-user-authentication");
        assertThat(body.get("status").asInt()).isEqualTo(401);
        assertThat(body.get("detail").asText()).isEqualTo("A login with a second factor is required.");
    }

    @Test
    void secondFactorIsMetOnlyByAnMfaLogin() {
        AuthenticationRequirement r = AuthenticationRequirement.secondFactor();

        assertThat(r.isMetBy(MFA, LOGIN.plus(Duration.ofDays(30)))).isTrue();
        assertThat(r.isMetBy(PASSWORD, LOGIN)).isFalse();
        // otp without mfa is not read as a second factor: only amr "mfa" counts
        assertThat(r.isMetBy(principal(new UserAuthentication(List.of("otp"), LOGIN)), LOGIN)).isFalse();
    }

    @Test
    void maxAgeBoundaryIsInWholeSeconds() {
        AuthenticationRequirement r = AuthenticationRequirement.maxAgeSeconds(600);

        assertThat(r.isMetBy(PASSWORD, LOGIN)).isTrue();
        assertThat(r.isMetBy(PASSWORD, LOGIN.plusSeconds(600))).isTrue();
        assertThat(r.isMetBy(PASSWORD, LOGIN.plusSeconds(600).plusMillis(999))).isTrue();
        assertThat(r.isMetBy(PASSWORD, LOGIN.plusSeconds(601))).isFalse();
        assertThat(r.isMetBy(MFA, LOGIN.plusSeconds(601))).isFalse();
    }

    @Test
    void anAuthTimeAheadOfTheClockCountsAsFresh() {
        assertThat(AuthenticationRequirement.maxAgeSeconds(1).isMetBy(PASSWORD, LOGIN.minusSeconds(30))).isTrue();
    }

    @Test
    void bothMustHoldWhenCombined() {
        AuthenticationRequirement r = AuthenticationRequirement.secondFactor().and(AuthenticationRequirement.maxAgeSeconds(60));

        assertThat(r.isMetBy(MFA, LOGIN.plusSeconds(60))).isTrue();
        assertThat(r.isMetBy(MFA, LOGIN.plusSeconds(61))).isFalse();
        assertThat(r.isMetBy(PASSWORD, LOGIN)).isFalse();
    }

    @Test
    void andKeepsTheStricterAgeAndAnySecondFactor() {
        AuthenticationRequirement r = AuthenticationRequirement.maxAgeSeconds(900)
                .and(AuthenticationRequirement.maxAgeSeconds(300))
                .and(AuthenticationRequirement.secondFactor());

        assertThat(r.requiresSecondFactor()).isTrue();
        assertThat(r.maxAge()).contains(Duration.ofSeconds(300));
        assertThat(AuthenticationRequirement.maxAgeSeconds(300).and(AuthenticationRequirement.maxAgeSeconds(900)).maxAge())
                .contains(Duration.ofSeconds(300));
        assertThat(AuthenticationRequirement.secondFactor().and(AuthenticationRequirement.secondFactor()))
                .isEqualTo(AuthenticationRequirement.secondFactor());
        assertThat(AuthenticationRequirement.secondFactor().maxAge()).isEmpty();
    }

    @Test
    void aTokenWithoutAmrOrAuthTimeMeetsNothing() {
        assertThat(NO_AMR.authentication()).isEmpty();
        assertThat(AuthenticationRequirement.secondFactor().isMetBy(NO_AMR, LOGIN)).isFalse();
        assertThat(AuthenticationRequirement.maxAgeSeconds(Long.MAX_VALUE / 2).isMetBy(NO_AMR, LOGIN)).isFalse();
        assertThat(AuthenticationRequirement.maxAge(Duration.ofDays(3650)).isMetBy(NO_AMR, LOGIN)).isFalse();
    }

    @Test
    void invalidMaximumAgesAreRefused() {
        assertThatThrownBy(() -> AuthenticationRequirement.maxAgeSeconds(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthenticationRequirement.maxAgeSeconds(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthenticationRequirement.maxAge(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthenticationRequirement.maxAge(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthenticationRequirement.maxAge(Duration.ofMillis(999))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthenticationRequirement.maxAge(Duration.ofMillis(1500))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuthenticationRequirement.maxAge(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theExceptionCarriesTheRequirement() {
        AuthenticationRequirement r = AuthenticationRequirement.maxAgeSeconds(120);

        assertThat(new InsufficientAuthenticationException(r).requirement()).isSameAs(r);
        assertThatThrownBy(() -> new InsufficientAuthenticationException(null)).isInstanceOf(NullPointerException.class);
    }
}
