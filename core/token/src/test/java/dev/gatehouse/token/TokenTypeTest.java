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

import dev.gatehouse.testing.Fixtures;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.token.InvalidTokenException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.rs256;
import static dev.gatehouse.testing.Fixtures.segmentJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code typ} header Gatehouse issues ({@code tokenType}) and the ones it accepts ({@code acceptedTokenTypes}). */
class TokenTypeTest {

    private static TokenSettings.Builder settings() {
        return TokenSettings.builder(ISSUER, AUDIENCE).clock(Fixtures.CLOCK);
    }

    private static AccessTokenVerifier verifier(TokenSettings settings) {
        return new AccessTokenVerifier(settings, Fixtures.keys());
    }

    private static String issue(TokenSettings settings) {
        String token = new AccessTokenIssuer(settings, Fixtures.keys()).issue(Fixtures.SUBJECT, List.of("user")).token();
        SecretLedger.record(token);
        return token;
    }

    private static String withTyp(String typ) {
        return rs256().header("typ", typ).signRs256(RSA.getPrivate());
    }

    @Test
    void byDefaultTokensAreIssuedAsAtJwtAndOnlyAtJwtIsAccepted() {
        TokenSettings defaults = settings().build();

        assertThat(defaults.tokenType()).isEqualTo(AccessTokenType.AT_JWT);
        assertThat(defaults.acceptedTokenTypes()).containsExactly(AccessTokenType.AT_JWT);
        assertThat(segmentJson(issue(defaults), 0).get("typ").asText()).isEqualTo("at+jwt");
        assertRefused(verifier(defaults), withTyp("JWT"), Reason.WRONG_TYPE);
    }

    @ParameterizedTest
    @EnumSource(AccessTokenType.class)
    void theIssuerWritesTheConfiguredTypAndItsVerifierAcceptsIt(AccessTokenType type) {
        TokenSettings s = settings().tokenType(type).build();

        String token = issue(s);

        assertThat(segmentJson(token, 0).get("typ").asText()).isEqualTo(type.headerValue());
        assertThat(verifier(s).verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void typJwtIsWrittenInCapitalsAsRfc7519Recommends() {
        assertThat(segmentJson(issue(settings().tokenType(AccessTokenType.JWT).build()), 0).get("typ").asText()).isEqualTo("JWT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT"})
    void typJwtIsAcceptedInAnyCaseWithOrWithoutTheApplicationPrefix(String typ) {
        // RFC 7515 §4.1.9: media types compare without regard to case, and "application/" may be left out
        AccessTokenVerifier verifier = verifier(settings().tokenType(AccessTokenType.JWT).build());

        assertThat(verifier.verify(withTyp(typ)).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "application/at+jwt", "JWS", "JOSE", "JWT ", "application/jwt; x=y", ""})
    void aVerifierForTypJwtRefusesAtJwtAndEverythingElse(String typ) {
        AccessTokenVerifier verifier = verifier(settings().tokenType(AccessTokenType.JWT).build());

        assertRefused(verifier, withTyp(typ), Reason.WRONG_TYPE);
    }

    @Test
    void aVerifierForAtJwtRefusesATokenItsIssuerWroteAsJwt() {
        String jwtToken = issue(settings().tokenType(AccessTokenType.JWT).build());

        assertRefused(verifier(settings().build()), jwtToken, Reason.WRONG_TYPE);
    }

    @Test
    void duringASwitchBothTypesAreAcceptedAndTheConfiguredOneIsIssued() {
        TokenSettings switching = settings().tokenType(AccessTokenType.JWT)
                .acceptedTokenTypes(EnumSet.allOf(AccessTokenType.class)).build();
        AccessTokenVerifier verifier = verifier(switching);

        assertThat(segmentJson(issue(switching), 0).get("typ").asText()).isEqualTo("JWT");
        assertThat(verifier.verify(withTyp("at+jwt")).subject()).isEqualTo(Fixtures.SUBJECT);
        assertThat(verifier.verify(withTyp("JWT")).subject()).isEqualTo(Fixtures.SUBJECT);
        assertRefused(verifier, withTyp("JOSE"), Reason.WRONG_TYPE);
    }

    @Test
    void aTokenWithoutTypIsRefusedWhateverIsAccepted() {
        // Spring's JwtTypeValidator.jwt() lets a token without typ through; Gatehouse always writes one and requires it.
        AccessTokenVerifier verifier = verifier(settings().tokenType(AccessTokenType.JWT)
                .acceptedTokenTypes(EnumSet.allOf(AccessTokenType.class)).build());

        assertRefused(verifier, withTyp(null), Reason.WRONG_TYPE);
        assertRefused(verifier, rs256().headerNull("typ").signRs256(RSA.getPrivate()), Reason.WRONG_TYPE);
    }

    @Test
    void acceptedTokenTypesWithoutTheIssuedOneIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> settings().tokenType(AccessTokenType.JWT).acceptedTokenTypes(Set.of(AccessTokenType.AT_JWT)).build())
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("acceptedTokenTypes");
    }

