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

import dev.gatehouse.token.internal.Lifecycle;
import org.mindrot.jbcrypt.BCrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Password hashing with bcrypt (jbcrypt), made safe for any password, and run in a bounded pool.
 *
 * <p><b>Pre-hash.</b> bcrypt reads only the first 72 bytes of its input and stops at a NUL byte,
 * so on its own two passwords sharing their first 72 bytes would be the same password. Every
 * password is therefore first NFKC-normalised (NIST SP 800-63B §5.1.1.2), then reduced to
 * {@code base64(HMAC-SHA256(key, UTF-8(password)))} — 44 ASCII characters, no NUL — and that is
 * what bcrypt hashes. The HMAC key is the configured pepper, or a built-in constant; keying it
 * prevents "password shucking" against unsalted SHA-256 hashes leaked elsewhere.
 *
 * <p><b>Pool.</b> Hashing is deliberately slow, so it runs on {@link AuthSettings#hashingThreads()}
 * threads with a queue of {@link AuthSettings#hashingQueue()}: a flood of logins waits there or is
 * refused with {@link OverloadedException}; it never occupies the threads that serve other
 * requests. In an {@link AuthService} built with an executor of the application's
 * ({@link AuthService.Builder#hashingExecutor}), hashing runs there instead, and whatever that
 * executor rejects is refused with {@link OverloadedException} just the same.
 *
 * <p><b>Lifecycle.</b> The constructor starts no thread. {@link #start()} makes the pool (when no
 * executor was given) and begins the dummy hash for unknown accounts (on a short-lived thread of
 * its own, {@code gatehouse-dummy-hash}, so that start-up does not wait for a full bcrypt);
 * {@link #submit}, {@link #executor()} and {@link #matchesNothing} throw {@link IllegalStateException}
 * unless running. {@link #close()} shuts the pool down (waiting up to 10 seconds for hashes in
 * progress), never an executor the application gave. Thread-safe.
 */
public final class PasswordHasher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordHasher.class);
    private static final byte[] DEFAULT_KEY = "dev.gatehouse password pre-hash v1".getBytes(StandardCharsets.US_ASCII);

    private final int cost;
    private final byte[] key;
    private final int threads;
    private final int queue;
    /** The executor the application gave, or {@code null}: then {@link #start()} makes the pool. */
    private final Executor givenExecutor;
    private final Lifecycle lifecycle = new Lifecycle(PasswordHasher.class);
    // Set by start() before the lifecycle is RUNNING, read after checking it (its volatile state orders them).
    private Executor executor;
    private ThreadPoolExecutor ownedPool;
    private CompletableFuture<String> dummyHash;

    /** A hasher whose {@link #start()} makes a pool of {@link AuthSettings#hashingThreads()} threads. */
    public PasswordHasher(AuthSettings settings) {
        this(settings, null);
    }

    /** A hasher that hashes on {@code executor} (the service's), or on a pool of its own when it is {@code null}. */
    PasswordHasher(AuthSettings settings, Executor executor) {
        this.cost = settings.bcryptCost();
        byte[] pepper = settings.pepper();
        this.key = pepper != null ? pepper : DEFAULT_KEY.clone();
        this.threads = settings.hashingThreads();
        this.queue = settings.hashingQueue();
        this.givenExecutor = executor;
    }

    /**
     * Makes the hashing pool (unless an executor was given) and begins the dummy hash. Idempotent:
     * a second call does nothing.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() {
        lifecycle.start(() -> {
            if (givenExecutor == null) {
                ownedPool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                        queue == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queue),
                        Lifecycle.daemonThreads("gatehouse-hashing-"), new ThreadPoolExecutor.AbortPolicy());
                executor = ownedPool;
            } else {
                executor = givenExecutor;
            }
            // A hash of a random password at the configured cost: checking an unknown email against it
            // costs exactly what checking a real account costs.
            // Made on a thread of its own, so start-up does not wait for one full bcrypt; not on the
            // pool, whose capacity belongs to requests.
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getEncoder().encodeToString(random);
            dummyHash = CompletableFuture.supplyAsync(() -> BCrypt.hashpw(preHash(secret), BCrypt.gensalt(cost)),
                    r -> Lifecycle.daemonThreads("gatehouse-dummy-hash").newThread(r).start());
        });
    }

    /** Whether {@link #start()} ran and {@link #close()} has not been called. */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /** The configured cost. */
    public int cost() {
        return cost;
    }

    /**
     * Runs {@code work} on the hashing pool.
     *
     * @throws OverloadedException   at once when the pool and its queue are full (or the given executor rejects it)
     * @throws IllegalStateException unless running
     */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        lifecycle.requireRunning();
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            throw new OverloadedException();
        }
    }

    /**
     * The executor of the hashing pool, for callers that chain work onto it.
     *
     * @throws IllegalStateException unless running
     */
    public Executor executor() {
        lifecycle.requireRunning();
        return executor;
    }

    /** Hashes a password (call from the pool). */
    public String hash(String password) {
        return BCrypt.hashpw(preHash(password), BCrypt.gensalt(cost));
    }

    /**
     * Whether the password matches the stored hash (call from the pool). A malformed stored hash
     * is logged as an error and does not match; it never throws.
     */
    public boolean matches(String password, String storedHash) {
        if (password == null || storedHash == null) {
            return false;
        }
        try {
            return BCrypt.checkpw(preHash(password), storedHash);
        } catch (RuntimeException e) {
            LOG.error("A stored password hash is malformed ({}); the login is refused", e.getClass().getSimpleName());
            // Spend the time a real check costs, so a damaged row is not visible by timing.
            return matchesNothing(password);
        }
    }

    /**
     * Spends the same time as {@link #matches} for an account that does not exist; always {@code false}.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public boolean matchesNothing(String password) {
        lifecycle.requireStarted();
        BCrypt.checkpw(preHash(password == null ? "" : password), dummyHash.join());
        return false;
    }

    /** Whether a stored hash was made with a lower cost than the configured one. */
    public boolean needsRehash(String storedHash) {
        // $2a$12$... : the cost is the two digits after the second '$'.
        if (storedHash == null || storedHash.length() < 7 || storedHash.charAt(0) != '$') {
            return false;
        }
        int second = storedHash.indexOf('$', 1);
        try {
            return Integer.parseInt(storedHash.substring(second + 1, second + 3)) < cost;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** NFKC, then base64(HMAC-SHA256(key, UTF-8)): 44 ASCII characters for any input. */
    String preHash(String password) {
        String normalised = Normalizer.normalize(password, Normalizer.Form.NFKC);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(normalised.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Shuts the pool down, waiting up to 10 seconds for hashes in progress; an executor the
     * application gave is left running. Idempotent.
     */
    @Override
    public void close() {
        if (lifecycle.close() == Lifecycle.State.RUNNING) {
            Lifecycle.shutdownOwned(ownedPool, 10);
        }
    }
}
