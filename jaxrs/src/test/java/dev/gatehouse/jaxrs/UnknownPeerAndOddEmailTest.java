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

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.TestServer;
import dev.gatehouse.web.WebSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a peer address the per-client limit must not become one bucket shared by everyone; and
 * a login with an address that could never have been registered is an ordinary 401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnknownPeerAndOddEmailTest {
    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = TestServer.start(db.dataSource(), b -> b.clientAttemptsPerMinute(2), b -> b.peerAddress(request -> null)
                // Without a peer address plain HTTP is refused even from loopback (see TransportSecurityTest).
                .web(WebSettings.builder().requireHttps(false).build()));
    }

    @AfterAll
    void stop() {
        server.close();
        db.close();
    }

    @Test
    void withoutPeerAddressClientsDoNotShareOneThrottleBucket() {
        Client c = new Client(server.base);
        for (int i = 0; i < 5; i++) {
            Reply r = c.postJson("auth/login", "{\"email\":\"nobody" + i + "@example.org\",\"password\":\"wrong password here\"}");
            assertThat(r.status()).as("attempt %d: %s", i, r).isEqualTo(401);
        }
    }

    @Test
    void loginWithImpossibleEmailsIsThePlain401() {
        Client c = new Client(server.base);
        Reply reference = c.postJson("auth/login", "{\"email\":\"nobody@example.org\",\"password\":\"wrong password here\"}");
        String tooLong = "a".repeat(300) + "@example.org";
        for (String email : new String[] {tooLong, "no-at-sign", "nul\\u0000@example.org", "two@@example.org"}) {
            Reply r = c.postJson("auth/login", "{\"email\":\"" + email + "\",\"password\":\"wrong password here\"}");
            assertThat(r.status()).as(email).isEqualTo(401);
            assertThat(r.body()).isEqualTo(reference.body());
        }
    }
}
