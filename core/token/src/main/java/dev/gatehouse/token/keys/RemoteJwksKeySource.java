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

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.internal.Lifecycle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Verification keys fetched from an issuer's JWK Set URL (RFC 7517 §5), for a service that only
 * verifies tokens: no database and no key files, just the issuer's {@code /.well-known/jwks.json}.
 * Thread-safe; build one per issuer with {@link #builder(String)}, or with {@link #fromIssuer(String)}
 * to find the JWK Set URL in the issuer's discovery metadata at start, {@link #start()} it, share
 * it, and {@link #close()} it when the application stops.
 *
 * <pre>{@code
 * TokenSettings settings = TokenSettings.builder("https://auth.example.com", "orders").build();
 * RemoteJwksKeySource keys = RemoteJwksKeySource.builder("https://auth.example.com/.well-known/jwks.json")
 *         .acceptedAlgorithms(settings.acceptedAlgorithms())
 *         .build();                              // checks the settings; no thread, no request
 * keys.start();                                  // the first fetch
 * AccessTokenVerifier verifier = new AccessTokenVerifier(settings, keys);
 * ...
 * keys.close();                                  // when the application stops
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * {@link Builder#build()} checks the settings only: it starts no thread and sends no request.
 * {@link #start()} makes the HTTP client, runs the first fetch and waits for it (at most the
 * connect plus read timeout, and one second), then keeps the set fresh in the background. A first
 * fetch that fails does not fail {@code start()}: the issuer may be down for a moment when this
 * service starts, so the failure is logged, the fetch is retried every {@code minFetchInterval},
 * and until one succeeds every token is refused ({@link InvalidTokenException.Reason#KEYS_UNAVAILABLE}).
 * Before {@code start()}, {@link #verificationKey(String)} throws {@link IllegalStateException}
 * (the verifier turns that into a refused token: it fails closed). The fetches run on a
 * {@linkplain Builder#scheduler scheduler} and the HTTP client on an
 * {@linkplain Builder#httpExecutor executor}, each the application's or, by default, made by
 * {@code start()} (daemon threads named {@code gatehouse-jwks-<host:port>}); {@link #close()} shuts
 * down only those it made.
 *
 * <h2>Fetching and caching</h2>
 * <ul>
 *   <li>A verification that arrives while the first fetch is still running (a fetch that
 *       {@link #start()} stopped waiting for) waits for it (at most the connect plus read
 *       timeout).</li>
 *   <li>A fetched set lives for the response's {@code Cache-Control: max-age} (RFC 9111 §5.2.2.1)
 *       held within [{@linkplain Builder#minCacheLifetime min}, {@linkplain Builder#maxCacheLifetime max}]
 *       (default {@value #DEFAULT_MIN_CACHE_LIFETIME_TEXT} to {@value #DEFAULT_MAX_CACHE_LIFETIME_TEXT});
 *       {@code no-cache} or {@code no-store} count as the minimum; without a max-age it lives
 *       {@linkplain Builder#cacheLifetime cacheLifetime} (default {@value #DEFAULT_CACHE_LIFETIME_TEXT}).
 *       It is refreshed in the background when 90% of that lifetime has passed, so requests do not
 *       wait for the issuer.</li>
 *   <li>A token whose {@code kid} is not in the cached set triggers a re-fetch (the issuer may
 *       have started signing with a new key), but at most one per
 *       {@linkplain Builder#minFetchInterval minFetchInterval} (default
 *       {@value #DEFAULT_MIN_FETCH_INTERVAL_TEXT}): a flood of tokens with made-up key ids costs the
 *       issuer at most one request per interval, and concurrent misses share one fetch.</li>
 *   <li>When a fetch fails (connection refused, timeout, a status other than {@code 200}, a body
 *       larger than {@linkplain Builder#maxResponseBytes maxResponseBytes} or that is not a JWK
 *       Set), the last good set stays in use, indefinitely, and the fetch is retried every
 *       {@code minFetchInterval}. The failure is logged at WARN, without key material.</li>
 * </ul>
 *
 * <h2>Which keys are used</h2>
 * Only RSA (RS256, at least 2048 bits) and EC P-256 (ES256) public keys with a {@code kid}, whose
 * algorithm is in {@linkplain Builder#acceptedAlgorithms acceptedAlgorithms}, whose {@code use}
 * (if present) is {@code sig} and whose {@code key_ops} (if present) include {@code verify}.
 * Other keys (encryption keys, other algorithms, shared secrets) are skipped, each once with a
 * log line, without discarding the rest of the set. Private members, if an issuer were to
 * publish them, are dropped unread. A shared secret ({@code kty: oct}) is never taken from a JWK
 * Set: anyone who could read the set could forge tokens.
 *
 * <h2>Transport</h2>
 * Only {@code https} URLs, or {@code http} to a loopback address ({@code 127.0.0.0/8},
 * {@code ::1}, {@code localhost}) when {@linkplain Builder#allowHttpLoopback allowHttpLoopback}
 * is set (a sidecar or a test). Anything else is refused by {@link Builder#build()} with a
 * {@link ConfigurationException}. The same rules hold for an issuer given to {@link #fromIssuer}
 * and for the {@code jwks_uri} its metadata names. Redirects are not followed. TLS trust is the JVM's default
 * (the {@code javax.net.ssl.trustStore} system properties).
 *
 * <h2>Answers</h2>
 * {@link #verificationKey(String)} returns the key, or empty for an unknown {@code kid}; it throws
 * {@link InvalidTokenException} with {@link InvalidTokenException.Reason#KEYS_UNAVAILABLE} only
 * while no JWK Set has ever been loaded. {@link #signingKey()} always throws: this source can only
 * verify. {@link #publishedKeys()} is empty: a verifying service does not republish the issuer's
 * keys.
 */
public final class RemoteJwksKeySource implements KeySource, AutoCloseable {
    private static final Logger LOG = System.getLogger(RemoteJwksKeySource.class.getName());

    public static final String DEFAULT_CACHE_LIFETIME_TEXT = "PT5M";
    /** How long a fetched set lives when the response has no {@code max-age}. */
    public static final Duration DEFAULT_CACHE_LIFETIME = Duration.parse(DEFAULT_CACHE_LIFETIME_TEXT);
    public static final String DEFAULT_MIN_CACHE_LIFETIME_TEXT = "PT1M";
    /** The shortest lifetime a {@code max-age} can give a fetched set. */
    public static final Duration DEFAULT_MIN_CACHE_LIFETIME = Duration.parse(DEFAULT_MIN_CACHE_LIFETIME_TEXT);
    public static final String DEFAULT_MAX_CACHE_LIFETIME_TEXT = "PT1H";
    /** The longest lifetime a {@code max-age} can give a fetched set (a removed key stops verifying within it). */
    public static final Duration DEFAULT_MAX_CACHE_LIFETIME = Duration.parse(DEFAULT_MAX_CACHE_LIFETIME_TEXT);
    public static final String DEFAULT_MIN_FETCH_INTERVAL_TEXT = "PT30S";
    /** The shortest time between two fetches triggered by requests (unknown {@code kid}, nothing loaded yet), and between retries. */
    public static final Duration DEFAULT_MIN_FETCH_INTERVAL = Duration.parse(DEFAULT_MIN_FETCH_INTERVAL_TEXT);
    /** Longest wait for the TCP (and TLS) connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Longest wait for the whole response once the request is sent. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
    /** Largest response body read; a larger one is dropped unparsed. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;

    /** Lower bounds that keep a typo from turning the cache into a request per token. */
    static final Duration SHORTEST_INTERVAL = Duration.ofSeconds(1);
    static final Duration LONGEST_INTERVAL = Duration.ofDays(1);
    static final int MAX_KEYS = 100;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** The setting that discovery problems are reported under. */
    static final String ISSUER_URI_SETTING = "issuerUri";
    /** The members of a public RSA or EC JWK that parsing needs; everything else is dropped unread. */
    private static final List<String> PUBLIC_MEMBERS = List.of("kty", "kid", "use", "alg", "n", "e", "crv", "x", "y");

    /** The issuer this source discovers its JWK Set URL from, exactly as configured; {@code null} for {@link #builder}. */
    private final String issuer;
    /** The discovery URLs tried in order, empty for {@link #builder}. */
    private final List<URI> discoveryUrls;
    private final boolean allowHttpLoopback;
    /** The JWK Set URL: given to {@link #builder}, or discovered (then {@code null} until it is). */
    private volatile URI url;
    /** Why the last discovery was refused (the document, not the network), or {@code null}. */
    private volatile ConfigurationException discoveryProblem;
    private final Set<SigningAlgorithm> acceptedAlgorithms;
    private final Duration cacheLifetime;
    private final Duration minCacheLifetime;
    private final Duration maxCacheLifetime;
    private final Duration minFetchInterval;
    /** Connect plus read timeout: the JDK's request timeout counts from the send, connecting included. */
    private final Duration responseTimeout;
    private final Duration fetchDeadline;
    private final Duration connectTimeout;
    private final int maxResponseBytes;
    private final Clock clock;
    private final String threadName;
    private final ScheduledExecutorService givenScheduler;
    private final Executor givenHttpExecutor;
    private final Lifecycle lifecycle = new Lifecycle(RemoteJwksKeySource.class);
    // Set by start(), before the lifecycle is RUNNING; read after it (the lifecycle's volatile state orders them).
    private HttpClient http;
    private ScheduledExecutorService scheduler;
    /** The executors start() made (shut down by close()), or {@code null} for those the application gave. */
    private ScheduledThreadPoolExecutor ownedScheduler;
    private ExecutorService ownedHttpExecutor;

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    private final Object lock = new Object();
    // Guarded by lock.
    private CompletableFuture<Void> inFlight;
    private Instant lastFetchStarted;
    private ScheduledFuture<?> nextRefresh;
    private boolean closed;
    // Only touched by the scheduler thread.
    private String lastSkipReport = "";

    /** An immutable view of the last good JWK Set. */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(Map.of(), null);

        final Map<String, SigningKey> byKid;
        /** When this set was fetched, or {@code null} when nothing was ever loaded. */
        final Instant fetchedAt;

        Snapshot(Map<String, SigningKey> byKid, Instant fetchedAt) {
            this.byKid = byKid;
            this.fetchedAt = fetchedAt;
        }

        boolean loaded() {
            return fetchedAt != null;
        }
    }

    private RemoteJwksKeySource(Builder b, URI url, URI issuerUri) {
        this.url = url;
        this.issuer = issuerUri == null ? null : b.issuerUri.strip();
        this.discoveryUrls = issuerUri == null ? List.of() : discoveryUrls(issuerUri);
        this.allowHttpLoopback = b.allowHttpLoopback;
        this.acceptedAlgorithms = Collections.unmodifiableSet(EnumSet.copyOf(b.acceptedAlgorithms));
        this.cacheLifetime = b.cacheLifetime;
        this.minCacheLifetime = b.minCacheLifetime;
        this.maxCacheLifetime = b.maxCacheLifetime;
        this.minFetchInterval = b.minFetchInterval;
        this.responseTimeout = b.connectTimeout.plus(b.readTimeout);
        this.fetchDeadline = b.connectTimeout.plus(b.readTimeout).plusSeconds(1);
        this.connectTimeout = b.connectTimeout;
        this.maxResponseBytes = b.maxResponseBytes;
        this.clock = b.clock;
        this.threadName = "gatehouse-jwks-" + (url != null ? url : issuerUri).getRawAuthority();
        this.givenScheduler = b.scheduler;
        this.givenHttpExecutor = b.httpExecutor;
    }

    /**
     * Makes the HTTP client, fetches the JWK Set and waits for that first fetch (at most the
     * connect plus read timeout, and one second), then keeps the set fresh in the background.
     * Idempotent: a second call does nothing. A fetch that fails is logged and retried; it does not
     * fail this method (see the class description).
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        lifecycle.start(() -> {
            Executor httpExecutor = givenHttpExecutor;
            if (httpExecutor == null) {
                ownedHttpExecutor = Executors.newCachedThreadPool(Lifecycle.daemonThreads(threadName + "-http"));
                httpExecutor = ownedHttpExecutor;
            }
            if (givenScheduler == null) {
                ownedScheduler = new ScheduledThreadPoolExecutor(1, Lifecycle.daemonThreads(threadName));
                ownedScheduler.setRemoveOnCancelPolicy(true);
                scheduler = ownedScheduler;
            } else {
                scheduler = givenScheduler;
            }
            // The client starts a selector thread that inherits the context class loader; in a web
            // application that would pin the application's class loader (and servlet containers warn).
            Thread current = Thread.currentThread();
            ClassLoader contextLoader = current.getContextClassLoader();
            current.setContextClassLoader(ClassLoader.getPlatformClassLoader());
            try {
                http = HttpClient.newBuilder()
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        // Tiny, rare requests: HTTP/1.1 avoids h2c upgrade attempts over plain http.
                        .version(HttpClient.Version.HTTP_1_1)
                        .executor(httpExecutor)
                        .build();
            } catch (RuntimeException e) {
                stopOwned();
                throw e;
            } finally {
                current.setContextClassLoader(contextLoader);
            }
            CompletableFuture<Void> first;
            discoveryProblem = null;
            synchronized (lock) {
                closed = false;
                first = startFetchLocked();
            }
            // Discovery may take three exchanges (two discovery URLs and the JWK Set).
            await(first, issuer == null ? fetchDeadline : fetchDeadline.multipliedBy(3));
            ConfigurationException refused = discoveryProblem;
            if (url == null && refused != null) {
                synchronized (lock) {
                    closed = true;
                    if (nextRefresh != null) {
                        nextRefresh.cancel(false);
                        nextRefresh = null;
                    }
                    lastFetchStarted = null;
                }
                closeHttpClient();
                stopOwned();
                throw refused;
            }
        });
    }

    /** Whether {@link #start()} ran and {@link #close()} has not been called. */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /**
     * Starts a builder.
     *
     * @param jwksUrl the issuer's JWK Set URL, for a Gatehouse issuer
     *                {@code <issuer>/.well-known/jwks.json} (the {@code jwks_uri} of its
     *                {@code /.well-known/openid-configuration})
     */
    public static Builder builder(String jwksUrl) {
        return new Builder(jwksUrl, null);
    }

    /**
     * Starts a builder for a source that finds the JWK Set URL in the issuer's discovery metadata,
     * as Spring Security's {@code JwtDecoders.fromIssuerLocation} does, but at {@link #start()}
     * rather than when built. {@code start()} fetches {@code <issuer>/.well-known/openid-configuration}
     * (OpenID Connect Discovery 1.0 §4) and, if that answers {@code 4xx},
     * {@code /.well-known/oauth-authorization-server<issuer path>} (RFC 8414 §3.1); the document
     * must be {@code application/json}, its {@code issuer} must equal {@code issuerUri} character for
     * character (RFC 8414 §3.3, OpenID Connect Discovery §4.3: otherwise another issuer's keys
     * could verify tokens meant for this one), and its {@code jwks_uri} must pass the same rules as
     * {@link #builder}'s URL, and must not be {@code http} when the issuer is {@code https}. From
     * then on the source behaves exactly as one built with that {@code jwks_uri}, which it keeps
     * until it is closed.
     *
     * <p>A document that breaks these rules makes {@code start()} throw a
     * {@link ConfigurationException} naming {@code issuerUri} and both values. An issuer that cannot
     * be reached (or answers with an error status, a redirect, a body too large or not JSON) does
     * not: as for a JWK Set fetch, {@code start()} returns, the failure is logged, discovery is
     * retried every {@code minFetchInterval} and every token is refused until it succeeds. A
     * document refused by such a retry is logged at ERROR and retried alike.
     *
     * <p>Give the verifier the same issuer: tokens must carry {@code iss} equal to {@code issuerUri}
     * ({@code TokenSettings.builder(issuerUri, audience)}).
     *
     * @param issuerUri the issuer identifier: {@code https} (or {@code http} to a loopback address
     *                  with {@link Builder#allowHttpLoopback}), without query, fragment or user
     *                  information (RFC 8414 §2)
     */
    public static Builder fromIssuer(String issuerUri) {
        return new Builder(null, issuerUri);
    }

    /**
     * The JWK Set URL this source fetches: the one given to {@link #builder}, or the
     * {@code jwks_uri} discovered from the issuer; empty while discovery has not succeeded.
     */
    public Optional<URI> jwksUrl() {
        return Optional.ofNullable(url);
    }

    /** The issuer given to {@link #fromIssuer}, exactly as its discovery document must name it; empty for {@link #builder}. */
    @Override
    public Optional<String> issuer() {
        return Optional.ofNullable(issuer);
    }

    /**
     * The discovery URLs of an issuer, in the order tried: OpenID Connect Discovery 1.0 §4 (the
     * issuer, a terminating {@code /} removed, then {@code /.well-known/openid-configuration}),
     * then RFC 8414 §3.1 ({@code /.well-known/oauth-authorization-server} inserted before the path).
     */
    static List<URI> discoveryUrls(URI issuer) {
        String path = issuer.getRawPath() == null ? "" : issuer.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String origin = issuer.getScheme().toLowerCase(Locale.ROOT) + "://" + issuer.getRawAuthority();
        return List.of(URI.create(origin + path + "/.well-known/openid-configuration"),
                URI.create(origin + "/.well-known/oauth-authorization-server" + path));
    }

    /** The keys currently cached (public halves), in the order the issuer listed them. */
    public List<SigningKey> keys() {
        return List.copyOf(snapshot.byKid.values());
    }

    /**
     * Always throws: a remote JWK Set holds public keys only.
     *
     * @throws GatehouseException always
     */
    @Override
    public SigningKey signingKey() {
        throw new GatehouseException("A remote JWK Set can only verify: it has no private keys");
    }

    /**
     * The cached key with this {@code kid}. On a miss, re-fetches the set first unless a fetch
     * started less than {@code minFetchInterval} ago (then it only waits for a fetch in flight).
     *
     * @throws InvalidTokenException with {@link InvalidTokenException.Reason#KEYS_UNAVAILABLE} when no
     *                               JWK Set has been loaded since start-up
     * @throws IllegalStateException before {@link #start()}
     */
    @Override
    public Optional<SigningKey> verificationKey(String kid) {
        lifecycle.requireStarted();
        if (kid == null) {
            return Optional.empty();
        }
        SigningKey key = snapshot.byKid.get(kid);
        if (key != null) {
            return Optional.of(key);
        }
        CompletableFuture<Void> fetch = fetchUnlessRateLimited();
        if (fetch != null) {
            await(fetch);
        }
        Snapshot current = snapshot;
        key = current.byKid.get(kid);
        if (key != null) {
            return Optional.of(key);
        }
        if (!current.loaded()) {
            throw new InvalidTokenException(InvalidTokenException.Reason.KEYS_UNAVAILABLE,
                    "The issuer's JWK Set has not been loaded yet");
        }
        return Optional.empty();
    }

    /** Nothing: a verifying service does not republish the issuer's keys. */
    @Override
    public List<SigningKey> publishedKeys() {
        return List.of();
    }

    /**
     * Stops the background refresher; cached keys keep answering, but nothing is fetched again.
     * Shuts down the threads {@link #start()} made, never an executor the application gave.
     * Idempotent.
     */
    @Override
    public void close() {
        if (lifecycle.close() != Lifecycle.State.RUNNING) {
            return;
        }
        CompletableFuture<Void> pending;
        synchronized (lock) {
            closed = true;
            if (nextRefresh != null) {
                nextRefresh.cancel(false);
            }
            pending = inFlight;
            inFlight = null;
        }
        if (pending != null) {
            pending.complete(null);
        }
        closeHttpClient();
        stopOwned();
    }

    private void stopOwned() {
        if (ownedScheduler != null) {
            ownedScheduler.shutdownNow();
        }
        if (ownedHttpExecutor != null) {
            ownedHttpExecutor.shutdownNow();
        }
    }

    /**
     * JDK 21 made {@code HttpClient} closeable (that stops its selector thread at once); on JDK 17
     * the selector thread ends by itself once this source is garbage-collected.
     */
    private void closeHttpClient() {
        Object client = http;
        if (client instanceof AutoCloseable) {
            try {
                ((AutoCloseable) client).close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, () -> "Closing the JWK Set HTTP client failed (" + e.getClass().getName() + ")");
            }
        }
    }

    /** The fetch in flight, a new one if the rate limit allows, or {@code null}. */
    private CompletableFuture<Void> fetchUnlessRateLimited() {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            if (inFlight != null) {
                return inFlight;
            }
            if (lastFetchStarted != null && clock.instant().isBefore(lastFetchStarted.plus(minFetchInterval))) {
                return null;
            }
            return startFetchLocked();
        }
    }

    /** Scheduled refreshes ignore the rate limit (they are the schedule). */
    private void scheduledRefresh() {
        synchronized (lock) {
            if (!closed && inFlight == null) {
                startFetchLocked();
            }
        }
    }

    private CompletableFuture<Void> startFetchLocked() {
        lastFetchStarted = clock.instant();
        CompletableFuture<Void> fetch = new CompletableFuture<>();
        inFlight = fetch;
        try {
            scheduler.execute(() -> runFetch(fetch));
        } catch (RejectedExecutionException e) {
            inFlight = null;
            fetch.complete(null);
        }
        return fetch;
    }

    private void runFetch(CompletableFuture<Void> fetch) {
        Duration next = minFetchInterval;
        try {
            next = fetchOnce();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "Could not refresh the JWK Set from " + url + " (" + e.getClass().getName() + "); "
                    + keptKeysDescription());
        } finally {
            synchronized (lock) {
                if (inFlight == fetch) {
                    inFlight = null;
                }
                if (!closed) {
                    if (nextRefresh != null) {
                        nextRefresh.cancel(false);
                    }
                    try {
                        nextRefresh = scheduler.schedule(this::scheduledRefresh, next.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException e) {
                        nextRefresh = null;
                    }
                }
            }
            fetch.complete(null);
        }
    }

    /** One fetch; returns the delay until the next scheduled one. */
    private Duration fetchOnce() {
        Instant started = clock.instant();
        URI url = this.url;
        if (url == null) {
            url = discover();
            if (url == null) {
                return minFetchInterval;
            }
        }
        URI target = url;
        HttpResponse<byte[]> response;
        try {
            response = download(target, "application/jwk-set+json, application/json");
        } catch (FetchFailure e) {
            if (isClosed()) {
                return minFetchInterval;
            }
            LOG.log(Level.WARNING, () -> "Could not refresh the JWK Set from " + target + " (" + e.getMessage() + "); "
                    + keptKeysDescription());
            return minFetchInterval;
        }
        if (response.statusCode() != 200) {
            LOG.log(Level.WARNING, () -> "Could not refresh the JWK Set from " + target + " (HTTP " + response.statusCode() + "); "
                    + keptKeysDescription());
            return minFetchInterval;
        }
        Map<String, SigningKey> keys;
        try {
            keys = parse(response.body());
        } catch (FetchFailure e) {
            LOG.log(Level.WARNING, () -> "Ignored the response of " + target + " (" + e.getMessage() + "); "
                    + keptKeysDescription());
            return minFetchInterval;
        }
        Snapshot previous = snapshot;
        snapshot = new Snapshot(Collections.unmodifiableMap(keys), started);
        if (!previous.loaded() || !previous.byKid.keySet().equals(keys.keySet())) {
            if (keys.isEmpty()) {
                LOG.log(Level.WARNING, () -> "The JWK Set at " + target
                        + " has no key this service can use: every token will be refused");
            } else {
                LOG.log(Level.INFO, () -> "Loaded the JWK Set from " + target + ": key ids " + keys.keySet());
            }
        } else {
            LOG.log(Level.DEBUG, () -> "Refreshed the JWK Set from " + target + ": unchanged");
        }
        Duration lifetime = lifetimeOf(response.headers().allValues("Cache-Control"), cacheLifetime,
                minCacheLifetime, maxCacheLifetime);
        return lifetime.multipliedBy(9).dividedBy(10);
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private String keptKeysDescription() {
        Snapshot s = snapshot;
        if (!s.loaded()) {
            return "no JWK Set loaded yet: tokens cannot be verified until a fetch succeeds; retrying in " + minFetchInterval;
        }
        return "still using the " + s.byKid.size() + " keys fetched at " + s.fetchedAt + "; retrying in " + minFetchInterval;
    }

    /**
     * Finds the JWK Set URL in the issuer's discovery metadata and keeps it, or returns
     * {@code null} (logged; {@link #discoveryProblem} set when the document itself was refused).
     */
    private URI discover() {
        HttpResponse<byte[]> response = null;
        URI from = null;
        for (URI candidate : discoveryUrls) {
            from = candidate;
            try {
                response = download(candidate, "application/json");
            } catch (FetchFailure e) {
                if (!isClosed()) {
                    URI failed = candidate;
                    LOG.log(Level.WARNING, () -> "Could not read the discovery metadata of the issuer " + issuer + " at " + failed
                            + " (" + e.getMessage() + "); tokens cannot be verified until it succeeds; retrying in " + minFetchInterval);
                }
                return null;
            }
            int status = response.statusCode();
            // RFC 8414 §3.1 after OpenID Connect Discovery: an issuer serves one or the other.
            if (status < 400 || status >= 500) {
                break;
            }
        }
        URI source = from;
        int status = response.statusCode();
        if (status != 200) {
            String why = status >= 300 && status < 400 ? "HTTP " + status + ", redirects are not followed" : "HTTP " + status;
            LOG.log(Level.WARNING, () -> "Could not read the discovery metadata of the issuer " + issuer + " at " + source
                    + " (" + why + "); tokens cannot be verified until it succeeds; retrying in " + minFetchInterval);
            return null;
        }
        URI jwksUri;
        try {
            jwksUri = jwksUriOf(response, source);
        } catch (FetchFailure e) {
            LOG.log(Level.WARNING, () -> "Ignored the discovery metadata at " + source + " (" + e.getMessage()
                    + "); tokens cannot be verified until it can be read; retrying in " + minFetchInterval);
            return null;
        } catch (ConfigurationException e) {
            discoveryProblem = e;
            LOG.log(Level.ERROR, () -> e.getMessage() + "; every token is refused; retrying in " + minFetchInterval);
            return null;
        }
        discoveryProblem = null;
        url = jwksUri;
        LOG.log(Level.INFO, () -> "Discovered the JWK Set URL " + jwksUri + " of the issuer " + issuer + " at " + source);
        return jwksUri;
    }

    /**
     * The {@code jwks_uri} of a discovery document, checked.
     *
     * @throws FetchFailure when the response is not a JSON object (perhaps a proxy's error page)
     * @throws ConfigurationException when the document names another issuer, or no usable {@code jwks_uri}
     */
    private URI jwksUriOf(HttpResponse<byte[]> response, URI source) throws FetchFailure {
        String type = response.headers().firstValue("Content-Type").orElse("");
        int semicolon = type.indexOf(';');
        String mediaType = (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new FetchFailure("Content-Type is '" + type + "', not application/json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FetchFailure("not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new FetchFailure("not a JSON object");
        }
        JsonNode named = root.get("issuer");
        if (named == null || !named.isTextual()) {
            throw new ConfigurationException(ISSUER_URI_SETTING, "the discovery metadata at " + source
                    + " has no \"issuer\"; it must be '" + issuer + "'");
        }
        if (!named.asText().equals(issuer)) {
            throw new ConfigurationException(ISSUER_URI_SETTING, "the discovery metadata at " + source + " names the issuer '"
                    + named.asText() + "', not the configured '" + issuer + "'; the two must be equal character for character "
                    + "(RFC 8414 §3.3), so set the issuer's own identifier");
        }
        JsonNode jwks = root.get("jwks_uri");
        if (jwks == null || !jwks.isTextual() || jwks.asText().isBlank()) {
            throw new ConfigurationException(ISSUER_URI_SETTING, "the discovery metadata of the issuer '" + issuer + "' at "
                    + source + " has no \"jwks_uri\"");
        }
        URI jwksUri;
        try {
            jwksUri = Builder.checkUrl("jwks_uri", jwks.asText(), allowHttpLoopback);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(ISSUER_URI_SETTING, "the discovery metadata of the issuer '" + issuer + "' at "
                    + source + " has an unusable \"jwks_uri\": " + e.problem(), e);
        }
        if (discoveryUrls.get(0).getScheme().equalsIgnoreCase("https") && !jwksUri.getScheme().equalsIgnoreCase("https")) {
            throw new ConfigurationException(ISSUER_URI_SETTING, "the discovery metadata of the https issuer '" + issuer
                    + "' at " + source + " has an http \"jwks_uri\" (" + jwksUri + "): keys are only fetched over https from an "
                    + "https issuer");
        }
        return jwksUri;
    }

    private HttpResponse<byte[]> download(URI target, String accept) throws FetchFailure {
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(responseTimeout)
                .header("Accept", accept)
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> exchange =
                http.sendAsync(request, info -> new LimitedBody(maxResponseBytes, info.headers().firstValueAsLong("Content-Length")));
        try {
            // The request timeout covers the headers only; this bounds the body too.
            return exchange.get(fetchDeadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new FetchFailure("no complete response within " + fetchDeadline);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchFailure("interrupted");
        } catch (ExecutionException e) {
            throw new FetchFailure(describe(e.getCause()));
        }
    }

    private String describe(Throwable cause) {
        while (cause instanceof IOException && cause.getCause() instanceof TooLarge) {
            cause = cause.getCause();
        }
        if (cause instanceof TooLarge) {
            return "response larger than " + maxResponseBytes + " bytes";
        }
        if (cause instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (cause instanceof ConnectException) {
            return "could not connect";
        }
        return cause == null ? "unknown error" : cause.getClass().getName();
    }

    /**
     * The usable keys of a JWK Set document, by {@code kid}.
     *
     * @throws FetchFailure when the document is not a JWK Set at all
     */
    private Map<String, SigningKey> parse(byte[] body) throws FetchFailure {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new FetchFailure("not JSON");
        }
        if (root == null || !root.isObject() || !root.path("keys").isArray()) {
            throw new FetchFailure("not a JWK Set: no \"keys\" array");
        }
        JsonNode array = root.get("keys");
        if (array.size() > MAX_KEYS) {
            throw new FetchFailure("more than " + MAX_KEYS + " keys");
        }
        Map<String, SigningKey> keys = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode jwk = array.get(i);
            String name = jwk.path("kid").isTextual() ? "'" + jwk.get("kid").asText() + "'" : "#" + i;
            String problem = problemWith(jwk);
            SigningKey key = null;
            if (problem == null) {
                try {
                    key = JwkSets.parse(JSON.writeValueAsString(JSON.createObjectNode().set("keys",
                            JSON.createArrayNode().add(publicPart(jwk))))).get(0).verifyOnly();
                } catch (ConfigurationException e) {
                    problem = e.problem();
                } catch (IOException | RuntimeException e) {
                    problem = "not a valid JWK";
                }
            }
            if (problem == null && !acceptedAlgorithms.contains(key.algorithm())) {
                problem = key.algorithm() + " is not an accepted algorithm";
            }
            if (problem == null && keys.containsKey(key.kid())) {
                problem = "a second key with the same kid";
            }
            if (problem != null) {
                skipped.add(name + ": " + problem);
            } else {
                keys.put(key.kid(), key);
            }
        }
        String report = String.join("; ", skipped);
        if (!report.equals(lastSkipReport)) {
            lastSkipReport = report;
            if (!skipped.isEmpty()) {
                LOG.log(Level.INFO, () -> "Skipped keys of the JWK Set at " + url + ": " + report);
            }
        }
        return keys;
    }

    /** Why a JWK is not a usable signature-verification key, or {@code null} if it may be. */
    private static String problemWith(JsonNode jwk) {
        if (!jwk.isObject()) {
            return "not a JSON object";
        }
        if (!jwk.path("kid").isTextual()) {
            return "no kid";
        }
        JsonNode use = jwk.get("use");
        if (use != null && !"sig".equals(use.asText(null))) {
            return "use is not sig";
        }
        JsonNode ops = jwk.get("key_ops");
        if (ops != null) {
            boolean verify = false;
            if (ops.isArray()) {
                for (JsonNode op : ops) {
                    verify |= "verify".equals(op.asText(null));
                }
            }
            if (!verify) {
                return "key_ops does not include verify";
            }
        }
        JsonNode kty = jwk.get("kty");
        if (kty != null && "oct".equals(kty.asText(null))) {
            return "a shared secret is never taken from a JWK Set";
        }
        return null;
    }

    private static ObjectNode publicPart(JsonNode jwk) {
        ObjectNode copy = JSON.createObjectNode();
        for (String member : PUBLIC_MEMBERS) {
            JsonNode value = jwk.get(member);
            if (value != null) {
                copy.set(member, value);
            }
        }
        return copy;
    }

    /**
     * The lifetime of a fetched set: its {@code max-age} (RFC 9111 §5.2.2.1) within
     * [{@code min}, {@code max}]; {@code no-cache}/{@code no-store} give {@code min}; without either,
     * {@code fallback}.
     */
    static Duration lifetimeOf(List<String> cacheControl, Duration fallback, Duration min, Duration max) {
        Duration lifetime = fallback;
        boolean noCache = false;
        for (String header : cacheControl) {
            for (String directive : header.split(",")) {
                String d = directive.strip().toLowerCase(Locale.ROOT);
                if (d.equals("no-cache") || d.equals("no-store")) {
                    noCache = true;
                } else if (d.startsWith("max-age=")) {
                    String value = d.substring("max-age=".length()).replace("\"", "");
                    try {
                        lifetime = Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
                    } catch (NumberFormatException | ArithmeticException e) {
                        // RFC 9111 §4.2.1: an invalid max-age is ignored here (the fallback stays).
                    }
                }
            }
        }
        if (noCache || lifetime.compareTo(min) < 0) {
            return min;
        }
        return lifetime.compareTo(max) > 0 ? max : lifetime;
    }

    /** A request waits for one exchange at most, even while discovery (up to three) is under way. */
    private void await(CompletableFuture<Void> fetch) {
        await(fetch, fetchDeadline);
    }

    private static void await(CompletableFuture<Void> fetch, Duration deadline) {
        try {
            fetch.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Answer from whatever is cached.
        }
    }

    @Override
    public String toString() {
        return "RemoteJwksKeySource{" + (issuer == null ? "" : "issuer=" + issuer + ", ") + "url=" + url
                + ", keys=" + snapshot.byKid.keySet() + "}";
    }

    /** Why a fetch brought nothing usable; the message is safe to log. */
    private static final class FetchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        FetchFailure(String message) {
            super(message, null, false, false);
        }
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("response too large");
        }
    }

    /** Collects a body of at most {@code max} bytes; a larger one is abandoned as soon as it shows. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int max;
        private final boolean declaredTooLarge;
        private Flow.Subscription subscription;

        LimitedBody(int max, OptionalLong contentLength) {
            this.max = max;
            this.declaredTooLarge = contentLength.isPresent() && contentLength.getAsLong() > max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (declaredTooLarge) {
                s.cancel();
                result.completeExceptionally(new TooLarge());
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (out.size() + item.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }

    /**
     * Configures a {@link RemoteJwksKeySource}. Not thread-safe; {@link #build()} validates every
     * setting (naming it in a {@link ConfigurationException}); {@link RemoteJwksKeySource#start()}
     * starts the source.
     */
    public static final class Builder {
        private final String jwksUrl;
        private final String issuerUri;
        private Set<SigningAlgorithm> acceptedAlgorithms = EnumSet.of(SigningAlgorithm.RS256, SigningAlgorithm.ES256);
        private boolean allowHttpLoopback;
        private Duration cacheLifetime = DEFAULT_CACHE_LIFETIME;
        private Duration minCacheLifetime = DEFAULT_MIN_CACHE_LIFETIME;
        private Duration maxCacheLifetime = DEFAULT_MAX_CACHE_LIFETIME;
        private Duration minFetchInterval = DEFAULT_MIN_FETCH_INTERVAL;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private Executor httpExecutor;

        private Builder(String jwksUrl, String issuerUri) {
            this.jwksUrl = jwksUrl;
            this.issuerUri = issuerUri;
        }

        /**
         * Algorithms whose keys are kept; keys of others are skipped. Default RS256 and ES256. Pass
         * the verifier's {@link TokenSettings#acceptedAlgorithms()}. HS256 is ignored here: no
         * secret is ever taken from a JWK Set.
         */
        public Builder acceptedAlgorithms(Set<SigningAlgorithm> algorithms) {
            this.acceptedAlgorithms = algorithms == null ? null : EnumSet.copyOf(algorithms);
            return this;
        }

        /**
         * Allow {@code http} to a loopback address ({@code 127.0.0.0/8}, {@code ::1},
         * {@code localhost}); default {@code false}. For a sidecar on the same host, or tests. With
         * {@link RemoteJwksKeySource#fromIssuer} it applies to the issuer and to its {@code jwks_uri}.
         */
        public Builder allowHttpLoopback(boolean allow) {
            this.allowHttpLoopback = allow;
            return this;
        }

        /** Lifetime of a fetched set whose response has no {@code max-age}; default {@value RemoteJwksKeySource#DEFAULT_CACHE_LIFETIME_TEXT}. */
        public Builder cacheLifetime(Duration lifetime) {
            this.cacheLifetime = lifetime;
            return this;
        }

        /** The shortest lifetime a {@code max-age} (or {@code no-cache}) can give; default {@value RemoteJwksKeySource#DEFAULT_MIN_CACHE_LIFETIME_TEXT}. */
        public Builder minCacheLifetime(Duration lifetime) {
            this.minCacheLifetime = lifetime;
            return this;
        }

        /** The longest lifetime a {@code max-age} can give; default {@value RemoteJwksKeySource#DEFAULT_MAX_CACHE_LIFETIME_TEXT}. */
        public Builder maxCacheLifetime(Duration lifetime) {
            this.maxCacheLifetime = lifetime;
            return this;
        }

        /**
         * The shortest time between two fetches that requests trigger (unknown {@code kid}, nothing
         * loaded yet), and the retry delay after a failed fetch; default
         * {@value RemoteJwksKeySource#DEFAULT_MIN_FETCH_INTERVAL_TEXT}, at least 1 second.
         */
        public Builder minFetchInterval(Duration interval) {
            this.minFetchInterval = interval;
            return this;
        }

        /** Longest wait for the connection; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Longest wait for the complete response once connected; default 5 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /** Largest response read, in bytes; default 512 KiB, from 1 KiB to 16 MiB. */
        public Builder maxResponseBytes(int bytes) {
            this.maxResponseBytes = bytes;
            return this;
        }

        /** The clock that measures {@code minFetchInterval}; tests pass one they can move. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * The scheduler that runs the fetches and times the refreshes, instead of a thread of the
         * source's own ({@code gatehouse-jwks-<host:port>}). A fetch holds one of its threads for up
         * to the connect plus read timeout. It stays the application's: {@link RemoteJwksKeySource#close()}
         * cancels the next refresh on it but does not shut it down.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The executor of the HTTP client's asynchronous work, instead of a cached pool of the
         * source's own ({@code gatehouse-jwks-<host:port>-http}). It stays the application's:
         * {@link RemoteJwksKeySource#close()} does not shut it down.
         */
        public Builder httpExecutor(Executor executor) {
            this.httpExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Validates the settings and makes the source; it starts no thread and sends no request
         * until {@link RemoteJwksKeySource#start()}.
         *
         * @throws ConfigurationException naming an invalid setting
         */
        public RemoteJwksKeySource build() {
            URI url = null;
            URI issuer = null;
            if (issuerUri != null) {
                issuer = checkUrl(ISSUER_URI_SETTING, issuerUri, allowHttpLoopback);
                if (issuer.getRawQuery() != null) {
                    throw new ConfigurationException(ISSUER_URI_SETTING, "must not have a ?query (RFC 8414 §2)");
                }
            } else {
                url = checkUrl("jwksUrl", jwksUrl, allowHttpLoopback);
            }
            if (acceptedAlgorithms == null || acceptedAlgorithms.stream().noneMatch(SigningAlgorithm::isAsymmetric)) {
                throw new ConfigurationException("acceptedAlgorithms", "must include RS256 or ES256: a JWK Set never carries HS256 secrets");
            }
            requireBetween("minCacheLifetime", minCacheLifetime, SHORTEST_INTERVAL, LONGEST_INTERVAL);
            requireBetween("maxCacheLifetime", maxCacheLifetime, minCacheLifetime, LONGEST_INTERVAL);
            requireBetween("cacheLifetime", cacheLifetime, minCacheLifetime, maxCacheLifetime);
            requireBetween("minFetchInterval", minFetchInterval, SHORTEST_INTERVAL, LONGEST_INTERVAL);
            requireBetween("connectTimeout", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
            requireBetween("readTimeout", readTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
            if (maxResponseBytes < 1024 || maxResponseBytes > 16 * 1024 * 1024) {
                throw new ConfigurationException("maxResponseBytes", "must be between 1024 and 16777216");
            }
            if (clock == null) {
                throw new ConfigurationException("clock", "must not be null");
            }
            return new RemoteJwksKeySource(this, url, issuer);
        }

        private static void requireBetween(String setting, Duration value, Duration min, Duration max) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new ConfigurationException(setting, "must be between " + min + " and " + max + ", not " + value);
            }
        }

        static URI checkUrl(String setting, String value, boolean allowHttpLoopback) {
            if (value == null || value.isBlank()) {
                throw new ConfigurationException(setting, "is required");
            }
            URI uri;
            try {
                uri = new URI(value.strip());
            } catch (URISyntaxException e) {
                throw new ConfigurationException(setting, "'" + value + "' is not a valid URL");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null) {
                throw new ConfigurationException(setting, "'" + value + "' is not an absolute https URL");
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigurationException(setting, "must not contain a user name or password (they would end up in logs)");
            }
            if (uri.getRawFragment() != null) {
                throw new ConfigurationException(setting, "must not have a #fragment");
            }
            if (scheme.equals("https")) {
                return uri;
            }
            if (scheme.equals("http")) {
                if (!allowHttpLoopback) {
                    throw new ConfigurationException(setting, "must be an https URL; http is allowed only to a loopback "
                            + "address, and only with jwks-allow-http-loopback=true (the filter's init-param; "
                            + "RemoteJwksKeySource.Builder.allowHttpLoopback(true) in code)");
                }
                if (!isLoopback(uri.getHost())) {
                    throw new ConfigurationException(setting, "http is allowed only to a loopback address "
                            + "(127.0.0.0/8, ::1, localhost), not '" + uri.getHost() + "'");
                }
                return uri;
            }
            throw new ConfigurationException(setting, "must be an https URL, not " + scheme);
        }

        /** Decided from the URL alone: IP literals are checked without any name lookup, and the only name is localhost. */
        static boolean isLoopback(String host) {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if (h.equalsIgnoreCase("localhost")) {
                return true;
            }
            if (IPV4.matcher(h).matches()) {
                // Checked by hand: InetAddress would look up an invalid literal such as 999.0.0.1 as a name.
                String[] octets = h.split("\\.");
                for (String octet : octets) {
                    if (Integer.parseInt(octet) > 255) {
                        return false;
                    }
                }
                return octets[0].equals("127");
            }
            if (h.contains(":")) {
                try {
                    return InetAddress.getByName(h).isLoopbackAddress();
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return false;
        }
    }
}
