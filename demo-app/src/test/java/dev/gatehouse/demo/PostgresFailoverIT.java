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
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.gatehouse.demo.support.DemoProcess;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.ReplicatedPostgres;
import dev.gatehouse.demo.support.ReplicatedPostgres.Server;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Gatehouse on a replicated PostgreSQL through a failover, under load. The test starts the whole
 * topology itself on loopback ({@link ReplicatedPostgres}): a primary (server A) and its synchronous
 * streaming replica (server B, made with {@code pg_basebackup}), a PgBouncer in transaction pooling
 * mode in front of each, and three demo nodes (separate JVMs, {@link DemoProcess}) whose JDBC URL
 * names both poolers with {@code targetServerType=primary}. Mail goes to a real SMTP server
 * (GreenMail) in this JVM.
 *
 * <p>While clients register (each verifying the mailed link), log in, refresh and call a verified
 * endpoint ({@code /api/claims}, which needs no database) on all three nodes, the test crashes the
 * primary ({@code pg_ctl stop -m immediate}), leaves the cluster without a primary for
 * {@link #NO_PRIMARY}, then does what a failover manager does: promotes the replica and tells its
 * pooler to reconnect. Every response is recorded (operation, node, status, {@code Retry-After},
 * time), and afterwards it checks what clients saw and what the promoted database holds: see
 * {@link #underLoadTheFailoverLosesNothingAcknowledgedAndWritesReturnOnEveryNode()}.
 *
 * <p>Runs in the Maven profile {@code failover} only ({@code mvn -Pfailover ...}); it fails, never
 * skips, when PostgreSQL's binaries or PgBouncer are missing. Figures are printed as
 * {@code [Failover]} lines; docs/scaling.md quotes them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresFailoverIT {
    static final String ISSUER = "https://gatehouse.failover.test";
    static final String PASSWORD = "plum-Kettle-4-orbit";
    static final String DOMAIN = "failover.test";
    static final List<String> NODES = List.of("n1", "n2", "n3");
    static final String STALENESS_TEXT = "PT2S";
    static final Duration STALENESS = Duration.parse(STALENESS_TEXT);
    /** pgjdbc's {@code hostRecheckSeconds} in the nodes' URL: how long a host's primary-or-not verdict is trusted. */
    static final int HOST_RECHECK_SECONDS = 2;
    /** How long the cluster has no primary: the failover manager's detection time, which is not Gatehouse's to measure. */
    static final Duration NO_PRIMARY = Duration.ofSeconds(5);
    /** Steady load before the crash, and again after every node writes again. */
    static final Duration STEADY = Duration.ofSeconds(6);
    /** The bound on the time from the promotion to a successful write on every node (measured: about half a second, 5.2 s at worst). */
    static final Duration RECOVERY_BOUND = Duration.ofSeconds(30);
    static final Duration MAIL_WAIT = Duration.ofSeconds(60);
    static final int CHAINS = 4;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    /** The multi-node tests' JVM options, and times in the nodes' log lines (to line them up with {@code calls.csv}). */
    private static final List<String> JVM_OPTIONS = Stream.concat(MultiNodeContract.JVM_OPTIONS.stream(),
            Stream.of("-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS")).collect(Collectors.toList());
    private static final Pattern LINK = Pattern.compile("verify-email\\?token=([A-Za-z0-9_-]{43})");

    private ReplicatedPostgres cluster;
    private GreenMail smtp;
    private MailSink mails;
    private Path workRoot;
    private final Map<String, DemoProcess> processes = new LinkedHashMap<>();
    private final Map<String, URI> bases = new LinkedHashMap<>();
    private final Map<String, String> report = new LinkedHashMap<>();

    // ---- set-up -------------------------------------------------------------------------------

    @BeforeAll
    void startTopology() throws Exception {
        ReplicatedPostgres.requireBinaries();
        workRoot = Path.of(System.getProperty("gatehouse.test.work", "target/it-work"))
                .resolve("failover-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        long started = System.nanoTime();
        cluster = ReplicatedPostgres.start();
        note("database cluster", "primary A and synchronous replica B, a PgBouncer (transaction pooling, " + ReplicatedPostgres.SERVER_CONNECTIONS
                + " server connections) in front of each, up in " + millis(System.nanoTime() - started) + " ms");
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        mails = new MailSink(smtp);
        mails.start();

        Map<String, String> env = nodeSettings();
        for (String n : NODES) {
            processes.put(n, DemoProcess.start(workRoot.resolve(n), env, JVM_OPTIONS, DemoProcess.DEMO_MAIN));
        }
        for (String n : NODES) {
            bases.put(n, processes.get(n).awaitReady(START_TIMEOUT));
        }
        note("nodes", "three demo JVMs started at once on the empty database, through the poolers, in "
                + millis(System.nanoTime() - started) + " ms from the cluster's start; logs under " + workRoot);
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            for (DemoProcess p : processes.values()) {
                p.stop(Duration.ofSeconds(15));
            }
            if (mails != null) {
                mails.done = true;
            }
            if (smtp != null) {
                smtp.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
        System.out.println("[Failover] summary:");
        report.forEach((k, v) -> System.out.println("[Failover]   " + k + ": " + v));
    }

    /** Every node the same: the database through both poolers, mail to GreenMail, short staleness, a test bcrypt cost. */
    private Map<String, String> nodeSettings() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEHOUSE_PORT", "0");
        env.put("GATEHOUSE_JDBC_URL", nodeJdbcUrl());
        env.put("GATEHOUSE_JDBC_USER", ReplicatedPostgres.USER);
        env.put("GATEHOUSE_JDBC_PASSWORD", "");
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        env.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        env.put("GATEHOUSE_ISSUER", ISSUER);
        env.put("GATEHOUSE_BCRYPT_COST", String.valueOf(DemoContract.BCRYPT_COST));
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_REVOCATION_STALENESS", STALENESS_TEXT);
        // every client is 127.0.0.1: lift the per-client limit, which is not under test here
        env.put("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "1000000");
        env.put("GATEHOUSE_SMTP_HOST", "127.0.0.1");
        env.put("GATEHOUSE_SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()));
        env.put("GATEHOUSE_SMTP_SECURITY", "none");
        env.put("GATEHOUSE_MAIL_FROM", "Gatehouse failover test <no-reply@" + DOMAIN + ">");
        return env;
    }

    /**
     * Both poolers, the primary wanted: pgjdbc tries them in order and keeps the one whose server is
     * not in recovery. No server-side prepared statements: a transaction-pooled connection runs
     * each transaction on whichever server connection is free.
     */
    private String nodeJdbcUrl() {
        return "jdbc:postgresql://" + cluster.bouncerAddress(Server.A) + "," + cluster.bouncerAddress(Server.B) + "/"
                + ReplicatedPostgres.DATABASE + "?targetServerType=primary&hostRecheckSeconds=" + HOST_RECHECK_SECONDS
                + "&prepareThreshold=0";
    }

    // ---- 1. transaction pooling ---------------------------------------------------------------

    /**
     * The three nodes started at once on an empty database through transaction pooling: the first
     * migration's lock (a transaction's advisory lock, then Flyway's) and everything after it hold
     * when consecutive transactions of one client connection run on different server connections.
     */
    @Test
    @Order(1)
    void threeNodesMigrateAnEmptyDatabaseAtOnceThroughTransactionPooling() throws Exception {
        for (Server s : Server.values()) {
            assertThat(cluster.adminConsole(s, "SHOW CONFIG")).as("pooler %s's settings", s)
                    .filteredOn(r -> "pool_mode".equals(r.get("key"))).singleElement()
                    .satisfies(r -> assertThat(r.get("value")).isEqualTo("transaction"));
        }

        try (Connection c = cluster.direct(Server.A, ReplicatedPostgres.DATABASE).getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT version, success FROM gh_schema_history WHERE version IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            List<String> versions = new ArrayList<>();
            while (rs.next()) {
                assertThat(rs.getBoolean(2)).as("version %s applied successfully", rs.getString(1)).isTrue();
                versions.add(rs.getString(1));
            }
            assertThat(versions).as("each version applied once").isNotEmpty().doesNotHaveDuplicates();
            note("schema", "versions " + versions + " applied once each by three nodes racing through the poolers");
        }

        // every node works through the pooler: an account each, verified by its mailed link
        for (String n : NODES) {
            Tokens t = newVerifiedAccount(n).tokens;
            assertThat(claims(n, t.access()).status()).isEqualTo(200);
        }
        // the nodes' 30 client connections (HikariCP keeps 10 each) shared the pool's few server connections
        long clients = cluster.adminConsole(Server.A, "SHOW CLIENTS").stream()
                .filter(r -> ReplicatedPostgres.DATABASE.equals(r.get("database"))).count();
        long servers = cluster.adminConsole(Server.A, "SHOW SERVERS").stream()
                .filter(r -> ReplicatedPostgres.DATABASE.equals(r.get("database"))).count();
        assertThat(servers).as("server connections of the pool").isLessThanOrEqualTo(ReplicatedPostgres.SERVER_CONNECTIONS);
        assertThat(clients).as("client connections of the nodes").isGreaterThan(servers);
        note("transaction pooling", clients + " client connections of the nodes on " + servers + " server connections of pooler A");
    }

    /**
     * Why the nodes' URL says {@code prepareThreshold=0}: with pgjdbc's default, a statement run
     * five times on a connection becomes a named server-side prepared statement, which lives in one
     * server session; through transaction pooling, two clients sharing one server connection then
     * collide (or a client meets a server connection that lacks its statement).
     */
    @Test
    @Order(2)
    void serverSidePreparedStatementsBreakThroughTransactionPoolingAndTheNodesTurnThemOff() throws Exception {
        String base = "jdbc:postgresql://" + cluster.bouncerAddress(Server.A) + "/" + ReplicatedPostgres.SINGLE_SERVER_DATABASE
                + "?connectTimeout=5&socketTimeout=30";
        List<String> withDefault = alternatePreparedStatements(base);
        assertThat(withDefault).as("SQLStates with pgjdbc's default prepareThreshold (5)").isNotEmpty()
                .allSatisfy(state -> assertThat(state).isIn("42P05", "26000"));
        List<String> withZero = alternatePreparedStatements(base + "&prepareThreshold=0");
        assertThat(withZero).as("SQLStates with prepareThreshold=0").isEmpty();
        note("prepared statements", "two connections alternating one statement through a pooler of one server connection: "
                + withDefault.size() + " of 20 executions failed with pgjdbc's default (" + new TreeSet<>(withDefault)
                + "), none with prepareThreshold=0");
    }

    /** Two connections run the same prepared statement in turn, 10 times each; the SQLStates of the failures. */
    private static List<String> alternatePreparedStatements(String url) throws SQLException {
        List<String> failures = new ArrayList<>();
        try (Connection one = DriverManager.getConnection(url, ReplicatedPostgres.USER, "");
             Connection two = DriverManager.getConnection(url, ReplicatedPostgres.USER, "")) {
            for (int i = 0; i < 10; i++) {
                for (Connection c : List.of(one, two)) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM gh_users WHERE created_at < now() + ?::interval")) {
                        ps.setString(1, i + " seconds");
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                        }
                    } catch (SQLException e) {
                        failures.add(e.getSQLState());
                    }
                }
            }
        }
        return failures;
    }

    // ---- 2. the failover ----------------------------------------------------------------------

    /** What a client saw: one request. {@code status} -1: no HTTP answer at all ({@code error} says why). */
    private record Call(String op, String node, long start, long end, int status, String retryAfter, String error) {
        boolean write() {
            return !op.equals("claims");
        }

        boolean success() {
            return status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            return op + " on " + node + ": " + (status < 0 ? error : status + (retryAfter == null ? "" : " Retry-After " + retryAfter));
        }
    }

    private record Tokens(String access, String refresh) {
    }

    private record Account(String email, Tokens tokens) {
    }

    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    /** Problems found by the clients while they ran (a wrong answer in its context), reported at the end. */
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Set<String> uncertain = ConcurrentHashMap.newKeySet();
    private final Set<String> setUp = ConcurrentHashMap.newKeySet();
    /** SHA-256 of every refresh token a client received in a 200 (login, verification, refresh). */
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    /** SHA-256 of a refresh token presented and answered 200, to the SHA-256 of each successor returned for it. */
    private final Map<String, Set<String>> successors = new ConcurrentHashMap<>();
    /** Refresh tokens answered 401 after 503s: spent by an attempt whose answer was lost, then presented after the grace. */
    private final Set<String> refreshesLostAfter503 = ConcurrentHashMap.newKeySet();
    /** Emails whose link was answered 400 after 503s: used by an attempt whose answer was lost. */
    private final Set<String> verificationsLostAfter503 = ConcurrentHashMap.newKeySet();
    private volatile boolean stop;

    /**
     * Under register / verify / login / refresh load on three nodes, the primary crashes and the
     * replica is promoted. Required, and checked here:
     * <ul>
     *   <li>verified requests ({@code /api/claims}) never fail: all 200 on every node, during the outage too;</li>
     *   <li>writes answer 200/202/204, or 503 with {@code Retry-After}: never 500, never a broken connection;
     *       none succeeds while no primary exists, none fails before the crash;</li>
     *   <li>every node writes again within {@link #RECOVERY_BOUND} of the promotion (measured and printed);</li>
     *   <li>nothing acknowledged is lost: every 202 registration, every refresh token handed out and the
     *       logout before the crash are in the promoted database;</li>
     *   <li>no refresh token was spent twice (one successor each, the one its 200 returned), no family is
     *       half-rotated, no user half-created (each has its verification token or a verified address, and
     *       one verification mail), and every mail was delivered exactly once;</li>
     *   <li>an access token logged out just before the crash is refused on every node once the promoted
     *       database is read, and never accepted again after a node refused it; its refresh token stays dead.</li>
     * </ul>
     */
    @Test
    @Order(3)
    void underLoadTheFailoverLosesNothingAcknowledgedAndWritesReturnOnEveryNode() throws Exception {
        Map<String, Account> probes = new LinkedHashMap<>();
        for (String n : NODES) {
            probes.put(n, newVerifiedAccount(n));
        }
        Account verifier = newVerifiedAccount("n2");
        Account revoked = newVerifiedAccount("n1");
        // the replica's pooler serves reads of the standby (as a pooler on every database host does)
        for (String database : List.of(ReplicatedPostgres.DATABASE, ReplicatedPostgres.SINGLE_SERVER_DATABASE)) {
            assertThat(inRecoveryThroughBouncer(Server.B, database)).as("server B through its pooler (%s) is a standby", database).isTrue();
        }
        assertThat(Poll.until(Duration.ofSeconds(10), () -> userExists(Server.B, revoked.email()), ok -> ok))
                .as("the replica has the rows of the primary").isTrue();

        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CHAINS; i++) {
            threads.add(thread("chain-" + i, this::chains));
        }
        for (String n : NODES) {
            Account a = probes.get(n);
            threads.add(thread("probe-" + n, () -> probe(n, a.email())));
        }
        threads.add(thread("verifier", () -> verifyLoop(verifier.tokens().access())));
        Map<String, List<long[]>> revokedSeen = new ConcurrentHashMap<>();
        threads.forEach(Thread::start);

        long crash;
        long crashed;
        long promote;
        long promoted;
        long reconnected;
        Thread monitor;
        try {
            Thread.sleep(STEADY.toMillis());

            // a logout on n1, then at once the crash: n2 and n3 learn of it at their next revocation reload, which mostly
            // comes after the promotion; a node that reloaded before the crash must not forget it when it reads the promoted database
            Reply out = call("logout", "n1", c -> c.post("auth/logout", null, null, "Authorization", "Bearer " + revoked.tokens().access()));
            assertThat(out).isNotNull();
            assertThat(out.status()).as("logout just before the crash: %s", out).isEqualTo(204);
            monitor = thread("revoked-monitor", () -> watchRevoked(revoked.tokens().access(), revokedSeen));
            monitor.start();

            crash = System.nanoTime();
            cluster.stopImmediately(Server.A);
            crashed = System.nanoTime();
            Thread.sleep(NO_PRIMARY.toMillis());

            // the failover manager: promote the replica, then make its pooler forget that it was one
            promote = System.nanoTime();
            cluster.promote(Server.B);
            promoted = System.nanoTime();
            cluster.reconnectBouncer(Server.B);
            reconnected = System.nanoTime();

            Poll.until(RECOVERY_BOUND, Duration.ofMillis(200), () -> nodesWritingSince(promote), s -> s.containsAll(NODES));
            Thread.sleep(STEADY.toMillis());
        } finally {
            stop = true;
            for (Thread t : threads) {
                t.join(60_000);
            }
        }
        monitor.join(30_000);

        long logoutAt = calls.stream().filter(c -> c.op().equals("logout")).findFirst().orElseThrow().start();
        writeCalls(crash, crashed, promote, reconnected);
        note("failover timeline", "logout on n1, crash of A " + millis(crash - logoutAt) + " ms later (pg_ctl stop -m immediate took "
                + millis(crashed - crash) + " ms); no primary for " + millis(promote - crashed) + " ms; pg_ctl promote took "
                + millis(promoted - promote) + " ms, RECONNECT on B's pooler " + millis(reconnected - promoted) + " ms");

        // ---- what the clients saw ----
        List<Call> all = new ArrayList<>(calls);
        Map<String, Long> byOp = all.stream().collect(Collectors.groupingBy(Call::op, TreeMap::new, Collectors.counting()));
        note("requests", all.size() + " in all, " + byOp);
        assertThat(problems).as("wrong answers in context").isEmpty();
        assertThat(all).as("answers without HTTP status (connection failures)").filteredOn(c -> c.status() < 0).isEmpty();
        assertThat(all).as("5xx other than 503").filteredOn(c -> c.status() >= 500 && c.status() != 503).isEmpty();
        assertThat(all).as("verified requests that did not answer 200").filteredOn(c -> c.op().equals("claims"))
                .isNotEmpty().allSatisfy(c -> assertThat(c.status()).as("%s", c).isEqualTo(200));
        for (String n : NODES) {
            long during = all.stream().filter(c -> c.op().equals("claims") && c.node().equals(n) && c.start() > crashed && c.end() < promote)
                    .count();
            assertThat(during).as("verified requests on %s while there was no primary", n).isPositive();
        }
        assertThat(all).as("503 without Retry-After").filteredOn(c -> c.status() == 503)
                .allSatisfy(c -> assertThat(c.retryAfter()).as("%s", c).isNotNull().matches("[1-9][0-9]*"));
        assertThat(all).as("writes that failed before the crash").filteredOn(c -> c.write() && c.end() < crash && !c.success()).isEmpty();
        assertThat(all).as("writes that succeeded while no primary existed")
                .filteredOn(c -> c.write() && c.start() > crashed && c.end() < promote && c.success()).isEmpty();
        List<Call> outage503 = all.stream().filter(c -> c.status() == 503).collect(Collectors.toList());
        assertThat(outage503).as("writes answered 503 around the outage").isNotEmpty();
        assertThat(outage503).as("503 that started long after the promotion")
                .allSatisfy(c -> assertThat(c.start()).as("%s", c).isLessThan(promote + RECOVERY_BOUND.toNanos()));

        Map<String, Long> recovery = new TreeMap<>();
        Map<String, String> last503 = new TreeMap<>();
        for (String n : NODES) {
            long first = all.stream().filter(c -> c.write() && c.node().equals(n) && c.success() && c.start() >= promote)
                    .mapToLong(Call::end).min().orElse(Long.MAX_VALUE);
            assertThat(first).as("a write succeeded on %s after the promotion", n).isNotEqualTo(Long.MAX_VALUE);
            recovery.put(n, millis(first - promote));
            OptionalLong last = all.stream().filter(c -> c.node().equals(n) && c.status() == 503).mapToLong(Call::end).max();
            last503.put(n, last.isPresent() ? millis(last.getAsLong() - promote) + " ms" : "none");
            assertThat(Duration.ofMillis(recovery.get(n))).as("time from the promotion to %s's first successful write", n)
                    .isLessThan(RECOVERY_BOUND);
        }
        Map<String, Long> count503 = outage503.stream().collect(Collectors.groupingBy(Call::op, TreeMap::new, Collectors.counting()));
        note("503 answers", outage503.size() + " (" + count503 + "), all with Retry-After, none before the crash; the last one ended, after the promotion: "
                + last503);
        note("writes again after the promotion", recovery + " ms (first successful write on each node)");

        // ---- the logged-out token ----
        for (String n : NODES) {
            List<long[]> seen = revokedSeen.getOrDefault(n, List.of());
            int firstRefused = -1;
            for (int i = 0; i < seen.size(); i++) {
                if (seen.get(i)[1] == 401 && firstRefused < 0) {
                    firstRefused = i;
                }
                if (firstRefused >= 0) {
                    assertThat(seen.get(i)[1]).as("%s accepted the logged-out token again after refusing it", n).isEqualTo(401);
                }
            }
            assertThat(firstRefused).as("%s refused the logged-out token", n).isNotNegative();
            long at = seen.get(firstRefused)[0];
            // once the node reads the promoted database again, its next revocation reload (every STALENESS) has the logout
            assertThat(Duration.ofNanos(at - promote)).as("from the promotion until %s refused the logged-out token", n)
                    .isLessThanOrEqualTo(Duration.ofMillis(recovery.get(n)).plus(STALENESS).plusSeconds(3));
            report.merge("logged-out token refused", n + " " + millis(at - logoutAt) + " ms after the logout ("
                    + (at < promote ? "before the promotion" : millis(at - promote) + " ms after the promotion") + ")", (a, b) -> a + ", " + b);
            assertThat(claims(n, revoked.tokens().access()).status()).as("the logged-out token on %s", n).isEqualTo(401);
            assertThat(refresh(n, revoked.tokens().refresh()).status()).as("the logged-out refresh token on %s", n).isEqualTo(401);
        }
        System.out.println("[Failover] logged-out token refused: " + report.get("logged-out token refused"));

        // ---- the promoted database, read directly ----
        DataSource db = cluster.direct(Server.B, ReplicatedPostgres.DATABASE);
        assertThat(scalar(db, "SELECT COUNT(*) FROM gh_refresh_families f JOIN gh_refresh_tokens t ON t.family_id = f.family_id"
                + " WHERE t.token_hash = ? AND f.revoked_at IS NOT NULL", sha256(revoked.tokens().refresh())))
                .as("the logout acknowledged before the crash is in the promoted database").isEqualTo(1);
        long queued = Poll.until(Duration.ofSeconds(30), Duration.ofMillis(250),
                () -> scalar(db, "SELECT COUNT(*) FROM gh_mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL"), n -> n == 0);
        assertThat(queued).as("mail still queued 30 s after the load (a row the SMTP server has already received would be sent"
                + " again when its claim runs out): %s", queuedMail(db)).isZero();
        checkUsersAndMail(db);
        checkRefreshTokens(db);
        note("clients", accepted.size() + " registrations accepted (202), " + uncertain.size() + " answered 503, "
                + successors.size() + " refresh tokens rotated, " + refreshesLostAfter503.size()
                + " refreshes answered 401 after 503s (spent by an attempt whose answer was lost, presented after the grace), "
                + verificationsLostAfter503.size() + " verification links answered 400 after 503s (used by an attempt whose answer was lost)");

        // ---- the promoted replica's pooler, without RECONNECT ----
        staleStandbyFlagNeedsReconnect();
    }

    /**
     * The entry of B's pooler that the failover manager did not tell to reconnect still hands new
     * clients the {@code in_hot_standby=on} of the server's replica days, though the server is a
     * primary now: pgjdbc's {@code targetServerType=primary} refuses it. After {@code RECONNECT}, it
     * is accepted.
     */
    private void staleStandbyFlagNeedsReconnect() throws Exception {
        String entry = "jdbc:postgresql://" + cluster.bouncerAddress(Server.B) + "/" + ReplicatedPostgres.SINGLE_SERVER_DATABASE
                + "?prepareThreshold=0&connectTimeout=5&socketTimeout=30&hostRecheckSeconds=0";
        assertThat(inRecoveryThroughBouncer(Server.B, ReplicatedPostgres.SINGLE_SERVER_DATABASE)).as("server B is a primary now").isFalse();
        assertThatThrownBy(() -> DriverManager.getConnection(entry + "&targetServerType=primary", ReplicatedPostgres.USER, "").close())
                .as("targetServerType=primary through a pooler that was not reconnected").isInstanceOf(SQLException.class)
                .hasMessageContaining("targetServerType");
        cluster.adminConsole(Server.B, "RECONNECT " + ReplicatedPostgres.SINGLE_SERVER_DATABASE);
        boolean primary = Poll.until(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
            try (Connection c = DriverManager.getConnection(entry + "&targetServerType=primary", ReplicatedPostgres.USER, "")) {
                return c.isValid(5);
            } catch (SQLException e) {
                return false;
            }
        }, ok -> ok);
        assertThat(primary).as("targetServerType=primary through the same entry after RECONNECT").isTrue();
        note("pooler after promotion", "an entry not reconnected kept refusing targetServerType=primary (in_hot_standby=on from its"
                + " standby days); after RECONNECT accepted");
    }

    // ---- the checks on the promoted database ----

    private void checkUsersAndMail(DataSource db) throws SQLException {
        Map<String, String> users = new HashMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT u.email, u.password_hash, u.roles, u.created_at, u.email_verified_at,"
                     + " (SELECT COUNT(*) FROM gh_account_tokens t WHERE t.user_id = u.id),"
                     + " (SELECT COUNT(*) FROM gh_mail_outbox m WHERE m.recipient = u.email) FROM gh_users u");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String email = rs.getString(1);
                assertThat(rs.getString(2)).as("password hash of %s", email).startsWith("$2");
                assertThat(rs.getString(3)).as("roles of %s", email).isNotBlank();
                assertThat(rs.getObject(4)).as("created_at of %s", email).isNotNull();
                assertThat(rs.getObject(5) != null || rs.getLong(6) > 0).as("%s is verified or has its verification token", email).isTrue();
                assertThat(rs.getLong(7)).as("mails queued for %s", email).isEqualTo(1);
                users.put(email, email);
            }
        }
        assertThat(users.keySet()).as("accounts registered with a 202 (acknowledged before or during the failover)")
                .containsAll(accepted).containsAll(setUp);
        Set<String> explained = new HashSet<>(accepted);
        explained.addAll(setUp);
        explained.addAll(uncertain);
        assertThat(explained).as("every account is one a client registered").containsAll(users.keySet());

        Map<String, String> outbox = new HashMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT message_id, recipient, sent_at FROM gh_mail_outbox");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                assertThat(rs.getObject(3)).as("mail %s to %s sent", rs.getString(1), rs.getString(2)).isNotNull();
                outbox.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, Integer> byMessageId = new HashMap<>();
        Map<String, Integer> byRecipient = new HashMap<>();
        for (MailSink.Received m : mails.all()) {
            byMessageId.merge(m.messageId(), 1, Integer::sum);
            for (String to : m.to()) {
                byRecipient.merge(to, 1, Integer::sum);
            }
        }
        assertThat(byMessageId).as("mails received more than once (by Message-ID)").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        assertThat(byMessageId.keySet()).as("mails received, by outbox message id").containsExactlyInAnyOrderElementsOf(outbox.keySet());
        for (String email : users.keySet()) {
            assertThat(byRecipient.getOrDefault(email, 0)).as("verification mails received by %s", email).isEqualTo(1);
        }
        note("mail", outbox.size() + " mails queued, each received exactly once (by Message-ID); one verification mail per account ("
                + users.size() + " accounts)");
    }

    /**
     * Every recorded request into {@code calls.csv} beside the nodes' logs, times in milliseconds
     * since the crash, and the wall-clock times of the failover's steps (the nodes' log lines have them).
     */
    private void writeCalls(long crash, long crashed, long promote, long reconnected) throws IOException {
        long wallOfCrash = System.currentTimeMillis() - millis(System.nanoTime() - crash);
        List<String> lines = new ArrayList<>();
        lines.add("# crash at " + Instant.ofEpochMilli(wallOfCrash) + "; stopped +" + millis(crashed - crash) + " ms; promote +"
                + millis(promote - crash) + " ms; pooler reconnected +" + millis(reconnected - crash) + " ms");
        lines.add("op,node,start_ms,duration_ms,status,retry_after,error");
        calls.stream().sorted(Comparator.comparingLong(Call::start)).forEach(c -> lines.add(String.join(",", c.op(), c.node(),
                String.valueOf(millis(c.start() - crash)), String.valueOf(millis(c.end() - c.start())), String.valueOf(c.status()),
                String.valueOf(c.retryAfter()), c.error() == null ? "" : '"' + c.error().replace('"', '\'') + '"')));
        Files.write(workRoot.resolve("calls.csv"), lines);
    }

    /** The rows of the outbox not sent yet, each with whether the SMTP server has it already. */
    private List<String> queuedMail(DataSource db) {
        Set<String> received = mails.all().stream().map(MailSink.Received::messageId).collect(Collectors.toSet());
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT message_id, attempts, claimed_until, last_error FROM gh_mail_outbox"
                     + " WHERE sent_at IS NULL AND given_up_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " (attempts " + rs.getInt(2) + ", claimed until " + rs.getObject(3) + ", last error "
                        + rs.getString(4) + ", " + (received.contains(rs.getString(1)) ? "RECEIVED ALREADY" : "not received") + ")");
            }
        } catch (SQLException e) {
            rows.add(e.toString());
        }
        return rows;
    }

    private void checkRefreshTokens(DataSource db) throws SQLException {
        Map<String, List<String>> children = new HashMap<>();
        Set<String> stored = new HashSet<>();
        Map<String, Boolean> spent = new HashMap<>();
        Map<String, String> familyOf = new HashMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT token_hash, parent_hash, used_at, family_id FROM gh_refresh_tokens");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String hash = rs.getString(1).strip();
                stored.add(hash);
                spent.put(hash, rs.getObject(3) != null);
                familyOf.put(hash, rs.getString(4));
                if (rs.getString(2) != null) {
                    children.computeIfAbsent(rs.getString(2).strip(), k -> new ArrayList<>()).add(hash);
                }
            }
        }
        assertThat(stored).as("refresh tokens handed out in a 200 and missing from the promoted database").containsAll(issued);
        successors.forEach((parent, returned) -> {
            assertThat(returned).as("successors returned for one refresh token").hasSize(1);
            assertThat(children.get(parent)).as("successors of a rotated token in the database").containsExactlyElementsOf(returned);
        });
        for (String token : refreshesLostAfter503) {
            String hash = sha256(token);
            assertThat(spent.get(hash)).as("a refresh token answered 401 after 503s was spent by the attempt whose answer was lost")
                    .isTrue();
            assertThat(scalar(db, "SELECT COUNT(*) FROM gh_refresh_families WHERE family_id = ? AND revoked_at IS NOT NULL",
                    familyOf.get(hash))).as("its family was revoked (reuse after the grace)").isEqualTo(1);
        }
        for (String email : verificationsLostAfter503) {
            assertThat(scalar(db, "SELECT COUNT(*) FROM gh_users WHERE email = ? AND email_verified_at IS NOT NULL", email))
                    .as("a link answered 400 after 503s was used by the attempt whose answer was lost").isEqualTo(1);
        }
        // no family half-rotated: the family and its first token are one transaction, a spend and its successor another
        assertThat(scalar(db, "SELECT COUNT(*) FROM gh_refresh_families f WHERE NOT EXISTS"
                + " (SELECT 1 FROM gh_refresh_tokens t WHERE t.family_id = f.family_id)")).as("families without a token").isZero();
        assertThat(scalar(db, "SELECT COUNT(*) FROM (SELECT family_id FROM gh_refresh_tokens WHERE used_at IS NULL AND revoked_at IS NULL"
                + " GROUP BY family_id HAVING COUNT(*) > 1) x")).as("families with more than one unspent token").isZero();
        assertThat(scalar(db, "SELECT COUNT(*) FROM gh_refresh_tokens p WHERE p.used_at IS NOT NULL AND NOT EXISTS"
                + " (SELECT 1 FROM gh_refresh_tokens c WHERE c.parent_hash = p.token_hash)")).as("spent tokens without a successor").isZero();
        assertThat(scalar(db, "SELECT COUNT(*) FROM gh_refresh_tokens p WHERE p.used_at IS NULL AND EXISTS"
                + " (SELECT 1 FROM gh_refresh_tokens c WHERE c.parent_hash = p.token_hash)")).as("successors of unspent tokens").isZero();
        assertThat(children).as("tokens with more than one successor").allSatisfy((p, c) -> assertThat(c).as(p).hasSize(1));
        note("refresh tokens", issued.size() + " handed out, all in the promoted database; " + successors.size()
                + " rotated, each with exactly the one successor its 200 returned");
    }

    // ---- the clients ----

    /** Register, verify the mailed link, refresh and check everywhere; log in again, refresh; again and again. */
    private void chains() {
        while (!stop) {
            try {
                chain();
            } catch (RuntimeException e) {
                problems.add("chain: " + e);
            }
        }
    }

    private void chain() {
        String email = newEmail();
        Reply r = call("register", randomNode(), c -> c.postJson("auth/register", credentials(email)));
        if (r == null || r.status() != 202) {
            if (r != null && r.status() == 503) {
                uncertain.add(email);
                pause();
            } else if (r != null) {
                problems.add("register: " + r.status());
            }
            return;
        }
        accepted.add(email);
        String link = mails.awaitLink(email, MAIL_WAIT);
        if (link == null) {
            if (!stop) {
                problems.add("no verification mail for " + email + " within " + MAIL_WAIT);
            }
            return;
        }
        Tokens t = verify(email, link);
        for (int round = 0; round < 2 && !stop; round++) {
            if (t == null) {
                t = login(email);
            }
            for (int i = 0; i < 3 && t != null && !stop; i++) {
                verifyEverywhere(t.access());
                t = rotate(t);
            }
            t = null;
        }
    }

    private Tokens verify(String email, String link) {
        boolean failedBefore = false;
        while (!stop) {
            Reply r = call("verify-email", randomNode(), c -> c.postJson("auth/verify-email", "{\"token\":\"" + link + "\"}"));
            if (r == null) {
                return null;
            }
            if (r.status() == 200) {
                return received(r);
            }
            if (r.status() == 503) {
                failedBefore = true;
                pause();
                continue;
            }
            if (r.status() == 400 && failedBefore) {
                verificationsLostAfter503.add(email);
            } else {
                problems.add("verify-email: " + r.status() + (failedBefore ? " after 503" : ""));
            }
            return null;
        }
        return null;
    }

    private Tokens login(String email) {
        while (!stop) {
            Reply r = call("login", randomNode(), c -> c.postJson("auth/login", credentials(email)));
            if (r == null) {
                return null;
            }
            if (r.status() == 200) {
                return received(r);
            }
            if (r.status() != 503) {
                problems.add("login: " + r.status());
                return null;
            }
            pause();
        }
        return null;
    }

    private Tokens rotate(Tokens t) {
        boolean failedBefore = false;
        while (!stop) {
            Reply r = call("refresh", randomNode(), c -> c.postJson("auth/refresh", "{\"refresh_token\":\"" + t.refresh() + "\"}"));
            if (r == null) {
                return null;
            }
            if (r.status() == 200) {
                Tokens next = received(r);
                successors.computeIfAbsent(sha256(t.refresh()), k -> ConcurrentHashMap.newKeySet()).add(sha256(next.refresh()));
                return next;
            }
            if (r.status() == 503) {
                failedBefore = true;
                pause();
                continue;
            }
            if (r.status() == 401 && failedBefore) {
                refreshesLostAfter503.add(t.refresh());
            } else {
                problems.add("refresh: " + r.status() + (failedBefore ? " after 503" : ""));
            }
            return null;
        }
        return null;
    }

    private Tokens received(Reply r) {
        JsonNode json = r.json();
        Tokens t = new Tokens(json.path("access_token").asText(), json.path("refresh_token").asText());
        issued.add(sha256(t.refresh()));
        return t;
    }

    private void verifyEverywhere(String access) {
        for (String n : NODES) {
            call("claims", n, c -> c.get("api/claims", "Authorization", "Bearer " + access));
        }
    }

    /** A login on one node every 150 ms: the per-node write probe. */
    private void probe(String node, String email) {
        while (!stop) {
            call("probe-login", node, c -> c.postJson("auth/login", credentials(email)));
            sleep(150);
        }
    }

    /** One access token on all three nodes, every 50 ms. */
    private void verifyLoop(String access) {
        while (!stop) {
            verifyEverywhere(access);
            sleep(50);
        }
    }

    /** The logged-out token on every node every 100 ms until the load stops: (time, status) per node. */
    private void watchRevoked(String access, Map<String, List<long[]>> seen) {
        while (!stop) {
            for (String n : NODES) {
                long start = System.nanoTime();
                try {
                    int status = claims(n, access).status();
                    seen.computeIfAbsent(n, k -> Collections.synchronizedList(new ArrayList<>())).add(new long[] {start, status});
                    if (status != 200 && status != 401) {
                        problems.add("the logged-out token on " + n + ": " + status);
                    }
                } catch (RuntimeException e) {
                    problems.add("the logged-out token on " + n + ": " + e);
                }
            }
            sleep(100);
        }
    }

    /** The nodes on which a write that started at or after {@code since} succeeded. */
    private Set<String> nodesWritingSince(long since) {
        return calls.stream().filter(c -> c.write() && c.success() && c.start() >= since).map(Call::node).collect(Collectors.toSet());
    }

    /** Sends a request to a node and records it; null when no HTTP answer came (recorded with the error). */
    private Reply call(String op, String node, Function<WebClient, Reply> request) {
        long start = System.nanoTime();
        try {
            Reply r = request.apply(new WebClient(bases.get(node)));
            calls.add(new Call(op, node, start, System.nanoTime(), r.status(), r.header("Retry-After"), null));
            return r;
        } catch (RuntimeException e) {
            calls.add(new Call(op, node, start, System.nanoTime(), -1, null, e.toString()));
            return null;
        }
    }

    /** Registers an account on {@code node}, verifies it with the mailed link (which logs in), before the load. */
    private Account newVerifiedAccount(String node) {
        String email = newEmail();
        setUp.add(email);
        Reply r = new WebClient(bases.get(node)).postJson("auth/register", credentials(email));
        assertThat(r.status()).as("register on %s: %s", node, r).isEqualTo(202);
        String link = mails.awaitLink(email, MAIL_WAIT);
        assertThat(link).as("the verification mail of %s", email).isNotNull();
        Reply v = new WebClient(bases.get(node)).postJson("auth/verify-email", "{\"token\":\"" + link + "\"}");
        assertThat(v.status()).as("verify on %s: %s", node, v).isEqualTo(200);
        return new Account(email, received(v));
    }

    private Reply claims(String node, String access) {
        return new WebClient(bases.get(node)).get("api/claims", "Authorization", "Bearer " + access);
    }

    private Reply refresh(String node, String refreshToken) {
        return new WebClient(bases.get(node)).postJson("auth/refresh", "{\"refresh_token\":\"" + refreshToken + "\"}");
    }

    // ---- database helpers ----

    private boolean inRecoveryThroughBouncer(Server s, String database) throws SQLException {
        String url = "jdbc:postgresql://" + cluster.bouncerAddress(s) + "/" + database + "?prepareThreshold=0&connectTimeout=5&socketTimeout=30";
        try (Connection c = DriverManager.getConnection(url, ReplicatedPostgres.USER, "");
             PreparedStatement ps = c.prepareStatement("SELECT pg_is_in_recovery()"); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getBoolean(1);
        }
    }

    private boolean userExists(Server s, String email) {
        try {
            return scalar(cluster.direct(s, ReplicatedPostgres.DATABASE), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email) == 1;
        } catch (IllegalStateException e) {
            return false; // the replica has not replayed the database's creation yet
        }
    }

    private static long scalar(DataSource db, String sql, String... parameters) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    // ---- small things ----

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, "failover-" + name);
        t.setDaemon(true);
        return t;
    }

    private static void pause() {
        sleep(250);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String randomNode() {
        return NODES.get(ThreadLocalRandom.current().nextInt(NODES.size()));
    }

    private static String newEmail() {
        return "fo-" + UUID.randomUUID().toString().substring(0, 12) + "@" + DOMAIN;
    }

    private static String credentials(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
    }

    private static String sha256(String value) {
        return MultiNodeContract.sha256Hex(value);
    }

    private static long millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }

    private void note(String what, String figures) {
        report.put(what, figures);
        System.out.println("[Failover] " + what + ": " + figures);
    }

    /**
     * The SMTP server's mail, indexed by one poller thread: the verification link of each
     * recipient (from the first mail to it), and every message received.
     */
    private static final class MailSink extends Thread {
        record Received(String messageId, List<String> to) {
        }

        private final GreenMail server;
        private final Map<String, String> links = new ConcurrentHashMap<>();
        private final Set<MimeMessage> indexed = Collections.newSetFromMap(new IdentityHashMap<>());
        volatile boolean done;

        MailSink(GreenMail server) {
            super("failover-mail-sink");
            setDaemon(true);
            this.server = server;
        }

        @Override
        public void run() {
            while (!done) {
                index();
                PostgresFailoverIT.sleep(100);
            }
        }

        private synchronized void index() {
            for (MimeMessage m : server.getReceivedMessages()) {
                if (!indexed.add(m)) {
                    continue;
                }
                try {
                    String text = (String) ((MimeMultipart) m.getContent()).getBodyPart(0).getContent();
                    Matcher link = LINK.matcher(text);
                    if (link.find()) {
                        for (Address to : m.getAllRecipients()) {
                            links.putIfAbsent(to.toString(), link.group(1));
                        }
                    }
                } catch (IOException | MessagingException | RuntimeException e) {
                    throw new IllegalStateException("Could not read a received mail", e);
                }
            }
        }

        /** The link token mailed to {@code email}, or null when none came within {@code timeout}. */
        String awaitLink(String email, Duration timeout) {
            return Poll.until(timeout, Duration.ofMillis(50), () -> links.get(email), v -> v != null);
        }

        /** Every message received, by Message-ID (the outbox's id, without the angle brackets and the domain). */
        List<Received> all() {
            List<Received> received = new ArrayList<>();
            try {
                for (MimeMessage m : server.getReceivedMessages()) {
                    String id = m.getMessageID();
                    String bare = id == null ? "" : id.replaceAll("^<|@[^@]*>$", "");
                    List<String> to = new ArrayList<>();
                    for (Address a : m.getAllRecipients()) {
                        to.add(a.toString());
                    }
                    received.add(new Received(bare, to));
                }
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
            return received;
        }
    }
}
