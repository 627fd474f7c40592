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

package dev.gatehouse.jdbc.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;
import dev.gatehouse.token.internal.Lifecycle;
import dev.gatehouse.jdbc.keys.KeyRowCheck.RefusedKeyException;
import dev.gatehouse.jdbc.keys.KeyTimeline.Step;
import dev.gatehouse.auth.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Signing keys that Gatehouse generates, stores in the database ({@code gh_signing_keys}) and
 * rotates on a schedule; every node on the same database signs with the same key and publishes
 * the same keys, with no coordination beyond the database.
 *
 * <pre>{@code
 * JdbcSchema.createIfAbsent(dataSource);                 // creates gh_signing_keys too
 * ManagedKeySource keys = ManagedKeySource.builder(dataSource)
 *         .keyEncryptionKey(System.getenv("GATEHOUSE_KEY_ENCRYPTION_KEY"))   // base64 of 32 bytes
 *         .tokenLifetime(tokenSettings)                  // access-token TTL + clock leeway
 *         .build();                                      // checks the settings: no query, no thread
 * keys.start();                                          // loads (or creates) the keys, schedules the refresh
 * ...
 * keys.close();                                          // on shutdown, after the service that signs with it
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * {@link Builder#build()} checks the settings only: it runs no query and starts no thread.
 * {@link #start()} loads the keys (creating the first one in an empty table) and schedules the
 * refresh; until then every key accessor and operation throws {@link IllegalStateException}.
 * {@link #close()} stops the refresh; the keys loaded last stay usable. The refresh runs on a
 * {@linkplain Builder#scheduler scheduler} the application gives, or on a daemon thread
 * ({@code gatehouse-key-refresh}) that {@code start()} makes and {@code close()} shuts down.
 *
 * <h2>The life of a key</h2>
 * <pre>
 *   created, published      signs                           stops signing       unpublished
 *   |--- publishLead ---|---------- rotationPeriod ----------|--- tokenLifetime ---|
 *        PENDING                     ACTIVE                        RETIRED            EXPIRED
 *                                                |--- publishLead ---|
 *                                                next key created, published
 * </pre>
 * <ul>
 *   <li>When the database has no key, the first one is created and signs at once (nobody can have
 *       cached a JWK Set yet).</li>
 *   <li>{@code publishLead} before the active key has signed for {@code rotationPeriod}, the next
 *       key is created and published; it starts signing when the period ends (never less than
 *       {@code publishLead} after it was created). So a verifier that caches the JWK Set for at
 *       most {@link #recommendedJwksMaxAge()} has it before the first token it signs.</li>
 *   <li>A key that stopped signing stays published and verifying for {@code tokenLifetime} more
 *       (the longest an access token lives, TTL plus clock leeway), then it is dropped and its
 *       private part deleted from the table.</li>
 *   <li>The switch from one key to the next is decided by the clock, not by a message: every
 *       node has loaded the next key long before it activates, so all switch at the same instant
 *       (up to clock skew, which the leeway covers).</li>
 * </ul>
 *
 * <h2>Nodes</h2>
 * Each node reloads the table on start and every {@code refreshInterval} (a daemon thread), and
 * creates the next key when it is due. When two nodes do so at once, both insert the same
 * {@code generation}, which is unique: exactly one insert wins, the other node sees a duplicate
 * key and reloads. A database error during a refresh keeps the keys loaded last (and is logged);
 * a source that has never loaded keys throws {@link StoreUnavailableException} from
 * {@link #signingKey()}.
 *
 * <h2>Private keys at rest, and rows that cannot be forged</h2>
 * Private keys are encrypted with AES-256-GCM under a 32-byte key-encryption key (KEK), which
 * must be the same on every node and must be kept outside the database (a secret store, an
 * environment variable). Every row also carries a MAC under a key derived from the KEK
 * ({@link KeyRowMac}): a row whose MAC is missing or wrong, whose private part is stored
 * unencrypted, or whose private part does not decrypt to the key of its public JWK is
 * <em>refused</em>: it is neither published, nor used to verify, nor used to sign, it takes no part
 * in the rotation schedule, and it is logged (ERROR, naming the kid and the problem) and reported
 * as {@link SecurityEvent.Type#KEY_REFUSED}. Nothing adopts such a row automatically: rows stored
 * before rows were authenticated are authenticated by an operator ({@code KeyAdmin authenticate}).
 * So whoever can write the table without the KEK can stop keys from working, never make a key of
 * theirs trusted.
 *
 * <p>At start, {@link #start()} fails with a {@link ConfigurationException} naming
 * {@code keyEncryptionKey} when the KEK authenticates none of the stored rows (it is not the one
 * they were stored with), or when no trusted key can sign and the table holds rows this node
 * refuses (the message names them, and the command). A node that is already running replaces a
 * key it stops trusting, as after a revocation. Storing private keys unencrypted needs
 * {@link Builder#allowUnencryptedPrivateKeys(boolean)}, logs a warning at start, and gives up
 * integrity as well: without a KEK no row can be authenticated.
 *
 * <h2>Operators</h2>
 * {@link #rotateNow(boolean)} and {@link #revoke(String)} (also available from the command line:
 * {@link KeyAdmin}). A revocation applies at once on the node that makes it, and on every other
 * node at its next refresh (within {@code refreshInterval}).
 *
 * <p>Thread-safe.
 */
public final class ManagedKeySource implements KeySource, AutoCloseable {
    public static final String DEFAULT_ROTATION_PERIOD_TEXT = "P30D";
    public static final Duration DEFAULT_ROTATION_PERIOD = Duration.parse(DEFAULT_ROTATION_PERIOD_TEXT);
    public static final String DEFAULT_PUBLISH_LEAD_TEXT = "PT1H";
    public static final Duration DEFAULT_PUBLISH_LEAD = Duration.parse(DEFAULT_PUBLISH_LEAD_TEXT);
    /** The default access-token TTL plus the default clock leeway. */
    public static final String DEFAULT_TOKEN_LIFETIME_TEXT = "PT5M30S";
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.parse(DEFAULT_TOKEN_LIFETIME_TEXT);
    public static final String DEFAULT_REFRESH_INTERVAL_TEXT = "PT30S";
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.parse(DEFAULT_REFRESH_INTERVAL_TEXT);
    public static final String DEFAULT_QUERY_TIMEOUT_TEXT = "PT10S";
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.parse(DEFAULT_QUERY_TIMEOUT_TEXT);

    private static final Logger LOG = LoggerFactory.getLogger(ManagedKeySource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Attempts of an operator's rotation that loses insert races before giving up. */
    private static final int MAX_ROTATION_ATTEMPTS = 5;
    /** Scheduled steps applied in one refresh (a replacement, then at most a next key). */
    private static final int MAX_STEPS_PER_REFRESH = 3;
    /** At most one out-of-schedule refresh per this many nanoseconds when no key can sign. */
    private static final long MIN_EXTRA_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SigningAlgorithm algorithm;
    private final Duration rotationPeriod;
    private final Duration publishLead;
    private final Duration tokenLifetime;
    private final Duration refreshInterval;
    private final Clock clock;
    private final boolean housekeeping;
    private final SecurityEventListener events;
    /** Decides which rows are trusted (authenticated under the KEK) and reads their keys. */
    private final KeyRowCheck check;
    private final KeyTable table;
    /** The scheduler the application gave, or {@code null}: then {@link #start()} makes one. */
    private final ScheduledExecutorService givenScheduler;
    private final Lifecycle lifecycle = new Lifecycle(ManagedKeySource.class);
    /** The scheduler of the refresh while running ({@code null} with a zero refresh interval). */
    private volatile ScheduledExecutorService scheduler;
    /** Made by {@link #start()} when none was given; shut down by {@link #close()}. */
    private ScheduledExecutorService ownedScheduler;
    private ScheduledFuture<?> refreshing;
    private final AtomicLong lastExtraRefresh = new AtomicLong(System.nanoTime() - MIN_EXTRA_REFRESH_NANOS);
    /** Keys already decrypted or parsed (or found unusable), by kid, so that a refresh does not redo the work. */
    private final Map<String, LoadedKey> cache = new ConcurrentHashMap<>();
    /** What was last reported about each refused row, so that a refusal is logged once per key and problem. */
    private final Map<String, String> reportedRefusals = new ConcurrentHashMap<>();

    private volatile Snapshot snapshot;
    private volatile RuntimeException lastFailure;

    private ManagedKeySource(Builder b, byte[] kek) {
        this.algorithm = b.algorithm;
        this.rotationPeriod = b.rotationPeriod;
        this.publishLead = b.publishLead;
        this.tokenLifetime = b.tokenLifetime;
        this.refreshInterval = b.refreshInterval;
        this.clock = b.clock;
        this.housekeeping = b.housekeeping;
        this.events = b.events;
        this.check = KeyRowCheck.of(kek);
        this.table = new KeyTable(b.dataSource, b.queryTimeout);
        this.givenScheduler = b.scheduler;
    }

    /** Starts a builder for keys in the {@code gh_signing_keys} table of {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Loads the keys (creating the first one in an empty table) and schedules the refresh every
     * {@code refreshInterval}. A database that cannot be reached is not an error here: the source
     * keeps trying, and {@link #signingKey()} throws {@link StoreUnavailableException} until it has
     * succeeded. Idempotent: a second call does nothing. When it throws, nothing is left running.
     *
     * @throws ConfigurationException for a key-encryption key that does not authenticate the stored
     *                                keys, or a table with no trusted key that can sign but with rows
     *                                this node refuses (see the class description)
     * @throws IllegalStateException  after {@link #close()}
     */
    public void start() {
        lifecycle.start(() -> {
            if (!check.authenticates()) {
                LOG.warn("Signing keys are stored UNENCRYPTED and UNAUTHENTICATED in {} (allowUnencryptedPrivateKeys=true):"
                        + " whoever can read the database or its backups can sign tokens, and whoever can write to it can add"
                        + " a key that every node then signs or verifies with. Set keyEncryptionKey instead.", KeyTable.TABLE);
            }
            try {
                reload(true);
            } catch (StoreUnavailableException e) {
                lastFailure = e;
                LOG.warn("Could not load the signing keys at start ({}); {}", e.getMessage(),
                        refreshInterval.isZero() ? "call refresh() to retry" : "retrying every " + refreshInterval);
            }
            if (!refreshInterval.isZero()) {
                ScheduledExecutorService s = givenScheduler;
                if (s == null) {
                    ownedScheduler = Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("gatehouse-key-refresh"));
                    s = ownedScheduler;
                }
                long millis = refreshInterval.toMillis();
                refreshing = s.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
                scheduler = s;
            }
        });
    }

    /** Whether {@link #start()} succeeded and {@link #close()} has not been called. */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    // ---- KeySource ----------------------------------------------------------------------------

    /**
     * The key that signs now.
     *
     * @throws StoreUnavailableException when the keys have never been loaded, or no key may sign
     *                                   (the active key was just revoked and no replacement is
     *                                   loaded yet)
     * @throws IllegalStateException     before {@link #start()}
     */
    @Override
    public SigningKey signingKey() {
        Snapshot s = loaded();
        KeyRow active = s.timeline.active(clock.instant());
        LoadedKey key = active == null ? null : s.keys.get(active.kid());
        if (key == null || key.signing == null) {
            requestRefresh();
            throw new StoreUnavailableException("No signing key is active yet; the keys are being reloaded", lastFailure);
        }
        return key.signing;
    }

    /**
     * The key with this id, if it verifies now: pending, active, or retired for less than the token
     * lifetime.
     *
     * @throws InvalidTokenException {@link Reason#REVOKED} for a revoked key,
     *                               {@link Reason#KEYS_UNAVAILABLE} when the keys were never loaded
     * @throws IllegalStateException before {@link #start()}
     */
    @Override
    public Optional<SigningKey> verificationKey(String kid) {
        lifecycle.requireStarted();
        Snapshot s = snapshot;
        if (s == null) {
            throw new InvalidTokenException(Reason.KEYS_UNAVAILABLE, "The signing keys could not be loaded from the database");
        }
        KeyRow row = kid == null ? null : s.timeline.row(kid);
        if (row == null) {
            return Optional.empty();
        }
        if (row.revoked()) {
            throw new InvalidTokenException(Reason.REVOKED, "The token's signing key was revoked");
        }
        LoadedKey key = s.keys.get(kid);
        if (key == null || key.verify == null || !s.timeline.verifies(row, clock.instant())) {
            return Optional.empty();
        }
        return key.verifyOptional;
    }

    /**
     * The public halves of the keys to publish now: the pending key, the active key, and keys
     * retired for less than the token lifetime. Shared secrets (HS256) are never published.
     *
     * @throws StoreUnavailableException when the keys have never been loaded
     */
    @Override
    public List<SigningKey> publishedKeys() {
        Snapshot s = loaded();
        Instant now = clock.instant();
        List<SigningKey> out = new ArrayList<>();
        for (KeyRow row : s.timeline.rows()) {
            LoadedKey key = s.keys.get(row.kid());
            if (key != null && key.verify != null && key.verify.isPublishable() && s.timeline.published(row, now)) {
                out.add(key.verify);
            }
        }
        return Collections.unmodifiableList(out);
    }

    // ---- operations ---------------------------------------------------------------------------

    /**
     * Every key in the table and what it is doing now, by generation, as last loaded; rows this
     * node does not trust are {@link KeyStatus.State#REFUSED}.
     *
     * @throws StoreUnavailableException when the keys have never been loaded
     */
    public List<KeyStatus> keys() {
        Snapshot s = loaded();
        Instant now = clock.instant();
        List<KeyStatus> out = new ArrayList<>();
        for (KeyRow row : s.timeline.rows()) {
            out.add(s.timeline.status(row, now));
        }
        for (RefusedRow refused : s.refused) {
            out.add(KeyTimeline.refusedStatus(refused.row()));
        }
        out.sort(Comparator.comparingInt(KeyStatus::generation));
        return Collections.unmodifiableList(out);
    }

    /**
     * Reloads the keys from the database now and applies the schedule (creates the next key when
     * it is due, or a replacement when none may sign). The refresh thread calls this every
     * {@code refreshInterval}; call it yourself when that is zero.
     *
     * @throws StoreUnavailableException when the database fails (the keys loaded last stay in use)
     * @throws ConfigurationException never after a successful start
     * @throws IllegalStateException before {@link #start()}
     */
    public void refresh() {
        lifecycle.requireStarted();
        reload(false);
    }

    /**
     * Starts a rotation now, on behalf of an operator: a new key is created and published, and
     * signs after {@code publishLead}. If a next key is already pending, that key is the answer (its
     * activation brought forward to {@code publishLead} from now if it was due later); so two
     * nodes or operators rotating at once still make only one new key.
     *
     * <p>With {@code force}, the new (or pending) key signs <em>at once</em>. Verifiers that cached
     * the JWK Set before it was published refuse its tokens until they fetch the JWK Set again,
     * and the other nodes of this database only learn of it at their next refresh (until then
     * they keep signing with the old key, whose tokens stay valid); use it when the active key
     * must stop signing right away, or better, {@link #revoke(String)} a compromised key.
     *
     * @return the key that signs next
     * @throws StoreUnavailableException when the database fails
     * @throws IllegalStateException before {@link #start()}
     */
    public synchronized KeyStatus rotateNow(boolean force) {
        lifecycle.requireStarted();
        loadedOrStart();
        Instant now = clock.instant();
        KeyTimeline t = vet(table.load(), now).timeline;
        int base = t.maxGeneration();
        String target = null;
        String how = "rotated by another node meanwhile";
        for (int attempt = 1; attempt <= MAX_ROTATION_ATTEMPTS && target == null; attempt++) {
            if (attempt > 1) {
                t = vet(table.load(), now).timeline;
                KeyRow newer = newestAbove(t, base);
                if (newer != null) {
                    // another node or operator rotated meanwhile: that rotation is this one
                    if (force && newer.activatesAt().isAfter(now)) {
                        table.activateEarlier(newer.kid(), now);
                    }
                    target = newer.kid();
                    break;
                }
            }
            Step step = t.rotation(now, force);
            if (step == null) {
                target = t.pending(t.active(now), now).kid();
                how = "already pending";
            } else if (step.kind() == Step.Kind.ACTIVATE_EARLIER) {
                table.activateEarlier(step.kid(), step.activatesAt());
                target = step.kid();
                how = "pending key brought forward";
            } else {
                target = insert(step, now, null);
                how = "new key";
            }
        }
        if (target == null) {
            throw new StoreUnavailableException("Could not rotate the signing key: lost " + MAX_ROTATION_ATTEMPTS
                    + " insert races in a row", null);
        }
        reload(false);
        KeyStatus status = statusOf(target);
        emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_ROTATED, now, status.kid(), (force ? "forced" : "requested")
                + " (" + how + "), generation " + status.generation() + ", signs from " + status.activatesAt()));
        return status;
    }

    /**
     * Revokes a key, for example one that may have leaked: from now on it neither signs nor
     * verifies, and the tokens it signed are refused ({@link Reason#REVOKED}). If it was the
     * active key, the pending key takes over at once, or a new key is created and signs at once.
     * Its private part is deleted from the table.
     *
     * <p>Applied at once on this node; every other node applies it at its next refresh, within
     * {@code refreshInterval}, and until then still accepts the key's tokens (and may sign with
     * it). Clients holding tokens it signed have to log in or refresh again.
     *
     * @return {@code true} if it was revoked now, {@code false} if it already was
     * @throws IllegalArgumentException when no key has this id
     * @throws StoreUnavailableException when the database fails (nothing was revoked)
     * @throws IllegalStateException before {@link #start()}
     */
    public synchronized boolean revoke(String kid) {
        Objects.requireNonNull(kid, "kid");
        lifecycle.requireStarted();
        Instant now = clock.instant();
        // the instant as the table keeps it, so that the MAC of the revoked row verifies once read back
        Instant at = now.truncatedTo(ChronoUnit.MICROS);
        KeyRow row = find(table.load(), kid);
        if (row == null) {
            throw new IllegalArgumentException("No signing key has the id '" + kid + "'");
        }
        boolean revokedNow = false;
        if (!row.revoked()) {
            // an authenticated row stays authenticated as revoked (clearing revoked_at breaks its MAC);
            // a refused row keeps the MAC it had and stays refused
            String mac = check.macVerifies(row) ? check.macOf(row.asRevoked(at, null)) : row.mac();
            revokedNow = table.revoke(kid, at, mac);
        }
        if (!revokedNow) {
            KeyRow again = find(table.load(), kid);
            if (again != null && again.revokedAt() != null) {
                at = again.revokedAt();
            }
        }
        Snapshot s = snapshot;
        if (s != null) {
            snapshot = s.withRevoked(kid, at);
        }
        cache.remove(kid);
        if (revokedNow) {
            emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_REVOKED, now, kid,
                    "its tokens are refused on this node now, on other nodes within their refresh interval"));
        }
        try {
            reload(false);
        } catch (StoreUnavailableException e) {
            lastFailure = e;
            LOG.warn("Key {} is revoked, but the keys could not be reloaded to activate a replacement ({}); retrying",
                    kid, e.getMessage());
            requestRefresh();
        }
        return revokedNow;
    }

    /**
     * The longest {@code Cache-Control: max-age} a JWK Set served from these keys should have:
     * half of what is left of the publish lead once a node has had its refresh interval to load a
     * new key. A verifier that caches the JWK Set for longer may see tokens of a key it does not
     * know yet.
     */
    public Duration recommendedJwksMaxAge() {
        return publishLead.minus(refreshInterval).dividedBy(2);
    }

    /**
     * Stops the refresh; the keys loaded last stay usable. Shuts down the refresh thread if
     * {@link #start()} made it, never a scheduler the application gave. Idempotent.
     */
    @Override
    public void close() {
        if (lifecycle.close() != Lifecycle.State.RUNNING) {
            return;
        }
        scheduler = null;
        if (refreshing != null) {
            refreshing.cancel(false);
        }
        if (ownedScheduler != null) {
            ownedScheduler.shutdownNow();
            try {
                ownedScheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ManagedKeySource{algorithm=" + algorithm + ", rotationPeriod=" + rotationPeriod + ", publishLead="
                + publishLead + ", tokenLifetime=" + tokenLifetime + ", refreshInterval=" + refreshInterval
                + ", encrypted=" + check.authenticates() + "}";
    }

    // ---- loading ------------------------------------------------------------------------------

    private Snapshot loaded() {
        lifecycle.requireStarted();
        Snapshot s = snapshot;
        if (s == null) {
            requestRefresh();
            throw new StoreUnavailableException("The signing keys could not be loaded from the database yet", lastFailure);
        }
        return s;
    }

    private void loadedOrStart() {
        if (snapshot == null) {
            reload(false);
        }
    }

    /**
     * Loads the table, applies the schedule, and publishes the result. At start ({@code startup}),
     * a table this node cannot use stops it before anything is written (see {@link #refuseToStart}).
     */
    private synchronized void reload(boolean startup) {
        Instant now = clock.instant();
        List<KeyRow> rows = table.load();
        Vetted vetted = vet(rows, now);
        if (startup) {
            refuseToStart(rows, vetted, now);
        }
        for (int i = 0; i < MAX_STEPS_PER_REFRESH; i++) {
            Step step = vetted.timeline.scheduled(now, rotationPeriod);
            if (step == null) {
                break;
            }
            if (step.kind() == Step.Kind.ACTIVATE_EARLIER) {
                if (table.activateEarlier(step.kid(), step.activatesAt())) {
                    emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_ROTATED, now, step.kid(),
                            "pending key takes over now: no other key may sign"));
                }
            } else {
                insert(step, now, vetted.timeline.rows().isEmpty() ? "first key" : "scheduled");
            }
            vetted = vet(table.load(), now);
        }
        snapshot = vetted.snapshot();
        lastFailure = null;
        if (housekeeping && keepHouse(vetted.snapshot(), now)) {
            // show what was just written (retirements, deleted private parts) in keys()
            try {
                snapshot = vet(table.load(), now).snapshot();
            } catch (StoreUnavailableException e) {
                LOG.debug("Could not reload the signing keys after updating them: {}", e.getMessage());
            }
        }
    }

    /**
     * Stops a node from starting on a table it cannot use, before it writes anything:
     * <ul>
     *   <li>no key-encryption key, and a live key stored encrypted;</li>
     *   <li>live rows carry a row MAC and not one row's MAC verifies: the key-encryption key is not
     *       the one the keys were stored with;</li>
     *   <li>(application nodes only, not the admin tool that repairs such a table) no trusted key
     *       signs now and live rows are refused: usually rows stored before key rows were
     *       authenticated, which an operator authenticates with {@code KeyAdmin authenticate}. A node
     *       that is already running instead replaces a key it stops trusting, as after a revocation.</li>
     * </ul>
     * Revoked rows never count: they are never used, whatever their MAC.
     */
    private void refuseToStart(List<KeyRow> rows, Vetted vetted, Instant now) {
        List<RefusedRow> live = new ArrayList<>();
        for (RefusedRow refused : vetted.refused) {
            if (!refused.row().revoked()) {
                live.add(refused);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        if (!check.authenticates()) {
            for (RefusedRow refused : live) {
                String stored = refused.row().privateKey();
                if (stored != null && stored.startsWith(KeyEncryption.ENCRYPTED_PREFIX)) {
                    throw new ConfigurationException("keyEncryptionKey", "cannot read the stored signing key: key '"
                            + KeyRowCheck.printable(refused.row().kid())
                            + "' is stored encrypted, and no key-encryption key is set");
                }
            }
        } else if (live.stream().anyMatch(r -> r.row().mac() != null) && rows.stream().noneMatch(check::macVerifies)) {
            RefusedRow first = live.stream().filter(r -> r.row().mac() != null).findFirst().orElseThrow();
            throw new ConfigurationException("keyEncryptionKey", "does not decrypt or authenticate the stored signing keys"
                    + " (key '" + KeyRowCheck.printable(first.row().kid()) + "': its row MAC does not verify): it is not the"
                    + " key-encryption key they were stored with, or the rows were altered. Use the key-encryption key the keys"
                    + " were stored with (see docs/operations.md)");
        }
        if (housekeeping && vetted.timeline.active(now) == null) {
            StringBuilder why = new StringBuilder();
            for (RefusedRow refused : live) {
                why.append(why.length() == 0 ? "" : "; ").append(refused.refusal().message());
            }
            throw new ConfigurationException("keyEncryptionKey", "no trusted signing key can sign, and " + KeyTable.TABLE
                    + " holds " + live.size() + " key(s) this node refuses: " + why + ". Keys stored before key rows were"
                    + " authenticated: check and authenticate them with 'KeyAdmin authenticate'; keys nobody here stored:"
                    + " revoke them with 'KeyAdmin revoke <kid>' (see docs/operations.md)");
        }
    }

    /**
     * Creates and stores a key for an insert step; its kid, or {@code null} when another node won
     * the generation. A non-null {@code why} reports the rotation (an operator's is reported by
     * {@link #rotateNow(boolean)} once it is done).
     */
    private String insert(Step step, Instant now, String why) {
        SigningKey key = SigningKey.generate(algorithm);
        KeyRow unsigned = new KeyRow(key.kid(), step.generation(), algorithm.name(), publicJwk(key),
                check.encryption().seal(key), now, step.activatesAt(), null, null, null);
        KeyRow row = unsigned.withMac(check.macOf(unsigned));
        if (!table.insert(row)) {
            LOG.debug("Another node created signing key generation {} first", step.generation());
            return null;
        }
        if (why != null) {
            emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_ROTATED, now, key.kid(), why + ", generation " + step.generation()
                    + ", " + algorithm + ", published now, signs from " + step.activatesAt()));
        } else {
            LOG.debug("Created signing key {} (generation {}, {})", key.kid(), step.generation(), algorithm);
        }
        cache.put(key.kid(), LoadedKey.of(row, key, key.verifyOnly()));
        return key.kid();
    }

    private static KeyRow newestAbove(KeyTimeline t, int generation) {
        KeyRow newest = null;
        for (KeyRow row : t.rows()) {
            if (row.generation() > generation && !row.revoked()) {
                newest = row;
            }
        }
        return newest;
    }

    private static KeyRow find(List<KeyRow> rows, String kid) {
        for (KeyRow row : rows) {
            if (row.kid().equals(kid)) {
                return row;
            }
        }
        return null;
    }

    private KeyStatus statusOf(String kid) {
        Snapshot s = loaded();
        KeyRow row = s.timeline.row(kid);
        if (row == null) {
            throw new StoreUnavailableException("The signing key '" + kid + "' vanished from the table", null);
        }
        return s.timeline.status(row, clock.instant());
    }

    /**
     * The table as this node trusts it. Rows whose identity is not authenticated are left out of
     * the timeline at once; then the key material of every row that may still be used (not revoked,
     * not expired) is read, and a row whose material is unusable is left out too and the timeline
     * computed again without it (each round leaves out one row more, so this ends). A row left out
     * is as if it were not in the table, except that it keeps its generation and kid.
     */
    private Vetted vet(List<KeyRow> rows, Instant now) {
        List<KeyRow> trusted = new ArrayList<>();
        List<RefusedRow> refused = new ArrayList<>();
        int reserved = 0;
        for (KeyRow row : rows) {
            reserved = Math.max(reserved, row.generation());
            KeyRowCheck.Refusal refusal = check.authenticity(row);
            if (refusal == null) {
                trusted.add(row);
            } else {
                refused.add(new RefusedRow(row, refusal));
            }
        }
        while (true) {
            KeyTimeline timeline = new KeyTimeline(trusted, tokenLifetime, publishLead, reserved);
            Map<String, LoadedKey> keys = new HashMap<>();
            RefusedRow unusable = null;
            for (KeyRow row : timeline.rows()) {
                if (row.revoked() || timeline.expired(row, now)) {
                    cache.remove(row.kid());
                    continue;
                }
                try {
                    keys.put(row.kid(), load(row, timeline.retiredAt(row, now) != null));
                } catch (RefusedKeyException e) {
                    unusable = new RefusedRow(row, e.refusal());
                    break;
                }
            }
            if (unusable == null) {
                for (KeyRow row : timeline.rows()) {
                    reportedRefusals.remove(row.kid());
                }
                for (RefusedRow r : refused) {
                    report(r, now);
                }
                return new Vetted(timeline, keys, refused);
            }
            trusted.remove(unusable.row());
            refused.add(unusable);
        }
    }

    /**
     * The keys of a trusted row: with its private part while it may sign, public only once retired.
     * The first time a node sees a row's material it reads all of it, so that a private part that
     * does not belong to the row is found even on a key that only verifies.
     *
     * @throws RefusedKeyException when the material cannot be used
     */
    private LoadedKey load(KeyRow row, boolean retired) {
        // a retired asymmetric key only verifies: its private part is not needed (nor kept in memory)
        boolean needPrivate = !retired || SigningAlgorithm.HS256.name().equals(row.alg());
        LoadedKey cached = cache.get(row.kid());
        if (cached != null && cached.sameMaterial(row)) {
            if (cached.refusal != null) {
                throw new RefusedKeyException(cached.refusal);
            }
            if (cached.signing != null || !needPrivate || row.privateKey() == null) {
                return needPrivate ? cached : cached.withoutPrivate();
            }
        }
        LoadedKey loaded;
        try {
            KeyRowCheck.Keys keys = check.keys(row, true);
            SigningKey verify = keys.privateKey() != null ? keys.privateKey().verifyOnly() : keys.publicKey();
            loaded = LoadedKey.of(row, keys.privateKey(), verify);
        } catch (RefusedKeyException e) {
            cache.put(row.kid(), LoadedKey.refused(row, e.refusal()));
            throw e;
        }
        if (!needPrivate) {
            loaded = loaded.withoutPrivate();
        }
        cache.put(row.kid(), loaded);
        return loaded;
    }

    /**
     * Logs a refused row once per key and problem (ERROR) and reports it as {@code KEY_REFUSED}; a
     * revoked row that is not trusted is never used either way, so it is only noted at DEBUG.
     */
    private void report(RefusedRow refused, Instant now) {
        KeyRow row = refused.row();
        String message = refused.refusal().message();
        if (message.equals(reportedRefusals.put(row.kid(), message))) {
            return;
        }
        String kid = KeyRowCheck.printable(row.kid());
        if (row.revoked()) {
            LOG.debug("Ignoring revoked signing key {}: {}", kid, message);
            return;
        }
        LOG.error("Signing key {} is REFUSED: neither published, nor verifying, nor signing. {}", kid, message);
        emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_REFUSED, now, kid, refused.refusal().problem().reason()));
    }

    /** The public JWK of a key as stored in {@code public_jwk}; for a secret, its header members only. */
    static String publicJwk(SigningKey key) {
        if (!key.isPublishable()) {
            return "{\"kty\":\"oct\",\"kid\":" + quote(key.kid()) + ",\"use\":\"sig\",\"alg\":\"" + key.algorithm() + "\"}";
        }
        try {
            JsonNode set = JSON.readTree(JwkSets.toPublicJson(List.of(key)));
            return JSON.writeValueAsString(set.get("keys").get(0));
        } catch (JsonProcessingException e) {
            throw new GatehouseException("Could not write a public JWK", e);
        }
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new GatehouseException("Could not write a key id", e);
        }
    }

    /**
     * Writes down what the timeline implies, so that the table tells the story by itself: when
     * keys retired; deletes private parts that can never be used again. Only trusted rows are
     * touched: a refused row is left as it is for an operator to look at. Failures are logged and
     * retried at the next refresh.
     *
     * @return whether anything was written
     */
    private boolean keepHouse(Snapshot s, Instant now) {
        boolean changed = false;
        try {
            for (KeyRow row : s.timeline.rows()) {
                Instant retired = s.timeline.retiredAt(row, now);
                if (!row.revoked() && row.retiredAt() == null && retired != null && table.markRetired(row.kid(), retired)) {
                    changed = true;
                    emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_RETIRED, now, row.kid(), "another key signs since "
                            + retired + "; verifies until " + retired.plus(tokenLifetime)));
                }
                boolean dead = row.revoked() || s.timeline.expired(row, now);
                if (row.privateKey() != null && dead) {
                    if (table.destroyPrivateKey(row.kid())) {
                        changed = true;
                        LOG.info("Deleted the private part of signing key {} ({})", row.kid(), row.revoked() ? "revoked" : "expired");
                    }
                }
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("Could not update the signing-key table ({}); will retry", e.getMessage());
        }
        return changed;
    }

    private void refreshQuietly() {
        if (lifecycle.state() == Lifecycle.State.CLOSED) {
            return;
        }
        boolean wasFailing = lastFailure != null;
        try {
            reload(false);
            if (wasFailing) {
                LOG.info("Signing keys reloaded from the database again");
            }
        } catch (StoreUnavailableException e) {
            lastFailure = e;
            if (wasFailing) {
                LOG.debug("Still cannot reload the signing keys: {}", e.getMessage());
            } else {
                LOG.warn("Cannot reload the signing keys ({}); using the keys loaded last", e.getMessage());
            }
        } catch (RuntimeException e) {
            lastFailure = e;
            LOG.error("Reloading the signing keys failed; using the keys loaded last", e);
        }
    }

    private void emit(SecurityEvent event) {
        try {
            events.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("A security event listener failed ({}); the event was {}", e.getClass().getSimpleName(), event.type());
        }
    }

    /** Asks the refresh thread for a reload now, at most once a second (when no key is usable). */
    private void requestRefresh() {
        ScheduledExecutorService s = scheduler;
        if (s == null || lifecycle.state() != Lifecycle.State.RUNNING) {
            return;
        }
        long last = lastExtraRefresh.get();
        long now = System.nanoTime();
        if (now - last >= MIN_EXTRA_REFRESH_NANOS && lastExtraRefresh.compareAndSet(last, now)) {
            try {
                s.execute(this::refreshQuietly);
            } catch (RuntimeException e) {
                // shutting down
            }
        }
    }

    /** What one refresh loaded: the trusted rows' timeline, their usable keys by kid, and the refused rows. */
    private static final class Snapshot {
        final KeyTimeline timeline;
        final Map<String, LoadedKey> keys;
        final List<RefusedRow> refused;

        Snapshot(KeyTimeline timeline, Map<String, LoadedKey> keys, List<RefusedRow> refused) {
            this.timeline = timeline;
            this.keys = Map.copyOf(keys);
            this.refused = List.copyOf(refused);
        }

        Snapshot withRevoked(String kid, Instant at) {
            Map<String, LoadedKey> rest = new HashMap<>(keys);
            rest.remove(kid);
            return new Snapshot(timeline.withRevoked(kid, at), rest, refused);
        }
    }

    /** A row this node does not trust, and why. */
    private record RefusedRow(KeyRow row, KeyRowCheck.Refusal refusal) {
    }

    /** What {@link #vet} makes of the table. */
    private record Vetted(KeyTimeline timeline, Map<String, LoadedKey> keys, List<RefusedRow> refused) {
        Snapshot snapshot() {
            return new Snapshot(timeline, keys, refused);
        }
    }

    /**
     * A row's key material as read: {@code signing} with its private part (or null), {@code verify}
     * without; or, for material that cannot be used, the {@code refusal}. Valid while the row's
     * {@code alg}, {@code public_jwk} and {@code private_key} are the ones it was read from.
     */
    private static final class LoadedKey {
        final String alg;
        final String publicJwk;
        final String stored;
        final SigningKey signing;
        final SigningKey verify;
        final Optional<SigningKey> verifyOptional;
        final KeyRowCheck.Refusal refusal;

        private LoadedKey(String alg, String publicJwk, String stored, SigningKey signing, SigningKey verify,
                          KeyRowCheck.Refusal refusal) {
            this.alg = alg;
            this.publicJwk = publicJwk;
            this.stored = stored;
            this.signing = signing;
            this.verify = verify;
            this.verifyOptional = Optional.ofNullable(verify);
            this.refusal = refusal;
        }

        static LoadedKey of(KeyRow row, SigningKey signing, SigningKey verify) {
            return new LoadedKey(row.alg(), row.publicJwk(), row.privateKey(), signing, verify, null);
        }

        static LoadedKey refused(KeyRow row, KeyRowCheck.Refusal refusal) {
            return new LoadedKey(row.alg(), row.publicJwk(), row.privateKey(), null, null, refusal);
        }

        boolean sameMaterial(KeyRow row) {
            return alg.equals(row.alg()) && publicJwk.equals(row.publicJwk()) && Objects.equals(stored, row.privateKey());
        }

        LoadedKey withoutPrivate() {
            return signing == null || signing.algorithm() == SigningAlgorithm.HS256 ? this
                    : new LoadedKey(alg, publicJwk, stored, null, verify, refusal);
        }
    }

    /**
     * Collects the settings of a {@link ManagedKeySource}; not thread-safe. {@link #build()}
     * validates them (naming the setting in a {@link ConfigurationException});
     * {@link ManagedKeySource#start()} loads or creates the keys and schedules the refresh.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th></tr>
     *   <tr><td>keyEncryptionKey</td><td>required, unless allowUnencryptedPrivateKeys</td></tr>
     *   <tr><td>algorithm</td><td>RS256</td></tr>
     *   <tr><td>rotationPeriod</td><td>{@value ManagedKeySource#DEFAULT_ROTATION_PERIOD_TEXT}</td></tr>
     *   <tr><td>publishLead</td><td>{@value ManagedKeySource#DEFAULT_PUBLISH_LEAD_TEXT}</td></tr>
     *   <tr><td>tokenLifetime</td><td>{@value ManagedKeySource#DEFAULT_TOKEN_LIFETIME_TEXT}</td></tr>
     *   <tr><td>refreshInterval</td><td>{@value ManagedKeySource#DEFAULT_REFRESH_INTERVAL_TEXT}</td></tr>
     *   <tr><td>queryTimeout</td><td>{@value ManagedKeySource#DEFAULT_QUERY_TIMEOUT_TEXT}</td></tr>
     *   <tr><td>clock</td><td>the system UTC clock</td></tr>
     *   <tr><td>securityEvents</td><td>{@link SecurityEventListener#logging()}</td></tr>
     *   <tr><td>scheduler</td><td>none: {@link ManagedKeySource#start()} makes one daemon thread, {@code gatehouse-key-refresh}</td></tr>
     * </table>
     */
    public static final class Builder {
        private final DataSource dataSource;
        private SigningAlgorithm algorithm = SigningAlgorithm.RS256;
        private Duration rotationPeriod = DEFAULT_ROTATION_PERIOD;
        private Duration publishLead = DEFAULT_PUBLISH_LEAD;
        private Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
        private byte[] keyEncryptionKey;
        private String keyEncryptionKeyBase64;
        private boolean allowUnencrypted;
        private Clock clock = Clock.systemUTC();
        private boolean housekeeping = true;
        private SecurityEventListener events = SecurityEventListener.logging();
        private ScheduledExecutorService scheduler;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The algorithm of new keys: RS256 (default), ES256, or HS256 (single-service setups only). */
        public Builder algorithm(SigningAlgorithm algorithm) {
            this.algorithm = algorithm;
            return this;
        }

        /** How long each key signs before the next one takes over; default 30 days. Longer than {@code publishLead}. */
        public Builder rotationPeriod(Duration period) {
            this.rotationPeriod = period;
            return this;
        }

        /**
         * How long a new key is published before it signs; default 1 hour. Must cover the JWK Set
         * cache of every verifier plus {@code refreshInterval}: see {@link #recommendedJwksMaxAge()}.
         */
        public Builder publishLead(Duration lead) {
            this.publishLead = lead;
            return this;
        }

        /**
         * The longest an access token lives, its TTL plus the clock leeway verifiers allow; a key
         * that stopped signing stays published and verifying this long. Default 5 min 30 s (the
         * default TTL and leeway).
         */
        public Builder tokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        /** {@link #tokenLifetime(Duration)} from the token settings: their TTL plus their clock leeway. */
        public Builder tokenLifetime(TokenSettings tokenSettings) {
            this.tokenLifetime = tokenSettings.accessTokenTtl().plus(tokenSettings.clockLeeway());
            return this;
        }

        /**
         * How often the keys are reloaded from the database (and a due key created); default 30 s.
         * Shorter than {@code publishLead}. Zero runs no refresh thread: then call
         * {@link ManagedKeySource#refresh()} yourself.
         */
        public Builder refreshInterval(Duration interval) {
            this.refreshInterval = interval;
            return this;
        }

        /** Timeout of each SQL statement; default 10 s. */
        public Builder queryTimeout(Duration timeout) {
            this.queryTimeout = timeout;
            return this;
        }

        /** The 32-byte key-encryption key (AES-256) that private keys are encrypted under; copied. */
        public Builder keyEncryptionKey(byte[] kek) {
            this.keyEncryptionKey = kek == null ? null : kek.clone();
            this.keyEncryptionKeyBase64 = null;
            return this;
        }

        /** The key-encryption key as base64 of 32 bytes, as {@code openssl rand -base64 32} prints it. */
        public Builder keyEncryptionKey(String base64) {
            this.keyEncryptionKeyBase64 = base64;
            this.keyEncryptionKey = null;
            return this;
        }

        /**
         * Stores private keys unencrypted (a warning is logged at start). Anyone who can read the
         * database, or a backup of it, can then sign tokens, and anyone who can write to it can add
         * a key that is trusted (rows cannot be authenticated without a key-encryption key).
         * Cannot be combined with a key-encryption key.
         */
        public Builder allowUnencryptedPrivateKeys(boolean allow) {
            this.allowUnencrypted = allow;
            return this;
        }

        /** The clock that decides which key signs; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Where key rotations, retirements and revocations are reported; default
         * {@link SecurityEventListener#logging()} (the audit logger {@value SecurityEventListener#AUDIT_LOGGER}).
         * Usually the listener given to the {@link AuthService}.
         */
        public Builder securityEvents(SecurityEventListener listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The scheduler that runs the refresh, instead of a thread of the source's own
         * ({@code gatehouse-key-refresh}). A refresh holds one of its threads while it queries the
         * database (up to {@code queryTimeout} per statement). It stays the application's:
         * {@link ManagedKeySource#close()} cancels the refresh on it but does not shut it down.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Whether refreshes write retirements down and delete dead private keys, and whether a
         * start on a table with no trusted signing key fails (off for the admin tool, which is
         * how an operator repairs such a table).
         */
        Builder housekeeping(boolean enabled) {
            this.housekeeping = enabled;
            return this;
        }

        /**
         * Validates the settings and makes the source; it runs no query and starts no thread until
         * {@link ManagedKeySource#start()}.
         *
         * @throws ConfigurationException for an invalid setting
         */
        public ManagedKeySource build() {
            if (algorithm == null) {
                throw new ConfigurationException("algorithm", "must be RS256, ES256 or HS256");
            }
            requirePositive("publishLead", publishLead);
            requirePositive("rotationPeriod", rotationPeriod);
            if (rotationPeriod.compareTo(publishLead) <= 0) {
                throw new ConfigurationException("rotationPeriod", "must be longer than publishLead (" + publishLead + ")");
            }
            requirePositive("tokenLifetime", tokenLifetime);
            if (refreshInterval == null || refreshInterval.isNegative()) {
                throw new ConfigurationException("refreshInterval", "must be zero (no refresh thread) or positive");
            }
            if (refreshInterval.compareTo(publishLead) >= 0) {
                throw new ConfigurationException("refreshInterval", "must be shorter than publishLead (" + publishLead
                        + "), or nodes may sign with a key the others have not loaded yet");
            }
            requirePositive("queryTimeout", queryTimeout);
            if (clock == null) {
                throw new ConfigurationException("clock", "must not be null");
            }
            byte[] kek = keyEncryptionKey == null ? null : keyEncryptionKey.clone();
            if (keyEncryptionKeyBase64 != null) {
                kek = KeyEncryption.decodeKek("keyEncryptionKey", keyEncryptionKeyBase64);
            } else if (kek != null && kek.length != KeyEncryption.KEK_BYTES) {
                throw new ConfigurationException("keyEncryptionKey", "must be exactly " + KeyEncryption.KEK_BYTES
                        + " bytes, not " + kek.length);
            }
            if (kek != null && allowUnencrypted) {
                throw new ConfigurationException("allowUnencryptedPrivateKeys", "cannot be combined with keyEncryptionKey");
            }
            if (kek == null && !allowUnencrypted) {
                throw new ConfigurationException("keyEncryptionKey", "is required: private signing keys are stored"
                        + " encrypted under it (generate one with: openssl rand -base64 32), unless"
                        + " allowUnencryptedPrivateKeys is set");
            }
            ManagedKeySource source = new ManagedKeySource(this, kek);
            if (kek != null) {
                Arrays.fill(kek, (byte) 0);
            }
            return source;
        }

        private static void requirePositive(String setting, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new ConfigurationException(setting, "must be a positive duration");
            }
        }
    }
}
