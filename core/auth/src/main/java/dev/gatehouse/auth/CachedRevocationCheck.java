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

import dev.gatehouse.auth.store.RevocationChange;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.RevocationCheck;
import dev.gatehouse.token.internal.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A per-node, self-refreshing view of the revocations in the database: token ids revoked one by one,
 * revoked sessions (refresh-token families), and per-user token generations (logout everywhere, a
 * change of roles, account deletion). Verification reads only this in-memory view; the database
 * sees one small query per node per {@code staleness} interval, never one per request. Revocations
 * made on this node are applied at once.
 *
 * <p>A token is refused when its {@code jti} is revoked, when the session it names is revoked, or
 * when its token generation is below its user's lowest accepted one (see
 * {@link AccessTokenPrincipal#sessionId()} and {@link AccessTokenPrincipal#tokenGeneration()}).
 * Session revocations and generation cut-offs are kept for the {@code horizon}: as long as a token
 * issued before them could still pass verification.
 *
 * <p><b>What a refresh reads.</b> With a store that numbers its changes
 * ({@link RevocationStore#latestChange()}), {@link #start()} reads the whole live set once, and each
 * refresh after it reads only the changes numbered above what it has read: its cost follows the
 * revocations made since the last refresh, not the revocations in force. Numbers a refresh skipped
 * (a write that took its number and committed after a later one) are read again at each refresh
 * until they show up or the {@code overlap} has passed. Every {@code reconciliation} (and once an
 * {@code overlap} after start, for the writes in flight while the first read ran) the whole live set
 * is read again and replaces the view: whatever a refresh may have missed (a write that committed
 * later than the overlap, a database restored to an earlier point) is mended then. Entries are
 * dropped from memory when they stop mattering. With a store that does not number its changes,
 * every refresh reads the whole live set.
 *
 * <p>When the database cannot be reached, the last view stays in force (verification keeps
 * working, revocations made elsewhere arrive once it is back) and the failure is logged.
 *
 * <p>Thread-safe. {@link #isRevoked} takes no lock.
 */
public final class CachedRevocationCheck implements RevocationCheck, AutoCloseable {
    /** How long a skipped change number is awaited by default before the refresh gives it up. */
    public static final Duration DEFAULT_OVERLAP = Duration.ofMinutes(1);
    /** How often the whole live set is read again by default. */
    public static final Duration DEFAULT_RECONCILIATION = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(CachedRevocationCheck.class);

    private final RevocationStore store;
    private final Clock clock;
    private final Duration horizon;
    private final Duration staleness;
    private final Duration overlap;
    private final Duration reconciliation;
    /** The service's scheduler, or {@code null}: then {@link #start()} makes one. */
    private final ScheduledExecutorService givenScheduler;
    private final Lifecycle lifecycle = new Lifecycle(CachedRevocationCheck.class);
    /** Made by {@link #start()} when none was given; shut down by {@link #close()}. */
    private ScheduledExecutorService ownedScheduler;
    private ScheduledFuture<?> refreshing;
    /** Replaced whole by a full read; changed in place by the refreshes in between. */
    private volatile View view = View.empty();
    // Revocations made on this node, kept apart from the view so that a full read that started
    // before they were written cannot drop them; pruned once they can no longer matter.
    private final Map<String, Instant> localTokens = new ConcurrentHashMap<>();
    private final Map<String, Instant> localSessions = new ConcurrentHashMap<>();
    private final Map<String, Cutoff> localUsers = new ConcurrentHashMap<>();

    // Guarded by "this" (the refresh thread, and callers of refreshNow and reconcileNow).
    private final ChangeCursor cursor;
    /** When each entry of the view stops mattering, soonest first. */
    private PriorityQueue<Expiry> expiries = new PriorityQueue<>();
    /** Whether the store numbers its changes, as the first full read found; until then, no. */
    private boolean numbered;
    private Instant nextFullRead = Instant.MIN;
    private Refresh lastRefresh;

    /** The view: what the database said, as of the last refresh. */
    private record View(Map<String, Instant> tokens, Map<String, Instant> sessions, Map<String, Cutoff> users) {
        static View empty() {
            return new View(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }

    /** A user's generation cut-off: the lowest generation accepted, and when it was set. */
    private record Cutoff(int lowest, Instant at) {
        Cutoff higher(Cutoff other) {
            return new Cutoff(Math.max(lowest, other.lowest), at.isAfter(other.at) ? at : other.at);
        }
    }

    private record Expiry(Instant when, RevocationChange.Kind kind, String id) implements Comparable<Expiry> {
        @Override
        public int compareTo(Expiry other) {
            return when.compareTo(other.when);
        }
    }

    /**
     * What the last refresh did.
     *
     * @param full     whether it read the whole live set (start, reconciliation, or a store that does not
     *                 number its changes)
     * @param rowsRead how many entries or changes it read
     * @param at       when it read them
     * @param awaited  change numbers it skipped and still awaits (0 after a full read of a store that does not number its changes)
     */
    public record Refresh(boolean full, int rowsRead, Instant at, long awaited) {
    }

    /**
     * A cache that refreshes on a thread of its own, made by {@link #start()}, with the default
     * overlap and reconciliation.
     *
     * @param staleness how often the view is refreshed
     * @param horizon   how long a session revocation or a generation cut-off can matter: the longest
     *                  an access token issued before it can still pass verification (its lifetime, the
     *                  clock leeway, a second for the whole-second claims, and the longest a request
     *                  that read the state before the revocation may take to sign its token)
     */
    public CachedRevocationCheck(RevocationStore store, Duration staleness, Duration horizon, Clock clock) {
        this(store, staleness, horizon, DEFAULT_OVERLAP, DEFAULT_RECONCILIATION, clock, null);
    }

    /**
     * A cache that refreshes on {@code scheduler} (the {@link AuthService}'s), or on a thread of its
     * own when it is {@code null}. A given scheduler stays its owner's: {@link #close()} cancels the
     * refresh on it but does not shut it down.
     *
     * @param overlap        how long a skipped change number is awaited (read again at every refresh)
     * @param reconciliation how often the whole live set is read again
     */
    CachedRevocationCheck(RevocationStore store, Duration staleness, Duration horizon, Duration overlap, Duration reconciliation,
                          Clock clock, ScheduledExecutorService scheduler) {
        this.store = Objects.requireNonNull(store, "store");
        this.staleness = Objects.requireNonNull(staleness, "staleness");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.horizon = Objects.requireNonNull(horizon, "horizon");
        this.overlap = Objects.requireNonNull(overlap, "overlap");
        this.reconciliation = Objects.requireNonNull(reconciliation, "reconciliation");
        this.givenScheduler = scheduler;
        this.cursor = new ChangeCursor(overlap);
    }

    /**
     * Reads the whole live set and schedules the refresh every {@code staleness}. Idempotent: a
     * second call does nothing. When it throws, nothing is left running and it may be called again.
     *
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the store cannot be read
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        lifecycle.start(() -> {
            reconcileNow();
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
        View v = view;
        String jti = principal.tokenId();
        if (v.tokens.containsKey(jti) || (!localTokens.isEmpty() && localTokens.containsKey(jti))) {
            return true;
        }
        String session = principal.sessionId();
        if (session != null && (v.sessions.containsKey(session) || (!localSessions.isEmpty() && localSessions.containsKey(session)))) {
            return true;
        }
        String user = principal.subject();
        Cutoff cutoff = v.users.get(user);
        if (cutoff != null && principal.tokenGeneration() < cutoff.lowest) {
            return true;
        }
        if (!localUsers.isEmpty()) {
            Cutoff local = localUsers.get(user);
            return local != null && principal.tokenGeneration() < local.lowest;
        }
        return false;
    }

    /** Records on this node at once that a token is refused until {@code until} (the database was written by the caller). */
    public void revokedLocally(String jti, Instant until) {
        localTokens.merge(jti, until, CachedRevocationCheck::later);
    }

    /** Records on this node at once that a session was revoked at {@code at}. */
    public void sessionRevokedLocally(String sessionId, Instant at) {
        localSessions.merge(sessionId, at, CachedRevocationCheck::later);
    }

    /** Records on this node at once that the user's tokens below {@code generation} are refused, as of {@code at}. */
    public void generationsRefusedLocally(String userId, int generation, Instant at) {
        localUsers.merge(userId, new Cutoff(generation, at), Cutoff::higher);
    }

    /**
     * Refreshes now, on the caller's thread: reads the changes since the last read, or the whole
     * live set when a reconciliation is due or the store does not number its changes.
     *
     * @return what it read
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the store cannot be read (the view stays as it was)
     */
    public synchronized Refresh refreshNow() {
        if (!numbered || !clock.instant().isBefore(nextFullRead)) {
            return reconcileNow();
        }
        long after = cursor.readAfter();
        List<RevocationChange> changes = store.changesAfter(after);
        Instant now = clock.instant();
        View v = view;
        long[] numbers = new long[changes.size()];
        for (int i = 0; i < numbers.length; i++) {
            RevocationChange c = changes.get(i);
            numbers[i] = c.sequence();
            apply(v, expiries, c, now);
        }
        cursor.advance(numbers, now);
        expire(v, now);
        pruneLocal(now);
        return finished(new Refresh(false, numbers.length, now, cursor.awaited()));
    }

    /**
     * Reads the whole live set now, on the caller's thread, and replaces the view with it.
     *
     * @return what it read
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the store cannot be read (the view stays as it was)
     */
    public synchronized Refresh reconcileNow() {
        // The latest number is read before the set: a change numbered after it is read by the next
        // refresh, even when it is in this set too (applying one twice changes nothing).
        OptionalLong latest = store.latestChange();
        Instant now = clock.instant();
        Instant oldest = now.minus(horizon);
        Map<String, Instant> tokens = store.revokedTokens(now);
        Map<String, Instant> sessions = store.revokedSessions(oldest);
        Map<String, Integer> users = store.userGenerations(oldest);

        boolean firstNumbered = latest.isPresent() && !numbered;
        numbered = latest.isPresent();
        View fresh = new View(new ConcurrentHashMap<>(tokens), new ConcurrentHashMap<>(sessions), new ConcurrentHashMap<>());
        // The store does not say when a cut-off was set: it is kept as if set now (longer than it
        // matters, never shorter), until the next full read replaces it.
        users.forEach((id, lowest) -> fresh.users.put(id, new Cutoff(lowest, now)));
        // Expiries matter only between full reads: without numbers, the next refresh replaces all.
        List<Expiry> due = new ArrayList<>(numbered ? tokens.size() + sessions.size() + users.size() : 0);
        if (numbered) {
            tokens.forEach((jti, until) -> due.add(new Expiry(until, RevocationChange.Kind.TOKEN, jti)));
            sessions.forEach((id, at) -> due.add(new Expiry(at.plus(horizon), RevocationChange.Kind.SESSION, id)));
            users.forEach((id, lowest) -> due.add(new Expiry(now.plus(horizon), RevocationChange.Kind.GENERATION, id)));
            long number = latest.getAsLong();
            // Also when the latest number went back: every entry of that change was purged (a quiet
            // spell longer than the horizon), or the database is an earlier copy. Reading again
            // from a lower number is always safe; a higher one could skip changes.
            if (firstNumbered || number < cursor.seen()) {
                cursor.restart(number);
            }
        }
        view = fresh;
        expiries = new PriorityQueue<>(due);
        // After the first full read, another one an overlap later: a write in flight while it ran
        // may have taken a number below the latest one and committed after the read.
        nextFullRead = now.plus(firstNumbered ? overlap : reconciliation);
        pruneLocal(now);
        int rows = tokens.size() + sessions.size() + users.size();
        return finished(new Refresh(true, rows, now, numbered ? cursor.awaited() : 0));
    }

    /** How many revocations the view holds (made on this node or not), for tests. */
    int entries() {
        View v = view;
        return v.tokens.size() + v.sessions.size() + v.users.size() + localTokens.size() + localSessions.size() + localUsers.size();
    }

    /** What the last refresh did, or {@code null} before the first. */
    public synchronized Refresh lastRefresh() {
        return lastRefresh;
    }

    private Refresh finished(Refresh refresh) {
        lastRefresh = refresh;
        if (LOG.isDebugEnabled()) {
            LOG.debug("Revocations refreshed: {}", refresh);
        }
        return refresh;
    }

    /** Adds one change to the view, if it still matters. */
    private void apply(View v, PriorityQueue<Expiry> queue, RevocationChange c, Instant now) {
        Instant ends = c.kind() == RevocationChange.Kind.TOKEN ? c.at() : c.at().plus(horizon);
        if (!ends.isAfter(now)) {
            return;
        }
        if (c.kind() == RevocationChange.Kind.TOKEN) {
            v.tokens.merge(c.id(), c.at(), CachedRevocationCheck::later);
        } else if (c.kind() == RevocationChange.Kind.SESSION) {
            v.sessions.merge(c.id(), c.at(), CachedRevocationCheck::later);
        } else {
            v.users.merge(c.id(), new Cutoff(c.generation(), c.at()), Cutoff::higher);
        }
        queue.add(new Expiry(ends, c.kind(), c.id()));
    }

    /** Drops the entries that stopped mattering by {@code now}; an entry extended since it was queued stays. */
    private void expire(View v, Instant now) {
        Instant sessionsFrom = now.minus(horizon);
        while (!expiries.isEmpty() && !expiries.peek().when.isAfter(now)) {
            Expiry e = expiries.poll();
            if (e.kind == RevocationChange.Kind.TOKEN) {
                v.tokens.computeIfPresent(e.id, (id, until) -> until.isAfter(now) ? until : null);
            } else if (e.kind == RevocationChange.Kind.SESSION) {
                v.sessions.computeIfPresent(e.id, (id, at) -> at.isAfter(sessionsFrom) ? at : null);
            } else {
                v.users.computeIfPresent(e.id, (id, cutoff) -> cutoff.at.isAfter(sessionsFrom) ? cutoff : null);
            }
        }
    }

    private void pruneLocal(Instant now) {
        Instant oldest = now.minus(horizon);
        localTokens.values().removeIf(until -> until.isBefore(now));
        localSessions.values().removeIf(at -> at.isBefore(oldest));
        localUsers.values().removeIf(local -> local.at.isBefore(oldest));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private void refreshQuietly() {
        try {
            refreshNow();
        } catch (RuntimeException e) {
            LOG.warn("Could not refresh revocations; keeping the last view ({})", e.getClass().getSimpleName());
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
