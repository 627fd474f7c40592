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
