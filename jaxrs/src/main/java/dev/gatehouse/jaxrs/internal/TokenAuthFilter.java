package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.core.AccessTokenPrincipal;
import dev.gatehouse.core.AccessTokenVerifier;
import dev.gatehouse.core.CsrfPolicy;
import dev.gatehouse.core.RequestAuthenticator;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;

import java.net.URI;
import java.util.List;

/**
 * Authenticates every request that carries an access token (through the core
 * {@link RequestAuthenticator}, as the servlet filter does) and installs a {@link SecurityContext}
 * for it. It never aborts a request itself: whether a resource needs a caller is decided by the
 * authorization filter, which reads the {@link RequestAuthenticator.Outcome} left here, so public
 * resources (login, registration) keep working when a stale cookie is sent.
 *
 * <p>When a servlet filter in the same application has already authenticated the request (the
 * container's principal is an {@link AccessTokenPrincipal}), that principal is used as is and the
 * token is not verified twice.
 */
@Priority(Priorities.AUTHENTICATION)
public final class TokenAuthFilter implements ContainerRequestFilter {
    /** The request property that holds the {@link RequestAuthenticator.Outcome} of the request. */
    public static final String OUTCOME_PROPERTY = "dev.gatehouse.jaxrs.outcome";

    private final RequestAuthenticator authenticator;

    public TokenAuthFilter(AccessTokenVerifier verifier, CsrfPolicy csrf) {
        this.authenticator = new RequestAuthenticator(verifier, csrf);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        SecurityContext existing = request.getSecurityContext();
        if (existing != null && existing.getUserPrincipal() instanceof AccessTokenPrincipal) {
            // Authenticated by the Gatehouse servlet filter (same WAR): trust the container.
            request.setProperty(OUTCOME_PROPERTY,
                    RequestAuthenticator.Outcome.authenticated((AccessTokenPrincipal) existing.getUserPrincipal(), null));
            return;
        }
        RequestAuthenticator.Outcome outcome = authenticator.authenticate(view(request));
        request.setProperty(OUTCOME_PROPERTY, outcome);
        if (outcome.principal() != null) {
            request.setSecurityContext(new TokenSecurityContext(outcome.principal(), isSecure(request)));
        }
    }

    /** The outcome the filter left on a request, or {@code null}. */
    static RequestAuthenticator.Outcome outcomeOf(ContainerRequestContext request) {
        Object value = request.getProperty(OUTCOME_PROPERTY);
        return value instanceof RequestAuthenticator.Outcome ? (RequestAuthenticator.Outcome) value : null;
    }

    private static RequestAuthenticator.HttpRequestView view(ContainerRequestContext request) {
        return new RequestAuthenticator.HttpRequestView() {
            @Override
            public String method() {
                return request.getMethod();
            }

            @Override
            public List<String> headers(String name) {
                return TokenAuthFilter.headers(request, name);
            }

            @Override
            public String ownOrigin() {
                return TokenAuthFilter.ownOrigin(request);
            }
        };
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
