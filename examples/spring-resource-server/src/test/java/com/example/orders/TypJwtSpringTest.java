package com.example.orders;

import dev.gatehouse.token.AccessTokenType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;

import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Gatehouse issuer set to {@code typ: JWT} ({@code TokenSettings.tokenType(JWT)}, the init-param
 * {@code token-type}, {@code GATEHOUSE_TOKEN_TYPE}): Spring's decoder from the issuer URL, with no
 * validator of its own, accepts its tokens, and so does what Spring Boot builds from the
 * properties {@code issuer-uri}, {@code audiences}, {@code authorities-claim-name} and
 * {@code authority-prefix} alone.
 */
class TypJwtSpringTest {
    private static GatehouseIssuer gatehouse;

    @BeforeAll
    static void start() {
        gatehouse = GatehouseIssuer.start(AccessTokenType.JWT);
    }

    @AfterAll
    static void stop() {
        gatehouse.close();
    }

    @Test
    void springsPlainIssuerDecoderAcceptsTheTokens() throws Exception {
        GatehouseIssuer.Login login = gatehouse.registerAndLogIn();
        JwtDecoder plain = JwtDecoders.fromIssuerLocation(gatehouse.issuer);

        Jwt jwt = plain.decode(login.accessToken());

        assertThat(jwt.getHeaders()).containsEntry("typ", "JWT");
        assertThat(jwt.getSubject()).isEqualTo(login.userId());
        assertThat(jwt.getClaimAsStringList("roles")).containsExactly("user");
    }

    /** What Spring Boot 4's resource-server auto-configuration makes of the four properties (JwtDecoderConfiguration, JwtConverterConfiguration). */
    private static JwtDecoder bootDecoder(String issuerUri, List<String> audiences) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuerUri).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(List.of(
                new JwtIssuerValidator(issuerUri),
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD, aud -> aud != null && aud.stream().anyMatch(audiences::contains)))));
        return decoder;
    }

    private static JwtAuthenticationConverter bootConverter() {
        JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
        authorities.setAuthoritiesClaimName("roles");
        authorities.setAuthorityPrefix("ROLE_");
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(authorities);
        return converter;
    }

    @Test
    void springBootPropertiesAloneAuthenticateTheUserWithRoles() throws Exception {
        GatehouseIssuer.Login admin = gatehouse.registerAndLogIn("admin");

        var authentication = bootConverter().convert(bootDecoder(gatehouse.issuer, List.of(GatehouseIssuer.AUDIENCE))
                .decode(admin.accessToken()));

        assertThat(authentication.getName()).isEqualTo(admin.userId());
        assertThat(authentication.getAuthorities()).extracting(GrantedAuthority::getAuthority)
                .contains("ROLE_user", "ROLE_admin");
    }

    @Test
    void springBootPropertiesRefuseATokenForAnotherAudience() throws Exception {
        String forBilling = gatehouse.sign("billing", Clock.systemUTC(), gatehouse.registerAndLogIn().userId());
        JwtDecoder boot = bootDecoder(gatehouse.issuer, List.of(GatehouseIssuer.AUDIENCE));

        assertThatThrownBy(() -> boot.decode(forBilling)).isInstanceOf(BadJwtException.class).hasMessageContaining("aud");
    }

    /** The at+jwt recipe stays strict: it does not take a JWT-typed token for an access token. */
    @Test
    void theAtJwtRecipeRefusesTypJwt() throws Exception {
        String token = gatehouse.registerAndLogIn().accessToken();
        JwtDecoder recipe = GatehouseResourceServer.jwtDecoder(gatehouse.issuer, GatehouseIssuer.AUDIENCE);

        assertThatThrownBy(() -> recipe.decode(token)).isInstanceOf(BadJwtException.class).hasMessageContaining("typ");
    }
}
