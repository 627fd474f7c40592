package dev.gatehouse.core.auth;

import dev.gatehouse.core.AccessTokenPrincipal;
import dev.gatehouse.core.RevocationCheck;
import dev.gatehouse.core.store.RevocationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A per-node, self-refreshing view of the revocations in the database: token ids revoked by
 * logout, and per-user cut-offs set by logout-all. Verification reads only this in-memory
 * snapshot; the database sees one small query pair per node per {@code staleness} interval, never
 * one per request. Revocations made on this node are applied to the snapshot at once.
 *
 * <p>When the database cannot be reached, the last snapshot stays in force (verification keeps
 * working, revocations made elsewhere arrive once it is back) and the failure is logged.
 * Thread-safe; {@link #close()} stops the refresher.
 */
public final class CachedRevocationCheck implements RevocationCheck, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachedRevocationCheck.class);

    private final RevocationStore store;
    private final Clock clock;
    private final Duration maxTokenAge;
    private final ScheduledExecutorService refresher;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
    // Revocations made on this node, kept apart from the snapshot so that a refresh that started
    // before they were written cannot drop them; pruned once they can no longer matter.
    private final Map<String, Instant> localTokens = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Instant> localUsers = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Snapshot {
        final Map<String, Instant> tokens;
        final Map<String, Instant> users;

        Snapshot(Map<String, Instant> tokens, Map<String, Instant> users) {
            this.tokens = tokens;
            this.users = users;
        }
    }

    /**
     * @param maxTokenAge the longest an access token can live (its TTL plus the clock leeway):
     *                    cut-offs older than that cannot matter and are not loaded
     */
    public CachedRevocationCheck(RevocationStore store, Duration staleness, Duration maxTokenAge, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxTokenAge = Objects.requireNonNull(maxTokenAge, "maxTokenAge");
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
        if (s.tokens.containsKey(principal.tokenId()) || (!localTokens.isEmpty() && localTokens.containsKey(principal.tokenId()))) {
            return true;
        }
        return before(s.users.get(principal.subject()), principal)
                || (!localUsers.isEmpty() && before(localUsers.get(principal.subject()), principal));
    }

    /** A token issued in the same second as logout-all is refused too: {@code iat} has second precision. */
    private static boolean before(Instant cutoff, AccessTokenPrincipal principal) {
        return cutoff != null && !principal.issuedAt().isAfter(cutoff);
    }

    /** Records a logout on this node at once (the database was written by the caller). */
    public void revokedLocally(String jti, Instant expiresAt) {
        localTokens.put(jti, expiresAt);
    }

    /** Records a logout-all on this node at once. */
    public void userRevokedLocally(String userId, Instant cutoff) {
        localUsers.merge(userId, cutoff, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Reloads from the store now. */
    public void refreshNow() {
        Instant now = clock.instant();
        Map<String, Instant> tokens = store.revokedTokens(now);
        Map<String, Instant> users = store.userCutoffs(now.minus(maxTokenAge));
        snapshot = new Snapshot(Map.copyOf(tokens), Map.copyOf(users));
        localTokens.values().removeIf(expiry -> expiry.isBefore(now));
        Instant oldest = now.minus(maxTokenAge);
        localUsers.values().removeIf(cutoff -> cutoff.isBefore(oldest));
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
