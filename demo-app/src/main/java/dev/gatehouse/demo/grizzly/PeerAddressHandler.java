package dev.gatehouse.demo.grizzly;

import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

import java.util.Objects;

/**
 * Tells Gatehouse the connection's peer address on Grizzly (for per-client throttling and the
 * loopback exemption of require-https), then hands the request to Jersey.
 *
 * <p>Jersey's Grizzly container backs JAX-RS request properties with the Grizzly request's
 * attributes, so an attribute set here is what {@link GatehouseFeature#PEER_ADDRESS_PROPERTY}
 * reads. Setting it before Jersey sees the request costs a map entry; a JAX-RS filter would have
 * to resolve the Grizzly request through HK2 on every request instead. The address is the TCP
 * peer's, never a header's, so a client cannot choose it.
 */
public final class PeerAddressHandler extends HttpHandler {
    private final HttpHandler jersey;

    public PeerAddressHandler(HttpHandler jersey) {
        super("gatehouse-peer-address");
        this.jersey = Objects.requireNonNull(jersey, "jersey");
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        request.setAttribute(GatehouseFeature.PEER_ADDRESS_PROPERTY, request.getRemoteAddr());
        jersey.service(request, response);
    }

    @Override
    public void start() {
        jersey.start();
    }

    @Override
    public void destroy() {
        jersey.destroy();
    }
}
