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

package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.web.WebSettings;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.web.TransportSecurity;
import dev.gatehouse.jaxrs.GatehouseFeature;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.SecurityContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.function.Function;

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
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthFilter.class);

    private final RequestAuthenticator authenticator;
    private final Function<ContainerRequestContext, String> peerAddress;

    public TokenAuthFilter(AccessTokenVerifier verifier, WebSettings settings, Function<ContainerRequestContext, String> peerAddress) {
        this.authenticator = new RequestAuthenticator(verifier, settings);
        TransportSecurity transport = settings.transportSecurity();
        this.peerAddress = request -> {
            String peer = peerAddress.apply(request);
            if (peer == null && transport.requiresHttps() && !warnedNoPeer) {
                warnedNoPeer = true;
                LOG.warn("No peer address: plain HTTP is refused even from loopback. Set the request property '{}' in a"
                        + " container filter, or GatehouseFeature.Builder.peerAddress(...)", GatehouseFeature.PEER_ADDRESS_PROPERTY);
            }
            return peer;
        };
    }

    private volatile boolean warnedNoPeer;

    @Override
    public void filter(ContainerRequestContext request) {
        SecurityContext existing = request.getSecurityContext();
        if (existing != null && existing.getUserPrincipal() instanceof AccessTokenPrincipal principal) {
            // Authenticated by the Gatehouse servlet filter (same WAR): trust the container.
            request.setProperty(OUTCOME_PROPERTY, RequestAuthenticator.Outcome.authenticated(principal, null));
            return;
        }
        RequestAuthenticator.Outcome outcome = authenticator.authenticate(view(request, peerAddress));
        request.setProperty(OUTCOME_PROPERTY, outcome);
        if (outcome.principal() != null) {
            request.setSecurityContext(new TokenSecurityContext(outcome.principal(), isSecure(request)));
        }
    }

    /** The outcome the filter left on a request, or {@code null}. */
    static RequestAuthenticator.Outcome outcomeOf(ContainerRequestContext request) {
        Object value = request.getProperty(OUTCOME_PROPERTY);
        return value instanceof RequestAuthenticator.Outcome outcome ? outcome : null;
    }

    /** A view of a JAX-RS request for the core; {@code peerAddress} tells the connection's peer (or {@code null}). */
    static RequestAuthenticator.HttpRequestView view(ContainerRequestContext request,
                                                     Function<ContainerRequestContext, String> peerAddress) {
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

            @Override
            public boolean isSecure() {
                return TokenAuthFilter.isSecure(request);
            }

            @Override
            public String peerAddress() {
                return peerAddress.apply(request);
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
