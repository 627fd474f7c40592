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

package dev.gatehouse.jaxrs;

import dev.gatehouse.web.WebSettings;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.jdbc.keys.ManagedKeySource;
import dev.gatehouse.jaxrs.internal.AuthResource;
import dev.gatehouse.jaxrs.internal.AuthorizationFeature;
import dev.gatehouse.jaxrs.internal.DiscoveryResource;
import dev.gatehouse.jaxrs.internal.Endpoints;
import dev.gatehouse.jaxrs.internal.GatehouseExceptionMapper;
import dev.gatehouse.jaxrs.internal.JwksResource;
import dev.gatehouse.jaxrs.internal.MfaResource;
import dev.gatehouse.jaxrs.internal.SessionsResource;
import dev.gatehouse.jaxrs.internal.TokenAuthFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Gatehouse for a JAX-RS 3.1 application, registered once:
 *
 * <pre>{@code
 * keys.start();
 * AuthService auth = AuthService.builder(tokenSettings, authSettings, keys, stores).build();
 * auth.start();                                  // before the application starts
 * ResourceConfig app = new ResourceConfig(MyResource.class)
 *         .register(GatehouseFeature.builder(auth).build());
 * ...
 * auth.close();                                  // after it stopped; then keys.close()
 * }</pre>
 *
 * The service must be {@linkplain AuthService#start() started} by the time the JAX-RS runtime
 * configures the feature: {@link #configure} refuses one that is not, so that the application
 * fails to start instead of answering its first requests with errors. A service closed while
 * requests still arrive answers them {@code 503}.
 *
 * The feature reports its security events (logins, refreshes, logouts …) through the
 * {@link dev.gatehouse.token.events.SecurityEventListener} of the {@link AuthService} it is given —
 * the JDK's {@link System.Logger} under {@value dev.gatehouse.token.events.SecurityEventListener#AUDIT_LOGGER} unless another
 * listener is passed to the service's {@code securityEvents} builder option (and to the key source's); it has no listener
 * of its own, so that one listener sees every event.
 *
 * It contributes:
 * <ul>
 *   <li>the endpoints {@code /auth/register}, {@code /login}, {@code /refresh}, {@code /logout},
 *       {@code /logout-all}, {@code /password}, {@code /users/{id}} and {@code /.well-known/jwks.json}
 *       of the HTTP contract, and, when the service sends mail, {@code /auth/verify-email},
 *       {@code /verify-email/resend}, {@code /password-reset} and {@code /password-reset/confirm};</li>
 *   <li>discovery metadata at {@code /.well-known/openid-configuration} and
 *       {@code /.well-known/oauth-authorization-server} (RFC 8414), whose {@code jwks_uri} is
 *       {@code <issuer>/.well-known/jwks.json}, so that resource servers configured with the
 *       issuer URL alone (Spring Security's issuer-location, for example) find the keys. This
 *       needs the issuer to be the public base URL of this JAX-RS application (scheme, host, port
 *       and any context path, as clients reach it); when the issuer is not an http(s) URL, the
 *       discovery endpoints are not registered;</li>
 *   <li>a {@code ContainerRequestFilter} at {@code Priorities.AUTHENTICATION} that verifies bearer or
 *       cookie access tokens (no database) and installs a {@code SecurityContext};</li>
 *   <li>enforcement of {@code @RolesAllowed}, {@code @PermitAll}, {@code @DenyAll} and
 *       {@link Authenticated}: {@code 401} with the RFC 6750 challenge without a valid token,
 *       {@code 403} without the role. Resources without any of these stay public;</li>
 *   <li>enforcement of {@link StepUp} (a second factor, a recent login), after the role check:
 *       {@code 401} with an RFC 9470 {@code insufficient_user_authentication} challenge when the
 *       token's login falls short;</li>
 *   <li>an exception mapper for Gatehouse's own exceptions (the application's are left alone).</li>
 * </ul>
 * Tokens and credentials over plain HTTP are refused unless the client is on loopback
 * ({@link WebSettings.Builder#requireHttps(boolean)}, on by default): {@code 403} with the problem type
 * {@code urn:gatehouse:problem:https-required}. This needs the peer address
 * ({@link Builder#peerAddress}); without it, plain HTTP is refused even from loopback.
 * {@link #verifyOnly(AccessTokenVerifier)} contributes only the filter and the annotations, for a
 * service that verifies tokens issued elsewhere; with the issuer's keys fetched from its JWK Set
 * URL, it needs neither a database nor key files:
 *
 * <pre>{@code
 * TokenSettings settings = TokenSettings.builder("https://auth.example.com", "orders").build();
 * RemoteJwksKeySource keys = RemoteJwksKeySource.builder("https://auth.example.com/.well-known/jwks.json")
 *         .acceptedAlgorithms(settings.acceptedAlgorithms())
 *         .build();
 * keys.start();                                  // and keys.close() when the application stops
 * app.register(GatehouseFeature.verifyOnly(new AccessTokenVerifier(settings, keys)).build());
 * }</pre>
 *
 * Or from the issuer alone, its JWK Set URL read from its discovery metadata at {@code start()}
 * ({@link dev.gatehouse.token.keys.RemoteJwksKeySource#fromIssuer}; a document naming another
 * issuer makes {@code start()} throw):
 *
 * <pre>{@code
 * RemoteJwksKeySource keys = RemoteJwksKeySource.fromIssuer("https://auth.example.com")
 *         .acceptedAlgorithms(settings.acceptedAlgorithms())
 *         .build();
 * }</pre>
 *
 * Instances are immutable and thread-safe.
 */
public final class GatehouseFeature implements Feature {
    private static final Logger LOG = LoggerFactory.getLogger(GatehouseFeature.class);

    /** Default largest request body of the auth endpoints. */
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;
    /** Default {@code max-age} of the JWKS response. */
    public static final Duration DEFAULT_JWKS_MAX_AGE = Duration.ofMinutes(5);
    /** Default longest wait for a register or login before a {@code 503}. */
    public static final Duration DEFAULT_ASYNC_TIMEOUT = Duration.ofSeconds(30);
    /** The request property a container adapter may set to the connection's peer address. */
    public static final String PEER_ADDRESS_PROPERTY = "dev.gatehouse.peer-address";

    private final AccessTokenVerifier verifier;
    /** The onboarding service, or {@code null} for {@link #verifyOnly}. */
    private final AuthService service;
    private final Endpoints endpoints;
    private final WebSettings web;
    private final Function<ContainerRequestContext, String> peerAddress;
    /** The discovery document, or {@code null} when none is served. */
    private final String discovery;

    private GatehouseFeature(AccessTokenVerifier verifier, AuthService service, WebSettings web,
                             Function<ContainerRequestContext, String> peerAddress, Endpoints endpoints, String discovery) {
        this.verifier = verifier;
        this.service = service;
        this.web = web;
        this.peerAddress = peerAddress;
        this.endpoints = endpoints;
        this.discovery = discovery;
    }

    /**
     * The full feature: endpoints, JWKS, authentication and authorization, for the service's keys
     * and tokens.
     */
    public static Builder builder(AuthService service) {
        return new Builder(Objects.requireNonNull(service, "service"), service.verifier());
    }

    /** Authentication and authorization only, for a service that verifies tokens issued elsewhere. */
    public static Builder verifyOnly(AccessTokenVerifier verifier) {
        return new Builder(null, Objects.requireNonNull(verifier, "verifier"));
    }

    /**
     * Registers the filter, the authorization, the exception mapper and (for {@link #builder}) the
     * endpoints.
     *
     * @throws IllegalStateException when the {@link AuthService} is not running: the application
     *                               must not start with endpoints that cannot answer
     */
    @Override
    public boolean configure(FeatureContext context) {
        if (service != null && !service.isRunning()) {
            throw new IllegalStateException("GatehouseFeature: the AuthService is not running: call its start() before the"
                    + " JAX-RS application starts (and its close() after the application stopped)");
        }
        context.register(new TokenAuthFilter(verifier, web, peerAddress));
        context.register(new AuthorizationFeature(web.realm(), verifier.settings().clock()));
        context.register(new GatehouseExceptionMapper(web.realm()));
        if (endpoints != null) {
            AuthResource auth = new AuthResource(endpoints);
            context.register(auth);
            context.register(new SessionsResource(auth));
            context.register(new MfaResource(auth));
            context.register(new JwksResource(endpoints.keys(), endpoints.jwksMaxAge()));
            if (discovery != null) {
                context.register(new DiscoveryResource(discovery, endpoints.jwksMaxAge()));
            }
        }
        return true;
    }

    /** Configures the feature. Not thread-safe. */
    public static final class Builder {
        private final AuthService service;
        private final AccessTokenVerifier verifier;
        private WebSettings web = WebSettings.defaults();
        private Function<ContainerRequestContext, String> peerAddress = request -> {
            Object value = request.getProperty(PEER_ADDRESS_PROPERTY);
            return value instanceof String address ? address : null;
        };
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration jwksMaxAge;
        private Duration asyncTimeout = DEFAULT_ASYNC_TIMEOUT;

        private Builder(AuthService service, AccessTokenVerifier verifier) {
            this.service = service;
            this.verifier = verifier;
        }

        /**
         * How tokens travel and what the channel must be: transports, cookie names, HTTPS
         * ({@link WebSettings.Builder#requireHttps}, on by default: tokens and credentials over
         * plain HTTP answer {@code 403} {@code urn:gatehouse:problem:https-required}, the auth
         * endpoints before reading the body), trusted proxies (the client a trusted proxy names is
         * the one per-client throttling counts; a loopback peer that sends forwarding headers
         * without being listed is refused, with one warning) and allowed origins; default
         * {@link WebSettings#defaults()}. Give the servlet filter of the same application the same
         * object.
         */
        public Builder web(WebSettings settings) {
            this.web = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * How to get the connection's peer address (for per-client throttling, and to exempt loopback
         * from the HTTPS requirement of {@link #web}). JAX-RS has no
         * portable API for it; the default reads the request property
         * {@value GatehouseFeature#PEER_ADDRESS_PROPERTY}, which a container-specific filter sets.
         * When the address is unknown ({@code null}), the per-client limit is not applied (a shared
         * bucket would let one client lock everyone out) and a warning is logged once; the
         * per-account limit always applies; and plain HTTP is refused even from loopback.
         */
        public Builder peerAddress(Function<ContainerRequestContext, String> peerAddress) {
            this.peerAddress = Objects.requireNonNull(peerAddress, "peerAddress");
            return this;
        }

        /** Largest body of an auth request, in bytes; default 16 KiB. Larger: {@code 413}. */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * {@code Cache-Control: max-age} of the JWKS and of the discovery metadata; default 5
         * minutes. Tie it to the key rotation schedule: a new key must be published at least this
         * long before it starts signing, so that every verifier's cached copy has it by then. With
         * a {@link ManagedKeySource} the default is capped at its
         * {@link ManagedKeySource#recommendedJwksMaxAge()}, and a larger explicit value is refused.
         */
        public Builder jwksMaxAge(Duration maxAge) {
            this.jwksMaxAge = maxAge;
            return this;
        }

        /** Longest wait for a register or login (queue plus hashing) before a {@code 503}; default 30 s. */
        public Builder asyncTimeout(Duration timeout) {
            this.asyncTimeout = timeout;
            return this;
        }

        public GatehouseFeature build() {
            if (maxBodyBytes < 256 || maxBodyBytes > 1 << 20) {
                throw new ConfigurationException("maxBodyBytes", "must be between 256 and 1048576");
            }
            Duration maxAge = jwksMaxAge == null ? DEFAULT_JWKS_MAX_AGE : jwksMaxAge;
            if (maxAge.isNegative()) {
                throw new ConfigurationException("jwksMaxAge", "must not be negative");
            }
            if (service != null && service.keys() instanceof ManagedKeySource managed) {
                Duration limit = managed.recommendedJwksMaxAge();
                if (jwksMaxAge == null && maxAge.compareTo(limit) > 0) {
                    maxAge = limit;
                } else if (maxAge.compareTo(limit) > 0) {
                    throw new ConfigurationException("jwksMaxAge", "is " + maxAge + ", longer than the key source's publish lead"
                            + " allows (" + limit + "): verifiers could miss a new key when it starts signing");
                }
            }
            if (asyncTimeout == null || asyncTimeout.isNegative() || asyncTimeout.isZero()) {
                throw new ConfigurationException("asyncTimeout", "must be positive");
            }
            if (!web.requireHttps()) {
                LOG.warn("GatehouseFeature: requireHttps(false), tokens and passwords are accepted over plain HTTP");
            }
            Endpoints endpoints = service == null ? null : new Endpoints(service, web, peerAddress, maxBodyBytes, maxAge,
                    asyncTimeout);
            String discovery = null;
            if (service != null) {
                String issuer = verifier.settings().issuer();
                discovery = DiscoveryResource.metadata(issuer).orElse(null);
                if (discovery == null) {
                    LOG.info("No discovery metadata is served: the issuer '{}' is not an http(s) URL", issuer);
                }
            }
            return new GatehouseFeature(verifier, service, web, peerAddress, endpoints, discovery);
        }
    }
}
