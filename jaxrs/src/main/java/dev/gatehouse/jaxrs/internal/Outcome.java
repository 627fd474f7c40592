package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.core.AccessTokenPrincipal;
import dev.gatehouse.core.Problem;
import dev.gatehouse.core.Transport;

/**
 * What the authentication filter concluded, kept as a request property so that the authorization
 * filter answers with the right status and challenge when a resource needs a caller.
 */
public final class Outcome {
    /** The request property that holds it. */
    public static final String PROPERTY = "dev.gatehouse.jaxrs.outcome";

    final AccessTokenPrincipal principal;
    final Transport transport;
    final Problem problem;
    final String challenge;

    Outcome(AccessTokenPrincipal principal, Transport transport, Problem problem, String challenge) {
        this.principal = principal;
        this.transport = transport;
        this.problem = problem;
        this.challenge = challenge;
    }

    public AccessTokenPrincipal principal() {
        return principal;
    }

    public Transport transport() {
        return transport;
    }
}
