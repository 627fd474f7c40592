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

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.testing.TokenForge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static dev.gatehouse.testing.Fixtures.NOW;
import static dev.gatehouse.testing.Fixtures.NOW_S;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.rs256;
import static dev.gatehouse.testing.Fixtures.segmentJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issuing and verifying genuine tokens; the typ header; time; revocation. */
class AccessTokenVerifierTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    private static TokenSettings settings(Clock clock) {
        return TokenSettings.builder(ISSUER, AUDIENCE)
                .accessTokenTtl(TTL)
                .acceptedAlgorithms(EnumSet.allOf(SigningAlgorithm.class))
                .clock(clock)
                .build();
    }

    private static IssuedAccessToken issue(SigningAlgorithm alg) {
        IssuedAccessToken issued = new AccessTokenIssuer(settings(Fixtures.CLOCK), KeySet.of(Fixtures.key(alg)))
                .issue("user-42", List.of("user", "admin"));
        SecretLedger.record(issued.token());
        return issued;
    }

    // ---- 1. happy path -------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void issuedTokenVerifiesAndPrincipalCarriesSubjectRolesJtiAndKid(SigningAlgorithm alg) {
        IssuedAccessToken issued = issue(alg);
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK), KeySet.of(Fixtures.key(alg)));

        AccessTokenPrincipal principal = verifier.verify(issued.token());

        String jti = segmentJson(issued.token(), 1).get("jti").asText();
        assertThat(principal.subject()).isEqualTo("user-42");
        assertThat(principal.getName()).isEqualTo("user-42");
        assertThat(principal.roles()).containsExactly("user", "admin");
        assertThat(principal.hasRole("admin")).isTrue();
        assertThat(principal.hasRole("root")).isFalse();
        assertThat(principal.tokenId()).isEqualTo(jti);
        assertThat(principal.keyId()).isEqualTo(Fixtures.key(alg).kid());
        assertThat(principal.issuedAt()).isEqualTo(NOW);
        assertThat(principal.expiresAt()).isEqualTo(NOW.plus(TTL));
        assertThat(issued.principal().tokenId()).isEqualTo(jti);
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void issuedTokenHeaderHasExactlyAlgTypAndKid(SigningAlgorithm alg) {
        IssuedAccessToken issued = issue(alg);

        JsonNode header = segmentJson(issued.token(), 0);

        assertThat(fieldNames(header)).containsExactlyInAnyOrder("alg", "typ", "kid");
        assertThat(header.get("alg").asText()).isEqualTo(alg.name());
        assertThat(header.get("typ").asText()).isEqualTo("at+jwt");
        assertThat(header.get("kid").asText()).isEqualTo(Fixtures.key(alg).kid());
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void issuedTokenPayloadHasExactlyTheContractClaims(SigningAlgorithm alg) {
        IssuedAccessToken issued = issue(alg);

        JsonNode payload = segmentJson(issued.token(), 1);

        assertThat(fieldNames(payload)).containsExactlyInAnyOrder("iss", "aud", "sub", "iat", "exp", "jti", "roles");
        assertThat(payload.get("iss").asText()).isEqualTo(ISSUER);
        JsonNode aud = payload.get("aud");
        // RFC 7519 §4.1.3: a single string or an array of strings.
        if (aud.isArray()) {
            assertThat(aud).hasSize(1);
            assertThat(aud.get(0).asText()).isEqualTo(AUDIENCE);
        } else {
            assertThat(aud.isTextual()).isTrue();
            assertThat(aud.asText()).isEqualTo(AUDIENCE);
        }
        assertThat(payload.get("sub").asText()).isEqualTo("user-42");
        assertThat(payload.get("iat").isIntegralNumber()).isTrue();
        assertThat(payload.get("iat").asLong()).isEqualTo(NOW_S);
        assertThat(payload.get("exp").isIntegralNumber()).isTrue();
        assertThat(payload.get("exp").asLong() - payload.get("iat").asLong()).isEqualTo(TTL.toSeconds());
        assertThat(payload.get("jti").isTextual()).isTrue();
        assertThat(payload.get("jti").asText()).isNotBlank();
        assertThat(payload.get("roles").isArray()).isTrue();
        assertThat(payload.get("roles")).extracting(JsonNode::asText).containsExactly("user", "admin");
        assertThat(issued.expiresInSeconds()).isEqualTo(TTL.toSeconds());
    }

    @Test
    void anIssuerAsLongAsTheSettingsAllowIsAcceptedAndAnyOtherRefused() {
        // TokenSettings accepts an issuer of up to 512 characters; its own tokens must verify.
        String longIssuer = "https://" + "a".repeat(300) + ".example";
        TokenSettings settings = TokenSettings.builder(longIssuer, AUDIENCE).clock(Fixtures.CLOCK).build();
        KeySet keys = KeySet.of(Fixtures.rsaKey());
        String token = new AccessTokenIssuer(settings, keys).issue("user-long", List.of("user")).token();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings, keys);

        assertThat(verifier.verify(token).subject()).isEqualTo("user-long");
        assertRefused(verifier, rs256().claim("iss", longIssuer + "x").signRs256(RSA.getPrivate()), Reason.WRONG_CLAIM);
    }

    @Test
    void twoIssuedTokensHaveDifferentJti() {
        String a = segmentJson(issue(SigningAlgorithm.HS256).token(), 1).get("jti").asText();
        String b = segmentJson(issue(SigningAlgorithm.HS256).token(), 1).get("jti").asText();

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void verifyOnlyKeySetVerifiesTokensOfTheSigningKeySet() {
        IssuedAccessToken issued = issue(SigningAlgorithm.RS256);
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings(Fixtures.CLOCK),
                KeySet.verifyOnly(List.of(Fixtures.rsaKey())));

        assertThat(verifier.verify(issued.token()).subject()).isEqualTo("user-42");
    }

    @Test
    void hs256TokenIsRefusedWhenAcceptedAlgorithmsLackHs256() {
        // The key set knows the secret, but the settings (the default RS256, ES256) do not accept HS256.
        String token = Fixtures.forge("HS256", Fixtures.HMAC_KID).signHs256(Fixtures.HMAC_SECRET);

        assertRefused(Fixtures.verifier(), token, Reason.ALGORITHM_MISMATCH);
        assertThat(new AccessTokenVerifier(Fixtures.settingsWithHs256(), Fixtures.keys()).verify(token).subject())
                .isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void issuerRefusesBlankSubject() {
        AccessTokenIssuer issuer = new AccessTokenIssuer(Fixtures.settings(), Fixtures.keys());

        assertThatThrownBy(() -> issuer.issue(" ", List.of("user"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> issuer.issue(null, List.of("user"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void issuerDropsDuplicateRolesKeepingOrder() {
        AccessTokenIssuer issuer = new AccessTokenIssuer(Fixtures.settings(), Fixtures.keys());

        IssuedAccessToken issued = issuer.issue("u", List.of("user", "admin", "user"));

        assertThat(segmentJson(issued.token(), 1).get("roles")).extracting(JsonNode::asText).containsExactly("user", "admin");
    }

    @Test
    void principalRolesHaveNoDuplicatesEvenWhenTheTokenRepeatsARole() {
        // AccessTokenPrincipal#roles(): "in token order, without duplicates".
        String token = rs256().claim("roles", List.of("admin", "user", "admin")).signRs256(RSA.getPrivate());

        AccessTokenPrincipal principal = Fixtures.verifier().verify(token);

        assertThat(principal.roles()).containsExactly("admin", "user");
    }

    // ---- 8. typ ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "at+JWT", "AT+JWT", "application/at+jwt", "Application/AT+JWT"})
    void typAtJwtIsAcceptedWithOrWithoutApplicationPrefixInAnyCase(String typ) {
        // RFC 9068 §4: "at+jwt" or "application/at+jwt"; media types compare case-insensitively (RFC 7515 §4.1.9).
        String token = rs256().header("typ", typ).signRs256(RSA.getPrivate());

        assertThat(Fixtures.verifier().verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"JWT", "jwt", "application/jwt", "at+jwt ", " at+jwt", "at-jwt", "", "application/application/at+jwt",
            "rt+jwt", "application/at+jwt; charset=utf-8"})
    void typOtherThanAtJwtIsRefused(String typ) {
        String token = rs256().header("typ", typ).signRs256(RSA.getPrivate());

        assertRefused(Fixtures.verifier(), token, Reason.WRONG_TYPE);
    }

    @Test
    void missingTypIsRefused() {
        String token = rs256().header("typ", null).signRs256(RSA.getPrivate());

        assertRefused(Fixtures.verifier(), token, Reason.WRONG_TYPE);
    }

    @Test
    void typAsJsonNullNumberOrArrayIsRefused() {
        AccessTokenVerifier verifier = Fixtures.verifier();

        assertRefused(verifier, rs256().headerNull("typ").signRs256(RSA.getPrivate()), Reason.WRONG_TYPE);
        assertRefused(verifier, rs256().header("typ", 1).signRs256(RSA.getPrivate()), Reason.WRONG_TYPE);
        assertRefused(verifier, rs256().header("typ", List.of("at+jwt")).signRs256(RSA.getPrivate()), Reason.WRONG_TYPE);
    }

    // ---- 9. time (fixed clock, leeway 30 s) ----------------------------------------------

    private static AccessTokenVerifier verifierAt(java.time.Instant now) {
        TokenSettings s = TokenSettings.builder(ISSUER, AUDIENCE)
                .clockLeeway(Duration.ofSeconds(30))
                .clock(Clock.fixed(now, ZoneOffset.UTC))
                .build();
        return new AccessTokenVerifier(s, Fixtures.keys());
    }

    private static String signed(TokenForge forge) {
        return forge.signRs256(RSA.getPrivate());
    }

    @Test
    void tokenExpired31SecondsAgoIsRefusedAsExpired() {
        String token = signed(rs256().claim("iat", NOW_S - 600).claim("exp", NOW_S - 31));

        assertRefused(verifierAt(NOW), token, Reason.EXPIRED);
    }

    @Test
    void tokenExpired29SecondsAgoIsAcceptedWithinLeeway() {
        String token = signed(rs256().claim("iat", NOW_S - 600).claim("exp", NOW_S - 29));

        assertThat(verifierAt(NOW).verify(token).expiresAt()).isEqualTo(NOW.minusSeconds(29));
    }

    @Test
    void nbf31SecondsInTheFutureIsRefusedAsNotYetValid() {
        String token = signed(rs256().claim("nbf", NOW_S + 31));

        assertRefused(verifierAt(NOW), token, Reason.NOT_YET_VALID);
    }

    @Test
    void nbf29SecondsInTheFutureIsAcceptedWithinLeeway() {
        String token = signed(rs256().claim("nbf", NOW_S + 29));

        assertThat(verifierAt(NOW).verify(token).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void iat31SecondsInTheFutureIsRefusedAsNotYetValid() {
        String token = signed(rs256().claim("iat", NOW_S + 31).claim("exp", NOW_S + 331));

        assertRefused(verifierAt(NOW), token, Reason.NOT_YET_VALID);
    }

    @Test
    void iat29SecondsInTheFutureIsAcceptedWithinLeeway() {
        String token = signed(rs256().claim("iat", NOW_S + 29).claim("exp", NOW_S + 329));

        assertThat(verifierAt(NOW).verify(token).issuedAt()).isEqualTo(NOW.plusSeconds(29));
    }

    @Test
    void issuedTokenIsAcceptedUntilTtlPlusLeewayAndExpiredAfter() {
        IssuedAccessToken issued = issue(SigningAlgorithm.RS256);
        KeySet keys = KeySet.of(Fixtures.rsaKey());

        AccessTokenVerifier at29 = new AccessTokenVerifier(settings(Clock.fixed(NOW.plus(TTL).plusSeconds(29), ZoneOffset.UTC)), keys);
        AccessTokenVerifier at31 = new AccessTokenVerifier(settings(Clock.fixed(NOW.plus(TTL).plusSeconds(31), ZoneOffset.UTC)), keys);

        assertThat(at29.verify(issued.token()).subject()).isEqualTo("user-42");
        assertRefused(at31, issued.token(), Reason.EXPIRED);
    }

    // ---- 11. revocation -------------------------------------------------------------------

    @Test
    void revocationCheckReturningTrueRefusesTheTokenAsRevoked() {
        List<AccessTokenPrincipal> asked = new ArrayList<>();
        AccessTokenVerifier verifier = Fixtures.verifier().withRevocation(p -> {
            asked.add(p);
            return true;
        });
        String token = signed(rs256().claim("jti", "jti-to-revoke"));

        assertRefused(verifier, token, Reason.REVOKED);
        assertThat(asked).singleElement().satisfies(p -> {
            assertThat(p.tokenId()).isEqualTo("jti-to-revoke");
            assertThat(p.subject()).isEqualTo(Fixtures.SUBJECT);
        });
    }

    @Test
    void revocationCheckReturningFalseLetsTheTokenThrough() {
        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settings(), Fixtures.keys(), p -> false);

        assertThat(verifier.verify(signed(rs256())).subject()).isEqualTo(Fixtures.SUBJECT);
    }

    @Test
    void revocationIsRevokedOnlyForTheRevokedJti() {
        AccessTokenVerifier verifier = Fixtures.verifier().withRevocation(p -> p.tokenId().equals("bad"));

        assertRefused(verifier, signed(rs256().claim("jti", "bad")), Reason.REVOKED);
        assertThat(verifier.verify(signed(rs256().claim("jti", "good"))).tokenId()).isEqualTo("good");
    }

    @Test
    void revocationCheckIsNotConsultedForATokenWithABadSignature() {
        AtomicInteger calls = new AtomicInteger();
        AccessTokenVerifier verifier = Fixtures.verifier().withRevocation(p -> calls.incrementAndGet() > 0);
        String forged = rs256().signRs256(Fixtures.RSA_ATTACKER.getPrivate());

        assertRefused(verifier, forged, Reason.BAD_SIGNATURE);
        assertThat(calls).hasValue(0);
    }

    // ---- key cache ---------------------------------------------------------------------------

    @Test
    void verifierKeepsVerifyingWhenAKeySourceHasMoreKeysThanItsCacheHolds() {
        // The verifier caches one java-jwt verifier per key (at most 64); going past that must not change results.
        List<SigningKey> many = new ArrayList<>();
        List<byte[]> secrets = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            byte[] secret = Fixtures.randomBytes(32);
            secrets.add(secret);
            many.add(SigningKey.hmac("k" + i, secret));
        }
        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settingsWithHs256(), KeySet.of(many, null));
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 70; i++) {
                String token = Fixtures.forge("HS256", "k" + i).signHs256(secrets.get(i));
                assertThat(verifier.verify(token).keyId()).isEqualTo("k" + i);
                String wrongKey = Fixtures.forge("HS256", "k" + i).signHs256(secrets.get((i + 1) % 70));
                assertRefused(verifier, wrongKey, Reason.BAD_SIGNATURE);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
