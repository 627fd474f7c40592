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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TokenSettings fails fast and names the offending setting (STYLE.md 3). */
class SettingsTest {
    private static TokenSettings.Builder valid() {
        return TokenSettings.builder(ISSUER, AUDIENCE);
    }

    @Test
    void defaultsAreThoseOfTheHttpContract() {
        TokenSettings s = valid().build();

        assertThat(s.issuer()).isEqualTo(ISSUER);
        assertThat(s.audience()).isEqualTo(AUDIENCE);
        assertThat(s.accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.clockLeeway()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.acceptedAlgorithms()).containsExactlyInAnyOrder(SigningAlgorithm.RS256, SigningAlgorithm.ES256);
        assertThat(s.maxTokenSize()).isEqualTo(8192);
        assertThat(s.verifiedTokenCache()).isTrue();
    }

    @Test
    void settingsAreImmutable() {
        TokenSettings s = valid().build();

        assertThatThrownBy(() -> s.acceptedAlgorithms().add(SigningAlgorithm.HS256)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toBuilderKeepsEverySetting() {
        TokenSettings s = valid().accessTokenTtl(Duration.ofMinutes(7)).clockLeeway(Duration.ofSeconds(5))
                .acceptedAlgorithms(EnumSet.of(SigningAlgorithm.HS256)).maxTokenSize(1024).verifiedTokenCache(false)
                .verifiedTokenCacheSize(7).clock(Fixtures.CLOCK).build();

        TokenSettings copy = s.toBuilder().build();

        assertThat(copy.accessTokenTtl()).isEqualTo(Duration.ofMinutes(7));
        assertThat(copy.clockLeeway()).isEqualTo(Duration.ofSeconds(5));
        assertThat(copy.acceptedAlgorithms()).containsExactly(SigningAlgorithm.HS256);
        assertThat(copy.maxTokenSize()).isEqualTo(1024);
        assertThat(copy.verifiedTokenCache()).isFalse();
        assertThat(copy.verifiedTokenCacheSize()).isEqualTo(7);
        assertThat(copy.clock()).isEqualTo(Fixtures.CLOCK);
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                bad("issuer", "issuer blank", b -> TokenSettings.builder("  ", AUDIENCE)),
                bad("issuer", "issuer empty", b -> TokenSettings.builder("", AUDIENCE)),
                bad("issuer", "issuer null", b -> TokenSettings.builder(null, AUDIENCE)),
                bad("issuer", "issuer with surrounding space", b -> TokenSettings.builder(" " + ISSUER, AUDIENCE)),
                bad("issuer", "issuer with ':' that is no URI", b -> TokenSettings.builder("https://exa mple", AUDIENCE)),
                bad("audience", "audience null", b -> TokenSettings.builder(ISSUER, null)),
                bad("audience", "audience blank", b -> TokenSettings.builder(ISSUER, " ")),
                bad("accessTokenTtl", "ttl zero", b -> b.accessTokenTtl(Duration.ZERO)),
                bad("accessTokenTtl", "ttl negative", b -> b.accessTokenTtl(Duration.ofMinutes(-5))),
                bad("accessTokenTtl", "ttl over 24 h", b -> b.accessTokenTtl(Duration.ofHours(24).plusSeconds(1))),
                bad("accessTokenTtl", "ttl null", b -> b.accessTokenTtl(null)),
                bad("clockLeeway", "leeway negative", b -> b.clockLeeway(Duration.ofSeconds(-1))),
                bad("clockLeeway", "leeway over 5 min", b -> b.clockLeeway(Duration.ofMinutes(5).plusSeconds(1))),
                bad("clockLeeway", "leeway null", b -> b.clockLeeway(null)),
                bad("maxTokenSize", "maxTokenSize 100", b -> b.maxTokenSize(100)),
                bad("maxTokenSize", "maxTokenSize negative", b -> b.maxTokenSize(-1)),
                bad("acceptedAlgorithms", "acceptedAlgorithms empty EnumSet", b -> b.acceptedAlgorithms(EnumSet.noneOf(SigningAlgorithm.class))),
                bad("acceptedAlgorithms", "acceptedAlgorithms empty Set.of()", b -> b.acceptedAlgorithms(Set.of())),
                bad("acceptedAlgorithms", "acceptedAlgorithms null", b -> b.acceptedAlgorithms(null)),
                bad("clock", "clock null", b -> b.clock(null)));
    }

    private static Arguments bad(String setting, String what, UnaryOperator<TokenSettings.Builder> change) {
        return Arguments.of(setting, what, change);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidSettings")
    void invalidSettingThrowsConfigurationExceptionNamingIt(String setting, String what,
                                                            UnaryOperator<TokenSettings.Builder> change) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> {
                    assertThat(((ConfigurationException) e).setting()).isEqualTo(setting);
                    assertThat(e.getMessage()).contains("'" + setting + "'");
                });
    }

