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

package dev.gatehouse.jaxrs;

import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The flow with HttpOnly cookies and the double-submit CSRF header. */
abstract class CookieOnboardingContract extends OnboardingFlowContract {
    static final String ACCESS = "__Host-access_token";
    static final String REFRESH = "__Secure-refresh_token";
    static final String CSRF = "__Host-csrf_token";

    static Session session(Client client, Reply reply) {
        return new Session() {
            @Override
            public String[] auth() {
                String csrf = client.cookies.get(CSRF);
                return csrf == null ? new String[0] : new String[] {"X-CSRF-Token", csrf};
            }

            @Override
            public String refreshToken() {
                return null;
            }

            @Override
            public Reply reply() {
                return reply;
            }
        };
    }

    @Override
    Session login(Client client, String email, String password) {
        return session(client, client.postJson("auth/login", credentials(email, password), "Auth-Transport", "cookie"));
    }

    @Override
    Session refresh(Client client, Session session) {
        String csrf = client.cookies.get(CSRF);
        Reply r = csrf == null ? client.post("auth/refresh", null, null, "Auth-Transport", "cookie")
                : client.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
        return session(client, r);
    }

    @Test
    void deletingOneselfByCookieNeedsTheCsrfHeader() {
        Client c = client();
        Session s = registerAndLogin(c);
        String id = c.get("api/me", s.auth()).json().get("sub").asText();
        java.net.http.HttpRequest.Builder delete = java.net.http.HttpRequest.newBuilder(c.base().resolve("auth/users/" + id)).DELETE();

        Reply forged = c.send(delete);
        assertThat(forged.status()).as(forged.toString()).isEqualTo(403);
        Reply crossSite = c.send(java.net.http.HttpRequest.newBuilder(c.base().resolve("auth/users/" + id)).DELETE(),
                "X-CSRF-Token", c.cookies.get(CSRF), "Origin", "https://evil.example");
        assertThat(crossSite.status()).as(crossSite.toString()).isEqualTo(403);
        assertThat(c.get("api/me", s.auth()).status()).as("still there").isEqualTo(200);

        Reply deleted = c.send(java.net.http.HttpRequest.newBuilder(c.base().resolve("auth/users/" + id)).DELETE(), s.auth());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
    }

    @Test
    void loginSetsTheThreeCookiesWithContractAttributesAndNoTokenInTheBody() {
        Client c = client();
        Session s = registerAndLogin(c);
        Reply r = s.reply();
        assertThat(r.json().has("access_token")).isFalse();
        assertThat(r.json().has("refresh_token")).isFalse();
        assertThat(r.json().get("token_type").asText()).isEqualTo("Bearer");
        assertThat(r.json().get("expires_in").asLong()).isEqualTo(300);
        assertThat(r.setCookie(ACCESS)).contains("HttpOnly", "Secure", "SameSite=Strict", "Path=/;", "Max-Age=300");
        assertThat(r.setCookie(REFRESH)).contains("HttpOnly", "Secure", "SameSite=Strict", "Path=/auth", "Max-Age=" + 14 * 24 * 3600);
        assertThat(r.setCookie(CSRF)).contains("Secure", "SameSite=Strict", "Path=/;").doesNotContain("HttpOnly");
        assertThat(c.cookies).containsKeys(ACCESS, REFRESH, CSRF);
    }

    @Test
    void stateChangingRequestWithoutCsrfHeaderIs403AndWithItPasses() {
        Client c = client();
        Session s = registerAndLogin(c);
        assertThat(c.post("api/me", null, null).status()).isEqualTo(403);
        assertThat(c.post("api/me", null, null, "X-CSRF-Token", "wrong").status()).isEqualTo(403);
        assertThat(c.post("api/me", null, null, s.auth()).status()).isEqualTo(200);
        assertThat(c.get("api/me").status()).as("GET needs no CSRF header").isEqualTo(200);
    }

    @Test
    void crossSiteStateChangesAreRefusedEvenWithTheCsrfHeader() {
        Client c = client();
        Session s = registerAndLogin(c);
        String csrf = s.auth()[1];
        assertThat(c.post("api/me", null, null, "X-CSRF-Token", csrf, "Sec-Fetch-Site", "cross-site").status()).isEqualTo(403);
        assertThat(c.post("api/me", null, null, "X-CSRF-Token", csrf, "Origin", "http://evil.example").status()).isEqualTo(403);
        assertThat(c.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf,
                "Sec-Fetch-Site", "cross-site").status()).isEqualTo(403);
    }

    @Test
    void refreshWithoutCsrfHeaderIsRefused() {
        Client c = client();
        registerAndLogin(c);
        assertThat(c.post("auth/refresh", null, null, "Auth-Transport", "cookie").status()).isEqualTo(403);
    }

    @Test
    void staleAccessCookieDoesNotBlockLogin() {
        Client c = client();
        registerAndLogin(c);
        c.cookies.put(ACCESS, "stale.not.valid");
        Session again = login(c, lastEmail, PASSWORD);
        assertThat(again.reply().status()).isEqualTo(200);
    }
}
