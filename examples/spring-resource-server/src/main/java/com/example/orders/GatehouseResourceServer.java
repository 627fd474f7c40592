package com.example.orders;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;

/**
 * Spring Security's resource server for the access tokens of a Gatehouse issuer, configured from
 * the issuer URL and this service's audience alone. In a {@code SecurityFilterChain}:
 *
 * <pre>{@code
 * http.oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt
 *         .decoder(GatehouseResourceServer.jwtDecoder(issuer, "orders"))
 *         .jwtAuthenticationConverter(GatehouseResourceServer.jwtAuthenticationConverter())));
 * }</pre>
 *
 * which installs the {@link #authenticationProvider(String, String)} below.
 */
public final class GatehouseResourceServer {
    private GatehouseResourceServer() {
    }

    /**
     * A decoder for tokens with Gatehouse's default {@code typ}, {@code at+jwt} (RFC 9068). It reads
     * {@code <issuer>/.well-known/openid-configuration} when it is built, checks that the document
     * names this issuer, and takes the keys from its {@code jwks_uri}; it checks the signature,
     * {@code iss}, {@code exp} and {@code nbf}, the audience, and the {@code typ}.
     */
    public static JwtDecoder jwtDecoder(String issuer, String audience) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(
                new JwtIssuerValidator(issuer),
                new JwtAudienceValidator(audience),
                // replaces Spring's default JwtTypeValidator.jwt(), which refuses at+jwt
                new JwtTypeValidator("at+jwt", "application/at+jwt")));
        return decoder;
    }

    /** Gatehouse's {@code roles} claim as {@code ROLE_} authorities; the principal's name is {@code sub}, the user's id. */
    public static JwtAuthenticationConverter jwtAuthenticationConverter() {
        JwtGrantedAuthoritiesConverter roles = new JwtGrantedAuthoritiesConverter();
        roles.setAuthoritiesClaimName("roles");
        roles.setAuthorityPrefix("ROLE_");
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(roles);
        return converter;
    }

    /** What {@code oauth2ResourceServer().jwt()} authenticates bearer tokens with, given the two above. */
    public static AuthenticationProvider authenticationProvider(String issuer, String audience) {
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(jwtDecoder(issuer, audience));
        provider.setJwtAuthenticationConverter(jwtAuthenticationConverter());
        return provider;
    }
}
