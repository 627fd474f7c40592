package dev.gatehouse.jaxrs.support;

import dev.gatehouse.jaxrs.GatehouseFeature;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import org.glassfish.grizzly.http.server.Request;

/** Tells Gatehouse the connection's peer address on Grizzly (JAX-RS has no portable way). */
@PreMatching
public final class GrizzlyPeerAddressFilter implements ContainerRequestFilter {
    @Inject
    private Provider<Request> request;

    @Override
    public void filter(ContainerRequestContext context) {
        context.setProperty(GatehouseFeature.PEER_ADDRESS_PROPERTY, request.get().getRemoteAddr());
    }
}
