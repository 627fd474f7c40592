package dev.gatehouse.jaxrs;

import dev.gatehouse.core.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.core.testing.MutableClock;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertThrottled;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throttling over real HTTP. Per account: a few free failures, then progressively longer blocks,
 * kept in the database (so a restart does not lift them) and answered alike for right and wrong
 * passwords and for unknown emails. Per client: a token bucket on the connection's address, where
 * {@code X-Forwarded-For} counts only from a trusted proxy.
 *
 * <p>The account tests run on a clock that stands still until the test moves it, so that a block
 * lasts exactly as long as the test says, however slow the machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThrottlingTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int FREE = 5; // AuthSettings.DEFAULT_THROTTLE_FREE_FAILURES

    private final TestDatabases.Database db = TestDatabases.h2();
    private final MutableClock clock = MutableClock.atNow();
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = startOnClock();
    }

    private TestServer startOnClock() throws Exception {
        return TestServer.start(db.dataSource(), t -> t.clock(clock), a -> a, f -> f);
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

    private static Reply login(TestServer s, String email, String password, String... headers) {
        return new Client(s.base).postJson("auth/login", Json.credentials(email, password), headers);
    }

    private static void register(TestServer s, String email) {
        Reply r = new Client(s.base).postJson("auth/register", Json.credentials(email, PASSWORD));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static String accountKey(String normalisedEmail) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(normalisedEmail.getBytes(StandardCharsets.UTF_8)));
    }

    private Map<String, Object> throttleRow(String email) throws Exception {
        List<Map<String, Object>> rows = Sql.rows(db.dataSource(),
                "SELECT failures, blocked_until FROM gh_login_throttle WHERE account_key = ?", accountKey(email));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static Instant utc(Object timestamp) {
        return ((Timestamp) timestamp).toLocalDateTime().toInstant(ZoneOffset.UTC);
    }

    @Test
    void afterTheFreeFailuresTheAccountIsBlockedEvenForTheRightPassword() throws Exception {
        String email = newEmail();
        register(server, email);
        Reply firstWrong = null;
        for (int i = 0; i < FREE; i++) {
            Reply r = login(server, email, "wrong password " + i);
            assertInvalidCredentials(r);
            firstWrong = firstWrong == null ? r : firstWrong;
        }
        Reply blockedWrong = login(server, email, "wrong password again");
        long retry = assertThrottled(blockedWrong);
        assertThat(retry).isEqualTo(1); // the first block lasts one second
        Reply blockedRight = login(server, email, PASSWORD);
        assertThat(assertThrottled(blockedRight)).isEqualTo(retry);
        assertThat(blockedRight.body()).isEqualTo(blockedWrong.body());
        assertThat(blockedRight.header("Retry-After")).isEqualTo(blockedWrong.header("Retry-After"));
        assertThat(blockedRight.body()).doesNotContain("access_token");
        assertThat(blockedRight.headers("Set-Cookie")).isEmpty();

        // the same account in another spelling is the same account
        assertThrottled(login(server, " " + email.toUpperCase(Locale.ROOT) + " ", PASSWORD));
        // another account from the same client is not affected
        String other = newEmail();
        register(server, other);
        assertThat(login(server, other, PASSWORD).status()).isEqualTo(200);

        // attempts during the block are not counted as failures
        Map<String, Object> row = throttleRow(email);
        assertThat(((Number) row.get("failures")).intValue()).isEqualTo(FREE);
        assertThat(utc(row.get("blocked_until"))).isEqualTo(clock.instant().plusSeconds(1));

        // once the block is over, the right password gets in and the count starts again
        clock.advance(Duration.ofMillis(1001));
        Reply ok = login(server, email, PASSWORD);
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.header("Cache-Control")).isEqualTo("no-store");
        assertThat(throttleRow(email)).isNull();
        assertInvalidCredentials(login(server, email, "wrong once more"));
    }

    @Test
    void blocksGrowWithEachFailureAfterABlock() throws Exception {
        String email = newEmail();
        register(server, email);
        for (int i = 0; i < FREE; i++) {
            assertInvalidCredentials(login(server, email, "wrong " + i));
        }
        assertThat(assertThrottled(login(server, email, PASSWORD))).isEqualTo(1);
        long[] expected = {2, 4, 8, 16};
        long block = 1;
        for (long next : expected) {
            clock.advance(Duration.ofSeconds(block));
            assertInvalidCredentials(login(server, email, "still wrong"));
            assertThat(assertThrottled(login(server, email, PASSWORD))).isEqualTo(next);
            // part of the way through, Retry-After counts down
            clock.advance(Duration.ofMillis(next * 1000 / 2));
            assertThat(assertThrottled(login(server, email, PASSWORD))).isEqualTo((next + 1) / 2);
            clock.advance(Duration.ofMillis(-next * 1000 / 2));
            block = next;
        }
    }

    @Test
    void theBlockIsInTheDatabaseAndSurvivesARestart() throws Exception {
        String email = newEmail();
        register(server, email);
        for (int i = 0; i < FREE; i++) {
            assertInvalidCredentials(login(server, email, "wrong " + i));
        }
        Reply before = login(server, email, PASSWORD);
        assertThrottled(before);
        Map<String, Object> row = throttleRow(email);
        assertThat(row).isNotNull();
        assertThat(((Number) row.get("failures")).intValue()).isEqualTo(FREE);
        assertThat(utc(row.get("blocked_until"))).isAfter(clock.instant());

        // a new server process on the same database: nothing in memory, still blocked
        try (TestServer restarted = startOnClock()) {
            Reply after = login(restarted, email, PASSWORD);
            assertThrottled(after);
            assertThat(after.body()).isEqualTo(before.body());
            assertThat(after.header("Retry-After")).isEqualTo(before.header("Retry-After"));
            clock.advance(Duration.ofSeconds(2));
            assertThat(login(restarted, email, PASSWORD).status()).isEqualTo(200);
        }
    }

    @Test
    void anUnknownEmailIsThrottledExactlyLikeAKnownOne() throws Exception {
        String known = newEmail();
        register(server, known);
        String unknown = newEmail();
        List<Integer> knownStatuses = new ArrayList<>();
        List<Integer> unknownStatuses = new ArrayList<>();
        List<String> knownBodies = new ArrayList<>();
        List<String> unknownBodies = new ArrayList<>();
        List<String> knownRetry = new ArrayList<>();
        List<String> unknownRetry = new ArrayList<>();
        for (int i = 0; i < FREE + 3; i++) {
            // the last attempt on the known account is the right password
            Reply k = login(server, known, i == FREE + 2 ? PASSWORD : "wrong " + i);
            Reply u = login(server, unknown, i == FREE + 2 ? PASSWORD : "wrong " + i);
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
        assertThat(throttleRow(unknown)).isNotNull();
        assertThat(((Number) throttleRow(unknown).get("failures")).intValue()).isEqualTo(FREE);
    }

    // ---- per client ----

    @Test
    void perClientLimitCountsEveryEmailAndIgnoresForgedForwardedFor() throws Exception {
        try (TestServer limited = TestServer.start(db.dataSource(), a -> a.clientAttemptsPerMinute(5), f -> f)) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                // a new email and a new forged X-Forwarded-For each time: still one client, the peer
                Reply r = login(limited, newEmail(), PASSWORD, "X-Forwarded-For", "198.51.100." + (i + 1));
                assertInvalidCredentials(r);
                statuses.add(r.status());
            }
            Reply sixth = login(limited, newEmail(), PASSWORD, "X-Forwarded-For", "198.51.100.99");
            long retry = assertThrottled(sixth);
            assertThat(retry).isBetween(1L, 60L); // 5 a minute: the next token in about 12 s
            // registration draws on the same budget, and so does a valid login
            Reply register = new Client(limited.base).postJson("auth/register", Json.credentials(newEmail(), PASSWORD));
            assertThrottled(register);
            assertThrottled(login(limited, newEmail(), PASSWORD, "X-Forwarded-For", "203.0.113.7, 198.51.100.1"));
            assertThrottled(login(limited, newEmail(), PASSWORD));
        }
    }

    @Test
    void behindATrustedProxyEachForwardedClientHasItsOwnBudget() throws Exception {
        try (TestServer proxied = TestServer.start(db.dataSource(), a -> a.clientAttemptsPerMinute(5),
                f -> f.trustedProxies(Set.of("127.0.0.1")))) {
            String[] clients = {"203.0.113.10", "203.0.113.20"};
            List<List<Integer>> statuses = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < 6; i++) {
                for (int c = 0; c < clients.length; c++) {
                    // a TLS-terminating proxy: without X-Forwarded-Proto the remote client's login would be refused
                    Reply r = login(proxied, newEmail(), PASSWORD, "X-Forwarded-For", clients[c], "X-Forwarded-Proto", "https");
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
                forged.add(login(proxied, newEmail(), PASSWORD, "X-Forwarded-For", "192.0.2." + i + ", 203.0.113.30",
                        "X-Forwarded-Proto", "https").status());
            }
            assertThat(forged).containsExactly(401, 401, 401, 401, 401, 429);
            // the proxy's own requests (no header) are yet another client
            assertInvalidCredentials(login(proxied, newEmail(), PASSWORD));
        }
    }
}
