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

import dev.gatehouse.web.WebSettings;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertThrottled;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throttling over real HTTP, on Jersey + Grizzly behind a trusted proxy on loopback (the test plays
 * the proxy, so that it can play any number of clients, IPv4 and IPv6). Per account, in the
 * database: each client network gets 5 failures, then one every 5 minutes; all clients together
 * get 50, then one every 72 s, except the owner's device (a client network that logged in to the
 * account recently). While throttled, a right password gets the same answer as a wrong one. Per
 * client, in memory: a token bucket per IPv4 address or IPv6 /64, bounded per /56.
 *
 * <p>The account tests run on a clock that stands still until the test moves it, so that the
 * limits decay exactly as far as the test says, however slow the machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThrottlingTest {
    private static final String PASSWORD = "correct horse battery staple";
    /** AuthSettings' defaults. */
    private static final int CLIENT_BURST = 5;
    private static final long CLIENT_INTERVAL_SECONDS = 300;
    private static final int ACCOUNT_BURST = 50;
    private static final long ACCOUNT_INTERVAL_SECONDS = 72;

    private final TestDatabases.Database db = TestDatabases.h2();
    private final MutableClock clock = MutableClock.atNow();
    private TestServer server;
    private int nextNetwork;

    @BeforeAll
    void start() throws Exception {
        server = startOnClock();
    }

    private TestServer startOnClock() throws Exception {
        return TestServer.start(db.dataSource(), t -> t.clock(clock), a -> a, f -> f.web(WebSettings.builder().trustedProxies(Set.of("127.0.0.1")).build()));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        db.close();
    }

    private static String newEmail() {
        return "throttle-" + UUID.randomUUID() + "@example.org";
    }

    /** A client address no other test uses: an IPv4 address, or an IPv6 address in a /56 of its own. */
    private String newClient(boolean ipv6) {
        int n = ++nextNetwork;
        return ipv6 ? "2001:db8:" + Integer.toHexString(n) + "::1" : "198.18." + (n / 250) + "." + (n % 250 + 1);
    }

    /** A login through the trusted proxy, which terminates TLS and names the client. */
    private static Reply login(TestServer s, String client, String email, String password, String... headers) {
        String[] all = new String[headers.length + 4];
        all[0] = "X-Forwarded-For";
        all[1] = client;
        all[2] = "X-Forwarded-Proto";
        all[3] = "https";
        System.arraycopy(headers, 0, all, 4, headers.length);
        return new Client(s.base).postJson("auth/login", Json.credentials(email, password), all);
    }

    private static void register(TestServer s, String email) {
        Reply r = new Client(s.base).postJson("auth/register", Json.credentials(email, PASSWORD));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private long rowsOfTheThrottleTable() {
        return Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_login_buckets");
    }

    @Test
    void oneClientGetsFiveFailuresThenOneEveryFiveMinutesAndTheRightPasswordWaitsLikeAWrongOne() {
        String email = newEmail();
        register(server, email);
        String client = newClient(false);
        for (int i = 0; i < CLIENT_BURST; i++) {
            assertInvalidCredentials(login(server, client, email, "wrong password " + i));
        }
        Reply blockedWrong = login(server, client, email, "wrong password again");
        assertThat(assertThrottled(blockedWrong)).isEqualTo(CLIENT_INTERVAL_SECONDS);
        Reply blockedRight = login(server, client, email, PASSWORD);
        assertThat(assertThrottled(blockedRight)).isEqualTo(CLIENT_INTERVAL_SECONDS);
        assertThat(blockedRight.body()).isEqualTo(blockedWrong.body());
        assertThat(blockedRight.body()).doesNotContain("access_token");
        assertThat(blockedRight.headers("Set-Cookie")).isEmpty();
        // the same account in another spelling is the same account
        assertThrottled(login(server, client, " " + email.toUpperCase(Locale.ROOT) + " ", PASSWORD));

        // attempts while throttled are not counted: Retry-After counts down, and at zero one more is judged
        clock.advance(Duration.ofSeconds(CLIENT_INTERVAL_SECONDS - 10));
        assertThat(assertThrottled(login(server, client, email, PASSWORD))).isEqualTo(10);
        clock.advance(Duration.ofSeconds(10));
        assertInvalidCredentials(login(server, client, email, "one more wrong"));
        assertThat(assertThrottled(login(server, client, email, PASSWORD))).isEqualTo(CLIENT_INTERVAL_SECONDS);

        // failures decay: after five quiet intervals the right password gets in, and the bucket is full again
        clock.advance(Duration.ofSeconds(CLIENT_BURST * CLIENT_INTERVAL_SECONDS));
        Reply ok = login(server, client, email, PASSWORD);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.header("Cache-Control")).isEqualTo("no-store");
        for (int i = 0; i < CLIENT_BURST; i++) {
            assertInvalidCredentials(login(server, client, email, "wrong after the success " + i));
        }
        assertThrottled(login(server, client, email, PASSWORD));
    }

    @Test
    void anotherClientsGuessesDoNotLockTheOwnerOrAnyCleanClientOut() {
        String email = newEmail();
        register(server, email);
        String owner = newClient(false);
        assertThat(login(server, owner, email, PASSWORD).status()).isEqualTo(200);
        String attacker = newClient(true);
        for (int i = 0; i < CLIENT_BURST; i++) {
            assertInvalidCredentials(login(server, attacker, email, "guess " + i));
        }
        assertThrottled(login(server, attacker, email, PASSWORD));

        assertThat(login(server, owner, email, PASSWORD).status()).as("the owner's device").isEqualTo(200);
        assertThat(login(server, newClient(false), email, PASSWORD).status()).as("a client without failures").isEqualTo(200);
        // another account from the attacker's own network is not affected either
        String other = newEmail();
        register(server, other);
        assertThat(login(server, attacker, other, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void aDistributedGuesserMeetsTheAccountCeilingWhileTheOwnersDeviceStillGetsIn() {
        String email = newEmail();
        register(server, email);
        String owner = newClient(true);
        assertThat(login(server, owner, email, PASSWORD).status()).isEqualTo(200);

        List<Integer> statuses = new ArrayList<>();
        for (int n = 0; n < ACCOUNT_BURST / CLIENT_BURST; n++) {
            // RFC 7239 this time, as a proxy that writes Forwarded would
            String client = newClient(true);
            for (int i = 0; i < CLIENT_BURST; i++) {
                statuses.add(new Client(server.base).postJson("auth/login", Json.credentials(email, "guess " + n + "/" + i),
                        "Forwarded", "for=\"[" + client + "]:4711\";proto=https").status());
            }
        }
        assertThat(statuses).hasSize(ACCOUNT_BURST).containsOnly(401);

        Reply eleventh = login(server, newClient(true), email, "guess");
        assertThat(assertThrottled(eleventh)).isEqualTo(ACCOUNT_INTERVAL_SECONDS);
        Reply newDevice = login(server, newClient(false), email, PASSWORD);
        assertThat(assertThrottled(newDevice)).as("the right password from a device never used").isEqualTo(ACCOUNT_INTERVAL_SECONDS);
        assertThat(newDevice.body()).isEqualTo(eleventh.body());
        Reply ownDevice = login(server, owner, email, PASSWORD);
        assertThat(ownDevice.status()).as("the owner's device is exempt from the ceiling: %s", ownDevice).isEqualTo(200);

        // the ceiling refills: one more failure every 72 s
        clock.advance(Duration.ofSeconds(ACCOUNT_INTERVAL_SECONDS));
        assertInvalidCredentials(login(server, newClient(false), email, "guess"));
        assertThrottled(login(server, newClient(false), email, "guess"));
    }

    @Test
    void theThrottleIsInTheDatabaseAndSurvivesARestart() throws Exception {
        String email = newEmail();
        register(server, email);
        String client = newClient(false);
        for (int i = 0; i < CLIENT_BURST; i++) {
            assertInvalidCredentials(login(server, client, email, "wrong " + i));
        }
        Reply before = login(server, client, email, PASSWORD);
        assertThrottled(before);
        assertThat(rowsOfTheThrottleTable()).isPositive();

        // a new server process on the same database: nothing in memory, still throttled
        try (TestServer restarted = startOnClock()) {
            Reply after = login(restarted, client, email, PASSWORD);
            assertThrottled(after);
            assertThat(after.body()).isEqualTo(before.body());
            assertThat(after.header("Retry-After")).isEqualTo(before.header("Retry-After"));
            clock.advance(Duration.ofSeconds(CLIENT_INTERVAL_SECONDS));
            assertThat(login(restarted, client, email, PASSWORD).status()).isEqualTo(200);
        }
    }

    @Test
    void anUnknownEmailIsThrottledExactlyLikeAKnownOne() {
        String known = newEmail();
        register(server, known);
        String unknown = newEmail();
        String client = newClient(false);
        List<Integer> knownStatuses = new ArrayList<>();
        List<Integer> unknownStatuses = new ArrayList<>();
        List<String> knownBodies = new ArrayList<>();
        List<String> unknownBodies = new ArrayList<>();
        List<String> knownRetry = new ArrayList<>();
        List<String> unknownRetry = new ArrayList<>();
        for (int i = 0; i < CLIENT_BURST + 3; i++) {
            // the last attempt on the known account is the right password
            Reply k = login(server, client, known, i == CLIENT_BURST + 2 ? PASSWORD : "wrong " + i);
            Reply u = login(server, client, unknown, i == CLIENT_BURST + 2 ? PASSWORD : "wrong " + i);
            knownStatuses.add(k.status());
            unknownStatuses.add(u.status());
            knownBodies.add(k.body());
            unknownBodies.add(u.body());
            knownRetry.add(k.header("Retry-After"));
            unknownRetry.add(u.header("Retry-After"));
        }
        assertThat(knownStatuses).containsExactly(401, 401, 401, 401, 401, 429, 429, 429);
        assertThat(unknownStatuses).isEqualTo(knownStatuses);
        assertThat(unknownBodies).isEqualTo(knownBodies);
        assertThat(unknownRetry).isEqualTo(knownRetry);
    }

    @Test
    void theThrottleTableHoldsKeyedHashesNotEmailsNorAddresses() throws Exception {
        String email = newEmail();
        String client = newClient(false);
        List<String> before = keys();
        for (int i = 0; i < 2; i++) {
            assertInvalidCredentials(login(server, client, email, "wrong " + i));
        }
        List<String> added = keys();
        added.removeAll(before);

        assertThat(added).as("the account's bucket and the account-and-client bucket").hasSize(2)
                .allSatisfy(key -> assertThat(key).matches("[0-9a-f]{64}")
                        .isNotEqualTo(sha256Hex(email)).isNotEqualTo(sha256Hex(client)));
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        Sql.rows(db.dataSource(), "SELECT bucket_key FROM gh_login_buckets").forEach(row -> keys.add(String.valueOf(row.values().iterator().next())));
        return keys;
    }

    private static String sha256Hex(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    // ---- per client, in memory ----

    @Test
    void fromAnUntrustedPeerForgedForwardedForIsIgnoredAndEveryEmailDrawsOnOneBudget() throws Exception {
        // no trusted proxy, and the HTTPS check off: the loopback peer's forwarding headers are then
        // ignored (with a warning), and every request is the peer's
        try (TestServer limited = TestServer.start(db.dataSource(), a -> a.clientAttemptsPerMinute(5),
                f -> f.web(WebSettings.builder().requireHttps(false).build()))) {
            for (int i = 0; i < 5; i++) {
                // a new email and a new forged X-Forwarded-For each time: still one client, the peer
                Reply r = new Client(limited.base).postJson("auth/login", Json.credentials(newEmail(), PASSWORD),
                        "X-Forwarded-For", "198.51.100." + (i + 1));
                assertInvalidCredentials(r);
            }
            Reply sixth = new Client(limited.base).postJson("auth/login", Json.credentials(newEmail(), PASSWORD),
                    "X-Forwarded-For", "198.51.100.99");
            assertThat(assertThrottled(sixth)).isBetween(1L, 60L); // 5 a minute: the next in about 12 s
            // registration draws on the same budget, and so does a valid login
            assertThrottled(new Client(limited.base).postJson("auth/register", Json.credentials(newEmail(), PASSWORD)));
            assertThrottled(new Client(limited.base).postJson("auth/login", Json.credentials(newEmail(), PASSWORD),
                    "Forwarded", "for=203.0.113.7"));
            assertThrottled(new Client(limited.base).postJson("auth/login", Json.credentials(newEmail(), PASSWORD)));
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBudget() throws Exception {
        try (TestServer proxied = TestServer.start(db.dataSource(), a -> a.clientAttemptsPerMinute(5),
                f -> f.web(WebSettings.builder().trustedProxies(Set.of("127.0.0.1")).build()))) {
            String[] clients = {"203.0.113.10", "203.0.113.20"};
            List<List<Integer>> statuses = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < 6; i++) {
                for (int c = 0; c < clients.length; c++) {
                    // a TLS-terminating proxy: without X-Forwarded-Proto the remote client's login would be refused
                    Reply r = login(proxied, clients[c], newEmail(), PASSWORD);
                    statuses.get(c).add(r.status());
                    if (i < 5) {
                        assertInvalidCredentials(r);
                    } else {
                        assertThrottled(r);
                    }
                }
            }
            assertThat(statuses.get(0)).containsExactly(401, 401, 401, 401, 401, 429);
            assertThat(statuses.get(1)).isEqualTo(statuses.get(0));

            // the proxy appends the real peer on the right: hops a client wrote further left change nothing
            List<Integer> forged = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                forged.add(login(proxied, "192.0.2." + i + ", 203.0.113.30", newEmail(), PASSWORD).status());
            }
            assertThat(forged).containsExactly(401, 401, 401, 401, 401, 429);
            // an IPv4-mapped IPv6 address is the IPv4 client
            assertThrottled(login(proxied, "::ffff:203.0.113.30", newEmail(), PASSWORD));
            // the proxy's own requests (no header) are yet another client
            assertInvalidCredentials(new Client(proxied.base).postJson("auth/login", Json.credentials(newEmail(), PASSWORD)));
        }
    }

    @Test
    void ipv6ClientsAreCountedPerSlash64AndEachSlash56IsBoundedByItsOwnLargerBudget() throws Exception {
        try (TestServer proxied = TestServer.start(db.dataSource(), a -> a.clientAttemptsPerMinute(5),
                f -> f.web(WebSettings.builder().trustedProxies(Set.of("127.0.0.1")).build()))) {
            // five addresses of one /64, in both headers' spellings, share one budget of five
            List<Integer> oneSlash64 = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                String address = "2001:db8:aa:1:" + Integer.toHexString(i * 0x1111) + "::" + i;
                Reply r = i % 2 == 0
                        ? login(proxied, address, newEmail(), PASSWORD)
                        : new Client(proxied.base).postJson("auth/login", Json.credentials(newEmail(), PASSWORD),
                        "Forwarded", "for=\"[" + address + "]\";proto=https");
                oneSlash64.add(r.status());
            }
            assertThat(oneSlash64).containsExactly(401, 401, 401, 401, 401, 429);

            // the /64s of one /56: four times one client's budget in all (20), of which the first /64 took 5
            int granted = 0;
            for (int net = 2; net <= 40; net++) {
                if (login(proxied, "2001:db8:aa:" + Integer.toHexString(net) + "::1", newEmail(), PASSWORD).status() == 401) {
                    granted++;
                }
            }
            assertThat(granted).as("the other /64s of 2001:db8:aa::/56").isBetween(15, 16);
            // another /56 has a budget of its own
            assertInvalidCredentials(login(proxied, "2001:db8:aa:100::1", newEmail(), PASSWORD));
        }
    }
}
