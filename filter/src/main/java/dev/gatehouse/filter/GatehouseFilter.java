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

package dev.gatehouse.filter;

import dev.gatehouse.web.WebSettings;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenType;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.web.TransportSecurity;
import dev.gatehouse.token.keys.RemoteJwksKeySource;
import dev.gatehouse.filter.internal.AuthenticatedRequest;
import dev.gatehouse.filter.internal.PathMatcher;
import dev.gatehouse.filter.internal.StepUpRules;
import dev.gatehouse.web.AuthenticationRequirement;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.filter.internal.ServletRequests;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A servlet filter that verifies Gatehouse access tokens (bearer header or HttpOnly cookie) and
 * makes the caller visible through {@link HttpServletRequest#getUserPrincipal()},
 * {@link HttpServletRequest#getRemoteUser()}, {@link HttpServletRequest#isUserInRole(String)} and
 * {@link HttpServletRequest#getAuthType()}, as container login would. It needs no database.
 *
 * <p>The verification keys come from one of:
 * <ul>
 *   <li>{@value #KEYS_FILE_PARAM}: a file read at start-up (the issuer's JWK Set saved to disk,
 *       or PEM) and read again when it changes (checked every {@value #KEYS_FILE_POLL_INTERVAL_PARAM});
 *       a broken new file keeps the keys read last;</li>
 *   <li>{@value #JWKS_URL_PARAM}: the issuer's JWK Set URL, fetched over HTTPS and cached by a
 *       {@link RemoteJwksKeySource} (refreshed in the background, re-fetched, rate-limited, when a
 *       token names an unknown key, the last good set kept while the issuer is unreachable), so
 *       that key rotation at the issuer needs no restart here. The filter owns that source:
 *       {@link #init} starts it once every init-param has been checked, {@link #destroy()} closes it;</li>
 *   <li>{@value #VERIFIER_ATTRIBUTE_PARAM}: a verifier the application built, and whose key source
 *       (and revocation check) it starts before the filter's {@code init} and closes after its
 *       {@code destroy} (in a {@code ServletContextListener}).</li>
 * </ul>
 *
 * <p>What it answers, per the HTTP contract:
 * <ul>
 *   <li>valid token → the request goes on, wrapped; the principal is an
 *       {@link AccessTokenPrincipal} whose name is the user's id;</li>
 *   <li>no token → {@code 401} with a bare {@code Bearer} challenge, except on
 *       {@value #PUBLIC_PATHS_PARAM} or when {@value #ALLOW_ANONYMOUS_PARAM} is {@code true};</li>
 *   <li>invalid, expired or revoked token → {@code 401 error="invalid_token"} (on public paths the
 *       request goes on anonymously instead, so that a stale cookie never blocks the login page);</li>
 *   <li>malformed {@code Authorization} header or two tokens → {@code 400 error="invalid_request"};</li>
 *   <li>a state-changing request authenticated by cookie without the CSRF header, or from another
 *       site → {@code 403};</li>
 *   <li>on a {@value #STEP_UP_PATHS_PARAM} path, a valid token whose login lacks the second factor
 *       or is older than the maximum age the rule sets → {@code 401} with an RFC 9470
 *       {@code error="insufficient_user_authentication"} challenge.</li>
 * </ul>
 *
 * <p>Credentials over plain HTTP are refused ({@value #REQUIRE_HTTPS_PARAM}, on by default): a
 * request over plain HTTP from other than loopback answers {@code 403} with the problem type
 * {@code urn:gatehouse:problem:https-required} and no challenge, whether or not it carries a token
 * (public paths still answer it, anonymously). Behind a TLS-terminating proxy, list the proxy in
 * {@value #TRUSTED_PROXIES_PARAM}: its {@code X-Forwarded-Proto} (or {@code Forwarded: proto=}) and
 * {@code X-Forwarded-For} are then believed; from any other peer they are ignored.
 *
 * <p>Configure it with {@code web.xml} init-params (the {@code *_PARAM} constants, each with a
 * {@code DEFAULT_*} where it has one), or build it in code with {@link #builder(AccessTokenVerifier)}.
 * A missing or invalid setting stops the web application from starting with a message that
 * names the init-param; the filter never starts half-configured.
 */
public final class GatehouseFilter implements Filter {
    private static final Logger LOG = System.getLogger(GatehouseFilter.class.getName());

    /**
     * The {@code iss} tokens must carry. Required unless {@value #VERIFIER_ATTRIBUTE_PARAM} or
     * {@value #ISSUER_URI_PARAM} is set (it defaults to the latter, and must then equal it).
     */
    public static final String ISSUER_PARAM = "issuer";
    /** The {@code aud} tokens must carry. Required unless {@value #VERIFIER_ATTRIBUTE_PARAM} is set. */
    public static final String AUDIENCE_PARAM = "audience";
    /**
     * A file with the verification keys: a JWK Set (the issuer's {@code /.well-known/jwks.json}
     * saved to disk) or PEM {@code PUBLIC KEY} blocks. Exactly one of this, {@value #JWKS_URL_PARAM}
     * and {@value #ISSUER_URI_PARAM} is required unless {@value #VERIFIER_ATTRIBUTE_PARAM} is set.
     */
    public static final String KEYS_FILE_PARAM = "keys-file";
    /**
     * How often the {@value #KEYS_FILE_PARAM} is checked for a change (its modification time and
     * size), an ISO-8601 duration; it is read again when it changed, and a broken new file keeps
     * the keys read last. {@code PT0S} reads it once, at start-up.
     */
    public static final String KEYS_FILE_POLL_INTERVAL_PARAM = "keys-file-poll-interval";
    public static final String DEFAULT_KEYS_FILE_POLL_INTERVAL = "PT10S";
    /**
     * The issuer's JWK Set URL, for a Gatehouse issuer {@code <issuer>/.well-known/jwks.json}.
     * Must be {@code https} (or {@code http} to a loopback address with
     * {@value #JWKS_ALLOW_HTTP_LOOPBACK_PARAM}). The keys are fetched when the filter starts ({@code init}
     * waits for that first fetch, at most the source's connect plus read timeout, and starts even if
     * it fails: tokens are then refused until a retry succeeds) and cached as
     * {@link RemoteJwksKeySource} describes, with its defaults; only
     * keys of the listed {@value #ALGORITHMS_PARAM} are used. Exactly one of this,
     * {@value #ISSUER_URI_PARAM} and {@value #KEYS_FILE_PARAM} is required unless
     * {@value #VERIFIER_ATTRIBUTE_PARAM} is set.
     */
    public static final String JWKS_URL_PARAM = "jwks-url";
    /**
     * The issuer's identifier, from which the filter finds its keys as Spring Security's
     * {@code issuer-uri} does: {@code init} reads {@code <issuer-uri>/.well-known/openid-configuration}
     * (or, failing that with a {@code 4xx}, RFC 8414's {@code /.well-known/oauth-authorization-server<path>}),
     * requires its {@code issuer} to equal this value character for character and its {@code jwks_uri}
     * to pass the rules of {@value #JWKS_URL_PARAM}, then uses that {@code jwks_uri} as
     * {@value #JWKS_URL_PARAM} would be used ({@link RemoteJwksKeySource#fromIssuer}). A document
     * naming another issuer, or without a usable {@code jwks_uri}, stops the filter; an issuer that
     * cannot be reached does not (tokens are refused until a retry succeeds). {@value #ISSUER_PARAM}
     * defaults to this value and, if set, must equal it. Not together with {@value #JWKS_URL_PARAM}
     * or {@value #KEYS_FILE_PARAM}; {@value #JWKS_ALLOW_HTTP_LOOPBACK_PARAM} applies to it.
     */
    public static final String ISSUER_URI_PARAM = "issuer-uri";
    /**
     * {@code true} allows a {@value #JWKS_URL_PARAM} with {@code http} to a loopback address
     * ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}): a sidecar on the same host, or tests.
     * Only with {@value #JWKS_URL_PARAM} or {@value #ISSUER_URI_PARAM}.
     */
    public static final String JWKS_ALLOW_HTTP_LOOPBACK_PARAM = "jwks-allow-http-loopback";
    public static final String DEFAULT_JWKS_ALLOW_HTTP_LOOPBACK = "false";
    /** Comma-separated algorithms accepted at all. */
    public static final String ALGORITHMS_PARAM = "algorithms";
    public static final String DEFAULT_ALGORITHMS = "RS256,ES256";
    /**
     * The JWT {@code typ} header the issuer writes, and the one accepted: {@code at+jwt} (RFC 9068)
     * or {@code JWT} (see docs/security.md, "The typ header").
     */
    public static final String TOKEN_TYPE_PARAM = "token-type";
    public static final String DEFAULT_TOKEN_TYPE = AccessTokenType.AT_JWT.headerValue();
    /**
     * Comma-separated {@code typ} headers accepted, for a switch of {@value #TOKEN_TYPE_PARAM}:
     * {@code at+jwt,JWT}. Must include {@value #TOKEN_TYPE_PARAM}; empty means that one alone.
     */
    public static final String ACCEPTED_TOKEN_TYPES_PARAM = "accepted-token-types";
    public static final String DEFAULT_ACCEPTED_TOKEN_TYPES = "";
    /** ISO-8601 duration of tolerated clock skew. */
    public static final String CLOCK_LEEWAY_PARAM = "clock-leeway";
    public static final String DEFAULT_CLOCK_LEEWAY = TokenSettings.DEFAULT_CLOCK_LEEWAY_TEXT;
    /** Longest token read, in characters; longer ones are refused unparsed. */
    public static final String MAX_TOKEN_SIZE_PARAM = "max-token-size";
    public static final String DEFAULT_MAX_TOKEN_SIZE = String.valueOf(TokenSettings.DEFAULT_MAX_TOKEN_SIZE);
    /**
     * {@code true} remembers tokens that verified, so that the next request with the same token
     * costs a lookup instead of a signature check (revocation and the key are still checked on
     * every request; see docs/security.md, "Verified-token cache").
     */
    public static final String VERIFIED_TOKEN_CACHE_PARAM = "verified-token-cache";
    public static final String DEFAULT_VERIFIED_TOKEN_CACHE = String.valueOf(TokenSettings.DEFAULT_VERIFIED_TOKEN_CACHE);
    /** The most verified tokens remembered (about 2 KiB each); from 1 to 1,000,000. */
    public static final String VERIFIED_TOKEN_CACHE_SIZE_PARAM = "verified-token-cache-size";
    public static final String DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = String.valueOf(TokenSettings.DEFAULT_VERIFIED_TOKEN_CACHE_SIZE);
    /** The {@code realm} of {@code WWW-Authenticate} challenges. */
    public static final String REALM_PARAM = "realm";
    public static final String DEFAULT_REALM = WebSettings.DEFAULT_REALM;
    /** Comma-separated transports read: {@code bearer}, {@code cookie}. */
    public static final String TRANSPORTS_PARAM = "transports";
    public static final String DEFAULT_TRANSPORTS = "bearer,cookie";
    /** Name of the access-token cookie. */
    public static final String ACCESS_COOKIE_PARAM = "access-cookie";
    public static final String DEFAULT_ACCESS_COOKIE = WebSettings.DEFAULT_ACCESS_COOKIE;
    /** Name of the CSRF cookie (double submit). */
    public static final String CSRF_COOKIE_PARAM = "csrf-cookie";
    public static final String DEFAULT_CSRF_COOKIE = WebSettings.DEFAULT_CSRF_COOKIE;
    /** Name of the header that must echo the CSRF cookie. */
    public static final String CSRF_HEADER_PARAM = "csrf-header";
    public static final String DEFAULT_CSRF_HEADER = WebSettings.DEFAULT_CSRF_HEADER;
    /** Comma-separated extra origins allowed to make cookie-authenticated state changes. */
    public static final String ALLOWED_ORIGINS_PARAM = "allowed-origins";
    public static final String DEFAULT_ALLOWED_ORIGINS = "";
    /** Comma-separated paths ({@code /a/b}) or prefixes ({@code /a/*}) that need no token. */
    public static final String PUBLIC_PATHS_PARAM = "public-paths";
    public static final String DEFAULT_PUBLIC_PATHS = "";
    /**
     * Paths that need a stronger or more recent login than a valid token alone (step-up), as rules
     * one per line or comma-separated: a path pattern as in {@value #PUBLIC_PATHS_PARAM}, then
     * {@code mfa} (the token's {@code amr} contains {@code mfa}), {@code max_age=<seconds>} (its
     * {@code auth_time} is at most that many seconds old), or both, separated by spaces:
     * {@code /account/* max_age=600, /admin/* mfa max_age=900}. The first rule whose pattern
     * matches applies. A matching request needs a token even on a {@value #PUBLIC_PATHS_PARAM}
     * path or with {@value #ALLOW_ANONYMOUS_PARAM}; a valid token that falls short is answered
     * {@code 401} with the RFC 9470 challenge and the problem type
     * {@code urn:gatehouse:problem:insufficient-user-authentication}. Default: none.
     */
    public static final String STEP_UP_PATHS_PARAM = "step-up-paths";
    public static final String DEFAULT_STEP_UP_PATHS = "";
    /** {@code true} lets requests without any token through unauthenticated, for the app to decide. */
    public static final String ALLOW_ANONYMOUS_PARAM = "allow-anonymous";
    public static final String DEFAULT_ALLOW_ANONYMOUS = "false";
    /**
     * {@code true} registers a Jakarta Authentication module with the container so that
     * {@code <security-constraint>}s honour Gatehouse tokens. Leave it {@code false} when the
     * application uses another container login (FORM, BASIC), which the module would replace.
     */
    public static final String CONTAINER_SECURITY_PARAM = "container-security";
    public static final String DEFAULT_CONTAINER_SECURITY = "false";
    /**
     * {@code true} refuses tokens over plain HTTP unless the client is on the loopback interface
     * (see {@link TransportSecurity}); {@code false} turns the check off (for a container that
     * only ever sees TLS-terminated traffic it cannot recognise as such, which is better fixed by
     * {@value #TRUSTED_PROXIES_PARAM} or Tomcat's {@code RemoteIpValve}).
     */
    public static final String REQUIRE_HTTPS_PARAM = "require-https";
    public static final String DEFAULT_REQUIRE_HTTPS = "true";
    /**
     * Comma-separated IP addresses of reverse proxies whose {@code X-Forwarded-Proto},
     * {@code Forwarded} and {@code X-Forwarded-For} headers are believed, written as the container
     * reports the peer address ({@code getRemoteAddr()}, e.g. {@code 0:0:0:0:0:0:0:1} for IPv6
     * loopback on Tomcat). A loopback peer that sends forwarding headers without being listed is
     * taken for a forgotten proxy on this host: its tokens are refused ({@code 403}, as for plain
     * HTTP), and a warning naming this init-param is logged once.
     */
    public static final String TRUSTED_PROXIES_PARAM = "trusted-proxies";
    public static final String DEFAULT_TRUSTED_PROXIES = "";
    /**
     * {@code true} lets the {@code 401} for a refused token name the class of check that failed
     * (issuer, audience, expired, signature, revoked, malformed) in an RFC 6750
     * {@code error_description} and the problem's {@code detail}; fixed texts, never token content.
     * {@code false} gives every refused token the same opaque answer.
     */
    public static final String ERROR_DESCRIPTIONS_PARAM = "error-descriptions";
    public static final String DEFAULT_ERROR_DESCRIPTIONS = "true";
    /**
     * Name of a {@link ServletContext} attribute holding an {@link AccessTokenVerifier} built by
     * the application (for example with revocation and rotating keys). When set, the token
     * settings ({@value #ISSUER_PARAM}, {@value #AUDIENCE_PARAM}, {@value #KEYS_FILE_PARAM},
     * {@value #JWKS_URL_PARAM}, {@value #ISSUER_URI_PARAM}, {@value #JWKS_ALLOW_HTTP_LOOPBACK_PARAM}, algorithms, leeway, size,
     * verified-token cache) come from that verifier and must not be given as init-params.
     */
    public static final String VERIFIER_ATTRIBUTE_PARAM = "verifier-attribute";

    private Builder programmatic;
    private volatile RequestAuthenticator authenticator;
    private PathMatcher publicPaths;
    private StepUpRules stepUpRules = StepUpRules.none();
    /** What a login's age is measured against: the verifier's {@code TokenSettings} clock. */
    private Clock clock;
    private boolean allowAnonymous;
    private ServletContext registeredWith;
    /** The key source this filter made from its init-params, stopped by {@link #destroy()}. */
    private OwnedKeys ownedKeys;

    /** A filter configured by init-params when the container calls {@link #init(FilterConfig)}. */
    public GatehouseFilter() {
    }

    private GatehouseFilter(Builder builder) {
        this.programmatic = builder;
    }

    /** Starts a filter configured in code; init-params are then ignored. */
    public static Builder builder(AccessTokenVerifier verifier) {
        return new Builder(verifier);
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        Builder b = null;
        try {
            b = programmatic != null ? programmatic : InitParams.read(config);
            this.ownedKeys = b.ownedKeys;
            if (!b.web.requireHttps()) {
                LOG.log(Level.WARNING, "Gatehouse filter: " + REQUIRE_HTTPS_PARAM + "=false, tokens are accepted over plain HTTP");
            }
            this.authenticator = new RequestAuthenticator(b.verifier, b.web);
            this.publicPaths = new PathMatcher(PUBLIC_PATHS_PARAM, b.publicPaths);
            this.stepUpRules = b.stepUpRules();
            this.clock = b.verifier.settings().clock();
            this.allowAnonymous = b.allowAnonymous;
            if (b.containerSecurity) {
                registerAuthModule(config.getServletContext());
            }
            if (ownedKeys != null) {
                // last: every init-param has been checked, so a bad one starts nothing
                try {
                    ownedKeys.start().run();
                } catch (ConfigurationException e) {
                    throw programmatic != null ? e : InitParams.named(e);
                }
            }
            // Start-up only, so built at once: b is not effectively final, a lambda could not read it.
            LOG.log(Level.INFO, "Gatehouse filter '" + config.getFilterName() + "' ready: " + b.verifier + ", public paths "
                    + b.publicPaths + ", step-up paths " + stepUpRules + ", anonymous " + b.allowAnonymous + ", container security " + b.containerSecurity
                    + ", transport: " + b.web);
        } catch (ConfigurationException e) {
            if (b != null && b.ownedKeys != null) {
                b.ownedKeys.close().run();
                ownedKeys = null;
            }
            LOG.log(Level.ERROR, () -> "Gatehouse filter '" + config.getFilterName() + "' cannot start: " + e.getMessage());
            throw new ServletException(e.getMessage(), e);
        }
    }

    private void registerAuthModule(ServletContext context) {
        if (!AuthModuleRegistration.available()) {
            throw new ConfigurationException(CONTAINER_SECURITY_PARAM,
                    "this container does not provide Jakarta Authentication (jakarta.security.auth.message)");
        }
        if (!AuthModuleRegistration.register(authenticator, context)) {
            throw new ConfigurationException(CONTAINER_SECURITY_PARAM, "the container has no Jakarta Authentication factory");
        }
        registeredWith = context;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        RequestAuthenticator auth = this.authenticator;
        if (auth == null) {
            // init() failed or never ran: refuse rather than pass (fail closed).
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        String path = contextRelativePath(request);
        AuthenticationRequirement stepUp = stepUpRules.requirementFor(path);
        if (request.getUserPrincipal() instanceof AccessTokenPrincipal principal) {
            // Already authenticated by the Gatehouse module inside the container: do not verify twice.
            if (meets(principal, stepUp, auth, response)) {
                chain.doFilter(request, response);
            }
            return;
        }

        RequestAuthenticator.Outcome outcome = auth.authenticate(ServletRequests.view(request));
        if (outcome.principal() != null) {
            if (meets(outcome.principal(), stepUp, auth, response)) {
                chain.doFilter(new AuthenticatedRequest(request, outcome.principal()), response);
            }
            return;
        }
        // a step-up path needs a token, whatever public-paths and allow-anonymous say
        boolean isPublic = stepUp == null && publicPaths.matches(path);
        if (isPublic || (stepUp == null && allowAnonymous && outcome.isAnonymous())) {
            chain.doFilter(request, response);
            return;
        }
        ServletRequests.reject(response, outcome);
    }

    /** Whether the login meets the path's step-up requirement (if any); when not, the refusal is written. */
    private boolean meets(AccessTokenPrincipal principal, AuthenticationRequirement stepUp, RequestAuthenticator auth,
                          HttpServletResponse response) throws IOException {
        if (stepUp == null || stepUp.isMetBy(principal, clock.instant())) {
            return true;
        }
        ServletRequests.write(response, stepUp.problem(), stepUp.challenge(auth.settings().realm()));
        return false;
    }

    /** The path as the container decoded and normalised it; the raw URI is never matched. */
    private static String contextRelativePath(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
        return path.isEmpty() ? "/" : path;
    }

    @Override
    public void destroy() {
        if (registeredWith != null) {
            try {
                AuthModuleRegistration.unregister(registeredWith);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "Could not unregister the Gatehouse authentication module ("
                    + e.getClass().getName() + ")");
            }
            registeredWith = null;
        }
        authenticator = null;
        if (ownedKeys != null) {
            ownedKeys.close().run();
            ownedKeys = null;
        }
    }

    /** Configures a filter in code. Not thread-safe; {@link #build()} gives the filter. */
    public static final class Builder {
        private final AccessTokenVerifier verifier;
        private WebSettings web = WebSettings.defaults();
        private List<String> publicPaths = List.of();
        private boolean allowAnonymous;
        private boolean containerSecurity;
        private final Map<String, AuthenticationRequirement> stepUps = new LinkedHashMap<>();
        /** Set only when built from init-params ({@value GatehouseFilter#STEP_UP_PATHS_PARAM}). */
        StepUpRules parsedStepUps;
        /**
         * Set only when built from init-params ({@value GatehouseFilter#KEYS_FILE_PARAM},
         * {@value GatehouseFilter#JWKS_URL_PARAM} or {@value GatehouseFilter#ISSUER_URI_PARAM}):
         * built, not started; {@code init} starts it.
         */
        OwnedKeys ownedKeys;

        private Builder(AccessTokenVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
        }

        /** Paths ({@code /a/b}) or prefixes ({@code /a/*}) that need no token; default none. */
        public Builder publicPaths(List<String> paths) {
            this.publicPaths = List.copyOf(paths);
            return this;
        }

        public Builder publicPaths(String... paths) {
            return publicPaths(Arrays.asList(paths));
        }

        /**
         * How tokens travel and what the channel must be (transports, cookie names, HTTPS, trusted
         * proxies, allowed origins); default {@link WebSettings#defaults()}. Give the JAX-RS feature
         * of the same application the same object.
         */
        public Builder web(WebSettings settings) {
            this.web = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Requests to {@code pattern} (a path {@code /a/b} or a prefix {@code /a/*}) need a login
         * that meets {@code requirement}: a second factor, a recent login, or both; default none. Rules
         * apply in the order they were added, the first matching one alone. A matching request needs a
         * token even on a {@linkplain #publicPaths public path} or with {@link #allowAnonymous}; a
         * valid token that falls short is answered {@code 401} with the RFC 9470 challenge.
         *
         * @throws ConfigurationException if the pattern is malformed or was given before
         */
        public Builder stepUp(String pattern, AuthenticationRequirement requirement) {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(requirement, "requirement");
            new PathMatcher(STEP_UP_PATHS_PARAM, List.of(pattern));
            if (stepUps.containsKey(pattern)) {
                throw new ConfigurationException(STEP_UP_PATHS_PARAM, "'" + pattern + "' has a rule already");
            }
            stepUps.put(pattern, requirement);
            return this;
        }

        StepUpRules stepUpRules() {
            return parsedStepUps != null ? parsedStepUps : StepUpRules.of(STEP_UP_PATHS_PARAM, stepUps);
        }

        /** Let requests without any token through unauthenticated; default {@code false}. */
        public Builder allowAnonymous(boolean allow) {
            this.allowAnonymous = allow;
            return this;
        }

        /** Register the Jakarta Authentication module for {@code <security-constraint>}s; default {@code false}. */
        public Builder containerSecurity(boolean enable) {
            this.containerSecurity = enable;
            return this;
        }

        /** The verifier given to {@link GatehouseFilter#builder}. */
        AccessTokenVerifier verifier() {
            return verifier;
        }

        /** The filter; settings are validated when the container calls {@code init}. */
        public GatehouseFilter build() {
            new PathMatcher(PUBLIC_PATHS_PARAM, publicPaths);
            return new GatehouseFilter(this);
        }
    }
}
