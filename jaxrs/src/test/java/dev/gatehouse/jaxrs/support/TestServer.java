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

package dev.gatehouse.jaxrs.support;

import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.MfaSettings;
import dev.gatehouse.auth.mail.MailSettings;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/** Jersey on Grizzly (no servlet API) with the Gatehouse feature, on a loopback port. */
public final class TestServer implements AutoCloseable {
    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "gatehouse-test";
    private static final SigningKey KEY = SigningKey.generate(SigningAlgorithm.RS256);
    /** The second factor's key of every server of this JVM (so that servers on one database are nodes of one service). */
    private static final byte[] MFA_KEY = randomKey();

    public final AuthService service;
    public final KeySet keys;
    public final URI base;
    /** The mail the service sent, when it was started with mail; else {@code null}. */
    public final TestMailbox mailbox;
    /** The security events the service emitted. */
    public final RecordedEvents events;
    private final HttpServer server;

    private TestServer(AuthService service, KeySet keys, HttpServer server, URI base, TestMailbox mailbox, RecordedEvents events) {
        this.service = service;
        this.keys = keys;
        this.server = server;
        this.base = base;
        this.mailbox = mailbox;
        this.events = events;
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** A server set up step by step: {@code TestServer.setup(ds).mail(new TestMailbox()).auth(...).start()}. */
    public static Setup setup(DataSource ds) {
        return new Setup(ds);
    }

    public static TestServer start(DataSource ds, UnaryOperator<AuthSettings.Builder> auth,
                                   UnaryOperator<GatehouseFeature.Builder> feature) throws IOException {
        return start(ds, b -> b, auth, feature);
    }

    /**
     * A server whose token settings are customised too (transports, clock, ...), starting from
     * {@code TokenSettings.builder(ISSUER, AUDIENCE)}.
     */
    public static TestServer start(DataSource ds, UnaryOperator<TokenSettings.Builder> tokens,
                                   UnaryOperator<AuthSettings.Builder> auth,
                                   UnaryOperator<GatehouseFeature.Builder> feature) throws IOException {
        return startOn("127.0.0.1", ds, tokens, auth, feature);
    }

    /**
     * A server listening on {@code host} only (an IP literal, in URI form for IPv6), so that its
     * clients' peer address is that interface's.
     */
    public static TestServer startOn(String host, DataSource ds, UnaryOperator<TokenSettings.Builder> tokens,
                                     UnaryOperator<AuthSettings.Builder> auth,
                                     UnaryOperator<GatehouseFeature.Builder> feature) throws IOException {
        return setup(ds).host(host).tokens(tokens).auth(auth).feature(feature).start();
    }

    public static TestServer start(DataSource ds) throws IOException {
        return start(ds, b -> b, b -> b);
    }

    @Override
    public void close() {
        server.shutdownNow();
        service.close();
    }

    /** What a server is made of; every step optional. Not thread-safe. */
    public static final class Setup {
        private final DataSource ds;
        private String host = "127.0.0.1";
        private UnaryOperator<TokenSettings.Builder> tokens = b -> b;
        private UnaryOperator<AuthSettings.Builder> auth = b -> b;
        private UnaryOperator<GatehouseFeature.Builder> feature = b -> b;
        private UnaryOperator<MailSettings.Builder> mailSettings = b -> b;
        private TestMailbox mailbox;
        private boolean accountStore;
        private UnaryOperator<MfaSettings.Builder> mfa;

        private Setup(DataSource ds) {
            this.ds = ds;
        }

        /** Listen on {@code host} only (an IP literal, in URI form for IPv6). */
        public Setup host(String host) {
            this.host = host;
            return this;
        }

        /** Token settings, starting from {@code TokenSettings.builder(ISSUER, AUDIENCE)} (transports, clock, ...). */
        public Setup tokens(UnaryOperator<TokenSettings.Builder> tokens) {
            this.tokens = tokens;
            return this;
        }

        /** Auth settings, starting from bcrypt cost 4 and no practical per-client limit. */
        public Setup auth(UnaryOperator<AuthSettings.Builder> auth) {
            this.auth = auth;
            return this;
        }

        public Setup feature(UnaryOperator<GatehouseFeature.Builder> feature) {
            this.feature = feature;
            return this;
        }

        /**
         * Mail, delivered to {@code mailbox}: links under {@code http://localhost}, the outbox polled
         * every 100 ms, retries after 200 ms. The stores include the account store and the outbox.
         */
        public Setup mail(TestMailbox mailbox) {
            this.mailbox = mailbox;
            this.accountStore = true;
            return this;
        }

        /** Mail settings beyond {@link #mail}'s. */
        public Setup mailSettings(UnaryOperator<MailSettings.Builder> mailSettings) {
            this.mailSettings = mailSettings;
            return this;
        }

        /** Stores with the account store (password change), without mail. */
        public Setup accountStore() {
            this.accountStore = true;
            return this;
        }

        /**
         * A second factor (TOTP and recovery codes) with the defaults, under a key fixed for the
         * JVM; the stores include the MFA store.
         */
        public Setup mfa() {
            return mfa(b -> b);
        }

        /** A second factor with settings beyond the defaults (see {@link #mfa()}). */
        public Setup mfa(UnaryOperator<MfaSettings.Builder> mfa) {
            this.mfa = mfa;
            return this;
        }

        public TestServer start() throws IOException {
            JdbcSchema.createIfAbsent(ds);
            JdbcStores stores = new JdbcStores(ds);
            TokenSettings tokenSettings = tokens.apply(TokenSettings.builder(ISSUER, AUDIENCE)).build();
            AuthSettings authSettings = auth.apply(AuthSettings.builder().bcryptCostForTests(4).clientAttemptsPerMinute(100_000)).build();
            KeySet keys = KeySet.of(KEY);
            SecretLedger.recordKey(KEY);
            RecordedEvents events = new RecordedEvents();
            AuthService.Stores serviceStores = accountStore ? stores.forService()
                    : new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle());
            if (mfa != null) {
                serviceStores = serviceStores.withMfa(stores.mfa());
            }
            AuthService.Builder builder = AuthService.builder(tokenSettings, authSettings, keys, serviceStores).securityEvents(events);
            if (mailbox != null) {
                builder.mail(mailSettings.apply(MailSettings.builder(URI.create("http://localhost"))
                        .pollInterval(Duration.ofMillis(100)).firstRetryDelay(Duration.ofMillis(200))).build(), mailbox);
            }
            if (mfa != null) {
                builder.mfa(mfa.apply(MfaSettings.builder(MFA_KEY)).build());
            }
            AuthService service = builder.build();
            service.start();
            ResourceConfig app = new ResourceConfig(TestResources.class)
                    .register(feature.apply(GatehouseFeature.builder(service)).build())
                    .property(ServerProperties.WADL_FEATURE_DISABLE, true);
            HttpServer server = GrizzlyServers.server(URI.create("http://" + host + ":0/"), app, false);
            try {
                server.start();
            } catch (IOException | RuntimeException e) {
                service.close();
                throw e;
            }
            int port = server.getListener("grizzly").getPort();
            return new TestServer(service, keys, server, URI.create("http://" + host + ":" + port + "/"), mailbox, events);
        }
    }
}
