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
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** {@link PeerAddressHandler} on a real Grizzly server with Jersey behind it, over real HTTP. */
class PeerAddressHandlerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer server;

    /** Answers with the request property Gatehouse reads for the client's address. */
    @Path("peer")
    public static class PeerResource {
        @GET
        public String peer(@Context ContainerRequestContext request) {
            return String.valueOf(request.getProperty(GatehouseFeature.PEER_ADDRESS_PROPERTY));
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void theRequestPropertyIsTheConnectionsPeerAddress() throws Exception {
        start(PeerAddressHandler::new);

        assertThat(get(false).body()).isEqualTo("127.0.0.1");
    }

    @Test
    void forwardingHeadersDoNotChangeIt() throws Exception {
        start(PeerAddressHandler::new);

        HttpResponse<String> reply = get(true);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("127.0.0.1");
    }

    @Test
    void withoutTheHandlerJerseyHasNoPeerAddress() throws Exception {
        start(Function.identity());

        assertThat(get(false).body()).isEqualTo("null");
    }

    @Test
    void refusesToWrapNothing() {
        assertThatNullPointerException().isThrownBy(() -> new PeerAddressHandler(null));
    }

    private void start(Function<HttpHandler, HttpHandler> wrap) throws Exception {
        server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), false);
        HttpHandler jersey = ContainerFactory.createContainer(GrizzlyHttpContainer.class, new ResourceConfig(PeerResource.class));
        server.getServerConfiguration().addHttpHandler(wrap.apply(jersey), "/");
        server.start();
    }

    private HttpResponse<String> get(boolean forged) throws Exception {
        int port = server.getListeners().iterator().next().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/peer"));
        if (forged) {
            request.header("X-Forwarded-For", "203.0.113.7").header("Forwarded", "for=203.0.113.7").header("X-Real-IP", "203.0.113.7");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
