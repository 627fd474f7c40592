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

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** {@link IgnoreUpgradeAddOn} on a real Grizzly listener, with a request written by hand on a socket. */
class IgnoreUpgradeAddOnTest {
    private static final String BODY = "{\"hello\":\"world\"}";
    private HttpServer server;

    /** Echoes the request body. */
    @Path("echo")
    public static class EchoResource {
        @POST
        public String echo(String body) {
            return body;
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void aRequestWithAnUpgradeHeaderIsServedAsPlainHttp() throws Exception {
        start(true);

        String reply = postWithUpgrade();

        assertThat(reply).startsWith("HTTP/1.1 200").endsWith(BODY).doesNotContain("101 Switching");
    }

    @Test
    void withoutTheAddOnGrizzlyNeverDeliversTheBody() throws Exception {
        start(false);

        // Grizzly hands the body over as an upgraded stream that Jersey's read never finishes:
        // no answer comes before the socket's timeout.
        assertThat(postWithUpgrade()).isEqualTo("timed out");
    }

    @Test
    void refusesAChainWithoutTheHttpCodec() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new IgnoreUpgradeAddOn().setup(new NetworkListener("bare"), FilterChainBuilder.stateless()))
                .withMessageContaining("HTTP codec");
    }

    private void start(boolean addOn) throws Exception {
        server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), false);
        server.getServerConfiguration().addHttpHandler(
                ContainerFactory.createContainer(GrizzlyHttpContainer.class, new ResourceConfig(EchoResource.class)), "/");
        if (addOn) {
            server.getListeners().iterator().next().registerAddOn(new IgnoreUpgradeAddOn());
        }
        server.start();
    }

    private String postWithUpgrade() throws Exception {
        int port = server.getListeners().iterator().next().getPort();
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        String head = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings, close\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
                + "Content-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(3_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    reply.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                if (reply.size() == 0) {
                    return "timed out";
                }
            }
            return reply.toString(StandardCharsets.UTF_8);
        }
    }
}
