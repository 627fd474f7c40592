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

package dev.gatehouse.jdbc;

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.store.AccountStore;
import dev.gatehouse.auth.store.MfaStore;
import dev.gatehouse.auth.store.OutboxStore;
import dev.gatehouse.auth.store.RefreshTokenStore;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.store.ThrottleStore;
import dev.gatehouse.auth.store.UserRepository;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The Gatehouse stores on one JDBC {@link DataSource} (H2, PostgreSQL or MariaDB),
 * in the tables that {@link JdbcSchema} creates. Immutable and thread-safe; the stores it hands
 * out are too.
 *
 * <pre>{@code
 * JdbcSchema.migrate(dataSource);                 // or run the migrations with Flyway yourself
 * JdbcStores stores = new JdbcStores(dataSource);
 * UserRepository users = stores.users();
 * }</pre>
 *
 * <p>Give it a pooled {@code DataSource} (HikariCP, or the container's): every store method
 * borrows one connection and returns it before it returns. Every statement is prepared (values are
 * always bound, never concatenated) and has a query timeout, {@value #DEFAULT_QUERY_TIMEOUT_SECONDS}
 * seconds unless set otherwise. Methods that write more than one row run in one transaction,
 * rolled back on any failure; a transaction that the database aborts to resolve a deadlock is run
 * again a few times. Every {@link java.sql.SQLException} leaves as a
 * {@link dev.gatehouse.auth.store.StoreUnavailableException} whose message names the operation but
 * none of its values, except a duplicate email, which is a
 * {@link dev.gatehouse.auth.store.DuplicateEmailException}.
 *
 * <p>The database is identified from the first connection's metadata ({@link Dialect}); nothing
 * connects before the first store call. All instants are stored in UTC with microsecond precision,
 * whatever the time zone of the JVM, the session or the server.
 *
 * <p>On H2, a transaction waits for a row lock at most H2's {@code LOCK_TIMEOUT} (2 seconds by
 * default; set it in the JDBC URL, e.g. {@code ;LOCK_TIMEOUT=10000}, for busy embedded use).
 */
public final class JdbcStores {
    /** The default query timeout, in seconds. */
    public static final int DEFAULT_QUERY_TIMEOUT_SECONDS = 10;

    private final Jdbc jdbc;
    private final UserRepository users;
    private final RefreshTokenStore refreshTokens;
    private final RevocationStore revocations;
    private final ThrottleStore throttle;
    private final JdbcAccountStore accounts;
    private final MfaStore mfa;

    /** Stores on {@code dataSource}, with a query timeout of {@value #DEFAULT_QUERY_TIMEOUT_SECONDS} seconds. */
    public JdbcStores(DataSource dataSource) {
        this(dataSource, Duration.ofSeconds(DEFAULT_QUERY_TIMEOUT_SECONDS));
    }

    /**
     * Stores on {@code dataSource} with this query timeout for every statement (including waits for
     * row locks, on PostgreSQL and MariaDB).
     *
     * @param queryTimeout positive; rounded up to whole seconds (JDBC's unit)
     */
    public JdbcStores(DataSource dataSource, Duration queryTimeout) {
        this(dataSource, null, queryTimeout);
    }

    /**
     * Stores on {@code dataSource}, for a database known to be of {@code dialect} (no detection).
     *
     * @param queryTimeout positive; rounded up to whole seconds (JDBC's unit)
     */
    public JdbcStores(DataSource dataSource, Dialect dialect, Duration queryTimeout) {
        Objects.requireNonNull(dataSource, "dataSource");
        this.jdbc = new Jdbc(dataSource, dialect, timeoutSeconds(queryTimeout));
        this.users = new JdbcUserRepository(jdbc);
        this.refreshTokens = new JdbcRefreshTokenStore(jdbc);
        this.revocations = new JdbcRevocationStore(jdbc);
        this.throttle = new JdbcThrottleStore(jdbc);
        this.accounts = new JdbcAccountStore(jdbc);
        this.mfa = new JdbcMfaStore(jdbc);
    }

    /** Users, in {@code gh_users}. */
    public UserRepository users() {
        return users;
    }

    /**
     * Refresh tokens and the sessions they belong to, in {@code gh_refresh_families},
     * {@code gh_refresh_tokens} and {@code gh_refresh_seals} (sessions: schema version 3).
     */
    public RefreshTokenStore refreshTokens() {
        return refreshTokens;
    }

    /** Access-token revocations, in {@code gh_revoked_tokens} and {@code gh_user_revocations}. */
    public RevocationStore revocations() {
        return revocations;
    }

    /** Login throttling buckets (per account, and per account and client network), in {@code gh_login_buckets}. */
    public ThrottleStore throttle() {
        return throttle;
    }

    /**
     * The account lifecycle's writes (with the mail they cause), in {@code gh_account_tokens},
     * {@code gh_mail_outbox} and the tables above; schema version 2.
     */
    public AccountStore accounts() {
        return accounts;
    }

    /** The mail outbox, in {@code gh_mail_outbox}; schema version 2. */
    public OutboxStore outbox() {
        return accounts;
    }

    /**
     * The second factor (TOTP enrolments, recovery codes, login challenges), in {@code gh_mfa_totp},
     * {@code gh_mfa_recovery_codes} and {@code gh_mfa_challenges}; schema version 3.
     */
    public MfaStore mfa() {
        return mfa;
    }

    /** Every store, the second factor's included, as {@link AuthService.Builder} takes them. */
    public AuthService.Stores forService() {
        return new AuthService.Stores(users, refreshTokens, revocations, throttle, accounts, accounts).withMfa(mfa);
    }

    /**
     * The database's dialect (detected on first use unless it was given).
     *
     * @throws dev.gatehouse.auth.store.StoreUnavailableException when the database cannot be reached
     * @throws dev.gatehouse.token.ConfigurationException for an unsupported database
     */
    public Dialect dialect() {
        return jdbc.dialect();
    }

    private static int timeoutSeconds(Duration queryTimeout) {
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("queryTimeout must be positive");
        }
        long seconds = queryTimeout.getSeconds() + (queryTimeout.getNano() > 0 ? 1 : 0);
        return (int) Math.min(seconds, Integer.MAX_VALUE);
    }
}
