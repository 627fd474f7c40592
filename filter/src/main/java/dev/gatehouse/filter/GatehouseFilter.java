package dev.gatehouse.filter;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.web.CsrfPolicy;
import dev.gatehouse.token.GatehouseSettings;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.Transport;
import dev.gatehouse.web.TransportSecurity;
import dev.gatehouse.token.keys.RemoteJwksKeySource;
import dev.gatehouse.filter.internal.AuthenticatedRequest;
import dev.gatehouse.filter.internal.PathMatcher;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A servlet filter that verifies Gatehouse access tokens (bearer header or HttpOnly cookie) and
 * makes the caller visible through {@link HttpServletRequest#getUserPrincipal()},
 * {@link HttpServletRequest#getRemoteUser()}, {@link HttpServletRequest#isUserInRole(String)} and
 * {@link HttpServletRequest#getAuthType()}, as container login would. It needs no database.
 *
 * <p>The verification keys come from one of:
 * <ul>
 *   <li>{@value #KEYS_FILE_PARAM}: a file read once at start-up (the issuer's JWK Set saved to
 *       disk, or PEM);</li>
 *   <li>{@value #JWKS_URL_PARAM}: the issuer's JWK Set URL, fetched over HTTPS and cached by a
 *       {@link RemoteJwksKeySource} (refreshed in the background, re-fetched, rate-limited, when a
 *       token names an unknown key, the last good set kept while the issuer is unreachable), so
 *       that key rotation at the issuer needs no restart here. {@link #destroy()} stops it;</li>
 *   <li>{@value #VERIFIER_ATTRIBUTE_PARAM}: a verifier the application built.</li>
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
 *       site → {@code 403}.</li>
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
    private static final Logger LOG = LoggerFactory.getLogger(GatehouseFilter.class);

    /** The {@code iss} tokens must carry. Required unless {@value #VERIFIER_ATTRIBUTE_PARAM} is set. */
    public static final String ISSUER_PARAM = "issuer";
    /** The {@code aud} tokens must carry. Required unless {@value #VERIFIER_ATTRIBUTE_PARAM} is set. */
    public static final String AUDIENCE_PARAM = "audience";
    /**
     * A file with the verification keys: a JWK Set (the issuer's {@code /.well-known/jwks.json}
     * saved to disk) or PEM {@code PUBLIC KEY} blocks. Exactly one of this and
     * {@value #JWKS_URL_PARAM} is required unless {@value #VERIFIER_ATTRIBUTE_PARAM} is set.
     */
    public static final String KEYS_FILE_PARAM = "keys-file";
    /**
     * The issuer's JWK Set URL, for a Gatehouse issuer {@code <issuer>/.well-known/jwks.json}.
     * Must be {@code https} (or {@code http} to a loopback address with
     * {@value #JWKS_ALLOW_HTTP_LOOPBACK_PARAM}). The keys are fetched in the background when the
     * filter starts and cached as {@link RemoteJwksKeySource} describes, with its defaults; only
     * keys of the listed {@value #ALGORITHMS_PARAM} are used. Exactly one of this and
     * {@value #KEYS_FILE_PARAM} is required unless {@value #VERIFIER_ATTRIBUTE_PARAM} is set.
     */
    public static final String JWKS_URL_PARAM = "jwks-url";
    /**
     * {@code true} allows a {@value #JWKS_URL_PARAM} with {@code http} to a loopback address
     * ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}): a sidecar on the same host, or tests.
     * Only with {@value #JWKS_URL_PARAM}.
     */
    public static final String JWKS_ALLOW_HTTP_LOOPBACK_PARAM = "jwks-allow-http-loopback";
    public static final String DEFAULT_JWKS_ALLOW_HTTP_LOOPBACK = "false";
    /** Comma-separated algorithms accepted at all. */
    public static final String ALGORITHMS_PARAM = "algorithms";
    public static final String DEFAULT_ALGORITHMS = "RS256,ES256";
    /** ISO-8601 duration of tolerated clock skew. */
    public static final String CLOCK_LEEWAY_PARAM = "clock-leeway";
    public static final String DEFAULT_CLOCK_LEEWAY = GatehouseSettings.DEFAULT_CLOCK_LEEWAY_TEXT;
    /** Longest token read, in characters; longer ones are refused unparsed. */
    public static final String MAX_TOKEN_SIZE_PARAM = "max-token-size";
    public static final String DEFAULT_MAX_TOKEN_SIZE = String.valueOf(GatehouseSettings.DEFAULT_MAX_TOKEN_SIZE);
    /**
     * {@code true} remembers tokens that verified, so that the next request with the same token
     * costs a lookup instead of a signature check (revocation and the key are still checked on
     * every request; see docs/security.md, "Verified-token cache").
     */
    public static final String VERIFIED_TOKEN_CACHE_PARAM = "verified-token-cache";
    public static final String DEFAULT_VERIFIED_TOKEN_CACHE = String.valueOf(GatehouseSettings.DEFAULT_VERIFIED_TOKEN_CACHE);
    /** The most verified tokens remembered (about 2 KiB each); from 1 to 1,000,000. */
    public static final String VERIFIED_TOKEN_CACHE_SIZE_PARAM = "verified-token-cache-size";
    public static final String DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = String.valueOf(GatehouseSettings.DEFAULT_VERIFIED_TOKEN_CACHE_SIZE);
    /** The {@code realm} of {@code WWW-Authenticate} challenges. */
    public static final String REALM_PARAM = "realm";
    public static final String DEFAULT_REALM = GatehouseSettings.DEFAULT_REALM;
    /** Comma-separated transports read: {@code bearer}, {@code cookie}. */
    public static final String TRANSPORTS_PARAM = "transports";
    public static final String DEFAULT_TRANSPORTS = "bearer,cookie";
    /** Name of the access-token cookie. */
    public static final String ACCESS_COOKIE_PARAM = "access-cookie";
    public static final String DEFAULT_ACCESS_COOKIE = GatehouseSettings.DEFAULT_ACCESS_COOKIE;
    /** Name of the CSRF cookie (double submit). */
    public static final String CSRF_COOKIE_PARAM = "csrf-cookie";
    public static final String DEFAULT_CSRF_COOKIE = GatehouseSettings.DEFAULT_CSRF_COOKIE;
    /** Name of the header that must echo the CSRF cookie. */
    public static final String CSRF_HEADER_PARAM = "csrf-header";
    public static final String DEFAULT_CSRF_HEADER = GatehouseSettings.DEFAULT_CSRF_HEADER;
    /** Comma-separated extra origins allowed to make cookie-authenticated state changes. */
    public static final String ALLOWED_ORIGINS_PARAM = "allowed-origins";
    public static final String DEFAULT_ALLOWED_ORIGINS = "";
    /** Comma-separated paths ({@code /a/b}) or prefixes ({@code /a/*}) that need no token. */
    public static final String PUBLIC_PATHS_PARAM = "public-paths";
    public static final String DEFAULT_PUBLIC_PATHS = "";
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
     * Name of a {@link ServletContext} attribute holding an {@link AccessTokenVerifier} built by
     * the application (for example with revocation and rotating keys). When set, the token
     * settings ({@value #ISSUER_PARAM}, {@value #AUDIENCE_PARAM}, {@value #KEYS_FILE_PARAM},
     * {@value #JWKS_URL_PARAM}, {@value #JWKS_ALLOW_HTTP_LOOPBACK_PARAM}, algorithms, leeway, size,
     * verified-token cache, realm, transports, cookie and header names) come from that verifier and must not be given
     * as init-params.
     */
    public static final String VERIFIER_ATTRIBUTE_PARAM = "verifier-attribute";

    private static final List<String> TOKEN_PARAMS = List.of(ISSUER_PARAM, AUDIENCE_PARAM, KEYS_FILE_PARAM, JWKS_URL_PARAM,
            JWKS_ALLOW_HTTP_LOOPBACK_PARAM, ALGORITHMS_PARAM, CLOCK_LEEWAY_PARAM, MAX_TOKEN_SIZE_PARAM,
            VERIFIED_TOKEN_CACHE_PARAM, VERIFIED_TOKEN_CACHE_SIZE_PARAM, REALM_PARAM,
            TRANSPORTS_PARAM, ACCESS_COOKIE_PARAM, CSRF_COOKIE_PARAM, CSRF_HEADER_PARAM);
    private static final List<String> ALL_PARAMS;

    static {
        List<String> all = new ArrayList<>(TOKEN_PARAMS);
        all.addAll(List.of(ALLOWED_ORIGINS_PARAM, PUBLIC_PATHS_PARAM, ALLOW_ANONYMOUS_PARAM, CONTAINER_SECURITY_PARAM,
                REQUIRE_HTTPS_PARAM, TRUSTED_PROXIES_PARAM, VERIFIER_ATTRIBUTE_PARAM));
        ALL_PARAMS = List.copyOf(all);
    }

    private Builder programmatic;
    private volatile RequestAuthenticator authenticator;
    private PathMatcher publicPaths;
    private boolean allowAnonymous;
    private ServletContext registeredWith;
    /** The remote key source this filter made from {@value #JWKS_URL_PARAM}, stopped by {@link #destroy()}. */
    private RemoteJwksKeySource ownedKeys;

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
            b = programmatic != null ? programmatic : fromInitParams(config);
            this.ownedKeys = b.ownedKeys;
            CsrfPolicy csrf = new CsrfPolicy(b.verifier.settings(), b.allowedOrigins);
            TransportSecurity transport = transportSecurity(b);
            this.authenticator = new RequestAuthenticator(b.verifier, csrf, transport);
            this.publicPaths = new PathMatcher(PUBLIC_PATHS_PARAM, b.publicPaths);
            this.allowAnonymous = b.allowAnonymous;
            if (b.containerSecurity) {
                registerAuthModule(config.getServletContext());
            }
            LOG.info("Gatehouse filter '{}' ready: {}, public paths {}, anonymous {}, container security {}, transport: {}",
                    config.getFilterName(), b.verifier, b.publicPaths, b.allowAnonymous, b.containerSecurity, transport);
        } catch (ConfigurationException e) {
            if (b != null && b.ownedKeys != null) {
                b.ownedKeys.close();
                ownedKeys = null;
            }
            LOG.error("Gatehouse filter '{}' cannot start: {}", config.getFilterName(), e.getMessage());
            throw new ServletException(e.getMessage(), e);
        }
    }

    private static TransportSecurity transportSecurity(Builder b) {
        for (String proxy : b.trustedProxies) {
            if (!TransportSecurity.isAddressLiteral(proxy)) {
                throw new ConfigurationException(TRUSTED_PROXIES_PARAM, "'" + proxy + "' is not an IP address literal");
            }
        }
        if (!b.requireHttps) {
            LOG.warn("Gatehouse filter: {}=false, tokens are accepted over plain HTTP", REQUIRE_HTTPS_PARAM);
        }
        return new TransportSecurity(b.requireHttps, b.trustedProxies);
    }

    private void registerAuthModule(ServletContext context) {
        try {
            Class.forName("jakarta.security.auth.message.config.AuthConfigFactory");
        } catch (ClassNotFoundException e) {
            throw new ConfigurationException(CONTAINER_SECURITY_PARAM,
                    "this container does not provide Jakarta Authentication (jakarta.security.auth.message)");
        }
        jakarta.security.auth.message.config.AuthConfigFactory factory =
                jakarta.security.auth.message.config.AuthConfigFactory.getFactory();
        if (factory == null) {
            throw new ConfigurationException(CONTAINER_SECURITY_PARAM, "the container has no Jakarta Authentication factory");
        }
        factory.registerServerAuthModule(new GatehouseAuthModule(authenticator), context);
        registeredWith = context;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            chain.doFilter(req, res);
            return;
        }
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        RequestAuthenticator auth = this.authenticator;
        if (auth == null) {
            // init() failed or never ran: refuse rather than pass (fail closed).
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        if (request.getUserPrincipal() instanceof AccessTokenPrincipal) {
            // Already authenticated by the Gatehouse module inside the container: do not verify twice.
            chain.doFilter(request, response);
            return;
        }

        RequestAuthenticator.Outcome outcome = auth.authenticate(ServletRequests.view(request));
        if (outcome.principal() != null) {
            chain.doFilter(new AuthenticatedRequest(request, outcome.principal()), response);
            return;
        }
        boolean isPublic = publicPaths.matches(contextRelativePath(request));
        if (isPublic || (allowAnonymous && outcome.isAnonymous())) {
            chain.doFilter(request, response);
            return;
        }
        ServletRequests.reject(response, outcome);
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
                jakarta.security.auth.message.config.AuthConfigFactory.getFactory().removeServerAuthModule(registeredWith);
            } catch (RuntimeException e) {
                LOG.warn("Could not unregister the Gatehouse authentication module ({})", e.getClass().getName());
            }
            registeredWith = null;
        }
        authenticator = null;
        if (ownedKeys != null) {
            ownedKeys.close();
            ownedKeys = null;
        }
    }

    /**
     * Core settings whose names differ from the init-params that feed them: an error must name
     * what the operator wrote in web.xml ({@code clock-leeway}), not a builder method ({@code clockLeeway}).
     */
    private static final Map<String, String> INIT_PARAM_OF_SETTING = Map.of(
            "acceptedAlgorithms", ALGORITHMS_PARAM,
            "clockLeeway", CLOCK_LEEWAY_PARAM,
            "maxTokenSize", MAX_TOKEN_SIZE_PARAM,
            "accessCookieName", ACCESS_COOKIE_PARAM,
            "csrfCookieName", CSRF_COOKIE_PARAM,
            "csrfHeaderName", CSRF_HEADER_PARAM,
            "allowedOrigins", ALLOWED_ORIGINS_PARAM,
            "keys", KEYS_FILE_PARAM,
            "jwksUrl", JWKS_URL_PARAM,
            "verifiedTokenCacheSize", VERIFIED_TOKEN_CACHE_SIZE_PARAM);

    private static Builder fromInitParams(FilterConfig config) {
        try {
            Builder b = readInitParams(config);
            try {
                // Validated here as well as in init(), so that a bad origin is reported as the init-param.
                new CsrfPolicy(b.verifier.settings(), b.allowedOrigins);
            } catch (RuntimeException e) {
                if (b.ownedKeys != null) {
                    b.ownedKeys.close();
                }
                throw e;
            }
            return b;
        } catch (ConfigurationException e) {
            String param = INIT_PARAM_OF_SETTING.get(e.setting());
            if (param == null) {
                throw e;
            }
            throw new ConfigurationException(param, e.problem(), e);
        }
    }

    private static Builder readInitParams(FilterConfig config) {
        for (String name : java.util.Collections.list(config.getInitParameterNames())) {
            if (!ALL_PARAMS.contains(name)) {
                throw new ConfigurationException(name, "is not a Gatehouse filter init-param; known: " + ALL_PARAMS);
            }
        }
        AccessTokenVerifier verifier;
        RemoteJwksKeySource remote = null;
        String attribute = param(config, VERIFIER_ATTRIBUTE_PARAM, null);
        if (attribute != null) {
            for (String name : TOKEN_PARAMS) {
                if (config.getInitParameter(name) != null) {
                    throw new ConfigurationException(name, "must not be set together with " + VERIFIER_ATTRIBUTE_PARAM
                            + " (the verifier carries the token settings)");
                }
            }
            Object value = config.getServletContext().getAttribute(attribute);
            if (!(value instanceof AccessTokenVerifier)) {
                throw new ConfigurationException(VERIFIER_ATTRIBUTE_PARAM, "the servlet-context attribute '" + attribute
                        + "' holds no AccessTokenVerifier (set it in a ServletContextListener)");
            }
            verifier = (AccessTokenVerifier) value;
        } else {
            ParamVerifier fromParams = verifierFromParams(config);
            verifier = fromParams.verifier;
            remote = fromParams.remote;
        }
        try {
            Builder b = new Builder(verifier);
            b.ownedKeys = remote;
            b.publicPaths(list(param(config, PUBLIC_PATHS_PARAM, DEFAULT_PUBLIC_PATHS)));
            b.allowedOrigins(new LinkedHashSet<>(list(param(config, ALLOWED_ORIGINS_PARAM, DEFAULT_ALLOWED_ORIGINS))));
            b.allowAnonymous(bool(ALLOW_ANONYMOUS_PARAM, param(config, ALLOW_ANONYMOUS_PARAM, DEFAULT_ALLOW_ANONYMOUS)));
            b.containerSecurity(bool(CONTAINER_SECURITY_PARAM, param(config, CONTAINER_SECURITY_PARAM, DEFAULT_CONTAINER_SECURITY)));
            b.requireHttps(bool(REQUIRE_HTTPS_PARAM, param(config, REQUIRE_HTTPS_PARAM, DEFAULT_REQUIRE_HTTPS)));
            b.trustedProxies(new LinkedHashSet<>(list(param(config, TRUSTED_PROXIES_PARAM, DEFAULT_TRUSTED_PROXIES))));
            return b;
        } catch (RuntimeException e) {
            if (remote != null) {
                remote.close();
            }
            throw e;
        }
    }

    /** A verifier made from init-params, and the remote key source it owns (or {@code null}). */
    private static final class ParamVerifier {
        final AccessTokenVerifier verifier;
        final RemoteJwksKeySource remote;

        ParamVerifier(AccessTokenVerifier verifier, RemoteJwksKeySource remote) {
            this.verifier = verifier;
            this.remote = remote;
        }
    }

    private static ParamVerifier verifierFromParams(FilterConfig config) {
        String issuer = required(config, ISSUER_PARAM);
        String audience = required(config, AUDIENCE_PARAM);
        String keysFile = nonEmpty(param(config, KEYS_FILE_PARAM, null));
        String jwksUrl = nonEmpty(param(config, JWKS_URL_PARAM, null));
        String allowHttpLoopback = nonEmpty(param(config, JWKS_ALLOW_HTTP_LOOPBACK_PARAM, null));
        if (keysFile != null && jwksUrl != null) {
            throw new ConfigurationException(JWKS_URL_PARAM, "must not be set together with " + KEYS_FILE_PARAM + " (use one of them)");
        }
        if (keysFile == null && jwksUrl == null) {
            throw new ConfigurationException(KEYS_FILE_PARAM, "is required (or set " + JWKS_URL_PARAM + ", or "
                    + VERIFIER_ATTRIBUTE_PARAM + ")");
        }
        if (jwksUrl == null && allowHttpLoopback != null) {
            throw new ConfigurationException(JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "applies only together with " + JWKS_URL_PARAM);
        }
        boolean httpLoopback = bool(JWKS_ALLOW_HTTP_LOOPBACK_PARAM,
                allowHttpLoopback == null ? DEFAULT_JWKS_ALLOW_HTTP_LOOPBACK : allowHttpLoopback);
        Set<SigningAlgorithm> algorithms = EnumSet.noneOf(SigningAlgorithm.class);
        for (String name : list(param(config, ALGORITHMS_PARAM, DEFAULT_ALGORITHMS))) {
            algorithms.add(SigningAlgorithm.parse(ALGORITHMS_PARAM, name));
        }
        Set<Transport> transports = EnumSet.noneOf(Transport.class);
        for (String name : list(param(config, TRANSPORTS_PARAM, DEFAULT_TRANSPORTS))) {
            Transport t = Transport.fromWireName(name);
            if (t == null) {
                throw new ConfigurationException(TRANSPORTS_PARAM, "'" + name + "' is not one of bearer, cookie");
            }
            transports.add(t);
        }
        GatehouseSettings settings = GatehouseSettings.builder(issuer, audience)
                .acceptedAlgorithms(algorithms.isEmpty() ? null : algorithms)
                .clockLeeway(duration(CLOCK_LEEWAY_PARAM, param(config, CLOCK_LEEWAY_PARAM, DEFAULT_CLOCK_LEEWAY)))
                .maxTokenSize(integer(MAX_TOKEN_SIZE_PARAM, param(config, MAX_TOKEN_SIZE_PARAM, DEFAULT_MAX_TOKEN_SIZE)))
                .verifiedTokenCache(bool(VERIFIED_TOKEN_CACHE_PARAM,
                        param(config, VERIFIED_TOKEN_CACHE_PARAM, DEFAULT_VERIFIED_TOKEN_CACHE)))
                .verifiedTokenCacheSize(integer(VERIFIED_TOKEN_CACHE_SIZE_PARAM,
                        param(config, VERIFIED_TOKEN_CACHE_SIZE_PARAM, DEFAULT_VERIFIED_TOKEN_CACHE_SIZE)))
                .realm(param(config, REALM_PARAM, DEFAULT_REALM))
                .transports(transports)
                .accessCookieName(param(config, ACCESS_COOKIE_PARAM, DEFAULT_ACCESS_COOKIE))
                .csrfCookieName(param(config, CSRF_COOKIE_PARAM, DEFAULT_CSRF_COOKIE))
                .csrfHeaderName(param(config, CSRF_HEADER_PARAM, DEFAULT_CSRF_HEADER))
                .build();
        if (jwksUrl != null) {
            // Built last: it starts a thread, which nothing after this can leak.
            RemoteJwksKeySource remote = RemoteJwksKeySource.builder(jwksUrl)
                    .acceptedAlgorithms(algorithms)
                    .allowHttpLoopback(httpLoopback)
                    .build();
            return new ParamVerifier(new AccessTokenVerifier(settings, remote), remote);
        }
        KeySet keys = KeySet.verifyOnly(KeyFiles.load(KEYS_FILE_PARAM, Path.of(keysFile)).keys());
        for (var key : keys.keys()) {
            if (!algorithms.contains(key.algorithm())) {
                throw new ConfigurationException(ALGORITHMS_PARAM, "key '" + key.kid() + "' in " + KEYS_FILE_PARAM + " is "
                        + key.algorithm() + ", which is not listed");
            }
        }
        return new ParamVerifier(new AccessTokenVerifier(settings, keys), null);
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String param(FilterConfig config, String name, String defaultValue) {
        String value = config.getInitParameter(name);
        return value == null ? defaultValue : value.strip();
    }

    private static String required(FilterConfig config, String name) {
        String value = param(config, name, null);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException(name, "is required (or set " + VERIFIER_ATTRIBUTE_PARAM + ")");
        }
        return value;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static boolean bool(String name, String value) {
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw new ConfigurationException(name, "must be true or false, not '" + value + "'");
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "'" + value + "' is not a whole number");
        }
    }

    private static Duration duration(String name, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(name, "'" + value + "' is not an ISO-8601 duration such as PT30S");
        }
    }

    /** Configures a filter in code. Not thread-safe; {@link #build()} gives the filter. */
    public static final class Builder {
        private final AccessTokenVerifier verifier;
        private List<String> publicPaths = List.of();
        private Set<String> allowedOrigins = Set.of();
        private boolean allowAnonymous;
        private boolean containerSecurity;
        private boolean requireHttps = true;
        private Set<String> trustedProxies = Set.of();
        /** Set only when built from init-params with {@value GatehouseFilter#JWKS_URL_PARAM}. */
        private RemoteJwksKeySource ownedKeys;

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

        /** Extra origins allowed to make cookie-authenticated state changes; default none. */
        public Builder allowedOrigins(Set<String> origins) {
            this.allowedOrigins = Set.copyOf(origins);
            return this;
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

        /**
         * Refuse tokens over plain HTTP unless the client is on loopback; default {@code true}
         * ({@value GatehouseFilter#REQUIRE_HTTPS_PARAM}).
         */
        public Builder requireHttps(boolean require) {
            this.requireHttps = require;
            return this;
        }

        /**
         * Peer addresses of reverse proxies whose forwarded protocol and client address are believed;
         * default none ({@value GatehouseFilter#TRUSTED_PROXIES_PARAM}).
         */
        public Builder trustedProxies(Set<String> proxies) {
            this.trustedProxies = Set.copyOf(proxies);
            return this;
        }

        /** The filter; settings are validated when the container calls {@code init}. */
        public GatehouseFilter build() {
            new PathMatcher(PUBLIC_PATHS_PARAM, publicPaths);
            return new GatehouseFilter(this);
        }
    }
}
