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
