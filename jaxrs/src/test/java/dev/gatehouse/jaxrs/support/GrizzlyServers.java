package dev.gatehouse.jaxrs.support;

import dev.gatehouse.jaxrs.grizzly.PeerAddressHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** Grizzly servers for the tests, set up as {@code docs/jaxrs.md} shows: Jersey behind {@link PeerAddressHandler}. */
public final class GrizzlyServers {
    private GrizzlyServers() {
    }

    /** A Grizzly server at {@code uri} serving {@code app}, started if {@code start}. */
    public static HttpServer server(URI uri, ResourceConfig app, boolean start) {
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(uri, false);
        serve(server, app);
        if (start) {
            try {
                server.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Grizzly did not start on " + uri, e);
            }
        }
        return server;
    }

    /** Has {@code server} serve {@code app} at its root, behind {@link PeerAddressHandler}. */
    public static void serve(HttpServer server, ResourceConfig app) {
        server.getServerConfiguration().addHttpHandler(
                new PeerAddressHandler(ContainerFactory.createContainer(GrizzlyHttpContainer.class, app)), "/");
    }
}
