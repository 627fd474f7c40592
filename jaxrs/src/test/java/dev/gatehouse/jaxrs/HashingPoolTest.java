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
import dev.gatehouse.jaxrs.support.Race;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertUnavailable;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounded password-hashing pool under a flood of logins: what does not fit is refused at once
 * with {@code 503} and {@code Retry-After}, nothing fails with a 500, and the request threads stay
 * free for everything else (a behaviour check, not a benchmark).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HashingPoolTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int FLOOD = 12;

    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        // one hashing thread, no queue, and a real cost: a second concurrent login cannot fit
        server = TestServer.start(db.dataSource(), b -> b.hashingThreads(1).hashingQueue(0).bcryptCost(12), b -> b);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        db.close();
    }

    private Reply unknownLogin() {
        return new Client(server.base).postJson("auth/login", Json.credentials("flood-" + UUID.randomUUID() + "@example.org", PASSWORD));
    }

    @Test
    void concurrentLoginsBeyondThePoolGet503WithRetryAfterAndNever500() throws Exception {
        List<Reply> replies = Race.run(FLOOD, this::unknownLogin);
        List<Integer> statuses = new ArrayList<>();
        replies.forEach(r -> statuses.add(r.status()));
        assertThat(statuses).as(statuses.toString()).containsOnly(401, 503);
        assertThat(statuses).as("someone was served").contains(401);
        assertThat(statuses).as("someone was refused").contains(503);
        for (Reply r : replies) {
            if (r.status() == 503) {
                assertUnavailable(r);
            } else {
                assertInvalidCredentials(r);
            }
        }
        // once the flood is over, the pool serves again: the served request's thread writes its
        // answer before it goes back to the pool, so the next request may still meet a full pool
        // for a moment (with no queue there is nowhere to wait), and is refused with a 503 then
        Reply after = unknownLogin();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (after.status() == 503 && System.nanoTime() < deadline) {
            assertUnavailable(after);
            Thread.sleep(50);
            after = unknownLogin();
        }
        assertInvalidCredentials(after);
    }

    @Test
    void requestThreadsStayFreeWhileTheFloodRuns() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        ExecutorService flood = Executors.newFixedThreadPool(FLOOD);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < FLOOD; i++) {
                running.add(flood.submit(() -> {
                    while (!stop.get()) {
                        statuses.add(unknownLogin().status());
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
            Client c = new Client(server.base);
            Thread.sleep(300); // let the flood fill the pool
            List<Long> pings = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                Reply ping = c.get("api/ping");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(ping.status()).isEqualTo(200);
                assertThat(ping.json().get("status").asText()).isEqualTo("ok");
                pings.add(millis);
                Thread.sleep(200);
            }
            assertThat(pings).as("ping times in ms during the flood").allMatch(ms -> ms < Duration.ofSeconds(2).toMillis());
            // the JWKS (another public read) is served too
            assertThat(c.get(".well-known/jwks.json").status()).isEqualTo(200);
        } finally {
            stop.set(true);
            flood.shutdown();
            assertThat(flood.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        for (Future<?> f : running) {
            f.get();
        }
        assertThat(statuses).as("the flood really ran and overflowed").contains(503);
        assertThat(statuses).containsOnly(401, 503);
    }

    /**
     * A register or login that waited in the hashing queue longer than the feature's async timeout
     * was answered {@code 503} ("try again"): it must not run afterwards, or the client's retry
     * meets a {@code 409} for an account it was told was not created, and a login leaves a
     * refresh-token family that nobody holds.
     */
    @Test
    void aRequestAnswered503ByTheTimeoutIsNotCarriedOutLater() throws Exception {
        try (TestServer slow = TestServer.start(db.dataSource(), b -> b.hashingThreads(1).hashingQueue(32).bcryptCost(12),
                f -> f.asyncTimeout(Duration.ofMillis(100)))) {
            String existing = "existing-" + UUID.randomUUID() + "@example.org";
            slow.service.register(existing, PASSWORD, "test").get(30, TimeUnit.SECONDS);
            String userId = (String) Sql.one(db.dataSource(), "SELECT id FROM gh_users WHERE email = ?", existing);

            // the only hashing thread has seconds of work ahead of it (submitted directly, so it is
            // surely first in line): the requests below wait in the queue well past the timeout,
            // however fast one cost-12 hash happens to be on this machine
            List<java.util.concurrent.CompletableFuture<?>> blockers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                blockers.add(slow.service.login("blocker-" + UUID.randomUUID() + "@example.org", PASSWORD, "test"));
            }
            String email = "late-" + UUID.randomUUID() + "@example.org";
            assertUnavailable(new Client(slow.base).postJson("auth/register", Json.credentials(email, PASSWORD)));
            assertUnavailable(new Client(slow.base).postJson("auth/login", Json.credentials(existing, PASSWORD)));

            // everything queued so far has run (one thread, first in first out)
            slow.service.login("sentinel-" + UUID.randomUUID() + "@example.org", PASSWORD, "test")
                    .handle((v, e) -> null).get(60, TimeUnit.SECONDS);
            assertThat(blockers).allMatch(java.util.concurrent.CompletableFuture::isDone);
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email))
                    .as("the registration answered 503 was not written afterwards").isZero();
            assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", userId))
                    .as("the login answered 503 issued nothing afterwards").isZero();
        }
    }
}
