package com.example.orders;

import dev.gatehouse.token.AccessTokenType;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SmallRye JWT, given the issuer URL and the audience alone ({@link GatehouseJwtParser}), accepts
 * the access tokens of a Gatehouse issuer, with {@code sub} as the principal's name and
 * {@code roles} as its groups, and refuses tokens for another audience, expired or tampered ones.
 */
class SmallRyeResourceServerTest {
    private static final Map<AccessTokenType, GatehouseIssuer> GATEHOUSE = new EnumMap<>(AccessTokenType.class);

    @BeforeAll
    static void start() {
        for (AccessTokenType type : AccessTokenType.values()) {
            GATEHOUSE.put(type, GatehouseIssuer.start(type));
        }
    }

    @AfterAll
    static void stop() {
        GATEHOUSE.values().forEach(GatehouseIssuer::close);
    }

    private static GatehouseIssuer gatehouse() {
        return GATEHOUSE.get(AccessTokenType.AT_JWT);
    }

    private static JWTParser orders(GatehouseIssuer issuer) {
        return GatehouseJwtParser.forIssuer(issuer.issuer, GatehouseIssuer.AUDIENCE);
    }

    /** SmallRye does not read {@code typ}, so either setting of Gatehouse's {@code tokenType} works with it. */
    @ParameterizedTest
    @EnumSource(AccessTokenType.class)
    void aTokenFromALoginParsesAsTheUserWithItsRolesAsGroups(AccessTokenType type) throws Exception {
        GatehouseIssuer issuer = GATEHOUSE.get(type);
        GatehouseIssuer.Login login = issuer.registerAndLogIn();

        JsonWebToken user = orders(issuer).parse(login.accessToken());

        assertThat(user.getName()).isEqualTo(login.userId());
        assertThat(user.getSubject()).isEqualTo(login.userId());
        assertThat(user.getGroups()).containsExactly("user");
        assertThat(user.getIssuer()).isEqualTo(issuer.issuer);
        assertThat(user.getAudience()).containsExactly(GatehouseIssuer.AUDIENCE);
    }

    @Test
    void anAdminsTokenHasTheGroupAdmin() throws Exception {
        GatehouseIssuer.Login admin = gatehouse().registerAndLogIn("admin");

        assertThat(orders(gatehouse()).parse(admin.accessToken()).getGroups()).containsExactlyInAnyOrder("user", "admin");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        String forBilling = gatehouse().sign("billing", Clock.systemUTC(), gatehouse().registerAndLogIn().userId());
        JWTParser orders = orders(gatehouse());

        assertThatThrownBy(() -> orders.parse(forBilling)).isInstanceOf(ParseException.class);
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String expired = gatehouse().sign(GatehouseIssuer.AUDIENCE, Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)),
                gatehouse().registerAndLogIn().userId());
        JWTParser orders = orders(gatehouse());

        assertThatThrownBy(() -> orders.parse(expired)).isInstanceOf(ParseException.class);
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        String[] parts = gatehouse().registerAndLogIn().accessToken().split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String promoted = claims.replace("[\"user\"]", "[\"user\",\"admin\"]");
        assertThat(promoted).isNotEqualTo(claims);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(promoted.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        JWTParser orders = orders(gatehouse());

        assertThatThrownBy(() -> orders.parse(tampered)).isInstanceOf(ParseException.class);
    }

    @Test
    void aParserForAnotherIssuerRefusesTheToken() throws Exception {
        String token = gatehouse().registerAndLogIn().accessToken();
        GatehouseIssuer other = GATEHOUSE.get(AccessTokenType.JWT);
        JWTParser trustsTheOther = orders(other);

        assertThatThrownBy(() -> trustsTheOther.parse(token)).isInstanceOf(ParseException.class);
    }

    @Test
    void discoveryRefusesMetadataThatNamesAnotherIssuer() {
        String spelledDifferently = gatehouse().issuer.replace("127.0.0.1", "localhost");

        assertThatThrownBy(() -> GatehouseJwtParser.jwksUri(spelledDifferently))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another issuer");
    }
}
