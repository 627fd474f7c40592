package dev.gatehouse.auth;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.RevocationCheck;
import dev.gatehouse.auth.store.RevocationStore;
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
 * Thread-safe; {@link #close()} stops the refresher.
 */
public final class CachedRevocationCheck implements RevocationCheck, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachedRevocationCheck.class);

    private final RevocationStore store;
    private final Clock clock;
    private final Duration horizon;
    private final ScheduledExecutorService refresher;
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
     * @param horizon how long a session revocation or a generation cut-off can matter: the longest
     *                an access token issued before it can still pass verification (its lifetime, the
     *                clock leeway, a second for the whole-second claims, and the longest a request
     *                that read the state before the revocation may take to sign its token)
     */
    public CachedRevocationCheck(RevocationStore store, Duration staleness, Duration horizon, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.horizon = Objects.requireNonNull(horizon, "horizon");
        refreshNow();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-revocations");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, staleness.toMillis());
        refresher.scheduleWithFixedDelay(this::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isRevoked(AccessTokenPrincipal principal) {
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

    /** Reloads from the store now. */
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

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
