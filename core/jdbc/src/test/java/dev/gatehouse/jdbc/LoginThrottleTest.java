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

package dev.gatehouse.jdbc;

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.InvalidCredentialsException;
import dev.gatehouse.auth.ThrottledException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.jdbc.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The login throttle of {@link AuthService} on a real H2 database and a clock that stands still
 * until the test moves it: the two buckets with their default numbers, their decay, the owner's
 * exemption from the account-wide limit, and what is kept in the table. Over HTTP the same rules
 * are tested by jaxrs' ThrottlingTest and the demo's attack suites.
 */
class LoginThrottleTest {
    private static final String PASSWORD = "a password nobody guesses 42";
    private static final String OWNER = "192.0.2.10";

    private final TestDatabases.Database db = TestDatabases.h2();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
    private final List<AuthService> services = new ArrayList<>();

    @BeforeEach
    void schema() {
        JdbcSchema.createIfAbsent(db.dataSource());
    }

    @AfterEach
    void stop() {
        services.forEach(AuthService::close);
        db.close();
    }

    private AuthService service(UnaryOperator<AuthSettings.Builder> settings) {
        JdbcStores stores = new JdbcStores(db.dataSource());
        AuthService service = AuthService.builder(TokenSettings.builder("https://issuer.test", "throttle").clock(clock).build(),
                        settings.apply(AuthSettings.builder().bcryptCostForTests(4).clientAttemptsPerMinute(100_000)).build(),
                        KeySet.of(SigningKey.generate(SigningAlgorithm.ES256)),
                        new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                .securityEvents(event -> { })
                .build();
        services.add(service);
        service.start();
        return service;
    }

    private AuthService service() {
        return service(b -> b);
    }

    private static String newEmail() {
        return "throttle-" + UUID.randomUUID() + "@example.org";
    }

    /** The outcome of a login: 200, 401 or 429 as the HTTP adapters would answer it, with the wait of a 429. */
    private static String login(AuthService service, String email, String password, String client) {
        try {
            service.login(email, password, client).get();
            return "200";
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidCredentialsException) {
                return "401";
            }
            if (e.getCause() instanceof ThrottledException) {
                return "429 " + ((ThrottledException) e.getCause()).retryAfterSeconds();
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> wrongLogins(AuthService service, String email, String client, int n) {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            outcomes.add(login(service, email, "wrong " + i, client));
        }
        return outcomes;
    }

    @Test
    void oneClientGetsFiveFailuresThenOneEveryFiveMinutesAndNotEvenTheRightPasswordInBetween() throws Exception {
        AuthService service = service();
        String email = newEmail();
        service.register(email, PASSWORD, null).get();

        assertThat(wrongLogins(service, email, "198.51.100.7", 6)).containsExactly("401", "401", "401", "401", "401", "429 300");
        assertThat(login(service, email, PASSWORD, "198.51.100.7")).as("the right password while throttled").isEqualTo("429 300");
        clock.advance(Duration.ofSeconds(299));
        assertThat(login(service, email, PASSWORD, "198.51.100.7")).isEqualTo("429 1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(login(service, email, "wrong again", "198.51.100.7")).isEqualTo("401");
        assertThat(login(service, email, PASSWORD, "198.51.100.7")).isEqualTo("429 300");
        // after five quiet intervals the failures have decayed away, and the right password gets in
        clock.advance(Duration.ofMinutes(25));
        assertThat(login(service, email, PASSWORD, "198.51.100.7")).isEqualTo("200");
        assertThat(wrongLogins(service, email, "198.51.100.7", 6)).as("a success empties the bucket of failures")
                .containsExactly("401", "401", "401", "401", "401", "429 300");
    }

    @Test
    void theOwnersOwnDeviceAndAnyCleanClientGetInWhileSomeoneElseIsThrottled() throws Exception {
        AuthService service = service();
        String email = newEmail();
        service.register(email, PASSWORD, null).get();
        assertThat(login(service, email, PASSWORD, OWNER)).isEqualTo("200");

        assertThat(wrongLogins(service, email, "203.0.113.66", 7)).endsWith("429 300");

        assertThat(login(service, email, PASSWORD, OWNER)).as("the owner's device").isEqualTo("200");
        assertThat(login(service, email, PASSWORD, "198.51.100.200")).as("a client with no failures").isEqualTo("200");
        assertThat(login(service, email, PASSWORD, "2001:db8:7:7::1")).as("another network").isEqualTo("200");
    }

    @Test
    void aDistributedGuesserIsStoppedByTheAccountCeilingWhileTheOwnersDeviceStillGetsIn() throws Exception {
        AuthService service = service();
        String email = newEmail();
        service.register(email, PASSWORD, null).get();
        assertThat(login(service, email, PASSWORD, OWNER)).isEqualTo("200");
        clock.advance(Duration.ofDays(29)); // the owner's success is still within the 30 days

        // ten networks, five guesses each: 50 failures, the account's burst
        List<String> outcomes = new ArrayList<>();
        for (int n = 0; n < 10; n++) {
            outcomes.addAll(wrongLogins(service, email, "2001:db8:" + n + "::1", 5));
        }
        assertThat(outcomes).hasSize(50).containsOnly("401");
        assertThat(login(service, email, "wrong", "2001:db8:a::1")).as("an eleventh network").isEqualTo("429 72");
        assertThat(login(service, email, PASSWORD, "198.51.100.99")).as("the right password from a new device").isEqualTo("429 72");
        assertThat(login(service, email, PASSWORD, OWNER)).as("the owner's device is exempt from the ceiling").isEqualTo("200");

        // 50 an hour after the burst: at most 100 failures in the first hour, however many networks
        int failures = 50;
        for (int s = 0; s <= 3600; s += 6) {
            if (login(service, email, "wrong", "2001:db8:" + Integer.toHexString(0x100 + s / 6) + "::1").equals("401")) {
                failures++;
            }
            clock.advance(Duration.ofSeconds(6));
        }
        assertThat(failures).isBetween(99, 100);
    }

    @Test
    void theOwnersExemptionEndsThirtyDaysAfterTheirLastSuccess() throws Exception {
        AuthService service = service();
        String email = newEmail();
        service.register(email, PASSWORD, null).get();
        assertThat(login(service, email, PASSWORD, OWNER)).isEqualTo("200");
        clock.advance(Duration.ofDays(30).plusSeconds(1));
        for (int n = 0; n < 10; n++) {
            wrongLogins(service, email, "198.51.100." + (n + 1), 5);
        }
        assertThat(login(service, email, PASSWORD, OWNER)).isEqualTo("429 72");
    }

    @Test
    void anUnknownEmailIsThrottledExactlyLikeAKnownOne() throws Exception {
        AuthService service = service();
        String known = newEmail();
        service.register(known, PASSWORD, null).get();
        String unknown = newEmail();

        List<String> k = wrongLogins(service, known, "198.51.100.7", 7);
        List<String> u = wrongLogins(service, unknown, "198.51.100.7", 7);

        assertThat(u).isEqualTo(k).containsExactly("401", "401", "401", "401", "401", "429 300", "429 300");
        assertThat(rows()).as("two buckets each, for the known and the unknown email").isEqualTo(4);
    }

    @Test
    void allAddressesOfOneSlash64ShareOneBucketAndMappedIpv4CountsAsIpv4() throws Exception {
        AuthService service = service();
        String email = newEmail();
        service.register(email, PASSWORD, null).get();
        List<String> outcomes = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            outcomes.add(login(service, email, "wrong", "2001:db8:5:5:" + i + "::" + Integer.toHexString(i * 997)));
        }
        assertThat(outcomes).containsExactly("401", "401", "401", "401", "401", "429 300");

        String other = newEmail();
        service.register(other, PASSWORD, null).get();
        wrongLogins(service, other, "192.0.2.44", 3);
        assertThat(wrongLogins(service, other, "::ffff:192.0.2.44", 3)).containsExactly("401", "401", "429 300");
    }

    @Test
    void theTableHoldsKeyedHashesNeverAnEmailOrAnAddressAndThePepperChangesThem() throws Exception {
        byte[] pepper = "a pepper of at least thirty-two bytes, kept elsewhere".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String email = newEmail();
        login(service(), email, "wrong", "198.51.100.7");
        List<String> plainKeys = keys();
        login(service(b -> b.pepper(pepper)), email, "wrong", "198.51.100.7");
        List<String> pepperedKeys = keys();
        pepperedKeys.removeAll(plainKeys);

        assertThat(plainKeys).hasSize(2).allMatch(k -> k.matches("[0-9a-f]{64}"));
        assertThat(pepperedKeys).as("another pepper, other keys").hasSize(2).allMatch(k -> k.matches("[0-9a-f]{64}"));
        assertThat(plainKeys).doesNotContain(StoreContract.hash(email), StoreContract.hash("198.51.100.7"));
        // the same deployment (same pepper) on another node finds the same buckets
        login(service(b -> b.pepper(pepper)), email, "wrong", "198.51.100.7");
        assertThat(keys()).hasSize(4);
    }

    @Test
    void theMaintenanceTaskPurgesBucketsThatAreFullAndRememberNoRecentSuccess() throws Exception {
        AuthService service = service();
        String email = newEmail();
        service.register(email, PASSWORD, null).get();
        assertThat(login(service, email, PASSWORD, OWNER)).isEqualTo("200");
        wrongLogins(service, email, "198.51.100.7", 5);
        assertThat(rows()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(24));
        assertThat(service.purgeThrottle()).as("the account bucket is full again; the guesser's is not").isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(service.purgeThrottle()).as("now the guesser's is full too").isEqualTo(1);
        assertThat(rows()).as("the owner's device is remembered").isEqualTo(1);
        clock.advance(Duration.ofDays(30));
        assertThat(service.purgeThrottle()).isEqualTo(1);
        assertThat(rows()).isZero();
    }

    @Test
    void aThrottledAttemptIsAnsweredWithoutHashingAPassword() throws Exception {
        AuthService service = service(b -> b.bcryptCost(12).hashingThreads(1));
        String email = newEmail();
        wrongLogins(service, email, "198.51.100.7", 5);
        List<Long> judged = new ArrayList<>();
        List<Long> throttled = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            throttled.add(timed(() -> assertThat(login(service, email, "wrong", "198.51.100.7")).startsWith("429")));
        }
        for (int i = 0; i < 3; i++) {
            String client = "192.0.2." + (i + 100);
            judged.add(timed(() -> assertThat(login(service, email, "wrong", client)).isEqualTo("401")));
        }
        // one bcrypt at cost 12 is hundreds of milliseconds; a refusal is one short transaction
        assertThat(median(throttled)).as("throttled %s, judged %s (ns)", throttled, judged).isLessThan(median(judged) / 4);
    }

    private static long timed(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return System.nanoTime() - start;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private long rows() {
        return keys().size();
    }

    private List<String> keys() {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT bucket_key FROM gh_login_buckets ORDER BY bucket_key");
             ResultSet rs = ps.executeQuery()) {
            List<String> keys = new ArrayList<>();
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
            return keys;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
