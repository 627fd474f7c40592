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

package dev.gatehouse.auth;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.RevocationCheck;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.token.internal.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A per-node, self-refreshing view of the revocations in the database: token ids revoked one by one,
 * revoked sessions (refresh-token families), and per-user token generations (logout everywhere, a
 * change of roles, account deletion). Verification reads only this in-memory snapshot; the database
 * sees one small set of queries per node per {@code staleness} interval, never one per request.
 * Revocations made on this node are applied to the snapshot at once.
 *
 * <p>A token is refused when its {@code jti} is revoked, when the session it names is revoked, or
 * when its token generation is below its user's lowest accepted one (see
 * {@link AccessTokenPrincipal#sessionId()} and {@link AccessTokenPrincipal#tokenGeneration()}).
 * Session revocations and generation cut-offs are kept for the {@code horizon}: as long as a token
 * issued before them could still pass verification.
 *
 * <p>When the database cannot be reached, the last snapshot stays in force (verification keeps
 * working, revocations made elsewhere arrive once it is back) and the failure is logged.
 *
 * <p><b>Lifecycle.</b> The constructor runs no query and starts no thread. {@link #start()} loads
 * the first snapshot (synchronously, so that no token is ever checked against an empty one) and
 * schedules the refresh. {@link #isRevoked} throws {@link IllegalStateException} unless running,
 * before {@code start()} and after {@link #close()} alike, and the verifier turns that into a
 * refused token: a cache that no longer refreshes fails closed. The refresh runs on a daemon thread
 * ({@code gatehouse-revocations}) that {@code start()} makes and {@code close()} shuts down, or, in
 * an {@link AuthService}, on the service's scheduler. Thread-safe.
 */
public final class CachedRevocationCheck implements RevocationCheck, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachedRevocationCheck.class);

    private final RevocationStore store;
    private final Clock clock;
    private final Duration horizon;
    private final Duration staleness;
    /** The service's scheduler, or {@code null}: then {@link #start()} makes one. */
    private final ScheduledExecutorService givenScheduler;
    private final Lifecycle lifecycle = new Lifecycle(CachedRevocationCheck.class);
    /** Made by {@link #start()} when none was given; shut down by {@link #close()}. */
    private ScheduledExecutorService ownedScheduler;
    private ScheduledFuture<?> refreshing;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of());
    // Revocations made on this node, kept apart from the snapshot so that a refresh that started
    // before they were written cannot drop them; pruned once they can no longer matter.
    private final Map<String, Instant> localTokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> localSessions = new ConcurrentHashMap<>();
    private final Map<String, LocalGeneration> localUsers = new ConcurrentHashMap<>();

    private record Snapshot(Map<String, Instant> tokens, Map<String, Instant> sessions, Map<String, Integer> users) {
    }

    private record LocalGeneration(int lowest, Instant at) {
        LocalGeneration higher(LocalGeneration other) {
            return new LocalGeneration(Math.max(lowest, other.lowest), at.isAfter(other.at) ? at : other.at);
        }
    }

    /**
     * A cache that refreshes on a thread of its own, made by {@link #start()}.
     *
     * @param staleness how often the snapshot is reloaded
     * @param horizon   how long a session revocation or a generation cut-off can matter: the longest
     *                  an access token issued before it can still pass verification (its lifetime, the
     *                  clock leeway, a second for the whole-second claims, and the longest a request
     *                  that read the state before the revocation may take to sign its token)
     */
    public CachedRevocationCheck(RevocationStore store, Duration staleness, Duration horizon, Clock clock) {
        this(store, staleness, horizon, clock, null);
    }

    /**
     * A cache that refreshes on {@code scheduler} (the {@link AuthService}'s), or on a thread of its
     * own when it is {@code null}. A given scheduler stays its owner's: {@link #close()} cancels the
     * refresh on it but does not shut it down.
     */
    CachedRevocationCheck(RevocationStore store, Duration staleness, Duration horizon, Clock clock,
                          ScheduledExecutorService scheduler) {
        this.store = Objects.requireNonNull(store, "store");
        this.staleness = Objects.requireNonNull(staleness, "staleness");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.horizon = Objects.requireNonNull(horizon, "horizon");
        this.givenScheduler = scheduler;
    }

    /**
     * Loads the first snapshot and schedules the refresh every {@code staleness}. Idempotent: a
     * second call does nothing. When it throws, nothing is left running and it may be called again.
     *
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the store cannot be read
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        lifecycle.start(() -> {
            refreshNow();
            ScheduledExecutorService scheduler = givenScheduler;
            if (scheduler == null) {
                ownedScheduler = Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("gatehouse-revocations"));
                scheduler = ownedScheduler;
            }
            long period = Math.max(1, staleness.toMillis());
            refreshing = scheduler.scheduleWithFixedDelay(this::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
        });
    }

    /** Whether {@link #start()} succeeded and {@link #close()} has not been called. */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /** @throws IllegalStateException unless running (before {@link #start()}, after {@link #close()}) */
    @Override
    public boolean isRevoked(AccessTokenPrincipal principal) {
        lifecycle.requireRunning();
        Snapshot s = snapshot;
        String jti = principal.tokenId();
        if (s.tokens.containsKey(jti) || (!localTokens.isEmpty() && localTokens.containsKey(jti))) {
            return true;
        }
        String session = principal.sessionId();
        if (session != null && (s.sessions.containsKey(session) || (!localSessions.isEmpty() && localSessions.containsKey(session)))) {
            return true;
        }
        String user = principal.subject();
        Integer lowest = s.users.get(user);
        if (lowest != null && principal.tokenGeneration() < lowest) {
            return true;
        }
        if (!localUsers.isEmpty()) {
            LocalGeneration local = localUsers.get(user);
            return local != null && principal.tokenGeneration() < local.lowest;
        }
        return false;
    }

    /** Records on this node at once that a token is refused until {@code until} (the database was written by the caller). */
    public void revokedLocally(String jti, Instant until) {
        localTokens.merge(jti, until, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Records on this node at once that a session was revoked at {@code at}. */
    public void sessionRevokedLocally(String sessionId, Instant at) {
        localSessions.merge(sessionId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Records on this node at once that the user's tokens below {@code generation} are refused, as of {@code at}. */
    public void generationsRefusedLocally(String userId, int generation, Instant at) {
        localUsers.merge(userId, new LocalGeneration(generation, at), LocalGeneration::higher);
    }

    /**
     * Reloads from the store now, on the caller's thread.
     *
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the store cannot be read (the last snapshot stays)
     */
    public void refreshNow() {
        Instant now = clock.instant();
        Instant oldest = now.minus(horizon);
        Map<String, Instant> tokens = store.revokedTokens(now);
        Map<String, Instant> sessions = store.revokedSessions(oldest);
        Map<String, Integer> users = store.userGenerations(oldest);
        snapshot = new Snapshot(Map.copyOf(tokens), Map.copyOf(sessions), Map.copyOf(users));
        localTokens.values().removeIf(until -> until.isBefore(now));
        localSessions.values().removeIf(at -> at.isBefore(oldest));
        localUsers.values().removeIf(local -> local.at.isBefore(oldest));
    }

    private void refreshQuietly() {
        try {
            refreshNow();
        } catch (RuntimeException e) {
            LOG.warn("Could not refresh revocations; keeping the last snapshot ({})", e.getClass().getSimpleName());
        }
    }

    /**
     * Stops the refresh; from now on {@link #isRevoked} throws. Shuts down the refresh thread if
     * {@link #start()} made it, never a scheduler the application gave. Idempotent.
     */
    @Override
    public void close() {
        if (lifecycle.close() != Lifecycle.State.RUNNING) {
            return;
        }
        refreshing.cancel(false);
        if (ownedScheduler != null) {
            ownedScheduler.shutdownNow();
        }
    }
}