    @Test
    void boundaryValuesAreAccepted() {
        TokenSettings s = valid()
                .accessTokenTtl(Duration.ofHours(24))
                .clockLeeway(Duration.ofMinutes(5))
                .maxTokenSize(65536)
                .build();
        TokenSettings t = valid().clockLeeway(Duration.ZERO).maxTokenSize(512).build();

        assertThat(s.accessTokenTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(s.clockLeeway()).isEqualTo(Duration.ofMinutes(5));
        assertThat(t.clockLeeway()).isZero();
        assertThat(t.maxTokenSize()).isEqualTo(512);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gatehouse-demo", "api://default", "urn:example:api"})
    void ordinaryAudiencesAreAccepted(String audience) {
        assertThat(TokenSettings.builder(ISSUER, audience).build().audience()).isEqualTo(audience);
    }

    @Test
    void builderDoesNotShareStateWithBuiltSettings() {
        EnumSet<SigningAlgorithm> algs = EnumSet.of(SigningAlgorithm.RS256);
        TokenSettings s = valid().acceptedAlgorithms(algs).build();
        algs.add(SigningAlgorithm.HS256);

        assertThat(s.acceptedAlgorithms()).containsExactly(SigningAlgorithm.RS256);
    }

    @Test
    void issuerWithAnHs256KeyIsRefusedWhenAcceptedAlgorithmsLackHs256() {
        TokenSettings settings = valid().clock(Clock.systemUTC()).build();

        assertThatThrownBy(() -> new AccessTokenIssuer(settings, KeySet.of(Fixtures.hmacKey())))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("acceptedAlgorithms");
    }

    @Test
    void issuerWithAnHs256KeyIsAcceptedWhenAcceptedAlgorithmsIncludeHs256() {
        AccessTokenIssuer issuer = new AccessTokenIssuer(Fixtures.settingsWithHs256(), KeySet.of(Fixtures.hmacKey()));

        assertThat(issuer.issue("u", List.of()).token()).isNotBlank();
    }

    @Test
    void issuerWithAVerifyOnlyKeySetCannotSign() {
        KeySet verifyOnly = KeySet.verifyOnly(List.of(Fixtures.rsaKey()));

        assertThatThrownBy(() -> new AccessTokenIssuer(Fixtures.settings(), verifyOnly)).isInstanceOf(GatehouseException.class);
    }

    @Test
    void signingAlgorithmParseNamesTheSetting() {
        assertThat(SigningAlgorithm.parse(" rs256 ")).isEqualTo(SigningAlgorithm.RS256);
        assertThatThrownBy(() -> SigningAlgorithm.parse("none"))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("algorithm");
        // a caller renames the setting to the one its users write
        ConfigurationException renamed = new ConfigurationException("algorithm", "'none' is not one of RS256, ES256, HS256")
                .forSetting("GATEHOUSE_SIGNING_ALG");
        assertThat(renamed.setting()).isEqualTo("GATEHOUSE_SIGNING_ALG");
        assertThat(renamed.problem()).isEqualTo("'none' is not one of RS256, ES256, HS256");
        assertThat(renamed.getMessage()).contains("'GATEHOUSE_SIGNING_ALG'");
    }
}
