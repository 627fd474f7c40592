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

package dev.gatehouse.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer's discovery metadata and JWK Set for tests: the JDK's own HTTP server on 127.0.0.1
 * and a free port, answering each path with what the test set ({@code 404} for any other path),
 * and counting the requests per path. Thread-safe.
 */
public final class LoopbackIssuerServer implements AutoCloseable {
    public static final String OIDC = "/.well-known/openid-configuration";
    public static final String RFC_8414 = "/.well-known/oauth-authorization-server";
    public static final String JWKS = "/.well-known/jwks.json";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-issuer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /** What one path answers. */
    private static final class Reply {
        final int status;
        final String contentType;
        final byte[] body;
        final Map<String, String> headers;

        Reply(int status, String contentType, String body, Map<String, String> headers) {
            this.status = status;
            this.contentType = contentType;
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.headers = headers;
        }
    }

    private LoopbackIssuerServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public static LoopbackIssuerServer start() {
        try {
            LoopbackIssuerServer s = new LoopbackIssuerServer();
            s.server.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Reply r = replies.getOrDefault(path, new Reply(404, "application/json", "{\"error\":\"not found\"}", Map.of()));
            if (r.contentType != null) {
                exchange.getResponseHeaders().set("Content-Type", r.contentType);
            }
            r.headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : r.body.length);
            if (r.body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body);
                } catch (IOException e) {
                    // The client may hang up on an oversized body; that is what some tests want.
                }
            }
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing {@code /}: the issuer identifier of an issuer at the root. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code path} with this status, content type ({@code null} for none) and body. */
    public LoopbackIssuerServer serve(String path, int status, String contentType, String body) {
        return serve(path, status, contentType, body, Map.of());
    }

    public LoopbackIssuerServer serve(String path, int status, String contentType, String body, Map<String, String> headers) {
        replies.put(path, new Reply(status, contentType, body, Map.copyOf(headers)));
        return this;
    }

    /** Serves a discovery document ({@code 200}, {@code application/json}) at {@code path}. */
    public LoopbackIssuerServer discovery(String path, String issuer, String jwksUri) {
        StringBuilder json = new StringBuilder("{");
        if (issuer != null) {
            json.append("\"issuer\":\"").append(issuer).append('"');
        }
        if (jwksUri != null) {
            json.append(issuer != null ? "," : "").append("\"jwks_uri\":\"").append(jwksUri).append('"');
        }
        json.append(",\"response_types_supported\":[],\"subject_types_supported\":[\"public\"]}");
        return serve(path, 200, "application/json", json.toString().replace("{,", "{"));
    }

    /** Serves this JWK Set at {@value #JWKS}. */
    public LoopbackIssuerServer jwks(String body) {
        return serve(JWKS, 200, "application/json", body);
    }

    /** Requests received for this path so far. */
    public int requests(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    /** Stops listening: from now on connections are refused (the issuer is down). */
    public synchronized void stop() {
        if (!stopped) {
            stopped = true;
            server.stop(0);
        }
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }
}
