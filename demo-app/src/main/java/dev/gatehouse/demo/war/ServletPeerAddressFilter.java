package dev.gatehouse.demo.war;

import dev.gatehouse.jaxrs.GatehouseFeature;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;

/** Tells Gatehouse the connection's peer address in a servlet container. */
@PreMatching
public final class ServletPeerAddressFilter implements ContainerRequestFilter {
    @Context
    private HttpServletRequest request;

    @Override
    public void filter(ContainerRequestContext context) {
        context.setProperty(GatehouseFeature.PEER_ADDRESS_PROPERTY, request.getRemoteAddr());
    }
}
