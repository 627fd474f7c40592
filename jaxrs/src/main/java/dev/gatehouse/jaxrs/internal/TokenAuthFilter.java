package dev.gatehouse.jaxrs.internal;

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
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;

/**
 * Authenticates every request that carries an access token and installs a
 * {@link SecurityContext} for it. It never aborts a request itself: whether a resource needs a
 * caller is decided by the authorization filter, which reads the {@link Outcome} left here, so
 * public resources (login, registration) keep working when a stale cookie is sent.
 *
 * <p>When a servlet filter in the same application has already authenticated the request (the
 * container's principal is an {@link AccessTokenPrincipal}), that principal is used as is and the
 * token is not verified twice.
 */
@Priority(Priorities.AUTHENTICATION)
public final class TokenAuthFilter implements ContainerRequestFilter {
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthFilter.class);

    private final AccessTokenVerifier verifier;
    private final GatehouseSettings settings;
    private final TokenLocator locator;
    private final CsrfPolicy csrf;

    public TokenAuthFilter(AccessTokenVerifier verifier, CsrfPolicy csrf) {
        this.verifier = verifier;
        this.settings = verifier.settings();
        this.locator = new TokenLocator(settings);
        this.csrf = csrf;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Outcome outcome;
        try {
            outcome = authenticate(request);
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure while authenticating a request; treating it as unauthenticated ({})",
                    e.getClass().getName());
            outcome = new Outcome(null, null, Problem.invalidToken(), Challenge.invalidToken(settings.realm()));
        }
        request.setProperty(Outcome.PROPERTY, outcome);
        if (outcome.principal != null && !(request.getSecurityContext().getUserPrincipal() instanceof AccessTokenPrincipal)) {
            request.setSecurityContext(new TokenSecurityContext(outcome.principal, isSecure(request)));
        }
    }

    private Outcome authenticate(ContainerRequestContext request) {
        SecurityContext existing = request.getSecurityContext();
        if (existing != null && existing.getUserPrincipal() instanceof AccessTokenPrincipal) {
            // Authenticated by the Gatehouse servlet filter (same WAR): trust the container.
            return new Outcome((AccessTokenPrincipal) existing.getUserPrincipal(), null, null, null);
        }
        String realm = settings.realm();
        List<String> cookies = headers(request, "Cookie");
        LocatedToken located = locator.locate(headers(request, "Authorization"), cookies);
        switch (located.kind()) {
            case NONE:
                return new Outcome(null, null, Problem.unauthenticated(), Challenge.bare(realm));
            case MALFORMED:
                return new Outcome(null, null, Problem.invalidRequest(located.problem()), Challenge.invalidRequest(realm));
            default:
                break;
        }
        AccessTokenPrincipal principal;
        try {
            principal = verifier.verify(located.token());
        } catch (InvalidTokenException e) {
            LOG.debug("Access token refused: {} ({})", e.reason(), e.getMessage());
            return new Outcome(null, null, Problem.invalidToken(), Challenge.invalidToken(realm));
        }
        if (located.transport() == Transport.COOKIE) {
            String refusal = csrf.check(request.getMethod(), cookies, request.getHeaderString(settings.csrfHeaderName()),
                    request.getHeaderString("Sec-Fetch-Site"), request.getHeaderString("Origin"), ownOrigin(request));
            if (refusal != null) {
                LOG.debug("Cookie-authenticated {} refused: {}", request.getMethod(), refusal);
                return new Outcome(null, null, Problem.forbidden(refusal), null);
            }
        }
        return new Outcome(principal, located.transport(), null, null);
    }

    static List<String> headers(ContainerRequestContext request, String name) {
        List<String> values = request.getHeaders().get(name);
        return values == null ? List.of() : values;
    }

    static boolean isSecure(ContainerRequestContext request) {
        return "https".equalsIgnoreCase(request.getUriInfo().getRequestUri().getScheme());
    }

    /** scheme://host:port the request was addressed to (from the request line / Host header). */
    static String ownOrigin(ContainerRequestContext request) {
        URI uri = request.getUriInfo().getRequestUri();
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
