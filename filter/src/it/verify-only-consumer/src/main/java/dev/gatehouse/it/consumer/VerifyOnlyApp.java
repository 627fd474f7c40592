package dev.gatehouse.it.consumer;

import dev.gatehouse.filter.GatehouseFilter;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.web.WebSettings;

/** What a verify-only WAR writes: a verifier from the issuer's public keys, and the filter over it. */
public final class VerifyOnlyApp {
    private VerifyOnlyApp() {
    }

    public static AccessTokenVerifier verifier(String issuer, String audience, KeySet publicKeys) {
        return new AccessTokenVerifier(TokenSettings.builder(issuer, audience).build(), publicKeys);
    }

    public static GatehouseFilter filter(AccessTokenVerifier verifier) {
        return GatehouseFilter.builder(verifier)
                .publicPaths("/", "/static/*")
                .web(WebSettings.builder().build())
                .build();
    }
}
