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
import dev.gatehouse.auth.OverloadedException;
import dev.gatehouse.auth.TokenPair;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.testing.GatehouseThreads;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.TokenSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lifecycle of the onboarding side over a real H2 database: building the managed keys, the
 * JDBC stores and the service runs no query and starts no thread; {@code start()} does, once; the
 * service refuses to start before its key source and refuses work before it started; {@code close()}
 * ends the threads the service made and leaves the executors the application gave running; a
 * rejection by such an executor is a {@code 503} as the service's own pools' is.
 */
class ServiceLifecycleTest {
    private static final String KEK = Base64.getEncoder().encodeToString(
            "lifecycle test key-encryption 32".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    private static final String PASSWORD = "a lifecycle password 42";

    static {
        SecretLedger.record(KEK);
        SecretLedger.record(PASSWORD);
    }

    private final TestDatabases.Database db = TestDatabases.h2();
    private final CountingDataSource counting = new CountingDataSource(db.dataSource());
    private final TokenSettings tokens = TokenSettings.builder("https://issuer.test", "lifecycle").build();
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final List<java.util.concurrent.ExecutorService> executors = new ArrayList<>();

    @BeforeEach
    void schema() {
        JdbcSchema.createIfAbsent(db.dataSource());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
        executors.forEach(java.util.concurrent.ExecutorService::shutdownNow);
        db.close();
    }

    private ManagedKeySource keys(ManagedKeySource.Builder builder) {
        ManagedKeySource keys = builder.build();
        closeLater.add(keys);
        return keys;
    }

    private ManagedKeySource.Builder keysOn(DataSource dataSource) {
        return ManagedKeySource.builder(dataSource).algorithm(SigningAlgorithm.ES256).keyEncryptionKey(KEK).tokenLifetime(tokens);
    }

    private AuthService.Builder service(ManagedKeySource keys, DataSource dataSource) {
        JdbcStores stores = new JdbcStores(dataSource);
        // a staleness longer than a test: the scheduled refresh never runs while a test counts the scheduler's tasks
        AuthSettings settings = AuthSettings.builder().bcryptCostForTests(4).revocationStaleness(Duration.ofMinutes(10)).build();
        return AuthService.builder(tokens, settings, keys,
                        new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                .securityEvents(event -> { });
    }

    private AuthService track(AuthService service) {
        closeLater.add(service);
        return service;
    }

    private static String email() {
        return "lifecycle-" + UUID.randomUUID() + "@example.org";
    }

    private <T extends java.util.concurrent.ExecutorService> T executor(T executor) {
        executors.add(executor);
        return executor;
    }

    @Test
    void buildingTheKeysTheStoresAndTheServiceRunsNoQueryAndStartsNoThread() {
        Set<Thread> before = GatehouseThreads.live();

        ManagedKeySource keys = keys(keysOn(counting));
        AuthService service = track(service(keys, counting).build());

        assertThat(counting.connections()).as("connections taken").isZero();
        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThat(keys.isRunning()).isFalse();
        assertThat(service.isRunning()).isFalse();
        assertThatThrownBy(keys::signingKey).isInstanceOf(IllegalStateException.class)
                .hasMessage("ManagedKeySource is not started: call start() first");
        assertThatThrownBy(() -> keys.verificationKey("kid")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(keys::publishedKeys).isInstanceOf(IllegalStateException.class);
        assertThat(counting.connections()).isZero();
    }

    @Test
    void startLoadsWhatTheServiceNeedsOnceAndCloseEndsItsThreads() throws Exception {
        Set<Thread> before = GatehouseThreads.live();
        ManagedKeySource keys = keys(keysOn(counting));
        AuthService service = track(service(keys, counting).build());

        keys.start();
        service.start();

        assertThat(counting.connections()).as("the first key, the first revocation snapshot").isPositive();
        assertThat(GatehouseThreads.newSince(before))
                .contains("gatehouse-key-refresh", "gatehouse-revocations", "gatehouse-maintenance");
        int connections = counting.connections();
        Set<String> threads = GatehouseThreads.newSince(before);
        keys.start();
        service.start();
        assertThat(counting.connections()).as("a second start() queries nothing").isEqualTo(connections);
        assertThat(GatehouseThreads.newSince(before)).as("nor starts a thread").isEqualTo(threads);

        String email = email();
        service.register(email, PASSWORD, "192.0.2.1").get();
        TokenPair pair = service.login(email, PASSWORD, "192.0.2.1").get();
        service.refreshAsync(pair.refreshToken()).get();
        assertThat(GatehouseThreads.newSince(before)).anyMatch(name -> name.startsWith("gatehouse-hashing-"))
                .anyMatch(name -> name.startsWith("gatehouse-store-"));

        service.close();
        keys.close();
        service.close();

        GatehouseThreads.awaitGone(before, "gatehouse-");
        assertThat(keys.signingKey()).as("the keys loaded last stay usable").isNotNull();
        assertThatThrownBy(keys::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("ManagedKeySource is closed and cannot be started again; build a new one");
        assertThat(service.isRunning()).isFalse();
        assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("AuthService is closed and cannot be started again; build a new one");
        assertThatThrownBy(() -> service.login(email, PASSWORD, null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("AuthService is closed");
    }

    @Test
    void beforeStartEveryOperationFailsNamingTheClassAndTheVerifierRefusesTokens() {
        ManagedKeySource keys = keys(keysOn(db.dataSource()));
        keys.start();
        AuthService service = track(service(keys, counting).build());
        String token = new AccessTokenIssuer(tokens, keys).issue("user-1", List.of("user")).token();
        SecretLedger.record(token);

        for (var operation : List.<Runnable>of(
                () -> service.register(email(), PASSWORD, null),
                () -> service.login(email(), PASSWORD, null),
                () -> service.refresh("x".repeat(43)),
                () -> service.refreshAsync("x".repeat(43)),
                () -> service.findUser("user-1"),
                () -> service.findUserByEmail("someone@example.org"),
                () -> service.deleteUser("user-1"),
                () -> service.grantRole("user-1", "admin"),
                service::purgeThrottle)) {
            assertThatThrownBy(operation::run).isInstanceOf(IllegalStateException.class)
                    .hasMessage("AuthService is not started: call start() first");
        }
        assertThatThrownBy(() -> service.verifier().verify(token)).isInstanceOf(InvalidTokenException.class);
        assertThat(counting.connections()).isZero();

        service.start();
        assertThat(service.verifier().verify(token).subject()).isEqualTo("user-1");
    }

    @Test
    void theServiceDoesNotStartBeforeItsKeySourceAndSaysWhichToStart() {
        ManagedKeySource keys = keys(keysOn(counting));
        AuthService service = track(service(keys, counting).build());
        Set<Thread> before = GatehouseThreads.live();

        assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("AuthService cannot start: its key source is not started")
                .hasMessageContaining("ManagedKeySource is not started: call start() first")
                .hasMessageContaining("Start the key source before the service");

        assertThat(service.isRunning()).isFalse();
        assertThat(counting.connections()).isZero();
        assertThat(GatehouseThreads.newSince(before)).isEmpty();

        keys.start();
        service.start();
        assertThat(service.isRunning()).isTrue();
    }

    @Test
    void aStartThatCannotReachTheDatabaseLeavesNothingRunningAndCanBeRetried() {
        ManagedKeySource keys = keys(keysOn(db.dataSource()));
        keys.start();
        AuthService service = track(service(keys, counting).build());
        Set<Thread> before = GatehouseThreads.live();
        counting.down(true);

        assertThatThrownBy(service::start).isInstanceOf(StoreUnavailableException.class);

        assertThat(service.isRunning()).isFalse();
        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThatThrownBy(() -> service.findUser("user-1")).hasMessageContaining("call start()");

        counting.down(false);
        service.start();
        assertThat(service.isRunning()).isTrue();
        assertThat(service.findUser("user-1")).isEmpty();
    }

    @Test
    void closeLeavesTheExecutorsTheApplicationGaveRunning() throws Exception {
        ScheduledThreadPoolExecutor scheduler = executor(new ScheduledThreadPoolExecutor(2));
        scheduler.setRemoveOnCancelPolicy(true);
        ThreadPoolExecutor hashing = executor(new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(10)));
        ThreadPoolExecutor store = executor(new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(10)));
        ManagedKeySource keys = keys(keysOn(db.dataSource()).scheduler(scheduler));
        AuthService service = track(service(keys, db.dataSource())
                .scheduler(scheduler).hashingExecutor(hashing).storeExecutor(store).build());
        Set<Thread> before = GatehouseThreads.live();

        keys.start();
        service.start();
        String email = email();
        service.register(email, PASSWORD, null).get();
        TokenPair pair = service.login(email, PASSWORD, null).get();
        service.refreshAsync(pair.refreshToken()).get();

        assertThat(hashing.getTaskCount()).as("register and login hashed on the given executor").isEqualTo(2);
        assertThat(store.getTaskCount()).as("the refresh ran on the given executor").isEqualTo(1);
        assertThat(scheduler.getQueue()).as("key refresh, revocation refresh, two clean-ups").hasSize(4);
        assertThat(GatehouseThreads.newSince(before)).noneMatch(name -> name.startsWith("gatehouse-")
                && !name.equals("gatehouse-dummy-hash"));

        service.close();
        keys.close();

        assertThat(List.of(scheduler, hashing, store)).noneMatch(java.util.concurrent.ExecutorService::isShutdown);
        assertThat(scheduler.getQueue()).as("the tasks of the service and the keys are cancelled").isEmpty();
        assertThatCode(() -> hashing.submit(() -> { }).get()).doesNotThrowAnyException();
    }

    @Test
    void aTaskAGivenExecutorRejectsIsRefusedAsOverloaded() throws Exception {
        ManagedKeySource keys = keys(keysOn(db.dataSource()));
        keys.start();
        AtomicInteger rejected = new AtomicInteger();
        AuthService service = track(service(keys, db.dataSource())
                .hashingExecutor(task -> {
                    rejected.incrementAndGet();
                    throw new RejectedExecutionException("full");
                })
                .storeExecutor(task -> {
                    rejected.incrementAndGet();
                    throw new RejectedExecutionException("full");
                })
                .build());
        service.start();

        assertThatThrownBy(() -> service.register(email(), PASSWORD, null)).isInstanceOf(OverloadedException.class);
        assertThatThrownBy(() -> service.login(email(), PASSWORD, null)).isInstanceOf(OverloadedException.class);
        assertThatThrownBy(() -> service.refreshAsync("x".repeat(43))).isInstanceOf(OverloadedException.class)
                .hasMessageContaining("store pool");
        assertThat(rejected).hasValue(3);
    }

    /** A DataSource that counts the connections taken through it, and can be "unplugged". */
    private static final class CountingDataSource implements DataSource {
        private final DataSource delegate;
        private final AtomicInteger connections = new AtomicInteger();
        private volatile boolean down;

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        int connections() {
            return connections.get();
        }

        void down(boolean isDown) {
            this.down = isDown;
        }

        @Override
        public Connection getConnection() throws SQLException {
            connections.incrementAndGet();
            if (down) {
                throw new SQLException("Connection refused (test)", "08001");
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
