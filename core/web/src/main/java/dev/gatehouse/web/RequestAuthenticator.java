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

package dev.gatehouse.web;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.InvalidTokenException;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;

/**
 * Decides what a request's credentials are worth: the one authentication strategy that every
 * adapter (servlet filter, Jakarta Authentication module, JAX-RS filter) delegates to, so they
 * cannot drift apart. Locates the token ({@link TokenLocator}), verifies it
 * ({@link AccessTokenVerifier}), and for a token that came in a cookie on a state-changing request
 * applies the {@link CsrfPolicy}. Thread-safe; never throws (fail closed).
 *
 * <p>Before any of that, the {@link TransportSecurity} decides whether the request came over a
 * channel fit for credentials. On plain HTTP from other than loopback (with HTTPS required, the
 * default) every request is refused with {@link Problem#httpsRequired()} ({@code 403}, no
 * challenge) without looking at the token; a request without any credentials keeps
 * {@link Outcome#isAnonymous()}, so public paths still answer.
 */
public final class RequestAuthenticator {
    private static final Logger LOG = System.getLogger(RequestAuthenticator.class.getName());

    /** The few things the authenticator reads of a request, whatever the container. */
    public interface HttpRequestView {
        /** The HTTP method. */
        String method();

        /** Every value of a header, in order; an empty list when absent. */
        List<String> headers(String name);

        /**
         * The origin the request was addressed to ({@code scheme://host:port}). Behind a
         * TLS-terminating proxy this must reflect the proxy's forwarded protocol, or the public
         * origin must be in the CSRF policy's allowed origins.
         */
        String ownOrigin();

        /**
         * Whether the connection itself is HTTPS ({@code ServletRequest.isSecure()}, or the request
         * URI's scheme). Forwarded headers are not applied here: {@link TransportSecurity} does that,
         * for trusted proxies only.
         */
        boolean isSecure();

        /** The connection's peer address (an IP literal), or {@code null} when the container does not say. */
        String peerAddress();

        /** The first value of a header, or {@code null}. */
        default String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /** The outcome for one request. Immutable. */
    public static final class Outcome {
        private final AccessTokenPrincipal principal;
        private final Transport transport;
        private final Problem problem;
        private final String challenge;
        private final boolean credentialsPresent;

        private Outcome(AccessTokenPrincipal principal, Transport transport, Problem problem, String challenge,
                        boolean credentialsPresent) {
            this.principal = principal;
            this.transport = transport;
            this.problem = problem;
            this.challenge = challenge;
            this.credentialsPresent = credentialsPresent;
        }

        /** A caller authenticated elsewhere (for example by the servlet filter of the same application). */
        public static Outcome authenticated(AccessTokenPrincipal principal, Transport transport) {
            return new Outcome(Objects.requireNonNull(principal, "principal"), transport, null, null, true);
        }

        /** The authenticated caller, or {@code null}. */
        public AccessTokenPrincipal principal() {
            return principal;
        }

        /** The transport the token came in, or {@code null} when unknown or unauthenticated. */
        public Transport transport() {
            return transport;
        }

        /** Whether the request is refused (then {@link #principal()} is {@code null}). */
        public boolean isRejected() {
            return problem != null;
        }

        /** Whether the request carried no credentials at all. */
        public boolean isAnonymous() {
            return !credentialsPresent;
        }

        /** Why it is refused, or {@code null}. */
        public Problem problem() {
            return problem;
        }

        /** The {@code WWW-Authenticate} value of a rejection, or {@code null} (a 403 has none). */
        public String challenge() {
            return challenge;
        }
    }

    private final AccessTokenVerifier verifier;
    private final WebSettings settings;
    private final TokenLocator locator;
    private final CsrfPolicy csrf;
    private final TransportSecurity transport;

    /** An authenticator of the tokens {@code verifier} accepts, carried and checked as {@code settings} say. */
    public RequestAuthenticator(AccessTokenVerifier verifier, WebSettings settings) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.locator = new TokenLocator(settings);
        this.csrf = new CsrfPolicy(settings);
        this.transport = settings.transportSecurity();
    }

    public TransportSecurity transport() {
        return transport;
    }

    public WebSettings settings() {
        return settings;
    }

    public AccessTokenVerifier verifier() {
        return verifier;
    }

    /** Authenticates a request. Never throws: any failure is a rejection. */
    public Outcome authenticate(HttpRequestView request) {
        String realm = settings.realm();
        try {
            List<String> cookies = request.headers("Cookie");
            LocatedToken located = locator.locate(request.headers("Authorization"), cookies, false);
            String insecure = transport.refusal(request);
            if (insecure != null) {
                boolean credentials = located.kind() != LocatedToken.Kind.NONE;
                if (credentials) {
                    // The token itself is never logged, nor verified: it is refused unread.
                    LOG.log(Level.DEBUG, () -> "Access token refused unverified: " + insecure
                            + "; it must be treated as exposed");
                }
                return new Outcome(null, null, Problem.httpsRequired(), null, credentials);
            }
            if (located.kind() == LocatedToken.Kind.NONE) {
                return new Outcome(null, null, Problem.unauthenticated(), Challenge.bare(realm), false);
            }
            if (located.kind() == LocatedToken.Kind.MALFORMED) {
                return new Outcome(null, null, Problem.invalidRequest(located.problem()), Challenge.invalidRequest(realm), true);
            }
            AccessTokenPrincipal principal;
            try {
                String token = located.token();
                try {
                    principal = verifier.verify(token); // the verified-token cache first, then every check
                } catch (InvalidTokenException e) {
                    // Only now the bearer syntax the locator left to us (RFC 6750 §2.1): a token the
                    // verifier accepts is base64url in three parts, so always a b64token, and a
                    // request whose header is not "Bearer <b64token>" is malformed (400), not merely
                    // carrying a bad token (401).
                    if (located.transport() == Transport.BEARER && !TokenLocator.isB64Token(token)) {
                        return new Outcome(null, null, Problem.invalidRequest(TokenLocator.NOT_ONE_BEARER_TOKEN),
                                Challenge.invalidRequest(realm), true);
                    }
                    throw e;
                }
            } catch (InvalidTokenException e) {
                LOG.log(Level.DEBUG, () -> "Access token refused: " + e.reason() + " (" + e.getMessage() + ")");
                String description = settings.errorDescriptions() ? Challenge.description(e) : null;
                return new Outcome(null, null, Problem.invalidToken(description), Challenge.invalidToken(realm, description), true);
            }
            if (located.transport() == Transport.COOKIE) {
                String refusal = csrf.check(request.method(), cookies, request.header(settings.csrfHeaderName()),
                        request.header("Sec-Fetch-Site"), request.header("Origin"), request.ownOrigin());
                if (refusal != null) {
                    LOG.log(Level.DEBUG, () -> "Cookie-authenticated " + request.method() + " refused: " + refusal);
                    return new Outcome(null, null, Problem.forbidden(refusal), null, true);
                }
            }
            return new Outcome(principal, located.transport(), null, null, true);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, () -> "Unexpected failure while authenticating a request; refusing it ("
                    + e.getClass().getName() + ")");
            String description = settings.errorDescriptions() ? Challenge.UNVERIFIABLE_DESCRIPTION : null;
            return new Outcome(null, null, Problem.invalidToken(description), Challenge.invalidToken(realm, description), true);
        }
    }
}
