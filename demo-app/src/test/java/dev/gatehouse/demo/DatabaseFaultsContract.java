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

package dev.gatehouse.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.testing.TcpProxy;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running demo (Jersey on Grizzly, in-process) on a real database server that the test takes
 * away: the app reaches the server only through a {@link TcpProxy}, which the test switches to
 * "server down" (connections reset), "server hangs" (nothing answers) and back, while the shared
 * server keeps running for everyone else. End to end over HTTP, with the rows checked directly.
 *
 * <p>What it proves: while the database is gone, register, login, refresh, logout and logout-all
 * answer {@code 503} with {@code Retry-After} and a problem body within the configured timeouts,
 * and write nothing half-way; verifying access tokens goes on (no database on that path); a hung
 * database never takes the request threads; and once the database answers again the service
 * resumes within seconds without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DatabaseFaultsContract {
    private static final String PASSWORD = "plum-Kettle-4-orbit";
    /** The demo's database timeouts in this test: short, so that the outage tests are quick. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(4);
    /** How soon after the database is back a login must succeed again. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(10);

    private TestDatabases.Database db;
    private TcpProxy proxy;
    private DemoMain.Running running;

    /** A fresh, empty schema or database on the server under test. */
    abstract TestDatabases.Database openDatabase();

    /** {@code host:port} of the real server. */
    abstract String serverAddress();

    /** A JDBC URL for the test database at {@code address}, with no timeouts of its own (the demo adds them). */
    abstract String jdbcUrl(String address, TestDatabases.Database db);

    @BeforeAll
    void start() throws Exception {
        db = openDatabase();
        proxy = TcpProxy.to(serverAddress());
        Map<String, String> env = new java.util.HashMap<>();
        env.put("GATEHOUSE_PORT", "0");
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        env.put("GATEHOUSE_JDBC_URL", jdbcUrl(proxy.address(), db));
        env.put("GATEHOUSE_JDBC_USER", db.user());
        env.put("GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
        env.put("GATEHOUSE_JDBC_CONNECTION_TIMEOUT", CONNECTION_TIMEOUT.toString());
        env.put("GATEHOUSE_JDBC_QUERY_TIMEOUT", QUERY_TIMEOUT.toString());
        env.put("GATEHOUSE_JDBC_SOCKET_TIMEOUT", SOCKET_TIMEOUT.toString());
        env.put("GATEHOUSE_AUTH_TIMEOUT", AUTH_TIMEOUT.toString());
        // no reuse grace: a refresh token works exactly once, so "not spent" is observable
        env.put("GATEHOUSE_REFRESH_REUSE_GRACE", "PT0S");
        // every request comes from 127.0.0.1: lift the per-client limit, which is not under test here
        env.put("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "1000000");
        env.put("GATEHOUSE_BCRYPT_COST", String.valueOf(DemoContract.BCRYPT_COST));
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false");
        env.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        running = DemoMain.start(DemoSettings.from(env, name -> null, name -> null));
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @AfterEach
    void databaseBack() throws InterruptedException {
        proxy.latency(Duration.ZERO);
        proxy.forward();
        eventuallyWhole(); // the next scenario starts from a service that works
    }

    /**
     * With the database reachable again, the service works again without a restart. A connection
     * that a fault broke may still sit in the pool and fail a request more (HikariCP does not test
     * a connection used in the last 500 ms before lending it), and such a request must get 503;
     * within {@link #RECOVERY_BOUND} a new account registers and logs in.
     */
    private void eventuallyWhole() throws InterruptedException {
        WebClient c = client();
        long deadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
        String email = newEmail();
        Reply register;
        // a new address each time: a 503 does not say whether the account was written
        while ((register = c.postJson("auth/register", credentials(email))).status() != 201) {
            assertThat(register.status()).as("register while recovering: %s", register).isEqualTo(503);
            assertThat(System.nanoTime() - deadline).as("registering works again within %s", RECOVERY_BOUND).isNegative();
            Thread.sleep(100);
            email = newEmail();
        }
        assertThat(Duration.ofMillis(timeToFirstLogin(c, email))).as("logging in works again").isLessThan(RECOVERY_BOUND);
    }

    // ---- scenarios ----

    @Test
    void databaseDownAnswers503WritesNothingAndRecoversWithoutRestart() throws Exception {
        WebClient c = client();
        JsonNode alice = loggedIn(c, newEmail());
        String bob = newEmail();
        assertThat(c.postJson("auth/register", credentials(bob)).status()).isEqualTo(201);
        String bobId = userId(bob);
        String carol = newEmail();

        proxy.refuse(); // the server is down: the pool's connections are cut, new ones are refused

        assertUnavailable(c.postJson("auth/register", credentials(carol)), "register");
        assertUnavailable(c.postJson("auth/login", credentials(bob)), "login");
        assertUnavailable(c.postJson("auth/refresh", refreshBody(alice)), "refresh");
        assertUnavailable(c.post("auth/logout", null, null, bearer(alice)), "logout");
        assertUnavailable(c.post("auth/logout-all", null, null, bearer(alice)), "logout-all");
        // verification needs no database
        assertPromptOk(c.get("api/claims", bearer(alice)), "claims during the outage");
        assertPromptOk(c.get("api/ping"), "ping during the outage");

        proxy.forward();
        long recovery = timeToFirstLogin(c, bob);
        System.out.printf("[faults] %s: first successful login %d ms after the database came back (server down)%n",
                db.product(), recovery);
        assertThat(Duration.ofMillis(recovery)).isLessThan(RECOVERY_BOUND);

        // nothing was written half-way: the register did not create carol, the refresh did not
        // spend alice's token, bob's failed login left no family (only the recovery login's)
        assertThat(c.postJson("auth/register", credentials(carol)).status()).isEqualTo(201);
        // the outage's logout and logout-all did not take effect half-way either
        assertThat(c.get("api/claims", bearer(alice)).status()).isEqualTo(200);
        Reply refreshed = c.postJson("auth/refresh", refreshBody(alice));
        assertThat(refreshed.status()).as("refresh after the outage: %s", refreshed).isEqualTo(200);
        Reply again = c.postJson("auth/refresh", refreshBody(alice));
        assertThat(again.status()).as("second use of the same refresh token: %s", again).isEqualTo(401);
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", bobId)).isEqualTo(1);
        assertInvariants();
    }

    @Test
    void hungDatabaseDoesNotHoldRequestThreads() throws Exception {
        WebClient c = client();
        List<JsonNode> sessions = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String email = newEmail();
            emails.add(email);
            sessions.add(loggedIn(c, email));
        }
        int workers = running.workerThreads();
        int requests = workers * 2 + 8;

        proxy.blackhole(); // the server hangs: connections are accepted, nothing is ever answered

        ExecutorService clients = Executors.newFixedThreadPool(requests);
        try {
            List<Future<long[]>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int n = i;
                replies.add(clients.submit(() -> {
                    WebClient own = client();
                    long started = System.nanoTime();
                    Reply r;
                    switch (n % 3) {
                        case 0:
                            r = own.postJson("auth/register", credentials(newEmail()));
                            break;
                        case 1:
                            r = own.postJson("auth/login", credentials(emails.get(n % emails.size())));
                            break;
                        default:
                            r = own.postJson("auth/refresh", refreshBody(sessions.get(n % sessions.size())));
                            break;
                    }
                    assertUnavailable(r, "request " + n + " while the database hangs");
                    return new long[] {r.status(), (System.nanoTime() - started) / 1_000_000};
                }));
            }
            // while those wait for the database, requests that need none are served at once
            List<Long> pairs = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                long t0 = System.nanoTime();
                assertPromptOk(c.get("api/ping"), "ping while the database hangs");
                assertPromptOk(c.get("api/claims", bearer(sessions.get(0))), "claims while the database hangs");
                pairs.add((System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(50);
            }
            long longest = 0;
            for (Future<long[]> f : replies) {
                long[] result = f.get(30, TimeUnit.SECONDS);
                longest = Math.max(longest, result[1]);
            }
            System.out.printf("[faults] %s: %d requests on %d worker threads against a hung database: all 503, longest %d ms;"
                    + " %d ping+claims pairs meanwhile, median %d ms, slowest %d ms%n", db.product(), requests, workers, longest,
                    pairs.size(), median(pairs), Collections.max(pairs));
            // every one ends within the auth timeout (plus scheduling slack), none waits for ever
            assertThat(Duration.ofMillis(longest)).isLessThan(AUTH_TIMEOUT.plusSeconds(3));
            // a request thread held by the database shows here as waits of a whole connection timeout
            // and more (measured with refresh on the request thread: 4 pairs in 3 s, slowest 2.4 s)
            assertThat(pairs.size()).as("ping+claims pairs served in 3 s").isGreaterThan(5);
            assertThat(median(pairs)).as("median ping+claims pair, ms").isLessThan(750);
            assertThat(Collections.max(pairs)).as("slowest ping+claims pair, ms").isLessThan(2_000);
        } finally {
            clients.shutdownNow();
        }

        proxy.forward();
        long recovery = timeToFirstLogin(c, emails.get(0));
        System.out.printf("[faults] %s: first successful login %d ms after the database came back (hung)%n", db.product(), recovery);
        assertThat(Duration.ofMillis(recovery)).isLessThan(RECOVERY_BOUND);
        assertInvariants();
    }

    @Test
    void connectionsCutAtRandomLeaveNoHalfWrittenRows() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger completedChains = new AtomicInteger();
        ExecutorService loops = Executors.newFixedThreadPool(4);
        List<Future<?>> chains = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            chains.add(loops.submit((Callable<Void>) () -> {
                WebClient own = client();
                while (!stop.get()) {
                    // register, log in, refresh three times; a 503 abandons the chain (no retries,
                    // so that every refresh family must have exactly one live token)
                    String email = newEmail();
                    if (!record(statuses, own.postJson("auth/register", credentials(email)), 201)) {
                        continue;
                    }
                    Reply login = own.postJson("auth/login", credentials(email));
                    if (!record(statuses, login, 200)) {
                        continue;
                    }
                    JsonNode tokens = login.json();
                    boolean ok = true;
                    for (int r = 0; r < 3 && ok; r++) {
                        Reply refreshed = own.postJson("auth/refresh", refreshBody(tokens));
                        ok = record(statuses, refreshed, 200);
                        if (ok) {
                            tokens = refreshed.json();
                        }
                    }
                    if (ok) {
                        completedChains.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        int cuts = 0;
        try {
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (System.nanoTime() < until) {
                Thread.sleep(random.nextLong(150, 400));
                switch (random.nextInt(3)) {
                    case 0:
                        proxy.cutConnections(); // a network blip: the open connections die mid-statement
                        break;
                    case 1:
                        proxy.refuse(); // down for a moment
                        Thread.sleep(random.nextLong(50, 250));
                        proxy.forward();
                        break;
                    default:
                        proxy.latency(Duration.ofMillis(random.nextLong(5, 40))); // slow for a while
                        Thread.sleep(random.nextLong(100, 300));
                        proxy.latency(Duration.ZERO);
                        break;
                }
                cuts++;
            }
        } finally {
            proxy.latency(Duration.ZERO);
            proxy.forward();
            stop.set(true);
        }
        for (Future<?> f : chains) {
            f.get(30, TimeUnit.SECONDS);
        }
        loops.shutdown();
        System.out.printf("[faults] %s: %d faults injected under load; statuses %s; %d register-login-refresh chains completed%n",
                db.product(), cuts, statuses, completedChains.get());
        assertThat(statuses.keySet()).as("only success or 503, never a 500 or a 401").isSubsetOf(200, 201, 503);
        assertThat(statuses.getOrDefault(201, new AtomicInteger()).get()).isPositive();
        assertThat(statuses.getOrDefault(200, new AtomicInteger()).get()).isPositive();
        assertInvariants();

        // and the service is whole again
        eventuallyWhole();
    }

    // ---- what must hold in the database whatever failed when ----

    private void assertInvariants() throws SQLException {
        // every user row is complete: a bcrypt hash, roles, a timestamp
        assertThat(count("SELECT COUNT(*) FROM gh_users WHERE password_hash NOT LIKE '$2%' OR roles = '' OR created_at IS NULL"))
                .as("incomplete user rows").isZero();
        // every family has its first token (the family and its token are one transaction)
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_families f WHERE NOT EXISTS"
                + " (SELECT 1 FROM gh_refresh_tokens t WHERE t.family_id = f.family_id)"))
                .as("families without a token").isZero();
        // no client retried a refresh token, so no family has more than one live token
        assertThat(count("SELECT COUNT(*) FROM (SELECT family_id FROM gh_refresh_tokens"
                + " WHERE used_at IS NULL AND revoked_at IS NULL GROUP BY family_id HAVING COUNT(*) > 1) x"))
                .as("families with more than one unspent token").isZero();
        // a token is spent exactly when its successor exists (marking and issuing are one transaction)
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens p WHERE p.used_at IS NOT NULL AND NOT EXISTS"
                + " (SELECT 1 FROM gh_refresh_tokens c WHERE c.parent_hash = p.token_hash)"))
                .as("spent tokens without a successor").isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_tokens p WHERE p.used_at IS NULL AND EXISTS"
                + " (SELECT 1 FROM gh_refresh_tokens c WHERE c.parent_hash = p.token_hash)"))
                .as("successors of unspent tokens").isZero();
        // no token was spent twice
        assertThat(count("SELECT COUNT(*) FROM (SELECT parent_hash FROM gh_refresh_tokens WHERE parent_hash IS NOT NULL"
                + " GROUP BY parent_hash HAVING COUNT(*) > 1) x"))
                .as("tokens with more than one successor").isZero();
    }

    private long count(String sql, String... params) throws SQLException {
        try (Connection conn = db.dataSource().getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String userId(String email) throws SQLException {
        try (Connection conn = db.dataSource().getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT id FROM gh_users WHERE email = ?")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("user %s exists", email).isTrue();
                return rs.getString(1);
            }
        }
    }

    // ---- helpers ----

    /** Milliseconds from now until a login of {@code email} succeeds (polling every 100 ms, up to twice the bound). */
    private static long timeToFirstLogin(WebClient c, String email) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + RECOVERY_BOUND.multipliedBy(2).toNanos();
        while (true) {
            Reply r = c.postJson("auth/login", credentials(email));
            if (r.status() == 200) {
                return (System.nanoTime() - started) / 1_000_000;
            }
            assertThat(r.status()).as("login while recovering: %s", r).isEqualTo(503);
            if (System.nanoTime() > deadline) {
                return (System.nanoTime() - started) / 1_000_000;
            }
            Thread.sleep(100);
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** {@code 503} with a positive {@code Retry-After} and a problem body, and no token in it. */
    private static void assertUnavailable(Reply r, String what) {
        assertThat(r.status()).as("%s: %s", what, r).isEqualTo(503);
        assertThat(r.header("Retry-After")).as("%s: Retry-After", what).matches("[1-9][0-9]*");
        assertThat(r.contentType()).as("%s: content type", what).startsWith("application/problem+json");
        assertThat(r.json().path("status").asInt()).as("%s: problem status", what).isEqualTo(503);
        assertThat(r.body()).as("%s: body", what).doesNotContain("access_token").doesNotContain("refresh_token");
    }

    private static void assertPromptOk(Reply r, String what) {
        assertThat(r.status()).as("%s: %s", what, r).isEqualTo(200);
        assertThat(r.response.headers().firstValue("Content-Type")).isPresent();
    }

    /** Records a reply's status; whether it is the expected one (anything but it or 503 fails the test later). */
    private static boolean record(Map<Integer, AtomicInteger> statuses, Reply r, int expected) {
        statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
        return r.status() == expected;
    }

    private JsonNode loggedIn(WebClient c, String email) {
        Reply register = c.postJson("auth/register", credentials(email));
        assertThat(register.status()).as("register: %s", register).isEqualTo(201);
        Reply login = c.postJson("auth/login", credentials(email));
        assertThat(login.status()).as("login: %s", login).isEqualTo(200);
        return login.json();
    }

    private WebClient client() {
        return new WebClient(URI.create(running.url));
    }

    private static String newEmail() {
        return "fault-" + UUID.randomUUID().toString().substring(0, 12) + "@gatehouse.test";
    }

    private static String credentials(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
    }

    private static String refreshBody(JsonNode tokens) {
        return "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}";
    }

    private static String[] bearer(JsonNode tokens) {
        return new String[] {"Authorization", "Bearer " + tokens.path("access_token").asText()};
    }
}