    @Test
    void aNullTokenTypeIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> settings().tokenType(null).build())
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("tokenType");
    }

    @Test
    void anEmptyOrNullAcceptedSetMeansTheIssuedTypeAlone() {
        assertThat(settings().tokenType(AccessTokenType.JWT).acceptedTokenTypes(Set.of()).build().acceptedTokenTypes())
                .containsExactly(AccessTokenType.JWT);
        assertThat(settings().acceptedTokenTypes(null).build().acceptedTokenTypes()).containsExactly(AccessTokenType.AT_JWT);
    }

    @Test
    void theAcceptedSetCannotBeChangedAfterBuild() {
        Set<AccessTokenType> accepted = EnumSet.allOf(AccessTokenType.class);
        TokenSettings s = settings().acceptedTokenTypes(accepted).build();
        accepted.remove(AccessTokenType.JWT);

        assertThat(s.acceptedTokenTypes()).containsExactlyInAnyOrder(AccessTokenType.AT_JWT, AccessTokenType.JWT);
        assertThatThrownBy(() -> s.acceptedTokenTypes().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toBuilderKeepsBothTypesAndAVariantWithAnotherTypeAcceptsThatOne() {
        TokenSettings switching = settings().tokenType(AccessTokenType.JWT)
                .acceptedTokenTypes(EnumSet.allOf(AccessTokenType.class)).build();
        TokenSettings plain = settings().build();

        assertThat(switching.toBuilder().build().acceptedTokenTypes()).isEqualTo(switching.acceptedTokenTypes());
        assertThat(plain.toBuilder().tokenType(AccessTokenType.JWT).build().acceptedTokenTypes()).containsExactly(AccessTokenType.JWT);
    }

    @Test
    void toStringNamesTheTypes() {
        assertThat(settings().build().toString()).contains("tokenType=at+jwt").doesNotContain("acceptedTokenTypes");
        assertThat(settings().tokenType(AccessTokenType.JWT).acceptedTokenTypes(EnumSet.allOf(AccessTokenType.class)).build().toString())
                .contains("tokenType=JWT", "acceptedTokenTypes=[at+jwt, JWT]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "AT+JWT", " at+jwt ", "JWT", "jwt"})
    void parseTakesTheTwoHeaderValuesInAnyCase(String value) {
        assertThat(AccessTokenType.parse(value).headerValue()).isEqualToIgnoringCase(value.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "at_jwt", "AT_JWT", "application/at+jwt", "JOSE", "Bearer"})
    void parseRefusesAnythingElseNamingTheSetting(String value) {
        assertThatThrownBy(() -> AccessTokenType.parse(value))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("tokenType");
        assertThatThrownBy(() -> AccessTokenType.parse(null)).isInstanceOf(ConfigurationException.class);
    }
}
