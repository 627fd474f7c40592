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

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The flow with tokens in JSON bodies and the {@code Authorization: Bearer} header. */
abstract class BearerOnboardingContract extends OnboardingFlowContract {

    static Session session(Reply reply) {
        JsonNode body = reply.status() == 200 ? reply.json() : null;
        String access = body == null ? "invalid" : body.get("access_token").asText();
        String refresh = body == null ? null : body.get("refresh_token").asText();
        return new Session() {
            @Override
            public String[] auth() {
                return new String[] {"Authorization", "Bearer " + access};
            }

            @Override
            public String refreshToken() {
                return refresh;
            }

            @Override
            public Reply reply() {
                return reply;
            }
        };
    }

    @Override
    Session login(Client client, String email, String password) {
        return session(client.postJson("auth/login", credentials(email, password)));
    }

    @Override
    Session refresh(Client client, Session session) {
        return session(client.postJson("auth/refresh", "{\"refresh_token\":\"" + session.refreshToken() + "\"}"));
    }

    @Test
    void loginBodyHasExactlyTheContractFieldsAndSetsNoCookie() {
        Client c = client();
        Session s = registerAndLogin(c);
        JsonNode body = s.reply().json();
        List<String> names = new ArrayList<>();
        body.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in");
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(body.get("expires_in").asLong()).isEqualTo(300);
        assertThat(body.get("refresh_expires_in").asLong()).isEqualTo(14 * 24 * 3600);
        assertThat(body.get("refresh_token").asText()).matches("[A-Za-z0-9_-]{43}");
        assertThat(s.reply().headers("Set-Cookie")).isEmpty();
    }

    @Test
    void accessTokenIsNeverAcceptedAsRefreshTokenNorTheReverse() {
        Client c = client();
        Session s = registerAndLogin(c);
        String access = s.auth()[1].substring("Bearer ".length());
        assertThat(c.postJson("auth/refresh", "{\"refresh_token\":\"" + access + "\"}").status()).isEqualTo(401);
        Reply r = c.get("api/me", "Authorization", "Bearer " + s.refreshToken());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }

    @Test
    void logoutWithRefreshTokenAloneRevokesTheFamily() {
        Client c = client();
        Session s = registerAndLogin(c);
        Reply out = c.postJson("auth/logout", "{\"refresh_token\":\"" + s.refreshToken() + "\"}");
        assertThat(out.status()).isEqualTo(204);
        assertThat(refresh(c, s).reply().status()).isEqualTo(401);
    }

    @Test
    void malformedAuthorizationHeaderOnProtectedResourceIs400() {
        Reply r = client().get("api/me", "Authorization", "Bearer two tokens");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_request\"");
    }
}
