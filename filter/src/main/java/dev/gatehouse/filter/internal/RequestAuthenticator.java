package dev.gatehouse.filter.internal;

import dev.gatehouse.core.AccessTokenPrincipal;
import dev.gatehouse.core.AccessTokenVerifier;
import dev.gatehouse.core.Challenge;
import dev.gatehouse.core.CsrfPolicy;
import dev.gatehouse.core.GatehouseSettings;
import dev.gatehouse.core.InvalidTokenException;
import dev.gatehouse.core.LocatedToken;
import dev.gatehouse.core.Problem;
import dev.gatehouse.core.TokenLocator;
import dev.gatehouse.core.Transport;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Decides what a request's credentials are worth; shared by the filter and the Jakarta
 * Authentication module so both apply exactly the same rules. Thread-safe.
 */
public final class RequestAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(RequestAuthenticator.class);

    /** The outcome for one request. */
    public static final class Outcome {
        private final AccessTokenPrincipal principal;
        private final Problem problem;
        private final String challenge;
        private final boolean credentialsPresent;

        private Outcome(AccessTokenPrincipal principal, Problem problem, String challenge, boolean credentialsPresent) {
            this.principal = principal;
            this.problem = problem;
            this.challenge = challenge;
            this.credentialsPresent = credentialsPresent;
        }

        /** The authenticated caller, or {@code null}. */
        public AccessTokenPrincipal principal() {
            return principal;
        }

        /** Whether the request is refused (then {@link #principal()} is {@code null}). */
        public boolean isRejected() {
            return problem != null;
        }

        /** Whether the request carried no credentials at all. */
        public boolean isAnonymous() {
            return !credentialsPresent;
        }

        public Problem problem() {
            return problem;
        }

        /** The {@code WWW-Authenticate} value for a rejection, or {@code null} (403 has none). */
        public String challenge() {
            return challenge;
        }
    }

    private final AccessTokenVerifier verifier;
    private final GatehouseSettings settings;
    private final TokenLocator locator;
    private final CsrfPolicy csrf;

    public RequestAuthenticator(AccessTokenVerifier verifier, CsrfPolicy csrf) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.settings = verifier.settings();
        this.locator = new TokenLocator(settings);
        this.csrf = Objects.requireNonNull(csrf, "csrf");
    }

    public GatehouseSettings settings() {
        return settings;
    }

    /** Authenticates a request. Never throws: any failure is a rejection (fail closed). */
    public Outcome authenticate(HttpServletRequest request) {
        String realm = settings.realm();
        try {
            List<String> cookies = headers(request, "Cookie");
            LocatedToken located = locator.locate(headers(request, "Authorization"), cookies);
            switch (located.kind()) {
                case NONE:
                    return new Outcome(null, Problem.unauthenticated(), Challenge.bare(realm), false);
                case MALFORMED:
                    return new Outcome(null, Problem.invalidRequest(located.problem()), Challenge.invalidRequest(realm), true);
                default:
                    break;
            }
            AccessTokenPrincipal principal;
            try {
                principal = verifier.verify(located.token());
            } catch (InvalidTokenException e) {
                LOG.debug("Access token refused: {} ({})", e.reason(), e.getMessage());
                return new Outcome(null, Problem.invalidToken(), Challenge.invalidToken(realm), true);
            }
            if (located.transport() == Transport.COOKIE) {
                String refusal = csrf.check(request.getMethod(), cookies, request.getHeader(settings.csrfHeaderName()),
                        request.getHeader("Sec-Fetch-Site"), request.getHeader("Origin"), ownOrigin(request));
                if (refusal != null) {
                    LOG.debug("Cookie-authenticated {} refused: {}", request.getMethod(), refusal);
                    return new Outcome(null, Problem.forbidden(refusal), null, true);
                }
            }
            return new Outcome(principal, null, null, true);
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure while authenticating a request; refusing it ({})", e.getClass().getName());
            return new Outcome(null, Problem.invalidToken(), Challenge.invalidToken(realm), true);
        }
    }

    /** Writes a rejection: status, challenge, problem body, {@code Cache-Control: no-store}. */
    public static void reject(HttpServletResponse response, Outcome outcome) throws IOException {
        write(response, outcome.problem(), outcome.challenge());
    }

    /** Writes a problem response. */
    public static void write(HttpServletResponse response, Problem problem, String challenge) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.status());
        if (challenge != null) {
            response.setHeader(Challenge.HEADER, challenge);
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        byte[] body = problem.toJson().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }

    private static List<String> headers(HttpServletRequest request, String name) {
        var values = request.getHeaders(name);
        return values == null ? Collections.emptyList() : Collections.list(values);
    }

    /**
     * The origin the request was addressed to. Behind a TLS-terminating proxy, configure the
     * container to honour the proxy's forwarded protocol (Tomcat's {@code RemoteIpValve}), or list
     * the public origin in {@code allowed-origins}.
     */
    private static String ownOrigin(HttpServletRequest request) {
        return request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort();
    }
}
