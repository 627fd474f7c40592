package dev.gatehouse.jaxrs.support;

import dev.gatehouse.jaxrs.GatehouseFeature;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Objects;

/**
 * Tells Gatehouse the connection's peer address on Grizzly, then hands the request to Jersey: the
 * recipe of {@code docs/jaxrs.md} (the demo has the same class). Jersey's Grizzly container backs
 * JAX-RS request properties with the Grizzly request's attributes.
 */
public final class PeerAddressHandler extends HttpHandler {
    private final HttpHandler jersey;

    public PeerAddressHandler(HttpHandler jersey) {
        super("gatehouse-peer-address");
        this.jersey = Objects.requireNonNull(jersey, "jersey");
    }

    /** A Grizzly server at {@code uri} serving {@code app} behind this handler. */
    public static HttpServer server(URI uri, ResourceConfig app, boolean start) {
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(uri, false);
        server.getServerConfiguration().addHttpHandler(
                new PeerAddressHandler(ContainerFactory.createContainer(GrizzlyHttpContainer.class, app)), "/");
        if (start) {
            try {
                server.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Grizzly did not start on " + uri, e);
            }
        }
        return server;
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
