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

import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.testing.TokenForge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.rs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The claims of a correctly signed token: {@code iss aud sub iat exp jti roles} are all required and
 * typed (RFC 7519 §4.1, RFC 9068 §2.2, docs/http-api.md "Access tokens").
 */
class ClaimValidationTest {
    private static final AccessTokenVerifier VERIFIER = Fixtures.verifier();

    private static String sign(TokenForge forge) {
        return forge.signRs256(RSA.getPrivate());
    }

    private static void assertRefusedForOneOf(String token, Reason... reasons) {
        assertThatThrownBy(() -> VERIFIER.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn((Object[]) reasons);
    }

    @Test
    void baselineForgedTokenIsAccepted() {
        AccessTokenPrincipal p = VERIFIER.verify(sign(rs256()));

        assertThat(p.subject()).isEqualTo(Fixtures.SUBJECT);
        assertThat(p.roles()).containsExactly("user");
    }

    // ---- iss -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "https://ISSUER.example", "https://issuer.example/", "https://issuer.example ", ""})
    void issuerOtherThanTheConfiguredOneIsRefusedAsWrongClaim(String iss) {
        // RFC 7519 §4.1.1: iss is a case-sensitive StringOrURI, compared exactly.
        assertRefused(VERIFIER, sign(rs256().claim("iss", iss)), Reason.WRONG_CLAIM);
    }

    @Test
    void missingIssuerIsRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("iss", null)), Reason.MISSING_CLAIM);
    }

    @Test
    void issuerAsNumberIsRefused() {
        assertRefusedForOneOf(sign(rs256().claim("iss", 42)), Reason.MISSING_CLAIM, Reason.WRONG_CLAIM);
    }

    @Test
    void issuerAsArrayHoldingTheRightIssuerIsRefused() {
        // Unlike aud, iss is a single StringOrURI (RFC 7519 §4.1.1).
        assertRefusedForOneOf(sign(rs256().claim("iss", List.of(ISSUER))), Reason.MISSING_CLAIM, Reason.WRONG_CLAIM);
    }

    // ---- aud -------------------------------------------------------------------------------

    @Test
    void wrongAudienceIsRefusedAsWrongClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("aud", "another-api")), Reason.WRONG_CLAIM);
    }

    @Test
    void audienceDifferingOnlyInCaseIsRefusedAsWrongClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("aud", AUDIENCE.toUpperCase())), Reason.WRONG_CLAIM);
    }

    @Test
    void missingAudienceIsRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("aud", null)), Reason.MISSING_CLAIM);
    }

    @Test
    void audienceArrayContainingTheConfiguredAudienceIsAccepted() {
        // RFC 7519 §4.1.3: aud may be an array; the recipient must identify itself with one value.
        String token = sign(rs256().claim("aud", List.of("another-api", AUDIENCE)));

        assertThat(VERIFIER.verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void audienceArrayWithOnlyTheConfiguredAudienceIsAccepted() {
        assertThat(VERIFIER.verify(sign(rs256().claim("aud", List.of(AUDIENCE)))).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void audienceArrayWithoutTheConfiguredAudienceIsRefusedAsWrongClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("aud", List.of("another-api", "third-api"))), Reason.WRONG_CLAIM);
    }

    @Test
    void emptyAudienceArrayIsRefused() {
        assertRefusedForOneOf(sign(rs256().claim("aud", List.of())), Reason.MISSING_CLAIM, Reason.WRONG_CLAIM);
    }

    // ---- sub -------------------------------------------------------------------------------

    @Test
    void missingSubjectIsRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("sub", null)), Reason.MISSING_CLAIM);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", "   "})
    void blankSubjectIsRefusedAsMissingClaim(String sub) {
        assertRefused(VERIFIER, sign(rs256().claim("sub", sub)), Reason.MISSING_CLAIM);
    }

    @Test
    void subjectAsNumberIsRefusedAsMissingClaim() {
        // RFC 7519 §4.1.2: sub is a StringOrURI; a JSON number is of the wrong type.
        assertRefused(VERIFIER, sign(rs256().claim("sub", 42)), Reason.MISSING_CLAIM);
    }

    @Test
    void subjectAsArrayOrObjectIsRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("sub", List.of("user-1"))), Reason.MISSING_CLAIM);
        assertRefused(VERIFIER, sign(rs256().claim("sub", java.util.Map.of("id", "user-1"))), Reason.MISSING_CLAIM);
    }

    // ---- jti, exp, iat ---------------------------------------------------------------------

    @Test
    void missingJtiIsRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("jti", null)), Reason.MISSING_CLAIM);
    }

    @Test
    void missingExpIsRefusedAsMissingClaim() {
        // VERSIONS.md: java-jwt alone would accept a token without exp.
        assertRefused(VERIFIER, sign(rs256().claim("exp", null)), Reason.MISSING_CLAIM);
    }

    @Test
    void expAsStringIsRefused() {
        // RFC 7519 §2: a NumericDate is a JSON number.
        assertRefusedForOneOf(sign(rs256().claim("exp", "x")), Reason.MISSING_CLAIM, Reason.MALFORMED);
    }

    @Test
    void expAsNumericStringIsRefused() {
        String exp = Long.toString(Fixtures.NOW_S + 300);

        assertRefusedForOneOf(sign(rs256().claim("exp", exp)), Reason.MISSING_CLAIM, Reason.MALFORMED);
    }

    @Test
    void missingIatIsRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("iat", null)), Reason.MISSING_CLAIM);
    }

    @Test
    void nbfAsStringIsRefused() {
        assertRefusedForOneOf(sign(rs256().claim("nbf", "x")), Reason.MISSING_CLAIM, Reason.MALFORMED);
    }

    @Test
    void iatOfZeroIsAcceptedBecauseOnlyAFutureIatIsRefused() {
        // RFC 7519 §4.1.6 and docs/http-api.md: iat must not be in the future; the distant past is fine while exp holds.
        AccessTokenPrincipal p = VERIFIER.verify(sign(rs256().claim("iat", 0)));

        assertThat(p.issuedAt()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void expOfZeroIsRefusedAsExpired() {
        assertRefused(VERIFIER, sign(rs256().claim("exp", 0)), Reason.EXPIRED);
    }

    // ---- roles -----------------------------------------------------------------------------

    @Test
    void missingRolesAreRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("roles", null)), Reason.MISSING_CLAIM);
    }

    @Test
    void rolesAsStringAreRefusedAsMissingClaim() {
        // docs/http-api.md: roles is an array of strings.
        assertRefused(VERIFIER, sign(rs256().claim("roles", "user")), Reason.MISSING_CLAIM);
    }

    @Test
    void rolesContainingANumberAreRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("roles", List.of("user", 1))), Reason.MISSING_CLAIM);
    }

    @Test
    void anAudienceArrayWithANonStringMemberIsRefusedEvenWhenItNamesUs() {
        // Found by TokenStructureFuzzTest: java-jwt's getAudience() turns 1 into "1" and keeps null.
        // (java-jwt refuses a nested array while decoding already: MALFORMED.)
        assertRefusedForOneOf(sign(rs256().claim("aud", Arrays.asList(AUDIENCE, 1, null))), Reason.WRONG_CLAIM);
        assertRefusedForOneOf(sign(rs256().claim("aud", Arrays.asList(AUDIENCE, true))), Reason.WRONG_CLAIM);
        assertRefusedForOneOf(sign(rs256().claim("aud", List.of(AUDIENCE, List.of("x")))), Reason.WRONG_CLAIM, Reason.MALFORMED);
        assertThat(VERIFIER.verify(sign(rs256().claim("aud", List.of("other", AUDIENCE)))).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void aNumericIssuerIsNotTheStringItWouldPrintAs() {
        TokenSettings settings = TokenSettings.builder("1234", AUDIENCE).clock(Fixtures.CLOCK).build();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys());

        assertThat(verifier.verify(sign(rs256().claim("iss", "1234"))).subject()).isEqualTo(Fixtures.SUBJECT);
        assertThatThrownBy(() -> verifier.verify(sign(rs256().claim("iss", 1234))))
                .isInstanceOf(InvalidTokenException.class).extracting("reason").isEqualTo(Reason.MISSING_CLAIM);
    }

    @Test
    void rolesContainingNullAreRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("roles", Arrays.asList("user", null))), Reason.MISSING_CLAIM);
    }

    @Test
    void rolesContainingANestedArrayOrObjectAreRefusedAsMissingClaim() {
        assertRefused(VERIFIER, sign(rs256().claim("roles", List.of("user", List.of("admin")))), Reason.MISSING_CLAIM);
        assertRefused(VERIFIER, sign(rs256().claim("roles", List.of(java.util.Map.of("role", "admin")))), Reason.MISSING_CLAIM);
    }

    @Test
    void emptyRolesArrayIsAcceptedAsNoRoles() {
        AccessTokenPrincipal p = VERIFIER.verify(sign(rs256().claim("roles", List.of())));

        assertThat(p.roles()).isEmpty();
        assertThat(p.hasRole("user")).isFalse();
    }

    // ---- every claim replaced by null, true, false, 0 and "x" -----------------------------

    private static final Object JSON_NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /**
     * What the contract says each replacement must give. An empty set means "accepted".
     * <ul>
     *   <li>iss, aud: "x" is a well-typed wrong value (WRONG_CLAIM); null and non-strings are both
     *       "null or of the wrong type" (MISSING_CLAIM) and "the wrong value" (WRONG_CLAIM).</li>
     *   <li>sub, jti: "x" is a valid StringOrURI / string (RFC 7519 §4.1.2, §4.1.7), so accepted;
     *       everything else is of the wrong type.</li>
     *   <li>iat: 0 is 1970, in the past, so accepted (only a future iat is refused); exp: 0 is
     *       expired. Non-numbers are not NumericDates (RFC 7519 §2); java-jwt refuses them while
     *       decoding the payload, so MALFORMED is accepted beside MISSING_CLAIM.</li>
     *   <li>roles: only an array of strings will do.</li>
     * </ul>
     */
    static Stream<Arguments> claimReplacements() {
        Object[] values = {JSON_NULL, true, false, 0, "x"};
        Set<Reason> typeOrValue = EnumSet.of(Reason.MISSING_CLAIM, Reason.WRONG_CLAIM);
        Set<Reason> missing = EnumSet.of(Reason.MISSING_CLAIM);
        Set<Reason> notADate = EnumSet.of(Reason.MISSING_CLAIM, Reason.MALFORMED);
        Set<Reason> accepted = EnumSet.noneOf(Reason.class);
        List<Arguments> out = new ArrayList<>();
        for (Object v : values) {
            boolean isNull = v == JSON_NULL;
            boolean isX = "x".equals(v);
            boolean isZero = Integer.valueOf(0).equals(v);
            out.add(Arguments.of("iss", v, isX ? EnumSet.of(Reason.WRONG_CLAIM) : typeOrValue));
            out.add(Arguments.of("aud", v, isX ? EnumSet.of(Reason.WRONG_CLAIM) : typeOrValue));
            out.add(Arguments.of("sub", v, isX ? accepted : missing));
            out.add(Arguments.of("jti", v, isX ? accepted : missing));
            out.add(Arguments.of("iat", v, isZero ? accepted : isNull ? missing : notADate));
            out.add(Arguments.of("exp", v, isZero ? EnumSet.of(Reason.EXPIRED) : isNull ? missing : notADate));
            out.add(Arguments.of("roles", v, missing));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @MethodSource("claimReplacements")
    void claimReplacedByAnotherJsonValueGivesWhatTheContractSays(String claim, Object value, Set<Reason> expected) {
        TokenForge forge = rs256();
        if (value == JSON_NULL) {
            forge.claimNull(claim);
        } else {
            forge.claim(claim, value);
        }
        String token = sign(forge);

        if (expected.isEmpty()) {
            assertThat(VERIFIER.verify(token).subject()).isEqualTo(claim.equals("sub") ? value : Fixtures.SUBJECT);
        } else {
            assertRefusedForOneOf(token, expected.toArray(new Reason[0]));
        }
    }
}
