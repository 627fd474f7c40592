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

import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;
import dev.gatehouse.web.ClientAddresses;

import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenIds;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.UserAuthentication;
import dev.gatehouse.web.AuthenticationRequirement;
import dev.gatehouse.web.InsufficientAuthenticationException;
import dev.gatehouse.token.IssuedAccessToken;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.web.Problem;
import dev.gatehouse.auth.mail.MailDispatcher;
import dev.gatehouse.auth.mail.MailKind;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.mail.MailSender;
import dev.gatehouse.auth.mail.MailSettings;
import dev.gatehouse.auth.mail.MailTemplates;
import dev.gatehouse.auth.store.AccountStore;
import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.store.MfaStore;
import dev.gatehouse.auth.store.OutboxStore;
import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.store.ThrottleStore;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;
import dev.gatehouse.token.internal.Lifecycle;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The onboarding flow of the HTTP contract, independent of any web framework: register, login,
 * refresh with rotation and reuse detection, logout, logout-all; and, with mail
 * ({@link Builder#mail}), email verification, password reset and change, and notices of changes
 * to an account. Adapters call it and map its results and exceptions to HTTP:
 * {@link ValidationException} 400, {@link InvalidAccountTokenException} 400,
 * {@link dev.gatehouse.auth.store.DuplicateEmailException} 409,
 * {@link InvalidCredentialsException} 401, {@link ThrottledException} 429,
 * {@link OverloadedException} and {@link dev.gatehouse.auth.store.StoreUnavailableException} 503.
 *
 * <p>Register and login run on the bounded password-hashing pool and return futures, so that an
 * adapter can free its request thread while bcrypt works. Refresh, logout and logout-all have
 * asynchronous forms too ({@link #refreshAsync}, {@link #logoutAsync}, {@link #logoutAllAsync})
 * that run on a bounded pool of their own ({@link AuthSettings#storeThreads()}): a slow or hung
 * database then holds those threads, never the container's. Thread-safe.
 *
 * <h2>Lifecycle</h2>
 * <pre>{@code
 * keys.start();                                  // the key source first: whoever builds it starts it
 * AuthService service = AuthService.builder(tokenSettings, authSettings, keys, stores).build();
 * service.start();                               // the first revocation snapshot, the pools, the clean-up
 * ...
 * service.close();                               // then keys.close(), then the connection pool
 * }</pre>
 * {@link Builder#build()} runs no query and starts no thread. {@link #start()} takes the signing
 * key from the key source, loads the first revocation snapshot (synchronously: no token is ever
 * checked against an empty one), makes the pools and schedules the clean-up; it is idempotent,
 * and throws {@link IllegalStateException} after {@link #close()}. Until it has run, every operation throws {@link IllegalStateException}
 * ("AuthService is not started: call start() first"), and so does every operation after
 * {@code close()}; the {@link #verifier()} refuses every token meanwhile (it fails closed).
 *
 * <p>The {@link KeySource} is not the service's: whoever built it starts it before the service
 * and closes it after (a servlet filter may verify with the same keys). {@code start()} checks
 * that it is started and fails with a message naming it otherwise.
 *
 * <p>The threads are the application's to give: a {@linkplain Builder#scheduler scheduler} for
 * the revocation refresh and the clean-up, a {@linkplain Builder#hashingExecutor hashing executor}
 * and a {@linkplain Builder#storeExecutor store executor}. For each one not given, {@code start()}
 * makes a pool of daemon threads ({@code gatehouse-revocations} and {@code gatehouse-maintenance},
 * {@code gatehouse-hashing-<n>} bounded by {@link AuthSettings#hashingThreads()} and
 * {@link AuthSettings#hashingQueue()}, {@code gatehouse-store-<n>} bounded by
 * {@link AuthSettings#storeThreads()} and {@link AuthSettings#storeQueue()}) and {@link #close()}
 * shuts it down; an executor the application gave is left running. Work an executor rejects is
 * refused with {@link OverloadedException} ({@code 503}) either way.
 */
public final class AuthService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A refresh or link token: 256 bits of a CSPRNG, base64url, 43 characters. */
    private static final int TOKEN_BYTES = 32;
    private static final int TOKEN_CHARS = 43;
    /**
     * The longest a login or refresh may take between reading what a revocation changes (the user's
     * generation, the family's state) and signing its access token; revocations are kept this much
     * longer than a token can live.
     */
    static final Duration IN_FLIGHT_MARGIN = Duration.ofMinutes(1);
    /**
     * The {@code amr} of a session begun by an email verification link: the mailbox proved, no
     * password given (not an RFC 8176 value; nothing Gatehouse checks treats it as a factor).
     */
    public static final String EMAIL_LINK_METHOD = "email";
    /** The most sessions {@link #sessionsAsync} lists. */
    public static final int MAX_LISTED_SESSIONS = 100;
    /** The longest code {@link #completeLogin} reads: a recovery code with generous spacing. */
    private static final int MAX_CODE_CHARS = 64;

    private final TokenSettings tokenSettings;
    private final KeySource keys;
    private final AuthSettings settings;
    private final Clock clock;
    private final UserRepository users;
    private final RefreshTokenStore refreshTokens;
    private final RevocationStore revocations;
    private final ThrottleStore throttle;
    /** The account lifecycle's store, or {@code null} when the stores have none. */
    private final AccountStore accounts;
    /** The mail texts, and the sender of the outbox; both {@code null} without mail. */
    private final MailTemplates templates;
    private final MailDispatcher mail;
    private final MailSettings mailSettings;
    /** The second factor, or {@code null} without {@link Builder#mfa}. */
    private final SecondFactor secondFactor;
    /** The stores' MfaStore, with or without {@link Builder#mfa}: enrolments are honoured either way. */
    private final MfaStore mfaStore;
    /**
     * Accounts (their throttle key) this node told of login throttling within the hour: further
     * refused attempts on them cost no look-up and no insert (the outbox's dedupe key still holds
     * across nodes).
     */
    private final Cache<String, Boolean> throttleNoticed = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterWrite(Duration.ofHours(1)).build();
    private final AccessTokenVerifier verifier;
    private final CachedRevocationCheck revocationCache;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final ClientRateLimiter clientLimiter;
    private final AccountKeys accountKeys;
    private final ThrottleStore.Limits throttleLimits;
    private final SecurityEventListener events;
    /** The executors the application gave, or {@code null} for those {@link #start()} makes. */
    private final ScheduledExecutorService givenScheduler;
    private final Executor givenStoreExecutor;
    private final Lifecycle lifecycle = new Lifecycle(AuthService.class);
    // Set by start() before the lifecycle is RUNNING, read after checking it (its volatile state orders them).
    /** Made by {@link #start()}: it needs the signing key, so the started key source. */
    private AccessTokenIssuer issuer;
    private Executor storeExecutor;
    private ThreadPoolExecutor ownedStorePool;
    private ScheduledExecutorService ownedMaintenance;
    private List<ScheduledFuture<?>> maintenanceTasks = List.of();

    /** The stores a service needs; usually all from one {@code JdbcStores}. */
    public static final class Stores {
        final UserRepository users;
        final RefreshTokenStore refreshTokens;
        final RevocationStore revocations;
        final ThrottleStore throttle;
        final AccountStore accounts;
        final OutboxStore outbox;
        final MfaStore mfa;

        /** Stores without the account lifecycle: no mail, no password change or reset. */
        public Stores(UserRepository users, RefreshTokenStore refreshTokens, RevocationStore revocations, ThrottleStore throttle) {
            this(users, refreshTokens, revocations, throttle, null, null);
        }

        /**
         * Every store, the account lifecycle's included.
         *
         * @param accounts the lifecycle's writes (with the mail they cause), or {@code null}
         * @param outbox   the mail outbox, or {@code null}; required for mail
         */
        public Stores(UserRepository users, RefreshTokenStore refreshTokens, RevocationStore revocations, ThrottleStore throttle,
                      AccountStore accounts, OutboxStore outbox) {
            this.users = Objects.requireNonNull(users, "users");
            this.refreshTokens = Objects.requireNonNull(refreshTokens, "refreshTokens");
            this.revocations = Objects.requireNonNull(revocations, "revocations");
            this.throttle = Objects.requireNonNull(throttle, "throttle");
            this.accounts = accounts;
            this.outbox = outbox;
            this.mfa = null;
        }

        private Stores(Stores stores, MfaStore mfa) {
            this.users = stores.users;
            this.refreshTokens = stores.refreshTokens;
            this.revocations = stores.revocations;
            this.throttle = stores.throttle;
            this.accounts = stores.accounts;
            this.outbox = stores.outbox;
            this.mfa = Objects.requireNonNull(mfa, "mfa");
        }

        /** These stores and the second factor's, for {@link Builder#mfa}. */
        public Stores withMfa(MfaStore mfa) {
            return new Stores(this, mfa);
        }
    }

    /**
     * Starts a builder of a service that signs with {@code keys} and keeps its state in {@code stores}.
     *
     * @param keys a key source that can sign; started by whoever built it, before {@link #start()}
     */
    public static Builder builder(TokenSettings tokenSettings, AuthSettings settings, KeySource keys, Stores stores) {
        return new Builder(tokenSettings, settings, keys, stores);
    }

    private AuthService(Builder b) {
        this.events = b.events;
        this.tokenSettings = b.tokenSettings;
        this.keys = b.keys;
        this.settings = b.settings;
        this.clock = tokenSettings.clock();
        this.users = b.stores.users;
        this.refreshTokens = b.stores.refreshTokens;
        this.revocations = b.stores.revocations;
        this.throttle = b.stores.throttle;
        this.accounts = b.stores.accounts;
        this.mailSettings = b.mailSettings;
        this.secondFactor = b.mfaSettings == null ? null : new SecondFactor(b.mfaSettings, b.stores.mfa);
        this.mfaStore = b.stores.mfa;
        if (b.mailSender != null) {
            this.templates = new MailTemplates(b.mailSettings);
            this.mail = MailDispatcher.builder(b.stores.outbox, b.mailSender, b.mailSettings).clock(clock).securityEvents(b.events).build();
        } else {
            this.templates = null;
            this.mail = null;
        }
        this.revocationCache = new CachedRevocationCheck(revocations, settings.revocationStaleness(), revocationHorizon(),
                settings.revocationOverlap(), settings.revocationReconciliation(), clock, b.scheduler);
        this.verifier = new AccessTokenVerifier(tokenSettings, keys, revocationCache);
        this.hasher = new PasswordHasher(settings, b.hashingExecutor);
        this.policy = new PasswordPolicy(settings);
        this.clientLimiter = new ClientRateLimiter(settings.clientAttemptsPerMinute(), clock);
        this.accountKeys = new AccountKeys(settings.pepper());
        this.throttleLimits = new ThrottleStore.Limits(
                new ThrottleStore.Bucket(settings.throttleAccountClientBurst(), settings.throttleAccountClientInterval()),
                new ThrottleStore.Bucket(settings.throttleAccountBurst(), settings.throttleAccountInterval()),
                settings.throttleKnownClientWindow());
        this.givenScheduler = b.scheduler;
        this.givenStoreExecutor = b.storeExecutor;
    }

    /**
     * Makes the service usable: takes the signing key from the key source, loads the first
     * revocation snapshot, makes the pools that were not given and schedules the clean-up.
     * Idempotent: a second call does nothing. When the key source is not started or the database
     * cannot be reached, it throws before anything runs, and may be called again.
     *
     * @throws IllegalStateException  when the key source is not started, or after {@link #close()}
     * @throws dev.gatehouse.token.ConfigurationException when the signing key's algorithm is not
     *                                one of {@link TokenSettings#acceptedAlgorithms()}
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the signing keys or the
     *                                revocations cannot be read (call it again once the database is back)
     */
    public void start() {
        lifecycle.start(() -> {
            issuer = signer();
            // the only step that queries the database: when it fails, nothing else has started
            revocationCache.start();
            try {
                hasher.start();
                if (givenStoreExecutor == null) {
                    ownedStorePool = new ThreadPoolExecutor(settings.storeThreads(), settings.storeThreads(), 60, TimeUnit.SECONDS,
                            settings.storeQueue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(settings.storeQueue()),
                            Lifecycle.daemonThreads("gatehouse-store-"), new ThreadPoolExecutor.AbortPolicy());
                    ownedStorePool.allowCoreThreadTimeOut(true);
                    storeExecutor = ownedStorePool;
                } else {
                    storeExecutor = givenStoreExecutor;
                }
                ScheduledExecutorService scheduler = givenScheduler;
                if (scheduler == null) {
                    ownedMaintenance = Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("gatehouse-maintenance"));
                    scheduler = ownedMaintenance;
                }
                maintenanceTasks = List.of(
                        scheduler.scheduleWithFixedDelay(this::purgeQuietly, 1, 15, TimeUnit.MINUTES),
                        scheduler.scheduleWithFixedDelay(this::purgeSealsQuietly, 1, 1, TimeUnit.MINUTES));
                if (mail != null) {
                    mail.start();
                }
            } catch (RuntimeException e) {
                // e.g. a given scheduler that was shut down: leave nothing running
                stopEverything();
                throw e;
            }
        });
    }

    /** Whether {@link #start()} succeeded and {@link #close()} has not been called. */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /** The issuer, which checks the signing key; a key source that is not started throws {@link IllegalStateException}. */
    private AccessTokenIssuer signer() {
        try {
            return new AccessTokenIssuer(tokenSettings, keys);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("AuthService cannot start: its key source is not started (" + e.getMessage()
                    + "). Start the key source before the service, and close it after", e);
        }
    }

    public TokenSettings tokenSettings() {
        return tokenSettings;
    }

    public AuthSettings settings() {
        return settings;
    }

    /** The keys this service signs with (and its verifier verifies with). */
    public KeySource keys() {
        return keys;
    }

    /** The verifier of this service's access tokens, with its revocation cache. */
    public AccessTokenVerifier verifier() {
        return verifier;
    }

    /** The revocation cache (for tests and operations: {@link CachedRevocationCheck#refreshNow()}). */
    public CachedRevocationCheck revocationCache() {
        return revocationCache;
    }

    /**
     * Registers a user with the role {@code user}, and nothing else: registration never grants a
     * privileged role (see {@link #grantRole}).
     *
     * @param client the caller's address, for the per-client limit; {@code null} when unknown (no per-client limit)
     * @return the new user, once the password is hashed and the row written
     * @throws ValidationException naming each invalid field
     * @throws ThrottledException  when the client made too many attempts
     * @throws OverloadedException when the hashing pool is full
     * @throws IllegalStateException unless {@linkplain #start() running}
     */
    public CompletableFuture<User> register(String email, String password, String client) {
        CompletableFuture<Registration> registration = registerAccount(email, password, client, null);
        CompletableFuture<User> user = registration.thenApply(r -> r.user().orElseThrow(DuplicateEmailException::new));
        // Cancelling what the caller holds must still skip work that waits for a hashing thread (an
        // adapter that answered 503 on a time-out cancels it), so it reaches the hashing task's future.
        user.whenComplete((u, e) -> {
            if (user.isCancelled()) {
                registration.cancel(false);
            }
        });
        return user;
    }

    /**
     * Registers a user with the role {@code user}, unverified. With mail, a verification link is
     * queued in the same transaction. With {@link AuthSettings#requireVerifiedEmail()}, a taken
     * address is not an error: its owner is told by mail (at most once an hour) and the result
     * holds no user, after the same work as a new registration (the password is hashed either way).
     *
     * @param client   the caller's address, for the per-client limit; {@code null} when unknown
     * @param language the caller's preferred language (an {@code Accept-Language} value), or {@code null}
     * @throws ValidationException naming each invalid field
     * @throws ThrottledException  when the client made too many attempts
     * @throws OverloadedException when the hashing pool is full
     * @throws IllegalStateException unless {@linkplain #start() running}
     */
    public CompletableFuture<Registration> registerAccount(String email, String password, String client, String language) {
        lifecycle.requireRunning();
        String normalised = Emails.normalise(email);
        List<Problem.FieldError> errors = new ArrayList<>();
        Emails.problem(normalised).ifPresent(p -> errors.add(new Problem.FieldError("email", p)));
        policy.check(password).ifPresent(errors::add);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        limitClient(client);
        return hasher.submit(() -> registerNow(normalised, hasher.hash(password), language));
    }

    private Registration registerNow(String email, String passwordHash, String language) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String id = UUID.randomUUID().toString();
        if (mail == null) {
            User user = users.create(id, email, passwordHash, AuthSettings.DEFAULT_ROLES, now);
            emit(SecurityEvent.Type.REGISTERED, user.id(), null, null);
            return new Registration(Optional.of(user), false);
        }
        Locale locale = templates.language(language);
        String token = newToken();
        AccountStore.AccountToken verification = new AccountStore.AccountToken(sha256Hex(token), AccountStore.Purpose.VERIFY_EMAIL,
                now, now.plus(settings.emailVerificationTtl()));
        MailMessage message = render(MailKind.VERIFY_EMAIL, email, locale, token);
        User user;
        try {
            user = accounts.register(new AccountStore.NewUser(id, email, passwordHash, AuthSettings.DEFAULT_ROLES, now,
                    locale.toLanguageTag()), verification, List.of(message));
        } catch (DuplicateEmailException e) {
            if (!settings.requireVerifiedEmail()) {
                throw e;
            }
            users.findByEmail(email).ifPresent(owner -> {
                MailMessage notice = render(MailKind.ALREADY_REGISTERED, owner.email(), templates.language(owner.language()), null);
                if (accounts.queue(notice, dedupeKey(MailKind.ALREADY_REGISTERED, owner.id(), now, Duration.ofHours(1)), now)) {
                    mail.wake();
                }
                emit(SecurityEvent.Type.REGISTRATION_OF_TAKEN_EMAIL, owner.id(), null, null);
            });
            return new Registration(Optional.empty(), false);
        }
        mail.wake();
        emit(SecurityEvent.Type.REGISTERED, user.id(), null, null);
        emit(SecurityEvent.Type.EMAIL_VERIFICATION_SENT, user.id(), null, "registration");
        return new Registration(Optional.of(user), true);
    }

    /**
     * Completes an email verification with the token of its link: the token is spent, the address
     * marked verified, and the user logged in (a new session), as a login would.
     *
     * @param client the caller's address, for the per-client limit; {@code null} when unknown
     * @throws InvalidAccountTokenException for an unknown, spent or expired token (not told apart)
     * @throws ThrottledException when the client made too many attempts
     * @throws OverloadedException when the store pool is full
     */
    public CompletableFuture<TokenPair> verifyEmail(String token, String client) {
        lifecycle.requireRunning();
        requireMail();
        limitClient(client);
        if (!isTokenShaped(token)) {
            emit(SecurityEvent.Type.ACCOUNT_TOKEN_REFUSED, null, null, "verify-email");
            throw new InvalidAccountTokenException();
        }
        return onStorePool(() -> {
            Instant now = clock.instant();
            User user = accounts.verifyEmail(sha256Hex(token), now).orElseThrow(() -> {
                emit(SecurityEvent.Type.ACCOUNT_TOKEN_REFUSED, null, null, "verify-email");
                return new InvalidAccountTokenException();
            });
            emit(SecurityEvent.Type.EMAIL_VERIFIED, user.id(), null, null);
            if (hasSecondFactor(user.id())) {
                // A mailed link is no second factor: the address is proved, the login takes both steps.
                throw new InvalidCredentialsException("This account needs its second factor: log in with both steps");
            }
            TokenPair pair = newFamily(user, now, new UserAuthentication(List.of(EMAIL_LINK_METHOD), now), ClientInfo.of(client));
            emit(SecurityEvent.Type.LOGIN_SUCCEEDED, user.id(), null, "email-verified");
            return pair;
        });
    }

    /**
     * Queues a new verification link for an account that has not proved its address, in place of
     * any earlier one. Returns at once and tells nothing: the lookup and the mail happen on the
     * store pool after it returned, so neither the answer nor its timing depends on whether the
     * address has an account. An account gets at most {@link AuthSettings#mailAccountBurst()} such
     * mails at once, then one per {@link AuthSettings#mailAccountInterval()}; more are dropped.
     *
     * @throws ValidationException naming {@code email} when it could never be an address
     * @throws ThrottledException  when the client made too many attempts
     * @throws OverloadedException when the store pool is full
     */
    public void requestVerificationMail(String email, String client) {
        requestLink(email, client, MailKind.VERIFY_EMAIL);
    }

    /**
     * Queues a password-reset link (valid {@link AuthSettings#passwordResetTtl()}, single-use, in
     * place of any earlier one) for the account of {@code email}, if there is one. Returns at once
     * and tells nothing, as {@link #requestVerificationMail} does, and is throttled alike.
     *
     * @throws ValidationException naming {@code email} when it could never be an address
     * @throws ThrottledException  when the client made too many attempts
     * @throws OverloadedException when the store pool is full
     */
    public void requestPasswordReset(String email, String client) {
        requestLink(email, client, MailKind.PASSWORD_RESET);
    }

    private void requestLink(String email, String client, MailKind kind) {
        lifecycle.requireRunning();
        requireMail();
        String normalised = Emails.normalise(email);
        Optional<String> problem = Emails.problem(normalised);
        if (problem.isPresent()) {
            throw new ValidationException(List.of(new Problem.FieldError("email", problem.get())));
        }
        limitClient(client);
        CompletableFuture<Void> queued = onStorePool(() -> {
            try {
                linkNow(normalised, kind);
            } catch (RuntimeException e) {
                LOG.warn("Could not queue a {} mail ({}); the request was answered already", kind.key(), e.getClass().getSimpleName());
            }
            return null;
        });
        Objects.requireNonNull(queued);
    }

    private void linkNow(String email, MailKind kind) {
        Optional<User> found = users.findByEmail(email);
        boolean verification = kind == MailKind.VERIFY_EMAIL;
        if (found.isEmpty() || (verification && found.get().emailVerified())) {
            return;
        }
        User user = found.get();
        Instant now = clock.instant();
        // buckets of their own per kind of mail, apart from the login's
        String mailAccount = kind.key() + "\0" + email;
        ThrottleStore.Reservation reservation = throttle.reserve(accountKeys.account(mailAccount),
                accountKeys.accountClient(mailAccount, "mail"), now, mailLimits());
        if (!reservation.granted()) {
            emit(SecurityEvent.Type.MAIL_THROTTLED, user.id(), null, kind.key());
            return;
        }
        String token = newToken();
        Duration ttl = verification ? settings.emailVerificationTtl() : settings.passwordResetTtl();
        AccountStore.AccountToken stored = new AccountStore.AccountToken(sha256Hex(token),
                verification ? AccountStore.Purpose.VERIFY_EMAIL : AccountStore.Purpose.PASSWORD_RESET, now, now.plus(ttl));
        Optional<User> issued = accounts.issueToken(user.id(), stored, verification,
                u -> render(kind, u.email(), templates.language(u.language()), token));
        if (issued.isPresent()) {
            mail.wake();
            emit(verification ? SecurityEvent.Type.EMAIL_VERIFICATION_SENT : SecurityEvent.Type.PASSWORD_RESET_REQUESTED,
                    user.id(), null, verification ? "resend" : null);
        }
    }

    private ThrottleStore.Limits mailLimits() {
        ThrottleStore.Bucket bucket = new ThrottleStore.Bucket(settings.mailAccountBurst(), settings.mailAccountInterval());
        return new ThrottleStore.Limits(bucket, bucket, Duration.ZERO);
    }

    /**
     * Sets a new password with the token of a reset link: the token is spent; the new password is
     * checked against the policy and stored; every session of the user ends and every access token
     * issued to them is refused (as at logout-all); the address is marked verified (the link
     * proved it); the login throttling of the account is cleared; a notice is queued.
     *
     * @throws ValidationException naming {@code new_password} when the policy refuses it
     * @throws InvalidAccountTokenException for an unknown, spent or expired token (not told apart)
     * @throws ThrottledException when the client made too many attempts
     * @throws OverloadedException when the hashing pool is full
     */
    public CompletableFuture<Void> resetPassword(String token, String newPassword, String client) {
        lifecycle.requireRunning();
        requireMail();
        policy.check(newPassword).ifPresent(e -> {
            throw new ValidationException(List.of(new Problem.FieldError("new_password", e.message())));
        });
        limitClient(client);
        if (!isTokenShaped(token)) {
            emit(SecurityEvent.Type.ACCOUNT_TOKEN_REFUSED, null, null, "password-reset");
            throw new InvalidAccountTokenException();
        }
        String network = ClientAddresses.network(client);
        return hasher.submit(() -> {
            String hash = hasher.hash(newPassword);
            Instant now = clock.instant();
            User user = accounts.resetPassword(sha256Hex(token), hash, now,
                    u -> render(MailKind.PASSWORD_CHANGED, u.email(), templates.language(u.language()), null)).orElseThrow(() -> {
                        emit(SecurityEvent.Type.ACCOUNT_TOKEN_REFUSED, null, null, "password-reset");
                        return new InvalidAccountTokenException();
                    });
            revocationCache.generationsRefusedLocally(user.id(), user.tokenGeneration(), now);
            try {
                throttle.clear(accountKeys.account(user.email()), accountKeys.accountClient(user.email(), network));
            } catch (RuntimeException e) {
                LOG.warn("Could not clear the login throttling of a reset account ({})", e.getClass().getSimpleName());
            }
            mail.wake();
            emit(SecurityEvent.Type.PASSWORD_RESET, user.id(), null, null);
            return null;
        });
    }

    /**
     * Changes the password of the logged-in user: the current one must match (a wrong one counts
     * against the login throttling as a failed login would), the new one passes the policy and
     * differs from it. Every other session of the user ends (their refresh tokens are dead at once,
     * their access tokens refused as after a logout); the caller's session stays. A notice is queued
     * when there is mail.
     *
     * @throws ValidationException naming {@code current_password} (missing or wrong) or {@code new_password}
     * @throws ThrottledException when the account or the client made too many attempts
     * @throws InvalidCredentialsException when the user no longer exists
     * @throws OverloadedException when the hashing pool is full
     */
    public CompletableFuture<Void> changePassword(AccessTokenPrincipal principal, String currentPassword, String newPassword,
                                                  String client) {
        Objects.requireNonNull(principal, "principal");
        lifecycle.requireRunning();
        if (accounts == null) {
            throw new UnsupportedOperationException("These stores have no AccountStore: password change is not available");
        }
        requireRecentAuthentication(principal);
        List<Problem.FieldError> errors = new ArrayList<>();
        if (currentPassword == null || currentPassword.isEmpty()) {
            errors.add(new Problem.FieldError("current_password", "is required"));
        }
        policy.check(newPassword).ifPresent(e -> errors.add(new Problem.FieldError("new_password", e.message())));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        limitClient(client);
        String network = ClientAddresses.network(client);
        return hasher.submit(() -> {
            changePasswordNow(principal, currentPassword, newPassword, network);
            return null;
        });
    }

    private void changePasswordNow(AccessTokenPrincipal principal, String currentPassword, String newPassword, String network) {
        User user = users.findById(principal.subject()).orElseThrow(() -> new InvalidCredentialsException("No such user"));
        Attempt attempt = new Attempt(user.email(), network, clock.instant());
        if (!attempt.reservation.granted()) {
            emit(SecurityEvent.Type.ACCOUNT_THROTTLED, user.id(), null, "password-change");
            throw new ThrottledException(attempt.reservation.retryAfter());
        }
        if (!hasher.matches(currentPassword, user.passwordHash())) {
            emit(SecurityEvent.Type.PASSWORD_CHANGE_FAILED, user.id(), null, "wrong-current-password");
            throw new ValidationException(List.of(new Problem.FieldError("current_password", "is incorrect")));
        }
        Instant now = clock.instant();
        attempt.succeeded(now);
        if (hasher.matches(newPassword, user.passwordHash())) {
            throw new ValidationException(List.of(new Problem.FieldError("new_password", "must differ from the current password")));
        }
        MailMessage notice = mail == null ? null
                : render(MailKind.PASSWORD_CHANGED, user.email(), templates.language(user.language()), null);
        List<String> ended = accounts.changePassword(user.id(), user.passwordHash(), hasher.hash(newPassword), principal.sessionId(),
                now, notice).orElseThrow(() -> new ValidationException(List.of(new Problem.FieldError("current_password",
                "is incorrect"))));
        ended.forEach(family -> revocationCache.sessionRevokedLocally(family, now));
        if (mail != null) {
            mail.wake();
        }
        emit(SecurityEvent.Type.PASSWORD_CHANGED, user.id(), null, ended.size() + " other sessions ended");
    }

    /** The mail settings, when this service sends mail. */
    public Optional<MailSettings> mailSettings() {
        return Optional.ofNullable(mailSettings);
    }

    /** Whether this service sends mail (email verification, password reset, notices). */
    public boolean mailEnabled() {
        return mail != null;
    }

    /** The mail dispatcher (for tests and operations: {@link MailDispatcher#drain()}, {@link MailDispatcher#stats()}). */
    public Optional<MailDispatcher> mail() {
        return Optional.ofNullable(mail);
    }

    private void requireMail() {
        if (mail == null) {
            throw new UnsupportedOperationException("This service sends no mail: AuthService.Builder.mail(...) was not called");
        }
    }

    private MailMessage render(MailKind kind, String to, Locale language, String token) {
        return templates.render(kind, UUID.randomUUID().toString(), to, language, token);
    }

    /** A key that lets one mail of {@code kind} to a user be queued per window of the clock ({@code window} long, aligned to the epoch). */
    private String dedupeKey(MailKind kind, String userId, Instant now, Duration window) {
        return sha256Hex(kind.key() + "\0" + userId + "\0" + now.getEpochSecond() / window.toSeconds());
    }

    /** Tells the owner of an account that logins to it are throttled, at most once an hour; off the request path. */
    private void notifyThrottled(String email) {
        if (mail == null || throttleNoticed.asMap().putIfAbsent(accountKeys.account(email), Boolean.TRUE) != null) {
            return;
        }
        try {
            storeExecutor.execute(() -> {
                try {
                    users.findByEmail(email).ifPresent(user -> {
                        Instant now = clock.instant();
                        MailMessage notice = render(MailKind.ACCOUNT_THROTTLED, user.email(), templates.language(user.language()), null);
                        if (accounts.queue(notice, dedupeKey(MailKind.ACCOUNT_THROTTLED, user.id(), now, Duration.ofHours(1)), now)) {
                            mail.wake();
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warn("Could not queue a throttling notice ({})", e.getClass().getSimpleName());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Store pool full: no throttling notice this time");
        }
    }

    /**
     * Logs a user in. An unknown email and a wrong password give the same
     * {@link InvalidCredentialsException} after the same work (one bcrypt check each). While the
     * account or the client is throttled, every attempt, right or wrong, gets
     * {@link ThrottledException} before any password is checked.
     *
     * <p>Failed logins are limited per account in the {@link ThrottleStore}, in two buckets that
     * refill with time: one per account and client network ({@link ClientAddresses#network}), and
     * one per account for all clients together, which does not apply to a client network that
     * logged in to the account successfully within {@link AuthSettings#throttleKnownClientWindow()}
     * (the owner's device). Each attempt reserves one failure from both before the password is
     * checked, atomically, and a successful login gives it back: concurrent guesses cannot slip
     * between a check and a count.
     *
     * @param client the caller's address, for the per-client limits; {@code null} when unknown (no
     *               in-memory per-client limit, and one shared account-and-client bucket)
     */
    public CompletableFuture<TokenPair> login(String email, String password, String client) {
        ClientInfo info = ClientInfo.of(client);
        return submitLogin(email, password, info, () -> {
            LoginResult result = loginNow(Emails.normalise(email), password, ClientAddresses.network(client), info);
            if (result instanceof LoginResult.Completed completed) {
                return completed.tokens();
            }
            // This method cannot complete a second step: refuse, fail closed.
            throw new InvalidCredentialsException("This account needs its second factor: log in with startLogin and completeLogin");
        });
    }

    /**
     * Logs a user in, in one step or the first of two: as {@link #login(String, String, String)},
     * but an account with a second factor (see {@link Builder#mfa}) answers a right password with
     * {@link LoginResult.SecondFactorRequired} instead of tokens; {@link #completeLogin} with its
     * token and a code then completes the login. The password alone marks nothing as known: the
     * failure reserved by the password stands until the second step succeeds. The session records
     * the client's {@code User-Agent} and coarse location for the list of sessions.
     */
    public CompletableFuture<LoginResult> startLogin(String email, String password, ClientInfo client) {
        ClientInfo info = client == null ? ClientInfo.UNKNOWN : client;
        return submitLogin(email, password, info,
                () -> loginNow(Emails.normalise(email), password, ClientAddresses.network(info.address()), info));
    }

    private <T> CompletableFuture<T> submitLogin(String email, String password, ClientInfo client, Supplier<T> work) {
        lifecycle.requireRunning();
        List<Problem.FieldError> errors = new ArrayList<>();
        if (email == null || email.isEmpty()) {
            errors.add(new Problem.FieldError("email", "is required"));
        }
        if (password == null || password.isEmpty()) {
            errors.add(new Problem.FieldError("password", "is required"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        limitClient(client.address());
        return hasher.submit(work::get);
    }

    private LoginResult loginNow(String email, String password, String network, ClientInfo client) {
        // The failure is reserved before the password is checked: the check and the count are one
        // step in the database, whatever runs at the same time on this node or another.
        Attempt attempt = new Attempt(email, network, clock.instant());
        ThrottleStore.Reservation reservation = attempt.reservation;
        if (!reservation.granted()) {
            emit(SecurityEvent.Type.ACCOUNT_THROTTLED, null, accountKeys.pseudonym(email),
                    reservation.refusedBy() == ThrottleStore.Limit.ACCOUNT ? "all-clients" : "this-client");
            if (Emails.problem(email).isEmpty()) {
                notifyThrottled(email);
            }
            throw new ThrottledException(reservation.retryAfter());
        }
        // An address that could never have been registered is treated as unknown: same answer,
        // same bcrypt cost, and the store never sees input it would refuse.
        Optional<User> user = Emails.problem(email).isPresent() ? Optional.empty() : users.findByEmail(email);
        boolean ok = user.isPresent() ? hasher.matches(password, user.get().passwordHash()) : hasher.matchesNothing(password);
        if (!ok) {
            // The reservation stands: it is the record of this failure.
            emit(SecurityEvent.Type.LOGIN_FAILED, user.map(User::id).orElse(null), accountKeys.pseudonym(email),
                    (user.isPresent() ? "wrong-password" : "unknown-email") + (reservation.knownClient() ? ", known-client" : ""));
            throw new InvalidCredentialsException("Invalid email or password");
        }
        User u = user.get();
        if (settings.requireVerifiedEmail() && !u.emailVerified()) {
            // Answered as a wrong password: a login must not tell that an address has an account.
            // The reservation stands, as for a wrong password.
            emit(SecurityEvent.Type.LOGIN_FAILED, u.id(), accountKeys.pseudonym(email), "email-not-verified");
            throw new InvalidCredentialsException("Invalid email or password");
        }
        if (hasher.needsRehash(u.passwordHash())) {
            try {
                users.updatePasswordHash(u.id(), hasher.hash(password));
                LOG.info("Upgraded the password hash of user {} to cost {}", u.id(), hasher.cost());
            } catch (RuntimeException e) {
                LOG.warn("Could not upgrade a password hash ({}); will retry at the next login", e.getClass().getSimpleName());
            }
        }
        Instant now = clock.instant();
        if (hasSecondFactor(u.id())) {
            // The reservation stands: the password alone proves too little to count as a success.
            String token = newToken();
            Instant expires = now.plus(secondFactor.settings().challengeTtl());
            secondFactor.store().createChallenge(new MfaStore.Challenge(sha256Hex(token), u.id(), now, expires, 0, null));
            emit(SecurityEvent.Type.SECOND_FACTOR_REQUIRED, u.id(), null, null);
            return new LoginResult.SecondFactorRequired(token, now, expires);
        }
        attempt.succeeded(now);
        TokenPair pair = newFamily(u, now, UserAuthentication.password(now), client);
        emit(SecurityEvent.Type.LOGIN_SUCCEEDED, u.id(), null, null);
        return new LoginResult.Completed(pair);
    }

    /**
     * Whether the user must give a second factor: they have a confirmed authenticator. With an
     * {@link MfaStore} but without {@link Builder#mfa} (a node deployed without the setting), such
     * a user cannot be logged in at all: refused, fail closed, never let in on the password alone.
     */
    private boolean hasSecondFactor(String userId) {
        if (secondFactor != null) {
            return secondFactor.isEnabled(userId);
        }
        if (mfaStore != null && mfaStore.findTotp(userId).filter(MfaStore.Totp::confirmed).isPresent()) {
            LOG.error("User {} has a second factor but this service has no MfaSettings (AuthService.Builder.mfa): the login is"
                    + " refused. Configure the second factor on every node, or remove the user's row of gh_mfa_totp", userId);
            emit(SecurityEvent.Type.LOGIN_FAILED, userId, null, "second-factor-not-configured");
            throw new InvalidCredentialsException("Invalid email or password");
        }
        return false;
    }

    /**
     * Completes a two-step login with the token of its first step ({@link #startLogin}) and a code:
     * a TOTP code of the user's authenticator, or one of their recovery codes. The tokens are those
     * of a login, with {@code amr} {@code ["pwd", "otp", "mfa"]}. Every failure (an unknown,
     * expired, spent or exhausted challenge, a wrong, replayed or spent code) is the same
     * {@link InvalidCredentialsException}; a wrong code counts as a failed login of the account
     * (the login throttling applies) and against the challenge, which takes
     * {@link MfaSettings#challengeAttempts()} wrong codes before it is spent.
     *
     * @throws ValidationException naming {@code mfa_token} or {@code code} when missing
     * @throws ThrottledException  when the account or the client made too many attempts
     * @throws OverloadedException when the store pool is full
     */
    public CompletableFuture<TokenPair> completeLogin(String mfaToken, String code, ClientInfo client) {
        lifecycle.requireRunning();
        requireSecondFactor();
        List<Problem.FieldError> errors = new ArrayList<>();
        if (mfaToken == null || mfaToken.isEmpty()) {
            errors.add(new Problem.FieldError("mfa_token", "is required"));
        }
        if (code == null || code.isEmpty()) {
            errors.add(new Problem.FieldError("code", "is required"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        ClientInfo info = client == null ? ClientInfo.UNKNOWN : client;
        limitClient(info.address());
        if (!isTokenShaped(mfaToken) || code.length() > MAX_CODE_CHARS) {
            emit(SecurityEvent.Type.SECOND_FACTOR_FAILED, null, null, "challenge");
            throw new InvalidCredentialsException("Invalid code");
        }
        return onStorePool(() -> completeLoginNow(mfaToken, code, info));
    }

    private TokenPair completeLoginNow(String mfaToken, String code, ClientInfo client) {
        Instant now = clock.instant();
        int attempts = secondFactor.settings().challengeAttempts();
        String hash = sha256Hex(mfaToken);
        Optional<MfaStore.Challenge> challenge = secondFactor.store().findChallenge(hash)
                .filter(c -> c.usedAt() == null && now.isBefore(c.expiresAt()) && c.failures() < attempts);
        Optional<User> found = challenge.flatMap(c -> users.findById(c.userId()));
        if (found.isEmpty()) {
            emit(SecurityEvent.Type.SECOND_FACTOR_FAILED, challenge.map(MfaStore.Challenge::userId).orElse(null), null, "challenge");
            throw new InvalidCredentialsException("Invalid code");
        }
        User user = found.get();
        Attempt attempt = new Attempt(user.email(), ClientAddresses.network(client.address()), now);
        if (!attempt.reservation.granted()) {
            emit(SecurityEvent.Type.ACCOUNT_THROTTLED, user.id(), null, "second-factor");
            throw new ThrottledException(attempt.reservation.retryAfter());
        }
        Optional<SecondFactor.Method> method = secondFactor.use(user.id(), code, now);
        if (method.isEmpty()) {
            // The reservation stands: the record of this failure, as for a wrong password.
            secondFactor.store().failChallenge(hash, attempts, now);
            emit(SecurityEvent.Type.SECOND_FACTOR_FAILED, user.id(), null, "wrong-code");
            throw new InvalidCredentialsException("Invalid code");
        }
        if (!secondFactor.store().useChallenge(hash, attempts, now)) {
            // another request completed (or exhausted) this challenge meanwhile
            emit(SecurityEvent.Type.SECOND_FACTOR_FAILED, user.id(), null, "challenge");
            throw new InvalidCredentialsException("Invalid code");
        }
        attempt.succeeded(now);
        TokenPair pair = newFamily(user, now, UserAuthentication.passwordAndOneTimePassword(now), client);
        emit(SecurityEvent.Type.LOGIN_SUCCEEDED, user.id(), null, "second-factor " + method.get().word);
        if (method.get() == SecondFactor.Method.RECOVERY_CODE) {
            emit(SecurityEvent.Type.RECOVERY_CODE_USED, user.id(), null, secondFactor.unusedRecoveryCodes(user.id()) + " left");
        }
        return pair;
    }

    /**
     * One try of an account's secret (a password or a second-factor code) from a client network:
     * a failure reserved in the account's two throttle buckets before the secret is checked
     * ({@link ThrottleStore#reserve}), which stands as the record of a wrong secret and is given
     * back by {@link #succeeded}.
     */
    private final class Attempt {
        final String accountKey;
        final String accountClientKey;
        final ThrottleStore.Reservation reservation;

        Attempt(String email, String network, Instant now) {
            this.accountKey = accountKeys.account(email);
            this.accountClientKey = accountKeys.accountClient(email, network);
            this.reservation = throttle.reserve(accountKey, accountClientKey, now, throttleLimits);
        }

        /** The secret was right: gives back what the reservation took, and the client is known to the account from now on. */
        void succeeded(Instant now) {
            throttle.recordSuccess(accountKey, accountClientKey, now, !reservation.knownClient(), throttleLimits);
        }
    }

    private TokenPair newFamily(User user, Instant now, UserAuthentication authentication, ClientInfo client) {
        String familyId = UUID.randomUUID().toString();
        Instant familyExpires = now.plus(settings.refreshFamilyLifetime());
        IssuedAccessToken access = issueIn(familyId, user, authentication);
        String token = newToken();
        Instant expires = min(now.plus(settings.refreshTokenTtl()), familyExpires);
        Session session = new Session(familyId, user.id(), now, now, familyExpires, null, userAgent(client.userAgent()),
                ClientAddresses.coarseLocation(client.address()), authentication);
        refreshTokens.createFamily(session,
                new RefreshTokenRecord(sha256Hex(token), familyId, null, user.id(), now, expires, familyExpires, null, null));
        return new TokenPair(access, token, expires, now);
    }

    /** An access token of the session {@code familyId}, in the user's current token generation. */
    private IssuedAccessToken issueIn(String familyId, User user, UserAuthentication authentication) {
        return issuer.issue(user.id(), user.roles(), familyId, user.tokenGeneration(), authentication);
    }

    /**
     * The {@code User-Agent} as a session shows it: control characters and runs of white space made
     * one space, trimmed, at most {@link Session#MAX_USER_AGENT} characters (never half a pair of
     * surrogates); {@code null} when nothing is left.
     */
    static String userAgent(String header) {
        if (header == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(header.length(), Session.MAX_USER_AGENT));
        boolean space = false;
        for (int i = 0; i < header.length() && b.length() < Session.MAX_USER_AGENT; i++) {
            char c = header.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                space = b.length() > 0;
                continue;
            }
            if (space) {
                if (b.length() + 1 >= Session.MAX_USER_AGENT) {
                    break;
                }
                b.append(' ');
                space = false;
            }
            b.append(c);
        }
        if (b.length() > 0 && Character.isHighSurrogate(b.charAt(b.length() - 1))) {
            b.setLength(b.length() - 1);
        }
        return b.length() == 0 ? null : b.toString();
    }

    /**
     * Exchanges a refresh token for a new pair; the token is spent. A family (one login) never has
     * more than one live refresh token: a spent token presented again within the reuse grace period
     * (two tabs refreshing at once, a lost answer) gets the same successor as its first use, with a
     * fresh access token; presented after the grace, or once that successor has itself been spent,
     * it is reuse, and the whole family is revoked, its access tokens with it.
     *
     * @throws InvalidCredentialsException for an unknown, expired, spent or revoked token
     */
    public TokenPair refresh(String refreshToken) {
        lifecycle.requireRunning();
        return rotate(refreshToken);
    }

    /** {@link #refresh}, also for work queued before {@link #close()}. */
    private TokenPair rotate(String refreshToken) {
        if (!isTokenShaped(refreshToken)) {
            throw new InvalidCredentialsException("Invalid refresh token");
        }
        String hash = sha256Hex(refreshToken);
        RefreshTokenStore.TokenInSession found = refreshTokens.findWithSession(hash)
                .orElseThrow(() -> new InvalidCredentialsException("Invalid refresh token"));
        RefreshTokenRecord record = found.token();
        Session session = found.session();
        Instant now = clock.instant();
        if (record.revokedAt() != null || !now.isBefore(record.expiresAt()) || !now.isBefore(record.familyExpiresAt())) {
            throw new InvalidCredentialsException("Invalid refresh token");
        }
        User user = users.findById(record.userId())
                .orElseThrow(() -> new InvalidCredentialsException("Invalid refresh token"));
        if (!session.isLive(now, settings.sessionIdleTimeout())) {
            // idle too long (the rest the token's own checks above refused already): the session is over
            throw new InvalidCredentialsException("Invalid refresh token");
        }
        if (record.usedAt() == null) {
            String successor = newToken();
            Instant expires = min(now.plus(settings.refreshTokenTtl()), record.familyExpiresAt());
            RefreshTokenRecord child = new RefreshTokenRecord(sha256Hex(successor), record.familyId(), hash, user.id(), now,
                    expires, record.familyExpiresAt(), null, null);
            String seal = settings.refreshReuseGrace().isZero() ? null : SuccessorSeal.seal(refreshToken, hash, successor);
            IssuedAccessToken access = issueIn(record.familyId(), user, session.authentication());
            if (refreshTokens.rotate(hash, now, child, seal)) {
                emit(SecurityEvent.Type.REFRESHED, user.id(), null, null);
                return new TokenPair(access, successor, expires, now);
            }
            // Another use of the same token won the rotation: this is a replay now.
            record = refreshTokens.findByHash(hash).orElseThrow(() -> new InvalidCredentialsException("Invalid refresh token"));
        }
        return replay(refreshToken, record, user, session);
    }

    /**
     * A spent token presented again: the successor of its first use while the grace lasts and that
     * successor is unspent, else reuse. Judged by the time the replay is seen, not by when its
     * request began: a request that began before a concurrent one spent the token (its clock read
     * is earlier than {@code used_at}) is a replay all the same. A zero grace allows none.
     */
    private TokenPair replay(String refreshToken, RefreshTokenRecord spent, User user, Session session) {
        if (spent.revokedAt() != null) {
            throw new InvalidCredentialsException("Invalid refresh token");
        }
        Instant seen = clock.instant();
        Duration grace = settings.refreshReuseGrace();
        if (spent.usedAt() != null && !grace.isZero() && !seen.isAfter(spent.usedAt().plus(grace))) {
            Optional<String> successor = refreshTokens.findSeal(spent.tokenHash())
                    .flatMap(seal -> SuccessorSeal.open(refreshToken, spent.tokenHash(), seal));
            Optional<RefreshTokenRecord> child = successor.flatMap(t -> refreshTokens.findByHash(sha256Hex(t)));
            if (child.isPresent() && child.get().isLive(seen) && child.get().familyId().equals(spent.familyId())) {
                IssuedAccessToken access = issueIn(spent.familyId(), user, session.authentication());
                emit(SecurityEvent.Type.REFRESHED, user.id(), null, "within-reuse-grace");
                return new TokenPair(access, successor.get(), child.get().expiresAt(), seen);
            }
            if (child.isPresent() && child.get().revokedAt() != null) {
                throw new InvalidCredentialsException("Invalid refresh token");
            }
            // The successor is spent (or gone): a replay of its parent now is reuse, grace or not.
        }
        if (refreshTokens.revokeFamily(spent.familyId(), seen)) {
            emit(SecurityEvent.Type.REFRESH_REUSE_DETECTED, user.id(), null, "family " + spent.familyId() + " revoked");
        }
        revocationCache.sessionRevokedLocally(spent.familyId(), seen);
        throw new InvalidCredentialsException("Invalid refresh token");
    }

    /**
     * {@link #refresh} on the store pool.
     *
     * @throws OverloadedException at once when the store pool and its queue are full
     */
    public CompletableFuture<TokenPair> refreshAsync(String refreshToken) {
        return onStorePool(() -> rotate(refreshToken));
    }

    /**
     * {@link #logout} on the store pool.
     *
     * @throws OverloadedException at once when the store pool and its queue are full
     */
    public CompletableFuture<Void> logoutAsync(AccessTokenPrincipal principal, String refreshToken) {
        return onStorePool(() -> {
            endSession(principal, refreshToken);
            return null;
        });
    }

    /**
     * {@link #logoutAll} on the store pool.
     *
     * @throws OverloadedException at once when the store pool and its queue are full
     */
    public CompletableFuture<Void> logoutAllAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        return onStorePool(() -> {
            endAllSessions(principal);
            return null;
        });
    }

    private <T> CompletableFuture<T> onStorePool(Supplier<T> work) {
        lifecycle.requireRunning();
        try {
            return CompletableFuture.supplyAsync(work, storeExecutor);
        } catch (RejectedExecutionException e) {
            throw new OverloadedException("The store pool is saturated");
        }
    }

    /**
     * Logs out: the session (refresh-token family) of that login is revoked, so every access token
     * issued in it, the presented one included, is refused from now on (on every node within the
     * revocation staleness, on this node at once); a presented access token that names no session
     * is refused by its {@code jti}.
     *
     * @param principal    the verified access token's principal, or {@code null}
     * @param refreshToken the refresh token, or {@code null}
     * @throws InvalidCredentialsException when neither identifies a login
     */
    public void logout(AccessTokenPrincipal principal, String refreshToken) {
        lifecycle.requireRunning();
        endSession(principal, refreshToken);
    }

    private void endSession(AccessTokenPrincipal principal, String refreshToken) {
        Instant now = clock.instant();
        boolean done = false;
        if (principal != null) {
            Instant until = principal.expiresAt().plus(tokenSettings.clockLeeway()).plusSeconds(1);
            revocations.revokeToken(principal.tokenId(), until);
            revocationCache.revokedLocally(principal.tokenId(), until);
            if (principal.sessionId() != null) {
                refreshTokens.revokeFamily(principal.sessionId(), now);
                revocationCache.sessionRevokedLocally(principal.sessionId(), now);
            }
            done = true;
        }
        if (isTokenShaped(refreshToken)) {
            Optional<RefreshTokenRecord> record = refreshTokens.findByHash(sha256Hex(refreshToken));
            if (record.isPresent() && (principal == null || principal.subject().equals(record.get().userId()))) {
                refreshTokens.revokeFamily(record.get().familyId(), now);
                revocationCache.sessionRevokedLocally(record.get().familyId(), now);
                done = true;
            }
        }
        if (!done) {
            throw new InvalidCredentialsException("No valid token to log out with");
        }
        emit(SecurityEvent.Type.LOGGED_OUT, principal != null ? principal.subject() : null, null,
                principal != null ? "access-token" : "refresh-token");
    }

    /**
     * Logs the user out everywhere: every session of theirs is revoked and the user's next token
     * generation starts, so every access token issued to them before this returns is refused (on
     * every node within the revocation staleness, on this node at once), while a login right after
     * it gets tokens of the new generation, which are accepted at once.
     */
    public void logoutAll(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        lifecycle.requireRunning();
        endAllSessions(principal);
    }

    private void endAllSessions(AccessTokenPrincipal principal) {
        Instant now = clock.instant();
        OptionalInt generation = users.revokeAllSessions(principal.subject(), now);
        if (generation.isPresent()) {
            revocationCache.generationsRefusedLocally(principal.subject(), generation.getAsInt(), now);
        } else {
            // the account is gone (deleted meanwhile): its tokens are already refused
            revocationCache.generationsRefusedLocally(principal.subject(), Integer.MAX_VALUE, now);
        }
        emit(SecurityEvent.Type.LOGGED_OUT_EVERYWHERE, principal.subject(), null, null);
    }

    // ---- sessions ----

    /**
     * The caller's sessions that can still be used: not ended, not past their absolute end, used
     * within {@link AuthSettings#sessionIdleTimeout()}; the most recently used first, at most
     * {@value #MAX_LISTED_SESSIONS}. The caller's own is the one whose id is
     * {@code principal.sessionId()}.
     *
     * @throws OverloadedException at once when the store pool and its queue are full
     */
    public CompletableFuture<List<Session>> sessionsAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        return onStorePool(() -> {
            Instant now = clock.instant();
            List<Session> live = new ArrayList<>();
            for (Session session : refreshTokens.listSessions(principal.subject(), now, MAX_LISTED_SESSIONS)) {
                if (session.isLive(now, settings.sessionIdleTimeout())) {
                    live.add(session);
                }
            }
            return live;
        });
    }

    /**
     * Ends one of the caller's sessions (the caller's own included): its refresh token is refused
     * at once, its access tokens on this node at once and on every node within the revocation
     * staleness.
     *
     * @return {@code false} when the caller has no such live session (another user's id included:
     *         the two are not told apart)
     * @throws OverloadedException at once when the store pool and its queue are full
     */
    public CompletableFuture<Boolean> endSessionAsync(AccessTokenPrincipal principal, String sessionId) {
        Objects.requireNonNull(principal, "principal");
        if (!TokenIds.isSessionId(sessionId)) {
            return CompletableFuture.completedFuture(false);
        }
        return onStorePool(() -> {
            Instant now = clock.instant();
            if (!refreshTokens.revokeSession(principal.subject(), sessionId, now)) {
                return false;
            }
            revocationCache.sessionRevokedLocally(sessionId, now);
            emit(SecurityEvent.Type.SESSIONS_ENDED, principal.subject(), null, sessionId.equals(principal.sessionId()) ? "this one" : "one");
            return true;
        });
    }

    /**
     * Ends every session of the caller but the one the caller's token belongs to (all of them for a
     * token outside a session).
     *
     * @return how many were ended
     * @throws OverloadedException at once when the store pool and its queue are full
     */
    public CompletableFuture<Integer> endOtherSessionsAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        return onStorePool(() -> {
            Instant now = clock.instant();
            String kept = principal.sessionId() == null ? "" : principal.sessionId();
            List<Session> before = refreshTokens.listSessions(principal.subject(), now, Integer.MAX_VALUE);
            int ended = refreshTokens.revokeOtherSessions(principal.subject(), kept, now);
            for (Session session : before) {
                if (!session.id().equals(kept)) {
                    revocationCache.sessionRevokedLocally(session.id(), now);
                }
            }
            emit(SecurityEvent.Type.SESSIONS_ENDED, principal.subject(), null, ended + " others");
            return ended;
        });
    }

    // ---- recent authentication ----

    /**
     * Refuses a caller whose login is older than {@link AuthSettings#recentAuthentication()} (or
     * whose token does not say when it was): for sensitive operations the application adds.
     *
     * @throws InsufficientAuthenticationException with the {@code max_age} requirement
     */
    public void requireRecentAuthentication(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        AuthenticationRequirement recent = AuthenticationRequirement.maxAge(settings.recentAuthentication());
        if (!recent.isMetBy(principal, clock.instant())) {
            throw new InsufficientAuthenticationException(recent);
        }
    }

    // ---- second factor ----

    /** Whether this service offers a second factor ({@link Builder#mfa}). */
    public boolean mfaEnabled() {
        return secondFactor != null;
    }

    /** The second factor's state for the caller, as the account page shows it. */
    public record MfaStatus(boolean totpEnabled, int recoveryCodesLeft) {
    }

    /**
     * Whether the caller has an authenticator, and how many recovery codes are left.
     *
     * @throws UnsupportedOperationException without {@link Builder#mfa}
     */
    public CompletableFuture<MfaStatus> mfaStatusAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        requireSecondFactor();
        return onStorePool(() -> secondFactor.isEnabled(principal.subject())
                ? new MfaStatus(true, secondFactor.unusedRecoveryCodes(principal.subject()))
                : new MfaStatus(false, 0));
    }

    /**
     * Begins enrolling a TOTP authenticator: a new secret, shown once as an {@code otpauth://} URI
     * and a QR code, pending until {@link #confirmTotpAsync} gets a first valid code. Begun again, it
     * replaces the pending secret. Needs a recent login.
     *
     * @throws InsufficientAuthenticationException when the login is not recent
     * @throws SecondFactorStateException {@code ALREADY_ENABLED} (through the future)
     */
    public CompletableFuture<TotpEnrolment> beginTotpAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        lifecycle.requireRunning();
        requireSecondFactor();
        requireRecentAuthentication(principal);
        return onStorePool(() -> {
            User user = users.findById(principal.subject()).orElseThrow(() -> new InvalidCredentialsException("No such user"));
            return secondFactor.begin(user.id(), user.email(), clock.instant());
        });
    }

    /**
     * Confirms the pending enrolment with a first code of the authenticator, and returns the
     * recovery codes: shown this once, stored only as keyed hashes.
     *
     * @throws ValidationException naming {@code code} when it is missing or wrong (through the future when wrong)
     * @throws SecondFactorStateException {@code NOT_PENDING} or {@code ALREADY_ENABLED} (through the future)
     */
    public CompletableFuture<List<String>> confirmTotpAsync(AccessTokenPrincipal principal, String code, String client) {
        Objects.requireNonNull(principal, "principal");
        lifecycle.requireRunning();
        requireSecondFactor();
        if (code == null || code.isEmpty()) {
            throw new ValidationException(List.of(new Problem.FieldError("code", "is required")));
        }
        if (code.length() > MAX_CODE_CHARS) {
            throw new ValidationException(List.of(new Problem.FieldError("code", "is incorrect")));
        }
        limitClient(client);
        return onStorePool(() -> {
            List<String> codes = secondFactor.confirm(principal.subject(), code, clock.instant())
                    .orElseThrow(() -> new ValidationException(List.of(new Problem.FieldError("code", "is incorrect"))));
            emit(SecurityEvent.Type.SECOND_FACTOR_ENABLED, principal.subject(), null, "totp");
            return codes;
        });
    }

    /**
     * Removes the caller's authenticator and recovery codes (logins take one step again). Needs a
     * recent login.
     *
     * @throws InsufficientAuthenticationException when the login is not recent
     * @throws SecondFactorStateException {@code NOT_ENABLED} (through the future)
     */
    public CompletableFuture<Void> disableTotpAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        lifecycle.requireRunning();
        requireSecondFactor();
        requireRecentAuthentication(principal);
        return onStorePool(() -> {
            secondFactor.remove(principal.subject());
            emit(SecurityEvent.Type.SECOND_FACTOR_DISABLED, principal.subject(), null, "totp");
            return null;
        });
    }

    /**
     * New recovery codes in place of all earlier ones (spent or not), shown this once. Needs a
     * recent login.
     *
     * @throws InsufficientAuthenticationException when the login is not recent
     * @throws SecondFactorStateException {@code NOT_ENABLED} (through the future)
     */
    public CompletableFuture<List<String>> regenerateRecoveryCodesAsync(AccessTokenPrincipal principal) {
        Objects.requireNonNull(principal, "principal");
        lifecycle.requireRunning();
        requireSecondFactor();
        requireRecentAuthentication(principal);
        return onStorePool(() -> {
            List<String> codes = secondFactor.regenerate(principal.subject(), clock.instant());
            emit(SecurityEvent.Type.RECOVERY_CODES_REGENERATED, principal.subject(), null, null);
            return codes;
        });
    }

    private void requireSecondFactor() {
        if (secondFactor == null) {
            throw new UnsupportedOperationException("This service has no second factor: AuthService.Builder.mfa(settings)");
        }
    }

    /**
     * Deletes an account: its refresh-token families and tokens, and the user row, and refuses
     * every access token ever issued to the user, all in one transaction of the
     * {@link UserRepository}. This node refuses the user's access tokens at
     * once, every other node within the revocation staleness. The email can be registered again
     * afterwards (as a new user with a new id).
     *
     * @return {@code false} when there is no such user (nothing changed)
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the database fails (nothing changed)
     */
    public boolean deleteUser(String userId) {
        Objects.requireNonNull(userId, "userId");
        lifecycle.requireRunning();
        Instant now = clock.instant();
        boolean deleted = mail != null
                ? accounts.deleteAndRevoke(userId, now, u -> render(MailKind.ACCOUNT_DELETED, u.email(), templates.language(u.language()), null))
                : users.deleteAndRevoke(userId, now);
        if (!deleted) {
            return false;
        }
        if (mail != null) {
            mail.wake();
        }
        revocationCache.generationsRefusedLocally(userId, Integer.MAX_VALUE, now);
        emit(SecurityEvent.Type.USER_DELETED, userId, null, null);
        return true;
    }

    /**
     * Grants a role to a user. The change reaches the user's live access tokens within the
     * revocation staleness on every node (at once on this one): tokens issued before it are
     * refused, and the user's next refresh carries the new roles. The user's sessions stay.
     *
     * @return the user as stored afterwards, or empty when there is no such user
     * @throws ValidationException naming {@code role} when it is not a valid role name
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the database fails (nothing changed)
     */
    public Optional<User> grantRole(String userId, String role) {
        return changeRoles(userId, Roles.checked(role), true);
    }

    /**
     * Takes a role from a user; reaches the user's live access tokens as {@link #grantRole} does.
     *
     * @return the user as stored afterwards, or empty when there is no such user
     * @throws ValidationException naming {@code role} when it is not a valid role name
     */
    public Optional<User> revokeRole(String userId, String role) {
        return changeRoles(userId, Roles.checked(role), false);
    }

    /** The user with this email (normalised first), for operations that name users by email. */
    public Optional<User> findUserByEmail(String email) {
        lifecycle.requireRunning();
        String normalised = Emails.normalise(email);
        return Emails.problem(normalised).isPresent() ? Optional.empty() : users.findByEmail(normalised);
    }

    private Optional<User> changeRoles(String userId, String role, boolean grant) {
        Objects.requireNonNull(userId, "userId");
        lifecycle.requireRunning();
        Instant now = clock.instant();
        // the roles the store's last (committed) run of the change saw
        AtomicReference<List<String>> before = new AtomicReference<>();
        Optional<User> after = users.changeRoles(userId, roles -> {
            before.set(roles);
            return Roles.change(roles, role, grant);
        }, now);
        after.filter(user -> !user.roles().equals(before.get())).ifPresent(user -> {
            revocationCache.generationsRefusedLocally(user.id(), user.tokenGeneration(), now);
            emit(grant ? SecurityEvent.Type.ROLE_GRANTED : SecurityEvent.Type.ROLE_REVOKED, user.id(), null, role);
        });
        return after;
    }

    /** The user with this id. */
    public Optional<User> findUser(String id) {
        lifecycle.requireRunning();
        return users.findById(id);
    }

    private void limitClient(String client) {
        if (client == null) {
            // No trustworthy peer address (the adapter could not tell): a shared bucket would let
            // one client lock everyone out, so only the per-account limit applies.
            return;
        }
        Optional<Duration> wait = clientLimiter.tryAcquire(client);
        if (wait.isPresent()) {
            emit(SecurityEvent.Type.CLIENT_THROTTLED, null, null, null);
            throw new ThrottledException(wait.get());
        }
    }

    private void emit(SecurityEvent.Type type, String userId, String account, String reason) {
        try {
            events.onEvent(SecurityEvent.ofAccount(type, clock.instant(), userId, account, reason));
        } catch (RuntimeException e) {
            LOG.warn("A security event listener failed ({}); the event was {}", e.getClass().getSimpleName(), type);
        }
    }

    private void purgeQuietly() {
        try {
            Instant now = clock.instant();
            Instant horizon = now.minus(revocationHorizon());
            // a revoked family is its sessions' revocation: kept while one of its access tokens could still pass
            refreshTokens.deleteExpired(horizon);
            revocations.purge(now, horizon);
            if (accounts != null) {
                accounts.purgeTokens(now);
            }
            if (secondFactor != null) {
                secondFactor.store().deleteChallengesBefore(now);
            }
        } catch (RuntimeException e) {
            LOG.warn("Clean-up of expired tokens failed ({}); will retry", e.getClass().getSimpleName());
        }
        purgeThrottleQuietly();
    }

    /**
     * Deletes throttle buckets that are full again and remember no success within the known-client
     * window (the maintenance task does this every 15 minutes); for tests and operations.
     *
     * @return how many were deleted (0 when the store failed: the failure is logged)
     */
    public int purgeThrottle() {
        lifecycle.requireRunning();
        return purgeThrottleQuietly();
    }

    private int purgeThrottleQuietly() {
        try {
            Instant now = clock.instant();
            return throttle.purge(now, now.minus(settings.throttleKnownClientWindow()));
        } catch (RuntimeException e) {
            LOG.warn("Clean-up of login throttle buckets failed ({}); will retry", e.getClass().getSimpleName());
            return 0;
        }
    }

    /** Seals of successors serve replays within the reuse grace only; past it nothing may open them. */
    private void purgeSealsQuietly() {
        try {
            refreshTokens.deleteSealsBefore(clock.instant().minus(settings.refreshReuseGrace()));
        } catch (RuntimeException e) {
            LOG.warn("Clean-up of refresh-token seals failed ({}); will retry", e.getClass().getSimpleName());
        }
    }

    /**
     * How long a session revocation or a generation cut-off must be kept: an access token issued
     * just before it lives for its lifetime, passes verification for the clock leeway beyond its
     * {@code exp} and the second its whole-second claims round away, and may have been signed up to
     * {@link #IN_FLIGHT_MARGIN} after the request that signed it read the state the revocation changed.
     */
    private Duration revocationHorizon() {
        return tokenSettings.accessTokenTtl().plus(tokenSettings.clockLeeway()).plusSeconds(1).plus(IN_FLIGHT_MARGIN);
    }

    /** Whether {@code token} could be a refresh or link token (43 base64url characters): anything else is refused unread. */
    private static boolean isTokenShaped(String token) {
        if (token == null || token.length() != TOKEN_CHARS) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** A new refresh or link token. */
    private static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /**
     * Stops the background work (revocation refresh, clean-up) and shuts down the pools it made,
     * waiting up to 10 seconds each for the work queued on them; executors the application gave are
     * left running, and the key source is left to whoever built it. Idempotent.
     */
    @Override
    public void close() {
        if (lifecycle.close() == Lifecycle.State.RUNNING) {
            stopEverything();
        }
    }

    private void stopEverything() {
        if (mail != null) {
            mail.close();
        }
        maintenanceTasks.forEach(task -> task.cancel(false));
        if (ownedMaintenance != null) {
            ownedMaintenance.shutdownNow();
        }
        revocationCache.close();
        if (ownedStorePool != null) {
            ownedStorePool.shutdown();
        }
        hasher.close();
        Lifecycle.shutdownOwned(ownedStorePool, 10);
    }

    /**
     * Collects what an {@link AuthService} needs; not thread-safe. {@link #build()} makes the
     * service without running a query or starting a thread.
     *
     * <table>
     *   <caption>Optional settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th></tr>
     *   <tr><td>securityEvents</td><td>{@link SecurityEventListener#logging()}</td></tr>
     *   <tr><td>scheduler</td><td>two daemon threads made by {@link AuthService#start()}:
     *       {@code gatehouse-revocations}, {@code gatehouse-maintenance}</td></tr>
     *   <tr><td>hashingExecutor</td><td>a pool of {@link AuthSettings#hashingThreads()} daemon threads
     *       ({@code gatehouse-hashing-<n>}) with a queue of {@link AuthSettings#hashingQueue()}</td></tr>
     *   <tr><td>storeExecutor</td><td>a pool of {@link AuthSettings#storeThreads()} daemon threads
     *       ({@code gatehouse-store-<n>}) with a queue of {@link AuthSettings#storeQueue()}</td></tr>
     * </table>
     */
    public static final class Builder {
        private final TokenSettings tokenSettings;
        private final AuthSettings settings;
        private final KeySource keys;
        private final Stores stores;
        private SecurityEventListener events = SecurityEventListener.logging();
        private ScheduledExecutorService scheduler;
        private Executor hashingExecutor;
        private Executor storeExecutor;
        private MailSettings mailSettings;
        private MailSender mailSender;
        private MfaSettings mfaSettings;

        private Builder(TokenSettings tokenSettings, AuthSettings settings, KeySource keys, Stores stores) {
            this.tokenSettings = Objects.requireNonNull(tokenSettings, "tokenSettings");
            this.settings = Objects.requireNonNull(settings, "settings");
            this.keys = Objects.requireNonNull(keys, "keys");
            this.stores = Objects.requireNonNull(stores, "stores");
        }

        /**
         * Where the service reports its {@link SecurityEvent}s; default {@link SecurityEventListener#logging()}
         * (the audit logger {@value SecurityEventListener#AUDIT_LOGGER}). Give the key source the same listener.
         */
        public Builder securityEvents(SecurityEventListener listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs the revocation refresh (every {@link AuthSettings#revocationStaleness()}) and the
         * clean-up of expired rows. A clean-up holds a thread while it queries the database, so give
         * it at least two threads, or a slow clean-up delays the revocation refresh. Stays the
         * application's: {@link AuthService#close()} cancels the service's tasks on it but does not
         * shut it down.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Runs the password hashing of register and login. Bound it: a task it rejects is refused
         * with {@link OverloadedException} ({@code 503}), and a flood of logins should wait there or
         * be refused, never take every thread. Stays the application's.
         */
        public Builder hashingExecutor(Executor executor) {
            this.hashingExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Runs {@link AuthService#refreshAsync}, {@link AuthService#logoutAsync} and
         * {@link AuthService#logoutAllAsync}. Bound it as the hashing executor. Stays the application's.
         */
        public Builder storeExecutor(Executor executor) {
            this.storeExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sends mail: email verification, password reset and the notices of changes to an account.
         * The service renders each mail from {@code settings}' templates, writes it to the outbox in
         * the transaction of the change that causes it, and a {@link MailDispatcher} it starts and
         * closes delivers it through {@code sender} in the background. Needs stores with an
         * {@link AccountStore} and an {@link OutboxStore}. Without mail, there is no email
         * verification or password reset, and {@link AuthSettings#requireVerifiedEmail()} cannot be on.
         */
        public Builder mail(MailSettings settings, MailSender sender) {
            this.mailSettings = Objects.requireNonNull(settings, "settings");
            this.mailSender = Objects.requireNonNull(sender, "sender");
            return this;
        }

        /**
         * Offers a second factor: users may enrol a TOTP authenticator (with recovery codes), and
         * the login of an enrolled user takes two steps ({@link AuthService#startLogin},
         * {@link AuthService#completeLogin}). Needs stores with an {@link MfaStore}
         * ({@link Stores#withMfa}). Without it, enrolments already stored are not asked for.
         */
        public Builder mfa(MfaSettings settings) {
            this.mfaSettings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The service, not started: see {@link AuthService#start()}.
         *
         * @throws dev.gatehouse.token.ConfigurationException when {@link AuthSettings#requireVerifiedEmail()}
         *         is on without mail, or mail is given with stores that lack the account store or the outbox
         */
        public AuthService build() {
            if (mailSender != null && (stores.accounts == null || stores.outbox == null)) {
                throw new dev.gatehouse.token.ConfigurationException("mail", "needs stores with an AccountStore and an OutboxStore"
                        + " (JdbcStores.forService() gives both)");
            }
            if (mfaSettings != null && stores.mfa == null) {
                throw new dev.gatehouse.token.ConfigurationException("mfa", "needs stores with an MfaStore (Stores.withMfa)");
            }
            if (settings.requireVerifiedEmail() && mailSender == null) {
                throw new dev.gatehouse.token.ConfigurationException("requireVerifiedEmail",
                        "needs mail to send verification links: AuthService.Builder.mail(settings, sender)");
            }
            return new AuthService(this);
        }
    }
}
