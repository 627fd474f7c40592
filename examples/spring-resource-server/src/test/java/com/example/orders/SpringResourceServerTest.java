package com.example.orders;

import dev.gatehouse.token.AccessTokenType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Spring Security 7.1, given the issuer URL and the audience alone, authenticates the access tokens
 * of a Gatehouse issuer with its default {@code typ}, {@code at+jwt}, the way
 * {@code oauth2ResourceServer().jwt()} does: {@link GatehouseResourceServer#authenticationProvider}.
 */
class SpringResourceServerTest {
    private static GatehouseIssuer gatehouse;
    private static AuthenticationProvider orders;

    @BeforeAll
    static void start() {
        gatehouse = GatehouseIssuer.start(AccessTokenType.AT_JWT);
        orders = GatehouseResourceServer.authenticationProvider(gatehouse.issuer, GatehouseIssuer.AUDIENCE);
    }

    @AfterAll
    static void stop() {
        gatehouse.close();
    }

    private static Authentication authenticate(String token) {
        return orders.authenticate(new BearerTokenAuthenticationToken(token));
    }

    private static List<String> roles(Authentication authentication) {
        return authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).filter(a -> a.startsWith("ROLE_")).toList();
    }

    @Test
    void aTokenFromALoginAuthenticatesAsTheUserWithRoleAuthorities() throws Exception {
        GatehouseIssuer.Login login = gatehouse.registerAndLogIn();

        Authentication user = authenticate(login.accessToken());

        assertThat(user).isInstanceOf(JwtAuthenticationToken.class);
        assertThat(user.isAuthenticated()).isTrue();
        assertThat(user.getName()).isEqualTo(login.userId());
        assertThat(roles(user)).containsExactly("ROLE_user");
        JwtAuthenticationToken jwt = (JwtAuthenticationToken) user;
        assertThat(jwt.getToken().getIssuer()).hasToString(gatehouse.issuer);
        assertThat(jwt.getToken().getAudience()).containsExactly(GatehouseIssuer.AUDIENCE);
        assertThat(jwt.getToken().getHeaders()).containsEntry("typ", "at+jwt");
    }

    @Test
    void anAdminsTokenCarriesRoleAdmin() throws Exception {
        GatehouseIssuer.Login admin = gatehouse.registerAndLogIn("admin");

        assertThat(roles(authenticate(admin.accessToken()))).containsExactlyInAnyOrder("ROLE_user", "ROLE_admin");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        String userId = gatehouse.registerAndLogIn().userId();
        String forBilling = gatehouse.sign("billing", Clock.systemUTC(), userId);

        assertThatThrownBy(() -> authenticate(forBilling))
                .isInstanceOf(InvalidBearerTokenException.class).hasMessageContaining("aud");
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String userId = gatehouse.registerAndLogIn().userId();
        String expired = gatehouse.sign(GatehouseIssuer.AUDIENCE, Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)), userId);

        assertThatThrownBy(() -> authenticate(expired))
                .isInstanceOf(InvalidBearerTokenException.class).hasMessageContaining("expired");
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        String[] parts = gatehouse.registerAndLogIn().accessToken().split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String promoted = claims.replace("[\"user\"]", "[\"user\",\"admin\"]");
        assertThat(promoted).isNotEqualTo(claims);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(promoted.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        assertThatThrownBy(() -> authenticate(tampered))
                .isInstanceOf(InvalidBearerTokenException.class).hasMessageContaining("signature");
    }

    /** Why the recipe sets a JwtTypeValidator: Spring's issuer-URL defaults take JWT only. */
    @Test
    void springsDefaultIssuerDecoderRefusesAtJwt() throws Exception {
        String token = gatehouse.registerAndLogIn().accessToken();
        JwtDecoder defaults = JwtDecoders.fromIssuerLocation(gatehouse.issuer);

        assertThatThrownBy(() -> defaults.decode(token))
                .isInstanceOf(BadJwtException.class)
                .hasMessageContaining("the given typ value needs to be one of [JWT]");
    }
}
