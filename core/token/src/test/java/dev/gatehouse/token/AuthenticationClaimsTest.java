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

package dev.gatehouse.token;

import com.auth0.jwt.JWT;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.TokenForge;
import dev.gatehouse.token.InvalidTokenException.Reason;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.gatehouse.testing.Fixtures.NOW;
import static dev.gatehouse.testing.Fixtures.NOW_S;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.rs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code amr} (RFC 8176) and {@code auth_time} (OpenID Connect Core §2): issued together, read back
 * as the principal's authentication, optional as a pair, and refused when malformed.
 */
class AuthenticationClaimsTest {
    private static final AccessTokenVerifier VERIFIER = Fixtures.verifier();

    private static String sign(TokenForge forge) {
        return forge.signRs256(RSA.getPrivate());
    }

    @Test
    void issuedClaimsAreThePasswordAndSecondFactorOfTheLoginAndItsTime() {
        AccessTokenIssuer issuer = new AccessTokenIssuer(Fixtures.settings(), Fixtures.keys());
        Instant loggedIn = NOW.minusSeconds(125).plusMillis(700);

        IssuedAccessToken issued = issuer.issue("user-1", List.of("user"), "0b7d8e4c-8c39-4b8e-9a53-2f1c3f3f7d11", 0,
                UserAuthentication.passwordAndOneTimePassword(loggedIn));

        DecodedJWT jwt = JWT.decode(issued.token());
        assertThat(jwt.getClaim("amr").asList(String.class)).containsExactly("pwd", "otp", "mfa");
        assertThat(jwt.getClaim("auth_time").asLong()).isEqualTo(NOW_S - 125);
        AccessTokenPrincipal verified = VERIFIER.verify(issued.token());
        assertThat(verified.authenticationMethods()).containsExactly("pwd", "otp", "mfa");
        assertThat(verified.authenticatedAt()).contains(Instant.ofEpochSecond(NOW_S - 125));
        assertThat(verified.authentication()).isEqualTo(issued.principal().authentication());
    }

    @Test
    void aTokenWithoutEitherClaimIsAcceptedAndSaysNothingOfItsAuthentication() {
        AccessTokenPrincipal p = VERIFIER.verify(sign(rs256()));

        assertThat(p.authentication()).isEmpty();
        assertThat(p.authenticationMethods()).isEmpty();
        assertThat(p.authenticatedAt()).isEmpty();
    }

    @Test
    void aTokenWithOneClaimOfThePairIsRefused() {
        assertRefused(VERIFIER, sign(rs256().claim("amr", List.of("pwd"))), Reason.MISSING_CLAIM);
        assertRefused(VERIFIER, sign(rs256().claim("auth_time", NOW_S - 10)), Reason.MISSING_CLAIM);
    }

    @Test
    void malformedMethodsAreRefused() {
        for (Object amr : List.of("pwd", List.of(), List.of(1), List.of("pwd", "pwd"), List.of("p w d"), List.of(""),
                List.of("a".repeat(33)), Map.of("0", "pwd"), List.of("1", "2", "3", "4", "5", "6", "7", "8", "9"))) {
            assertRefused(VERIFIER, sign(rs256().claim("amr", amr).claim("auth_time", NOW_S - 10)), Reason.MISSING_CLAIM);
        }
    }

    @Test
    void anAuthTimeThatIsNotAWholeNumberOrComesAfterIssueIsRefused() {
        for (Object time : List.of("1700000000", 1.5, NOW_S + 1, -1, List.of(NOW_S))) {
            assertRefused(VERIFIER, sign(rs256().claim("amr", List.of("pwd")).claim("auth_time", time)), Reason.MISSING_CLAIM);
        }
        assertThat(VERIFIER.verify(sign(rs256().claim("amr", List.of("pwd")).claim("auth_time", NOW_S))).authenticatedAt())
                .contains(NOW);
    }

    @Test
    void theIssuerRefusesAnAuthenticationAfterTheTokenItIsIssuedIn() {
        AccessTokenIssuer issuer = new AccessTokenIssuer(Fixtures.settings(), Fixtures.keys());

        assertThatThrownBy(() -> issuer.issue("user-1", List.of("user"), "0b7d8e4c-8c39-4b8e-9a53-2f1c3f3f7d11", 0,
                UserAuthentication.password(NOW.plusSeconds(1)))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void methodNamesAreValidatedAndDeduplicated() {
        assertThat(new UserAuthentication(List.of("pwd", "otp", "pwd"), NOW).methods()).containsExactly("pwd", "otp");
        assertThatThrownBy(() -> new UserAuthentication(List.of(), NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UserAuthentication(List.of("has space"), NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
