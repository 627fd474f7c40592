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

package dev.gatehouse.token.keys;

import dev.gatehouse.testing.GatehouseThreads;
import dev.gatehouse.testing.JulCapture;
import dev.gatehouse.testing.KeyRoundTrip;
import dev.gatehouse.testing.LoopbackJwksServer;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static dev.gatehouse.testing.KeyRoundTrip.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lifecycle of the key sources of this module: {@code build()} reads no file, sends no
 * request and starts no thread; {@code start()} does the first load, once; use before it fails
 * naming the class (and a verifier refuses the token); {@code close()} ends the threads the source
 * made and leaves a scheduler or executor the application gave running.
 */
class KeySourceLifecycleTest {
    private static final SigningKey KEY = SigningKey.generate(SigningAlgorithm.ES256);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private LoopbackJwksServer issuer;
    private ScheduledThreadPoolExecutor givenScheduler;
    private ExecutorService givenHttp;

    @AfterEach
    void stop() {
        if (issuer != null) {
            issuer.close();
        }
        if (givenScheduler != null) {
            givenScheduler.shutdownNow();
        }
        if (givenHttp != null) {
            givenHttp.shutdownNow();
        }
    }

    private Path keyFile() throws IOException {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, JwkSets.toPrivateJson(List.of(KEY)));
        return file;
    }

    private RemoteJwksKeySource.Builder remote() {
        issuer = LoopbackJwksServer.start().serve(JwkSets.toPublicJson(List.of(KEY)));
        return RemoteJwksKeySource.builder(issuer.url()).allowHttpLoopback(true);
    }

    // --- FileKeySource ---

    @Test
    void fileBuildReadsNoFileAndStartsNoThread() {
        Set<Thread> before = GatehouseThreads.live();

        // a file that does not exist: reading it would fail, so build() cannot have read it
        FileKeySource source = FileKeySource.builder(dir.resolve("absent.json")).pollInterval(Duration.ofMillis(50)).build();

        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThat(source.isRunning()).isFalse();
        source.close();
    }

    @Test
    void fileUsedBeforeStartFailsNamingTheClassAndAVerifierRefusesTheToken() throws IOException {
        Path file = keyFile();
        String token;
        try (FileKeySource started = FileKeySource.builder(file).pollInterval(Duration.ZERO).build()) {
            started.start();
            token = KeyRoundTrip.issue(clock, started);
        }
        FileKeySource source = FileKeySource.builder(file).pollInterval(Duration.ZERO).build();

        assertThatThrownBy(source::signingKey).isInstanceOf(IllegalStateException.class)
                .hasMessage("FileKeySource is not started: call start() first");
        assertThatThrownBy(() -> source.verificationKey(KEY.kid())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("call start()");
        assertThatThrownBy(source::publishedKeys).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new AccessTokenVerifier(KeyRoundTrip.tokenSettings(clock), source).verify(token))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aVerifierOnAnUnstartedSourceRefusesAsKeysUnavailableAndWarnsOnceAMinuteToCallStart() throws IOException {
        Path file = keyFile();
        String token;
        try (FileKeySource started = FileKeySource.builder(file).pollInterval(Duration.ZERO).build()) {
            started.start();
            token = KeyRoundTrip.issue(clock, started);
        }
        AccessTokenVerifier verifier = new AccessTokenVerifier(KeyRoundTrip.tokenSettings(clock),
                FileKeySource.builder(file).pollInterval(Duration.ZERO).build());

        try (JulCapture log = JulCapture.of(AccessTokenVerifier.class.getName())) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(InvalidTokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.KEYS_UNAVAILABLE));
            }

            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARNING Every token is refused: the key source is not running (FileKeySource is not started:"
                            + " call start() first). Call start() on FileKeySource before the first request")
                    .doesNotContain(token));
        }
    }

    @Test
    void fileStartIsIdempotentAndCloseEndsTheOwnedThread() throws IOException {
        FileKeySource source = FileKeySource.builder(keyFile()).pollInterval(Duration.ofMillis(50)).build();
        Set<Thread> before = GatehouseThreads.live();

        source.start();
        source.start();

        assertThat(GatehouseThreads.newSince(before)).containsExactly("gatehouse-key-file-poll");
        assertThat(source.isRunning()).isTrue();
        assertThat(source.signingKey().kid()).isEqualTo(KEY.kid());

        source.close();
        source.close();

        assertThat(source.isRunning()).isFalse();
        GatehouseThreads.awaitGone(before, "gatehouse-");
        // the keys read last keep answering after close
        assertThat(source.signingKey().kid()).isEqualTo(KEY.kid());
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FileKeySource is closed");
    }

    @Test
    void fileCloseLeavesAGivenSchedulerRunningWithoutItsTask() throws IOException {
        givenScheduler = new ScheduledThreadPoolExecutor(1);
        givenScheduler.setRemoveOnCancelPolicy(true);
        FileKeySource source = FileKeySource.builder(keyFile()).pollInterval(Duration.ofMillis(50)).scheduler(givenScheduler).build();
        Set<Thread> before = GatehouseThreads.live();

        source.start();
        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThat(givenScheduler.getQueue()).hasSize(1);

        source.close();

        assertThat(givenScheduler.isShutdown()).isFalse();
        assertThat(givenScheduler.getQueue()).isEmpty();
    }

    @Test
    void aFileThatCannotBeReadFailsStartAndLeavesNothingRunning() {
        FileKeySource source = FileKeySource.builder(dir.resolve("absent.json")).pollInterval(Duration.ofMillis(50)).build();
        Set<Thread> before = GatehouseThreads.live();

        assertThatThrownBy(source::start).isInstanceOf(dev.gatehouse.token.ConfigurationException.class);

        assertThat(source.isRunning()).isFalse();
        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThatThrownBy(source::signingKey).isInstanceOf(IllegalStateException.class);
    }

    // --- RemoteJwksKeySource ---

    @Test
    void remoteBuildSendsNoRequestAndStartsNoThread() {
        RemoteJwksKeySource.Builder builder = remote();
        Set<Thread> before = GatehouseThreads.live();

        RemoteJwksKeySource source = builder.build();

        assertThat(GatehouseThreads.newSince(before)).isEmpty();
        assertThat(issuer.requests()).isZero();
        assertThatThrownBy(() -> source.verificationKey(KEY.kid())).isInstanceOf(IllegalStateException.class)
                .hasMessage("RemoteJwksKeySource is not started: call start() first");
        assertThat(issuer.requests()).isZero();
        source.close();
    }

    @Test
    void remoteStartFetchesOnceBeforeItReturnsAndIsIdempotent() {
        RemoteJwksKeySource source = remote().build();
        Set<Thread> before = GatehouseThreads.live();
        try {
            source.start();
            assertThat(issuer.requests()).isEqualTo(1);
            assertThat(source.keys()).extracting(SigningKey::kid).containsExactly(KEY.kid());

            source.start();

            assertThat(issuer.requests()).isEqualTo(1);
            assertThat(source.verificationKey(KEY.kid())).isPresent();
            assertThat(issuer.requests()).isEqualTo(1);
            assertThat(GatehouseThreads.newSince(before)).anyMatch(name -> name.startsWith("gatehouse-jwks-"));
        } finally {
            source.close();
        }
        GatehouseThreads.awaitGone(before, "gatehouse-jwks-");
        assertThatThrownBy(source::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RemoteJwksKeySource is closed");
    }

    @Test
    void remoteCloseLeavesTheGivenSchedulerAndHttpExecutorRunning() {
        givenScheduler = new ScheduledThreadPoolExecutor(1);
        givenScheduler.setRemoveOnCancelPolicy(true);
        givenHttp = Executors.newCachedThreadPool();
        RemoteJwksKeySource source = remote().scheduler(givenScheduler).httpExecutor(givenHttp).build();
        Set<Thread> before = GatehouseThreads.live();

        source.start();

        assertThat(issuer.requests()).isEqualTo(1);
        assertThat(GatehouseThreads.newSince(before)).noneMatch(name -> name.startsWith("gatehouse-"));
        assertThat(givenScheduler.getQueue()).hasSize(1); // the next refresh

        source.close();

        assertThat(givenScheduler.isShutdown()).isFalse();
        assertThat(givenHttp.isShutdown()).isFalse();
        assertThat(givenScheduler.getQueue()).isEmpty();
        assertThatCode(() -> givenHttp.submit(() -> { }).get()).doesNotThrowAnyException();
    }
}
