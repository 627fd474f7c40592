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
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.TcpProxy;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.demo.support.DemoProcess;
import dev.gatehouse.demo.support.LoopbackAddresses;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out (issue #8): three demo nodes, each a separate JVM started as an operator starts the
 * demo ({@link DemoProcess}) on its own loopback port, share one database and behave as one
 * service. Every node gets the same settings, which are only the database's, the key-encryption
 * key, the password pepper and the issuer (plus short timings, so that a test of reasonable length can watch them):
 * {@link #nodeSettings(String)}.
 *
 * <p>Node C reaches the database through a {@link TcpProxy}, to cut it and to count its database
 * round trips ({@link TcpProxy#forwardedWrites()}). The checks run in order
 * on the same nodes; figures measured along the way (revocation delays, the revocation cache's
 * database traffic, the rotation's timeline) are printed as {@code [MultiNode <database>]} lines
 * and summarised at the end.
 *
 * <p>Timings on the nodes: revocation staleness {@value #STALENESS_TEXT}, keys reloaded every
 * {@value #KEY_REFRESH_TEXT} and published {@value #PUBLISH_LEAD_TEXT} before they sign, refresh
 * reuse grace zero (a spent token presented again is a replay at once: the race checks then see
 * double spending as a second success instead of a sanctioned sibling), bcrypt cost 4 (test mode),
 * and a per-client limit high enough for the 200-family race (requests come from 127.0.0.1, except
 * in the throttling check, which plays clients at other loopback addresses).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class MultiNodeContract {
    static final String STALENESS_TEXT = "PT2S";
    static final Duration STALENESS = Duration.parse(STALENESS_TEXT);
    static final String KEY_REFRESH_TEXT = "PT2S";
    static final Duration KEY_REFRESH = Duration.parse(KEY_REFRESH_TEXT);
    static final String PUBLISH_LEAD_TEXT = "PT10S";
    static final Duration PUBLISH_LEAD = Duration.parse(PUBLISH_LEAD_TEXT);
    /** What a revocation may take beyond the staleness on a busy 2-core machine: the refresh query, scheduling, the poll. */
    static final Duration STALENESS_MARGIN = Duration.ofMillis(1500);
    static final String ISSUER = "https://gatehouse.multinode.test";
    static final String PASSWORD = "plum-Kettle-4-orbit";
    static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xshare:auto");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern KEY_LINE = Pattern.compile("Key (\\S+) \\(generation (\\d+)");

    private TestDatabases.Database db;
    private String keyEncryptionKey;
    /** The password pepper, the same on every node (as in production: each node must hash alike). */
    private String pepper;
    private Path workRoot;
    private TcpProxy proxyC;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, String> report = new LinkedHashMap<>();
    /** An access token logged out in {@link #logoutAndLogoutAllOnAReachEveryNodeWithinTheStaleness()}, for the new node. */
    private String loggedOutToken;

    /** A fresh, empty schema or database on the server under test. */
    abstract TestDatabases.Database openDatabase();

    /** One running demo node. */
    private record Node(String name, DemoProcess process, WebClient client, Duration startup) {
        URI base() {
            return client.base();
        }
    }

    // ---- set-up -------------------------------------------------------------------------------

    @BeforeAll
    void startThreeNodes() throws Exception {
        db = openDatabase();
        keyEncryptionKey = DemoContract.newKeyEncryptionKey();
        pepper = DemoContract.newPepper();
        workRoot = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"))
                .resolve("multinode-" + db.product().toLowerCase() + "-" + db.name()).toAbsolutePath();
        proxyC = TcpProxy.to(serverAddress());
        // the three start at once on an empty database: schema and first key are created in a race
        Map<String, String> urls = Map.of("A", db.jdbcUrl(), "B", db.jdbcUrl(), "C", viaAddress(proxyC.address()));
        startNodes(urls);
        note("start", nodes.values().stream().map(n -> n.name() + " " + n.startup().toMillis() + " ms")
                .collect(Collectors.joining(", ")) + " (process start to ready line, three JVMs at once)");
        note("logs", workRoot.toString());
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Node node : nodes.values()) {
            node.process().stop(Duration.ofSeconds(15));
        }
        if (proxyC != null) {
            proxyC.close();
        }
        if (db != null) {
            db.close();
        }
        String name = db == null ? "?" : db.product();
        System.out.println("[MultiNode " + name + "] summary:");
        report.forEach((k, v) -> System.out.println("[MultiNode " + name + "]   " + k + ": " + v));
    }

    /** The settings of every node: the database, the key-encryption key, the issuer, and the test's short timings. */
    private Map<String, String> nodeSettings(String jdbcUrl) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEHOUSE_PORT", "0");
        env.put("GATEHOUSE_JDBC_URL", jdbcUrl);
        env.put("GATEHOUSE_JDBC_USER", db.user());
        env.put("GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", keyEncryptionKey);
        env.put("GATEHOUSE_ISSUER", ISSUER);
        env.put("GATEHOUSE_PEPPER", pepper);
        env.put("GATEHOUSE_BCRYPT_COST", "4");
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false");
        env.put("GATEHOUSE_REVOCATION_STALENESS", STALENESS_TEXT);
        env.put("GATEHOUSE_KEY_REFRESH_INTERVAL", KEY_REFRESH_TEXT);
        env.put("GATEHOUSE_KEY_PUBLISH_LEAD", PUBLISH_LEAD_TEXT);
        env.put("GATEHOUSE_REFRESH_REUSE_GRACE", "PT0S");
        env.put("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "100000");
        return env;
    }

    /** Starts nodes in parallel (name to JDBC URL) and waits for each one's ready line. */
    private void startNodes(Map<String, String> urls) throws Exception {
        Map<String, DemoProcess> started = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : urls.entrySet()) {
            started.put(e.getKey(), DemoProcess.start(workRoot.resolve(e.getKey() + "-" + UUID.randomUUID().toString().substring(0, 4)),
                    nodeSettings(e.getValue()), JVM_OPTIONS, DemoProcess.DEMO_MAIN));
        }
        for (Map.Entry<String, DemoProcess> e : started.entrySet()) {
            URI url = e.getValue().awaitReady(START_TIMEOUT);
            Duration startup = Duration.ofNanos(System.nanoTime() - e.getValue().startedNanos());
            nodes.put(e.getKey(), new Node(e.getKey(), e.getValue(), new WebClient(url), startup));
        }
    }

    // ---- 1. one service -----------------------------------------------------------------------

    @Test
    @Order(1)
    void registerOnALogInOnBUseOnCRefreshOnAAndAReplayOnBRevokesTheFamilyEverywhere() {
        String email = uniqueEmail();
        Reply registered = node("A").postJson("auth/register", credentials(email, PASSWORD));
        assertThat(registered.status()).as("register on A: %s", registered).isEqualTo(201);
        String userId = registered.json().path("id").asText();

        Tokens login = login("B", email, PASSWORD);
        Reply claims = claims("C", login.access());
        assertThat(claims.status()).as("B's access token on C: %s", claims).isEqualTo(200);
        assertThat(claims.json().path("sub").asText()).isEqualTo(userId);
        Reply me = node("C").get("api/me", "Authorization", "Bearer " + login.access());
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).as("C reads the user B's login found").isEqualTo(email);

        Tokens refreshed = refresh("A", login.refresh());
        assertThat(refreshed.status()).as("B's refresh token refreshed on A").isEqualTo(200);
        for (String n : List.of("A", "B", "C")) {
            assertThat(claims(n, refreshed.access()).status()).as("A's new access token on %s", n).isEqualTo(200);
        }

        // B's spent refresh token replayed on B: the family is revoked, everywhere, at once for refresh tokens
        Tokens replay = refresh("B", login.refresh());
        assertThat(replay.status()).as("spent refresh token replayed on B").isEqualTo(401);
        for (String n : List.of("A", "B", "C")) {
            assertThat(refresh(n, refreshed.refresh()).status()).as("the family's live refresh token on %s after the replay", n)
                    .isEqualTo(401);
        }
        assertThat(countRows("SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ? AND revoked_at IS NOT NULL", userId))
                .as("the family is revoked in the database").isEqualTo(1);
        // ... and the family's access tokens on every node within the staleness
        Map<String, Duration> delays = awaitRefusedOnAll(List.of("A", "B", "C"), refreshed.access(), System.nanoTime());
        note("replay revokes the family's access tokens", format(delays));
    }

    // ---- 2. verification needs no database ----------------------------------------------------

    @Test
    @Order(2)
    void accessTokensVerifyOnCWhileItsDatabaseIsCut() throws Exception {
        String email = register("A");
        Tokens login = login("A", email, PASSWORD);
        assertThat(claims("C", login.access()).status()).isEqualTo(200);

        long before = proxyC.forwardedWrites();
        proxyC.refuse();
        long cutNanos = System.nanoTime();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // proof that the cut is real: what needs the database on C fails (after the pool's 5 s timeout)
            Future<Reply> me = pool.submit(() -> node("C").get("api/me", "Authorization", "Bearer " + login.access()));
            int ok = 0;
            for (int i = 0; i < 50; i++) {
                Reply r = claims("C", login.access());
                assertThat(r.status()).as("claims on C with its database cut, call %d: %s", i, r).isEqualTo(200);
                assertThat(r.json().path("sub").asText()).isNotBlank();
                ok++;
            }
            Reply meReply = me.get(30, TimeUnit.SECONDS);
            assertThat(meReply.status()).as("/api/me on C reads the database, which is cut: %s", meReply).isEqualTo(503);
            assertThat(meReply.header("Retry-After")).isNotBlank();
            long reached = proxyC.forwardedWrites() - before;
            assertThat(reached).as("nothing of C reached the database while it was cut").isZero();
            note("database cut on C", ok + " of 50 /api/claims answered 200 in "
                    + Duration.ofNanos(System.nanoTime() - cutNanos).toMillis() + " ms; /api/me 503 with Retry-After");
        } finally {
            proxyC.forward();
            pool.shutdownNow();
        }
        Reply back = Poll.until(Duration.ofSeconds(20), Duration.ofMillis(200),
                () -> node("C").get("api/me", "Authorization", "Bearer " + login.access()), r -> r.status() == 200);
        assertThat(back.status()).as("C uses its database again once it is back: %s", back).isEqualTo(200);
    }

    // ---- 3. throttling ------------------------------------------------------------------------

    @Test
    @Order(3)
    void theLoginThrottleIsOneForAllNodesAndSparesTheOwnersDevice() throws Exception {
        String email = register("B");
        List<String> order = List.of("A", "B", "C");
        InetAddress owner = LoopbackAddresses.next();
        assertThat(from("C", owner).postJson("auth/login", credentials(email, PASSWORD)).status())
                .as("the owner logs in on C: that client is the owner's device on every node").isEqualTo(200);

        // one guesser spreads its guesses over the nodes: five are judged in all (5 per client), then 429 everywhere
        InetAddress guesser = LoopbackAddresses.next();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String n = order.get(i % 3);
            Reply r = from(n, guesser).postJson("auth/login", credentials(email, "wrong-" + i + PASSWORD));
            seen.add(n + ":" + r.status());
            if (r.status() == 429) {
                assertThat(Long.parseLong(r.header("Retry-After"))).as("%s", r).isBetween(270L, 300L);
            }
        }
        assertThat(seen).containsExactly("A:401", "B:401", "C:401", "A:401", "B:401", "C:429", "A:429", "B:429");

        // fifteen wrong logins at once from another client, five on each node: exactly five are judged
        InetAddress racer = LoopbackAddresses.next();
        ExecutorService pool = Executors.newFixedThreadPool(15);
        List<Integer> raced = new ArrayList<>();
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < 15; i++) {
                String n = order.get(i % 3);
                String password = "raced-" + i + PASSWORD;
                futures.add(pool.submit(() -> {
                    gate.await();
                    return from(n, racer).postJson("auth/login", credentials(email, password));
                }));
            }
            gate.countDown();
            for (Future<Reply> f : futures) {
                raced.add(f.get(60, TimeUnit.SECONDS).status());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(raced.stream().filter(st -> st == 401).count()).as("judged of 15 concurrent, on three nodes: %s", raced)
                .isEqualTo(5);
        assertThat(raced.stream().filter(st -> st == 429).count()).as("%s", raced).isEqualTo(10);

        // eight more clients, five guesses each, spread over the nodes: 50 failures in all, the account's ceiling
        int judged = 10;
        for (int c = 0; c < 8; c++) {
            InetAddress client = LoopbackAddresses.next();
            for (int i = 0; i < 5; i++) {
                Reply r = from(order.get((c + i) % 3), client).postJson("auth/login", credentials(email, "spread-" + c + i + PASSWORD));
                assertThat(r.status()).as("client %d, guess %d: %s", c, i, r).isEqualTo(401);
                judged++;
            }
        }
        assertThat(judged).isEqualTo(50);
        for (String n : order) {
            Reply fresh = from(n, LoopbackAddresses.next()).postJson("auth/login", credentials(email, PASSWORD));
            assertThat(fresh.status()).as("the right password from a new device on %s: %s", n, fresh).isEqualTo(429);
            assertThat(Long.parseLong(fresh.header("Retry-After"))).isBetween(1L, 72L);
            Reply own = from(n, owner).postJson("auth/login", credentials(email, PASSWORD));
            assertThat(own.status()).as("the owner's device on %s: %s", n, own).isEqualTo(200);
        }
        // the shared table holds keyed hashes, never the email nor its plain hash
        assertThat(countRows("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key = ?", sha256Hex(email))).isZero();
        assertThat(countRows("SELECT COUNT(*) FROM gh_login_buckets WHERE bucket_key = ?", email)).isZero();
        note("throttling", "one guesser over A, B, C " + seen + "; 15 concurrent from one client: " + raced
                + "; after 50 failures from 10 clients a new device gets 429 on every node, the owner's device 200");
    }

    /** A client of node {@code name} connecting from {@code local} (another client address). */
    private WebClient from(String name, InetAddress local) {
        return node(name).from(local);
    }

    // ---- 4. revocation staleness --------------------------------------------------------------

    @Test
    @Order(4)
    void logoutAndLogoutAllOnAReachEveryNodeWithinTheStaleness() {
        String email = register("A");
        Tokens first = login("B", email, PASSWORD);
        for (String n : List.of("A", "B", "C")) {
            assertThat(claims(n, first.access()).status()).as("before logout, on %s", n).isEqualTo(200);
        }
        long sent = System.nanoTime();
        Reply logout = node("A").post("auth/logout", null, null, "Authorization", "Bearer " + first.access());
        assertThat(logout.status()).as("%s", logout).isEqualTo(204);
        assertThat(claims("A", first.access()).status()).as("refused on A at once").isEqualTo(401);
        Map<String, Duration> logoutDelays = awaitRefusedOnAll(List.of("B", "C"), first.access(), sent);
        assertThat(refresh("C", first.refresh()).status()).as("the logged-out login's refresh token, on C").isEqualTo(401);
        loggedOutToken = first.access();

        Tokens second = login("C", email, PASSWORD);
        Tokens third = login("B", email, PASSWORD);
        for (String n : List.of("A", "B", "C")) {
            assertThat(claims(n, third.access()).status()).as("before logout-all, on %s", n).isEqualTo(200);
        }
        sent = System.nanoTime();
        Reply all = node("A").post("auth/logout-all", null, null, "Authorization", "Bearer " + second.access());
        assertThat(all.status()).as("%s", all).isEqualTo(204);
        assertThat(claims("A", third.access()).status()).as("another login's token refused on A at once").isEqualTo(401);
        Map<String, Duration> allDelays = awaitRefusedOnAll(List.of("B", "C"), third.access(), sent);
        assertThat(refresh("B", third.refresh()).status()).as("every refresh token of the user, on B").isEqualTo(401);

        note("logout on A refused after", format(logoutDelays) + " (staleness " + STALENESS.toMillis() + " ms)");
        note("logout-all on A refused after", format(allDelays) + " (staleness " + STALENESS.toMillis() + " ms)");
    }

    @Test
    @Order(5)
    void aLoginRightAfterLogoutAllWorksOnEveryNodeAtOnceAndStaysValid() throws Exception {
        String email = register("B");
        Tokens old = login("C", email, PASSWORD);
        for (int round = 0; round < 3; round++) {
            Tokens current = login("A", email, PASSWORD);
            Reply all = node("A").post("auth/logout-all", null, null, "Authorization", "Bearer " + current.access());
            assertThat(all.status()).as("%s", all).isEqualTo(204);
            // at once, on another node: its generation is read from the database at login
            Tokens fresh = login("B", email, PASSWORD);
            for (String n : List.of("A", "B", "C")) {
                assertThat(claims(n, fresh.access()).status()).as("round %d: B's login right after A's logout-all, on %s", round, n)
                        .isEqualTo(200);
            }
            old = fresh;
        }
        Thread.sleep(STALENESS.plus(STALENESS_MARGIN).toMillis());
        for (String n : List.of("A", "B", "C")) {
            assertThat(claims(n, old.access()).status()).as("the last login, past the staleness, on %s", n).isEqualTo(200);
        }
        assertThat(refresh("C", old.refresh()).status()).isEqualTo(200);
    }

    // ---- 5. the revocation cache's cost -------------------------------------------------------

    @Test
    @Order(6)
    void theRevocationCacheCostsQueriesPerIntervalNotPerRequest() throws Exception {
        String email = register("C");
        Tokens login = login("C", email, PASSWORD);
        Duration window = STALENESS.multipliedBy(2);

        long idle = roundTripsDuring(window, () -> { });
        int requests = 400;
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long before = proxyC.forwardedWrites();
        long start = System.nanoTime();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                WebClient c = new WebClient(node("C").base());
                while (sent.incrementAndGet() <= requests) {
                    if (c.get("api/claims", "Authorization", "Bearer " + login.access()).status() != 200) {
                        refused.incrementAndGet();
                    }
                }
            }, "claims-" + i);
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) {
            t.join(120_000);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        long busy = proxyC.forwardedWrites() - before;
        // what the caches alone cost over that time, from the idle window's rate
        double expected = idle * (double) Math.max(took.toMillis(), window.toMillis()) / window.toMillis();
        note("database round trips of node C", "idle: " + idle + " in " + window.toMillis() + " ms; while serving " + requests
                + " /api/claims in " + took.toMillis() + " ms: " + busy + " (revocations every " + STALENESS.toMillis()
                + " ms, keys every " + KEY_REFRESH.toMillis() + " ms; a round trip is one write from C's driver)");
        assertThat(refused.get()).as("refused /api/claims").isZero();
        assertThat(idle).as("the caches do refresh (round trips in an idle window of %s)", window).isPositive();
        // per request would be at least one round trip each; per interval is what the idle rate predicts
        assertThat(busy).as("round trips while serving %d requests in %s (idle: %d in %s)", requests, took, idle, window)
                .isLessThan(requests / 4)
                .isLessThanOrEqualTo(Math.round(2 * expected) + 10);
    }

    /** Round trips from C to its database while {@code work} runs for {@code window} (the work may end earlier). */
    private long roundTripsDuring(Duration window, Runnable work) throws InterruptedException {
        long before = proxyC.forwardedWrites();
        long start = System.nanoTime();
        work.run();
        long left = window.toNanos() - (System.nanoTime() - start);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        return proxyC.forwardedWrites() - before;
    }

    // ---- 6. key rotation ----------------------------------------------------------------------

    @Test
    @Order(7)
    void aKeyRotationIsInvisibleToClientsOfEveryNode() throws Exception {
        String email = register("B");
        Tokens old = login("B", email, PASSWORD);
        String oldKid = kid(old.access());
        Traffic traffic = new Traffic(email, old.access(), oldKid);
        Thread client = new Thread(traffic, "rotation-client");
        client.start();
        try {
            Poll.until(Duration.ofSeconds(10), () -> traffic.requests.get(), r -> r > 20);
            long rotateNanos = System.nanoTime();
            DemoProcess admin = DemoProcess.start(workRoot.resolve("keyadmin"), Map.of(
                    "GATEHOUSE_JDBC_URL", db.jdbcUrl(), "GATEHOUSE_JDBC_USER", db.user(),
                    "GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password(),
                    "GATEHOUSE_KEY_ENCRYPTION_KEY", keyEncryptionKey), JVM_OPTIONS,
                    "dev.gatehouse.jdbc.keys.KeyAdmin", "rotate", "--publish-lead", PUBLISH_LEAD_TEXT);
            assertThat(admin.awaitExit(Duration.ofSeconds(60))).as("KeyAdmin rotate; stderr:\n%s", admin.stderr()).isEqualTo(0);
            String out = String.join("\n", admin.stdoutLines());
            Matcher m = KEY_LINE.matcher(out);
            assertThat(m.find()).as("KeyAdmin's output: %s", out).isTrue();
            String newKid = m.group(1);
            Instant createdAt = instant("SELECT created_at FROM gh_signing_keys WHERE kid = ?", newKid);
            Instant activatesAt = instant("SELECT activates_at FROM gh_signing_keys WHERE kid = ?", newKid);
            assertThat(Duration.between(createdAt, activatesAt)).as("the new key signs one publish lead after it was stored")
                    .isEqualTo(PUBLISH_LEAD);

            // publish: every node's JWK Set has the new key within its refresh interval, before the key signs
            Map<String, Long> publishedNanos = new ConcurrentHashMap<>();
            for (String n : List.of("A", "B", "C")) {
                JsonNode jwks = Poll.until(KEY_REFRESH.plusSeconds(5), Duration.ofMillis(50),
                        () -> node(n).get(".well-known/jwks.json").json(), j -> kids(j).contains(newKid));
                assertThat(kids(jwks)).as("%s's JWK Set", n).contains(newKid, oldKid);
                publishedNanos.put(n, System.nanoTime());
            }
            // sign: all three nodes switch, and every client request keeps succeeding
            Poll.until(PUBLISH_LEAD.plusSeconds(15), Duration.ofMillis(100), () -> traffic.newKidFrom.keySet(),
                    s -> s.containsAll(List.of("A", "B", "C")));
            Thread.sleep(1000);
            traffic.stop = true;
            client.join(30_000);

            assertThat(traffic.failures).as("refused or failed requests during the rotation").isEmpty();
            assertThat(traffic.newKidFrom.keySet()).as("nodes that issued tokens signed by the new key")
                    .containsExactlyInAnyOrder("A", "B", "C");
            long firstNewToken = Collections.min(traffic.firstNewKidNanos.values());
            for (Map.Entry<String, Long> e : publishedNanos.entrySet()) {
                assertThat(e.getValue()).as("%s published the new key before any node signed with it", e.getKey())
                        .isLessThan(firstNewToken);
            }
            for (String n : List.of("A", "B", "C")) {
                String token = traffic.newKidFrom.get(n);
                assertThat(kid(token)).isEqualTo(newKid);
                assertThat(Instant.ofEpochSecond(payload(token).path("iat").asLong()))
                        .as("%s signed with the new key no earlier than its activation (iat has whole seconds)", n)
                        .isAfterOrEqualTo(activatesAt.minusSeconds(1));
                assertThat(claims(n, old.access()).status()).as("the old key's token, still valid, on %s", n).isEqualTo(200);
            }
            note("rotation", "KeyAdmin rotate at t=0; new key " + newKid + " in the JWK Sets of "
                    + publishedNanos.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + " at +" + millis(e.getValue() - rotateNanos) + " ms").collect(Collectors.joining(", "))
                    + "; first token it signed at +" + millis(firstNewToken - rotateNanos) + " ms (publish lead "
                    + PUBLISH_LEAD.toMillis() + " ms); " + traffic.requests.get() + " requests during the rotation, "
                    + traffic.failures.size() + " refused");
        } finally {
            traffic.stop = true;
            client.join(30_000);
        }
    }

    /** A client that keeps logging in or refreshing on random nodes and calling every node with its tokens. */
    private final class Traffic implements Runnable {
        final String email;
        final String oldToken;
        final String oldKid;
        final AtomicInteger requests = new AtomicInteger();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final Map<String, String> newKidFrom = new ConcurrentHashMap<>();
        final Map<String, Long> firstNewKidNanos = new ConcurrentHashMap<>();
        volatile boolean stop;

        Traffic(String email, String oldToken, String oldKid) {
            this.email = email;
            this.oldToken = oldToken;
            this.oldKid = oldKid;
        }

        @Override
        public void run() {
            List<String> names = List.of("A", "B", "C");
            Tokens current = null;
            for (int i = 0; !stop && i < 100_000; i++) {
                try {
                    String n = names.get(ThreadLocalRandom.current().nextInt(3));
                    Tokens next = current == null || i % 5 == 0 ? login(n, email, PASSWORD) : refresh(n, current.refresh());
                    requests.incrementAndGet();
                    if (next.status() != 200) {
                        failures.add((current == null || i % 5 == 0 ? "login" : "refresh") + " on " + n + ": " + next.status());
                        continue;
                    }
                    current = next;
                    if (!kid(next.access()).equals(oldKid)) {
                        newKidFrom.putIfAbsent(n, next.access());
                        firstNewKidNanos.putIfAbsent(n, System.nanoTime());
                    }
                    for (String m : names) {
                        for (String token : List.of(next.access(), oldToken)) {
                            Reply r = claims(m, token);
                            requests.incrementAndGet();
                            if (r.status() != 200) {
                                failures.add("claims on " + m + " with a token of " + kid(token) + ": " + r.status() + " "
                                        + r.header("WWW-Authenticate"));
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }
    }

    // ---- 7. refresh races ---------------------------------------------------------------------

    @Test
    @Order(8)
    void twoHundredParallelRefreshesOverTheNodesNeverDoubleSpendAToken() throws Exception {
        String email = register("A");
        int families = 200;
        int raced = 20;
        List<String> names = List.of("A", "B", "C");
        ExecutorService pool = Executors.newFixedThreadPool(48);
        try {
            List<Future<Tokens>> logins = new ArrayList<>();
            for (int i = 0; i < families + raced; i++) {
                String n = names.get(i % 3);
                // each from a client address of its own: one client may have only a few logins of
                // one account in flight at once (the throttle reserves each attempt before hashing)
                InetAddress client = LoopbackAddresses.next();
                logins.add(pool.submit(() -> tokens(from(n, client).postJson("auth/login", credentials(email, PASSWORD)))));
            }
            List<Tokens> pairs = new ArrayList<>();
            for (Future<Tokens> f : logins) {
                Tokens t = f.get(60, TimeUnit.SECONDS);
                assertThat(t.status()).isEqualTo(200);
                pairs.add(t);
            }

            // every task waits at the gate, then all go at once: 200 families once each, 20 tokens on all three nodes
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<Tokens>> single = new ArrayList<>();
            List<List<Future<Tokens>>> races = new ArrayList<>();
            for (int i = 0; i < families; i++) {
                String n = names.get(i % 3);
                String token = pairs.get(i).refresh();
                single.add(pool.submit(() -> {
                    gate.await();
                    return refresh(n, token);
                }));
            }
            for (int i = families; i < families + raced; i++) {
                String token = pairs.get(i).refresh();
                List<Future<Tokens>> racers = new ArrayList<>();
                for (String n : names) {
                    racers.add(pool.submit(() -> {
                        gate.await();
                        return refresh(n, token);
                    }));
                }
                races.add(racers);
            }
            long start = System.nanoTime();
            gate.countDown();
            List<Tokens> singleResults = new ArrayList<>();
            for (Future<Tokens> f : single) {
                singleResults.add(f.get(60, TimeUnit.SECONDS));
            }
            int raceWinners = 0;
            List<Tokens> winners = new ArrayList<>();
            for (int r = 0; r < raced; r++) {
                List<Integer> statuses = new ArrayList<>();
                for (Future<Tokens> f : races.get(r)) {
                    Tokens t = f.get(60, TimeUnit.SECONDS);
                    statuses.add(t.status());
                    if (t.status() == 200) {
                        winners.add(t);
                    }
                }
                assertThat(statuses).as("one refresh token presented on A, B and C at once").containsOnly(200, 401)
                        .containsOnlyOnce(200);
                raceWinners++;
            }
            long took = System.nanoTime() - start;

            Set<String> successors = new TreeSet<>();
            for (int i = 0; i < families; i++) {
                Tokens t = singleResults.get(i);
                assertThat(t.status()).as("family %d refreshed on %s", i, names.get(i % 3)).isEqualTo(200);
                successors.add(sha256Hex(t.refresh()));
                List<String> children = strings("SELECT token_hash FROM gh_refresh_tokens WHERE parent_hash = ?",
                        sha256Hex(pairs.get(i).refresh()));
                assertThat(children).as("successors of family %d's spent token", i).containsExactly(sha256Hex(t.refresh()));
            }
            assertThat(successors).hasSize(families);
            assertThat(strings("SELECT parent_hash FROM gh_refresh_tokens WHERE parent_hash IS NOT NULL"
                    + " GROUP BY parent_hash HAVING COUNT(*) > 1"))
                    .as("spent tokens with more than one successor, anywhere").isEmpty();
            for (int r = 0; r < raced; r++) {
                String spent = sha256Hex(pairs.get(families + r).refresh());
                assertThat(countRows("SELECT COUNT(*) FROM gh_refresh_tokens t JOIN gh_refresh_families f"
                        + " ON f.family_id = t.family_id WHERE t.parent_hash = ? AND t.revoked_at IS NULL AND f.revoked_at IS NULL", spent))
                        .as("live successors of raced token %d (the losers' replays revoked its family)", r).isZero();
            }
            for (Tokens w : winners) {
                assertThat(refresh("C", w.refresh()).status()).as("a race winner's refresh token after the replays").isEqualTo(401);
            }
            note("refresh races", families + " families refreshed once each, spread over A, B, C, plus " + raced
                    + " tokens each sent to A, B and C at once: " + (families + 3 * raced) + " parallel refreshes in "
                    + millis(took) + " ms; " + raceWinners + " races with exactly one winner; no token with two successors");
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- 8. restart and join ------------------------------------------------------------------

    @Test
    @Order(9)
    void aRestartedNodeAndANewNodeNeedOnlyTheDatabaseSettings() throws Exception {
        String email = register("A");
        Tokens before = login("A", email, PASSWORD);
        Node b = nodes.remove("B");
        assertThat(b.process().stop(Duration.ofSeconds(15))).as("B stops on SIGTERM").isIn(0, 143);

        startNodes(Map.of("B", db.jdbcUrl(), "D", db.jdbcUrl()));
        note("restart and join", "B again in " + nodes.get("B").startup().toMillis() + " ms, new node D in "
                + nodes.get("D").startup().toMillis() + " ms");
        for (String n : List.of("B", "D")) {
            assertThat(claims(n, before.access()).status()).as("a token issued by A before %s started, on %s", n, n)
                    .isEqualTo(200);
            if (loggedOutToken != null) {
                assertThat(claims(n, loggedOutToken).status()).as("a token logged out before %s started, on %s", n, n)
                        .isEqualTo(401);
            }
        }
        Tokens onD = refresh("D", before.refresh());
        assertThat(onD.status()).as("A's refresh token refreshed on D").isEqualTo(200);
        for (String n : List.of("A", "B", "C", "D")) {
            assertThat(claims(n, onD.access()).status()).as("D's access token on %s", n).isEqualTo(200);
        }
        Tokens onB = refresh("B", onD.refresh());
        assertThat(onB.status()).as("D's refresh token refreshed on the restarted B").isEqualTo(200);
        assertThat(kids(node("D").get(".well-known/jwks.json").json()))
                .as("D publishes the keys A publishes").isEqualTo(kids(node("A").get(".well-known/jwks.json").json()));
    }

    // ---- 9. revocations outlive exp ------------------------------------------------------------

    /**
     * A node E issuing 10-second tokens: a logout, a reuse detection and a logout-all made on E stay in
     * force on every node after the tokens' {@code exp}, for as long as the clock leeway (30 s) would
     * still let them pass.
     */
    @Test
    @Order(10)
    void revocationsStayInForceOnEveryNodeThroughTheLeewayAfterExp() throws Exception {
        Map<String, String> settings = nodeSettings(db.jdbcUrl());
        settings.put("GATEHOUSE_ACCESS_TOKEN_TTL", "PT10S");
        DemoProcess process = DemoProcess.start(workRoot.resolve("E-" + UUID.randomUUID().toString().substring(0, 4)),
                settings, JVM_OPTIONS, DemoProcess.DEMO_MAIN);
        URI url = process.awaitReady(START_TIMEOUT);
        nodes.put("E", new Node("E", process, new WebClient(url), Duration.ofNanos(System.nanoTime() - process.startedNanos())));

        String loggedOutUser = register("E");
        String reusedUser = register("E");
        String everywhereUser = register("E");
        Tokens loggedOut = login("E", loggedOutUser, PASSWORD);
        Tokens reused = login("E", reusedUser, PASSWORD);
        Tokens everywhere = login("E", everywhereUser, PASSWORD);
        long exp = payload(everywhere.access()).path("exp").asLong();
        assertThat(exp - payload(everywhere.access()).path("iat").asLong()).as("E issues 10-second tokens").isEqualTo(10);

        assertThat(node("E").post("auth/logout", null, null, "Authorization", "Bearer " + loggedOut.access()).status()).isEqualTo(204);
        Tokens rotated = refresh("E", reused.refresh());
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(refresh("E", reused.refresh()).status()).as("the replay (grace zero) revokes the family").isEqualTo(401);
        assertThat(node("E").post("auth/logout-all", null, null, "Authorization", "Bearer " + everywhere.access()).status())
                .isEqualTo(204);
        List<String> revoked = List.of(loggedOut.access(), reused.access(), rotated.access(), everywhere.access());

        // past exp by more than the staleness, well inside the 30 s leeway
        long waitUntil = (exp + STALENESS.plus(STALENESS_MARGIN).toSeconds() + 2) * 1000;
        Thread.sleep(Math.max(0, waitUntil - System.currentTimeMillis()));
        assertThat(System.currentTimeMillis() / 1000).as("still inside the leeway").isLessThan(exp + 25);
        for (String n : List.of("A", "B", "C", "E")) {
            for (String token : revoked) {
                assertThat(claims(n, token).status()).as("a revoked token past its exp, within the leeway, on %s", n).isEqualTo(401);
            }
        }
        Tokens after = login("E", everywhereUser, PASSWORD);
        assertThat(claims("A", after.access()).status()).as("the user logs in again").isEqualTo(200);
        note("revocations past exp", "logout, reuse and logout-all tokens of 10 s refused on A, B, C and E "
                + (System.currentTimeMillis() / 1000 - exp) + " s after their exp (leeway 30 s)");
    }

    // ---- 10. roles ---------------------------------------------------------------------------

    /**
     * A role granted and then taken away with the admin command line, while the nodes run: the
     * user's earlier token is refused on every node within the staleness, and the next refresh (on
     * another node) carries the new roles.
     */
    @Test
    @Order(11)
    void aChangeOfRolesByTheAdminToolReachesEveryNodeWithinTheStaleness() throws Exception {
        String email = register("A");
        Tokens before = login("B", email, PASSWORD);
        for (String n : List.of("A", "B", "C")) {
            assertThat(node(n).get("api/admin", "Authorization", "Bearer " + before.access()).status())
                    .as("a new account is not admin, on %s", n).isEqualTo(403);
        }

        roles("grant", email, "admin");
        // from the tool's exit, which follows its commit: the launch of its JVM is not the nodes' delay
        long granted = System.nanoTime();
        Map<String, Duration> grantDelays = awaitRefusedOnAll(List.of("A", "B", "C"), before.access(), granted);
        Tokens admin = refresh("C", before.refresh());
        assertThat(admin.status()).as("the session stays: a refresh on C").isEqualTo(200);
        assertThat(payload(admin.access()).path("roles").toString()).contains("admin");
        for (String n : List.of("A", "B", "C")) {
            assertThat(node(n).get("api/admin", "Authorization", "Bearer " + admin.access()).status())
                    .as("the refreshed token is admin on %s", n).isEqualTo(200);
        }

        roles("revoke", email, "admin");
        // from the tool's exit, which follows its commit: the launch of its JVM is not the nodes' delay
        long revoked = System.nanoTime();
        Map<String, Duration> revokeDelays = awaitRefusedOnAll(List.of("A", "B", "C"), admin.access(), revoked);
        Tokens demoted = refresh("A", admin.refresh());
        assertThat(demoted.status()).isEqualTo(200);
        for (String n : List.of("A", "B", "C")) {
            assertThat(node(n).get("api/admin", "Authorization", "Bearer " + demoted.access()).status())
                    .as("admin no more, on %s", n).isEqualTo(403);
        }
        note("role granted by KeyAdmin, earlier token refused after", format(grantDelays));
        note("role revoked by KeyAdmin, admin token refused after", format(revokeDelays));
    }

    /** Runs {@code KeyAdmin roles <verb> <email> <role>} as an operator would, against the nodes' database. */
    private void roles(String verb, String email, String role) throws InterruptedException {
        DemoProcess admin = DemoProcess.start(workRoot.resolve("keyadmin-roles-" + verb), Map.of(
                "GATEHOUSE_JDBC_URL", db.jdbcUrl(), "GATEHOUSE_JDBC_USER", db.user(),
                "GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password()), JVM_OPTIONS,
                "dev.gatehouse.jdbc.keys.KeyAdmin", "roles", verb, email, role);
        assertThat(admin.awaitExit(Duration.ofSeconds(60))).as("KeyAdmin roles %s; stderr:\n%s", verb, admin.stderr()).isEqualTo(0);
        assertThat(String.join("\n", admin.stdoutLines())).contains(verb.equals("grant") ? "Granted " : "Revoked ");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private record Tokens(int status, String access, String refresh) {
    }

    private WebClient node(String name) {
        Node node = nodes.get(name);
        assertThat(node).as("node %s", name).isNotNull();
        // a client per call: WebClient keeps a cookie jar, and calls run on several threads
        return new WebClient(node.base());
    }

    private String register(String on) {
        String email = uniqueEmail();
        Reply r = node(on).postJson("auth/register", credentials(email, PASSWORD));
        assertThat(r.status()).as("register on %s: %s", on, r).isEqualTo(201);
        return email;
    }

    private Tokens login(String on, String email, String password) {
        return tokens(node(on).postJson("auth/login", credentials(email, password)));
    }

    private Tokens refresh(String on, String refreshToken) {
        return tokens(node(on).postJson("auth/refresh", "{\"refresh_token\":\"" + refreshToken + "\"}"));
    }

    private static Tokens tokens(Reply r) {
        if (r.status() != 200) {
            return new Tokens(r.status(), null, null);
        }
        JsonNode json = r.json();
        return new Tokens(200, json.path("access_token").asText(), json.path("refresh_token").asText());
    }

    private Reply claims(String on, String accessToken) {
        return node(on).get("api/claims", "Authorization", "Bearer " + accessToken);
    }

    /**
     * Polls each node (in parallel, every 20 ms) until it refuses {@code token}; the delay per node
     * since {@code sentNanos}, each asserted to be within the staleness plus the margin.
     */
    private Map<String, Duration> awaitRefusedOnAll(List<String> names, String token, long sentNanos) {
        Map<String, Duration> delays = new ConcurrentHashMap<>();
        Duration limit = STALENESS.plus(STALENESS_MARGIN);
        List<Thread> pollers = new ArrayList<>();
        for (String n : names) {
            Thread t = new Thread(() -> {
                Reply r = Poll.until(limit.plusSeconds(5), Duration.ofMillis(20), () -> claims(n, token), x -> x.status() == 401);
                if (r.status() == 401) {
                    delays.put(n, Duration.ofNanos(System.nanoTime() - sentNanos));
                }
            }, "poll-" + n);
            t.start();
            pollers.add(t);
        }
        for (Thread t : pollers) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        for (String n : names) {
            assertThat(delays).as("node %s refused the revoked token at all", n).containsKey(n);
            assertThat(delays.get(n)).as("delay until %s refused the revoked token (staleness %s + margin %s)", n, STALENESS,
                    STALENESS_MARGIN).isLessThanOrEqualTo(limit);
        }
        return new java.util.TreeMap<>(delays);
    }

    private static String format(Map<String, Duration> delays) {
        return delays.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().toMillis() + " ms")
                .collect(Collectors.joining(", "));
    }

    private void note(String what, String figures) {
        report.put(what, figures);
        System.out.println("[MultiNode " + db.product() + "] " + what + ": " + figures);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static String credentials(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    private static String uniqueEmail() {
        return "node-" + UUID.randomUUID().toString().substring(0, 12) + "@gatehouse.test";
    }

    private static JsonNode part(String jwt, int index) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kid(String jwt) {
        return part(jwt, 0).path("kid").asText();
    }

    private static JsonNode payload(String jwt) {
        return part(jwt, 1);
    }

    private static Set<String> kids(JsonNode jwks) {
        Set<String> kids = new TreeSet<>();
        jwks.path("keys").forEach(k -> kids.add(k.path("kid").asText()));
        return kids;
    }

    static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database server's {@code host:port}, from the test database's URL. */
    private String serverAddress() {
        Matcher m = Pattern.compile("//([^/?]+)").matcher(db.jdbcUrl());
        assertThat(m.find()).as("host:port in %s", db.jdbcUrl()).isTrue();
        return m.group(1);
    }

    /** The test database's URL with another {@code host:port}. */
    private String viaAddress(String address) {
        return db.jdbcUrl().replace("//" + serverAddress(), "//" + address);
    }

    private long countRows(String sql, String parameter) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private List<String> strings(String sql, String... parameters) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1).strip());
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private Instant instant(String sql, String parameter) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("%s with %s", sql, parameter).isTrue();
                // as the stores write them: TIMESTAMPTZ on PostgreSQL, UTC wall time on MariaDB
                return "PostgreSQL".equals(db.product()) ? rs.getObject(1, java.time.OffsetDateTime.class).toInstant()
                        : rs.getObject(1, java.time.LocalDateTime.class).toInstant(java.time.ZoneOffset.UTC);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
