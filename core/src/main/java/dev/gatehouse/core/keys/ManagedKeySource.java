package dev.gatehouse.core.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.ConfigurationException;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.GatehouseSettings;
import dev.gatehouse.core.InvalidTokenException;
import dev.gatehouse.core.InvalidTokenException.Reason;
import dev.gatehouse.core.JwkSets;
import dev.gatehouse.core.KeySource;
import dev.gatehouse.core.SigningAlgorithm;
import dev.gatehouse.core.SigningKey;
import dev.gatehouse.core.auth.AuthService;
import dev.gatehouse.core.auth.SecurityEvent;
import dev.gatehouse.core.auth.SecurityEventListener;
import dev.gatehouse.core.keys.KeyEncryption.UnreadableKeyException;
import dev.gatehouse.core.keys.KeyTimeline.Step;
import dev.gatehouse.core.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 *         .build();                                      // loads (or creates) the keys; close() on shutdown
 * }</pre>
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
 * <h2>Private keys at rest</h2>
 * Private keys are encrypted with AES-256-GCM under a 32-byte key-encryption key (KEK), which
 * must be the same on every node and must be kept outside the database (a secret store, an
 * environment variable). A KEK that does not decrypt the stored keys stops {@link Builder#build()}
 * with a {@link ConfigurationException} naming {@code keyEncryptionKey}. Storing private keys
 * unencrypted needs {@link Builder#allowUnencryptedPrivateKeys(boolean)} and logs a warning at
 * start.
 *
 * <h2>Operators</h2>
 * {@link #rotateNow(boolean)} and {@link #revoke(String)} (also available from the command line:
 * {@link KeyAdmin}). A revocation applies at once on the node that makes it, and on every other
 * node at its next refresh (within {@code refreshInterval}).
 *
 * <p>Thread-safe. {@link #close()} stops the refresh thread.
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
    private final KeyEncryption encryption;
    private final KeyTable table;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong lastExtraRefresh = new AtomicLong(System.nanoTime() - MIN_EXTRA_REFRESH_NANOS);
    /** Keys already decrypted or parsed, by kid, so that a refresh does not redo the work. */
    private final Map<String, LoadedKey> cache = new ConcurrentHashMap<>();
    /** Kids whose stored private part could not be read, so that this is logged once per key. */
    private final Set<String> reportedUnreadable = ConcurrentHashMap.newKeySet();

    private volatile Snapshot snapshot;
    private volatile RuntimeException lastFailure;
    private volatile boolean closed;

    private ManagedKeySource(Builder b, byte[] kek) {
        this.algorithm = b.algorithm;
        this.rotationPeriod = b.rotationPeriod;
        this.publishLead = b.publishLead;
        this.tokenLifetime = b.tokenLifetime;
        this.refreshInterval = b.refreshInterval;
        this.clock = b.clock;
        this.housekeeping = b.housekeeping;
        this.events = b.events;
        this.encryption = kek != null ? KeyEncryption.aesGcm(kek) : KeyEncryption.none();
        this.table = new KeyTable(b.dataSource, b.queryTimeout);
        if (refreshInterval.isZero()) {
            this.scheduler = null;
        } else {
            this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gatehouse-key-refresh");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Starts a builder for keys in the {@code gh_signing_keys} table of {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    private void start() {
        if (!encryption.encrypts()) {
            LOG.warn("Signing keys are stored UNENCRYPTED in {} (allowUnencryptedPrivateKeys=true): whoever can read the"
                    + " database or its backups can sign tokens. Set keyEncryptionKey instead.", KeyTable.TABLE);
        }
        try {
            reload(true);
        } catch (StoreUnavailableException e) {
            lastFailure = e;
            LOG.warn("Could not load the signing keys at start ({}); {}", e.getMessage(),
                    scheduler != null ? "retrying every " + refreshInterval : "call refresh() to retry");
        }
        if (scheduler != null) {
            long millis = refreshInterval.toMillis();
            scheduler.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    // ---- KeySource ----------------------------------------------------------------------------

    /**
     * The key that signs now.
     *
     * @throws StoreUnavailableException when the keys have never been loaded, or no key may sign
     *                                   (the active key was just revoked and no replacement is
     *                                   loaded yet)
     */
    @Override
    public SigningKey signingKey() {
        Snapshot s = loaded();
        KeyRow active = s.timeline.active(clock.instant());
        LoadedKey key = active == null ? null : s.keys.get(active.kid());
        if (key == null || key.signing == null) {
            requestRefresh();
            if (key != null && key.unreadable) {
                throw new GatehouseException("The active signing key '" + active.kid()
                        + "' cannot be decrypted with this node's key-encryption key");
            }
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
     */
    @Override
    public Optional<SigningKey> verificationKey(String kid) {
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
     * Every key in the table and what it is doing now, by generation, as last loaded.
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
        return Collections.unmodifiableList(out);
    }

    /**
     * Reloads the keys from the database now and applies the schedule (creates the next key when
     * it is due, or a replacement when none may sign). The refresh thread calls this every
     * {@code refreshInterval}; call it yourself when that is zero.
     *
     * @throws StoreUnavailableException when the database fails (the keys loaded last stay in use)
     * @throws ConfigurationException never after a successful start
     */
    public void refresh() {
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
     */
    public synchronized KeyStatus rotateNow(boolean force) {
        loadedOrStart();
        Instant now = clock.instant();
        KeyTimeline t = timeline(table.load());
        int base = t.maxGeneration();
        String target = null;
        String how = "rotated by another node meanwhile";
        for (int attempt = 1; attempt <= MAX_ROTATION_ATTEMPTS && target == null; attempt++) {
            if (attempt > 1) {
                t = timeline(table.load());
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
     */
    public synchronized boolean revoke(String kid) {
        Objects.requireNonNull(kid, "kid");
        Instant now = clock.instant();
        boolean revokedNow = table.revoke(kid, now);
        Instant at = now;
        if (!revokedNow) {
            KeyRow row = timeline(table.load()).row(kid);
            if (row == null) {
                throw new IllegalArgumentException("No signing key has the id '" + kid + "'");
            }
            at = row.revokedAt();
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

    /** Stops the refresh thread. The keys loaded last stay usable. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ManagedKeySource{algorithm=" + algorithm + ", rotationPeriod=" + rotationPeriod + ", publishLead="
                + publishLead + ", tokenLifetime=" + tokenLifetime + ", refreshInterval=" + refreshInterval
                + ", encrypted=" + encryption.encrypts() + "}";
    }

    // ---- loading ------------------------------------------------------------------------------

    private Snapshot loaded() {
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

    /** Loads the table, applies the schedule, and publishes the result; {@code startup} turns unreadable keys into errors. */
    private synchronized void reload(boolean startup) {
        Instant now = clock.instant();
        KeyTimeline timeline = timeline(table.load());
        Snapshot next = snapshot(timeline, now, startup);
        for (int i = 0; i < MAX_STEPS_PER_REFRESH; i++) {
            Step step = timeline.scheduled(now, rotationPeriod);
            if (step == null) {
                break;
            }
            if (step.kind() == Step.Kind.ACTIVATE_EARLIER) {
                if (table.activateEarlier(step.kid(), step.activatesAt())) {
                    emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_ROTATED, now, step.kid(),
                            "pending key takes over now: no other key may sign"));
                }
            } else {
                insert(step, now, timeline.rows().isEmpty() ? "first key" : "scheduled");
            }
            timeline = timeline(table.load());
            next = snapshot(timeline, now, startup);
        }
        snapshot = next;
        lastFailure = null;
        if (housekeeping && keepHouse(next, now)) {
            // show what was just written (retirements, deleted private parts) in keys()
            try {
                snapshot = snapshot(timeline(table.load()), now, startup);
            } catch (StoreUnavailableException e) {
                LOG.debug("Could not reload the signing keys after updating them: {}", e.getMessage());
            }
        }
    }

    /**
     * Creates and stores a key for an insert step; its kid, or {@code null} when another node won
     * the generation. A non-null {@code why} reports the rotation (an operator's is reported by
     * {@link #rotateNow(boolean)} once it is done).
     */
    private String insert(Step step, Instant now, String why) {
        SigningKey key = SigningKey.generate(algorithm);
        KeyRow row = new KeyRow(key.kid(), step.generation(), algorithm.name(), publicJwk(key), encryption.seal(key),
                now, step.activatesAt(), null, null);
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
        cache.put(key.kid(), LoadedKey.of(row.privateKey(), key, key.verifyOnly()));
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

    private KeyStatus statusOf(String kid) {
        Snapshot s = loaded();
        KeyRow row = s.timeline.row(kid);
        if (row == null) {
            throw new StoreUnavailableException("The signing key '" + kid + "' vanished from the table", null);
        }
        return s.timeline.status(row, clock.instant());
    }

    private KeyTimeline timeline(List<KeyRow> rows) {
        return new KeyTimeline(rows, tokenLifetime, publishLead);
    }

    private Snapshot snapshot(KeyTimeline timeline, Instant now, boolean startup) {
        Map<String, LoadedKey> keys = new HashMap<>();
        for (KeyRow row : timeline.rows()) {
            if (row.revoked() || timeline.expired(row, now)) {
                cache.remove(row.kid());
                continue;
            }
            LoadedKey key = load(row, timeline.retiredAt(row, now) != null, startup);
            if (key != null) {
                keys.put(row.kid(), key);
                cache.put(row.kid(), key);
            }
        }
        return new Snapshot(timeline, keys);
    }

    /** The usable key of a row: with its private part while it may sign, public only once retired. */
    private LoadedKey load(KeyRow row, boolean retired, boolean startup) {
        SigningAlgorithm alg;
        try {
            alg = KeyEncryption.algorithm(row.kid(), row.alg());
        } catch (UnreadableKeyException e) {
            report(row.kid(), e.getMessage());
            return null;
        }
        // a retired asymmetric key only verifies: its private part is not needed (nor kept in memory)
        boolean needPrivate = !retired || alg == SigningAlgorithm.HS256;
        LoadedKey cached = cache.get(row.kid());
        if (cached != null && Objects.equals(cached.stored, row.privateKey()) && (cached.signing != null || !needPrivate)
                && !cached.unreadable) {
            return needPrivate ? cached : cached.withoutPrivate();
        }
        SigningKey publicKey = alg.isAsymmetric() ? publicKey(row) : null;
        if (row.privateKey() != null && (needPrivate || startup)) {
            try {
                SigningKey key = encryption.open(row.kid(), row.alg(), row.privateKey());
                if (publicKey != null && !key.verifyOnly().equals(publicKey)) {
                    throw new UnreadableKeyException("key '" + row.kid() + "': the stored private key does not belong to"
                            + " its public key");
                }
                SigningKey verify = key.verifyOnly();
                return LoadedKey.of(row.privateKey(), needPrivate ? key : null, verify);
            } catch (UnreadableKeyException e) {
                if (startup) {
                    throw new ConfigurationException("keyEncryptionKey", "cannot read the stored signing key: " + e.getMessage()
                            + ". Use the key-encryption key the keys were stored with (see docs/operations.md)");
                }
                report(row.kid(), e.getMessage());
                // still verifies with the public part; cannot sign on this node
                return new LoadedKey(row.privateKey(), null, publicKey, true);
            }
        }
        return publicKey == null ? null : LoadedKey.of(row.privateKey(), null, publicKey);
    }

    private SigningKey publicKey(KeyRow row) {
        try {
            List<SigningKey> keys = JwkSets.parse("gh_signing_keys.public_jwk", "{\"keys\":[" + row.publicJwk() + "]}");
            if (keys.size() == 1 && keys.get(0).kid().equals(row.kid()) && keys.get(0).algorithm().name().equals(row.alg())) {
                return keys.get(0);
            }
            report(row.kid(), "key '" + row.kid() + "': the stored public key belongs to another key");
        } catch (ConfigurationException e) {
            report(row.kid(), "key '" + row.kid() + "': the stored public key is not a valid JWK (" + e.problem() + ")");
        }
        return null;
    }

    private void report(String kid, String message) {
        if (reportedUnreadable.add(kid)) {
            LOG.error("Signing key {} cannot be used: {}", kid, message);
        }
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
     * keys retired; deletes private parts that can never be used again; encrypts private parts
     * stored plainly before a KEK was set. Failures are logged and retried at the next refresh.
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
                } else if (row.privateKey() != null && encryption.encrypts() && row.privateKey().startsWith(KeyEncryption.PLAIN_PREFIX)) {
                    SigningKey key = encryption.open(row.kid(), row.alg(), row.privateKey());
                    if (table.replacePrivateKey(row.kid(), row.privateKey(), encryption.seal(key))) {
                        changed = true;
                        LOG.warn("Signing key {} was stored unencrypted; it is now encrypted under the key-encryption key",
                                row.kid());
                    }
                }
            }
        } catch (StoreUnavailableException | UnreadableKeyException e) {
            LOG.warn("Could not update the signing-key table ({}); will retry", e.getMessage());
        }
        return changed;
    }

    private void refreshQuietly() {
        if (closed) {
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
        if (scheduler == null || closed) {
            return;
        }
        long last = lastExtraRefresh.get();
        long now = System.nanoTime();
        if (now - last >= MIN_EXTRA_REFRESH_NANOS && lastExtraRefresh.compareAndSet(last, now)) {
            try {
                scheduler.execute(this::refreshQuietly);
            } catch (RuntimeException e) {
                // shutting down
            }
        }
    }

    /** What one refresh loaded: the table's rows, and the usable keys by kid. */
    private static final class Snapshot {
        final KeyTimeline timeline;
        final Map<String, LoadedKey> keys;

        Snapshot(KeyTimeline timeline, Map<String, LoadedKey> keys) {
            this.timeline = timeline;
            this.keys = Map.copyOf(keys);
        }

        Snapshot withRevoked(String kid, Instant at) {
            Map<String, LoadedKey> rest = new HashMap<>(keys);
            rest.remove(kid);
            return new Snapshot(timeline.withRevoked(kid, at), rest);
        }
    }

    /** A row's key: {@code signing} with its private part (or null), {@code verify} without. */
    private static final class LoadedKey {
        final String stored;
        final SigningKey signing;
        final SigningKey verify;
        final Optional<SigningKey> verifyOptional;
        final boolean unreadable;

        LoadedKey(String stored, SigningKey signing, SigningKey verify, boolean unreadable) {
            this.stored = stored;
            this.signing = signing;
            this.verify = verify;
            this.verifyOptional = Optional.ofNullable(verify);
            this.unreadable = unreadable;
        }

        static LoadedKey of(String stored, SigningKey signing, SigningKey verify) {
            return new LoadedKey(stored, signing, verify, false);
        }

        LoadedKey withoutPrivate() {
            return signing == null || signing.algorithm() == SigningAlgorithm.HS256 ? this
                    : new LoadedKey(stored, null, verify, unreadable);
        }
    }

    /**
     * Collects the settings of a {@link ManagedKeySource}; not thread-safe. {@link #build()}
     * validates them (naming the setting in a {@link ConfigurationException}), loads or creates
     * the keys, and starts the refresh thread.
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
     *   <tr><td>securityEvents</td><td>{@link SecurityEventListener#slf4j()}</td></tr>
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
        private SecurityEventListener events = SecurityEventListener.slf4j();

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
        public Builder tokenLifetime(GatehouseSettings tokenSettings) {
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
         * database, or a backup of it, can then sign tokens. Cannot be combined with a key-encryption key.
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
         * {@link SecurityEventListener#slf4j()} (the audit logger {@value AuthService#AUDIT_LOGGER}).
         * Usually the listener given to the {@link AuthService}.
         */
        public Builder securityEvents(SecurityEventListener listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Whether refreshes write retirements down and delete dead private keys (off for the admin tool's dry uses). */
        Builder housekeeping(boolean enabled) {
            this.housekeeping = enabled;
            return this;
        }

        /**
         * Validates the settings, loads the keys (creating the first one in an empty table) and
         * starts the refresh thread. A database that cannot be reached is not an error here: the
         * source keeps trying, and {@link ManagedKeySource#signingKey()} throws
         * {@link StoreUnavailableException} until it has succeeded.
         *
         * @throws ConfigurationException for an invalid setting, or a key-encryption key that does
         *                                not decrypt the stored keys
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
            try {
                source.start();
            } catch (RuntimeException e) {
                source.close();
                throw e;
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
