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

package dev.gatehouse.jaxrs.grizzly;

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
 * peer's, never a header's, so a client cannot choose it (behind a reverse proxy it is the
 * proxy's, and {@link dev.gatehouse.web.WebSettings.Builder#trustedProxies} says which proxies' forwarding
 * headers to believe).
 *
 * <pre>{@code
 * HttpServer server = GrizzlyHttpServerFactory.createHttpServer(uri, false);
 * server.getServerConfiguration().addHttpHandler(
 *         new PeerAddressHandler(ContainerFactory.createContainer(GrizzlyHttpContainer.class, app)), "/");
 * server.start();
 * }</pre>
 *
 * <p>Needs Grizzly's HTTP server on the class path (Jersey's {@code jersey-container-grizzly2-http}
 * brings it); the rest of this module does not.
 */
public final class PeerAddressHandler extends HttpHandler {
    private final HttpHandler jersey;

    /** @param jersey the handler that serves the application (Jersey's {@code GrizzlyHttpContainer}) */
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
