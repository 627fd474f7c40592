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
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mindrot.jbcrypt.BCrypt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An unknown email and a wrong password must be indistinguishable (docs/http-api.md, login): same status,
 * body and headers, and the same time, because an unknown email still costs one bcrypt check at
 * the configured cost. Measured over real HTTP with the lowest production cost (10), interleaved
 * so that machine noise hits both sides alike, compared by medians.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginTimingTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int COST = 10;
    private static final int SAMPLES = 30;
    private static final int WARM_UP = 4;
    private static final int ROUNDS = 3;

    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer server;
    private final String known = "timing-" + UUID.randomUUID() + "@example.org";

    @BeforeAll
    void start() throws Exception {
        // bursts raised to their maximum so that the known account is never throttled during the
        // measurement (at most 94 failures from this one client)
        server = TestServer.start(db.dataSource(), b -> b.bcryptCost(COST).throttleAccountClientBurst(100).throttleAccountBurst(100)
                .throttleAccountInterval(Duration.ofDays(1)), b -> b);
        Reply r = new Client(server.base).postJson("auth/register", Json.credentials(known, PASSWORD));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        db.close();
    }

    private static Reply timed(Client c, String email, String password, List<Long> into) {
        long start = System.nanoTime();
        Reply r = c.postJson("auth/login", Json.credentials(email, password));
        into.add(System.nanoTime() - start);
        return r;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The median time of one bcrypt check at {@link #COST} on this machine, now. */
    private static long oneHashNanos() {
        String hash = BCrypt.hashpw("some password to check", BCrypt.gensalt(COST));
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            assertThat(BCrypt.checkpw("some password to check", hash)).isTrue();
            times.add(System.nanoTime() - start);
        }
        return median(times);
    }

    /** The interquartile range: how spread the samples are, whatever a few outliers do. */
    private static long iqr(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() * 3 / 4) - sorted.get(sorted.size() / 4);
    }

    /**
     * Up to {@value #ROUNDS} rounds of {@value #SAMPLES} interleaved pairs; passes at the first round
     * whose medians differ by less than a tenth of one hash. A real difference (an unknown email
     * that skipped the hash would save a whole one) fails every round, noisy or not. A round whose
     * samples are spread over more than half a hash (other processes fighting for the CPU) cannot
     * show that a difference of a tenth is real: when every round that failed was like that, the
     * test is reported as aborted for a busy machine, not as failed.
     */
    @Test
    void unknownEmailAndWrongPasswordTakeTheSameTime() {
        Client c = new Client(server.base);
        List<Long> ignored = new ArrayList<>();
        for (int i = 0; i < WARM_UP; i++) {
            timed(c, "nobody-" + UUID.randomUUID() + "@example.org", PASSWORD, ignored);
            timed(c, known, PASSWORD + " wrong " + i, ignored);
        }
        List<String> reports = new ArrayList<>();
        boolean decisiveFailure = false;
        for (int round = 1; round <= ROUNDS; round++) {
            long hash = oneHashNanos();
            List<Long> unknown = new ArrayList<>();
            List<Long> wrong = new ArrayList<>();
            for (int i = 0; i < SAMPLES; i++) {
                // alternate which goes first, so neither side always follows the other
                if (i % 2 == 0) {
                    assertInvalidCredentials(timed(c, "nobody-" + UUID.randomUUID() + "@example.org", PASSWORD, unknown));
                    assertInvalidCredentials(timed(c, known, PASSWORD + " wrong " + i, wrong));
                } else {
                    assertInvalidCredentials(timed(c, known, PASSWORD + " wrong " + i, wrong));
                    assertInvalidCredentials(timed(c, "nobody-" + UUID.randomUUID() + "@example.org", PASSWORD, unknown));
                }
            }
            long oneHash = Math.min(hash, oneHashNanos());
            long mu = median(unknown);
            long mw = median(wrong);
            long spread = Math.max(iqr(unknown), iqr(wrong));
            boolean noisy = spread > oneHash / 2;
            String report = String.format("round %d: median unknown %.1f ms, wrong %.1f ms, difference %.1f ms, one hash %.1f ms,"
                            + " spread (IQR) %.1f ms%s", round, mu / 1e6, mw / 1e6, Math.abs(mu - mw) / 1e6, oneHash / 1e6,
                    spread / 1e6, noisy ? " (too noisy to decide)" : "");
            System.out.println("LoginTimingTest " + report);
            reports.add(report);
            // both sides really did one hash (an unknown email that skipped it would be far below)
            assertThat(mu).as(report).isGreaterThan(oneHash / 2);
            assertThat(mw).as(report).isGreaterThan(oneHash / 2);
            if (Math.abs(mu - mw) < oneHash / 10) {
                return;
            }
            decisiveFailure |= !noisy;
        }
        if (!decisiveFailure) {
            Assumptions.abort("the machine is too busy to resolve a tenth of a hash: " + reports);
        }
        throw new AssertionError("medians differ by a tenth of a hash or more in every round: " + reports);
    }

    @Test
    void unknownEmailAndWrongPasswordGiveTheSameResponse() {
        Client c = new Client(server.base);
        Reply unknown = c.postJson("auth/login", Json.credentials("nobody-" + UUID.randomUUID() + "@example.org", PASSWORD));
        Reply wrong = c.postJson("auth/login", Json.credentials(known, PASSWORD + "?"));
        assertInvalidCredentials(unknown);
        assertInvalidCredentials(wrong);
        assertThat(unknown.status()).isEqualTo(wrong.status());
        assertThat(unknown.body()).isEqualTo(wrong.body());
        assertThat(headersWithoutDate(unknown)).isEqualTo(headersWithoutDate(wrong));
        assertThat(unknown.headers("Set-Cookie")).isEmpty();
    }

    private static Map<String, List<String>> headersWithoutDate(Reply r) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(r.response.headers().map());
        headers.remove("date");
        return headers;
    }
}
