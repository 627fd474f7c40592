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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer's JWK Set endpoint for tests: the JDK's own HTTP server on 127.0.0.1 and a free port,
 * serving whatever the test sets, and counting the requests it gets. Thread-safe.
 */
public final class LoopbackJwksServer implements AutoCloseable {
    public static final String PATH = "/.well-known/jwks.json";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-jwks");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Reply reply = new Reply(200, "{\"keys\":[]}", null, false);
    private volatile CountDownLatch hold;
    private volatile boolean stopped;

    private static final class Reply {
        final int status;
        final byte[] body;
        final String cacheControl;
        final boolean chunked;

        Reply(int status, String body, String cacheControl, boolean chunked) {
            this.status = status;
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.cacheControl = cacheControl;
            this.chunked = chunked;
        }
    }

    private LoopbackJwksServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext(PATH, this::handle);
    }

    public static LoopbackJwksServer start() {
        try {
            LoopbackJwksServer s = new LoopbackJwksServer();
            s.server.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            CountDownLatch latch = hold;
            if (latch != null) {
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Reply r = reply;
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (r.cacheControl != null) {
                exchange.getResponseHeaders().set("Cache-Control", r.cacheControl);
            }
            exchange.sendResponseHeaders(r.status, r.chunked ? 0 : r.body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body);
            } catch (IOException e) {
                // The client may hang up on an oversized body; that is what some tests want.
            }
        }
    }

    /** The JWK Set URL ({@code http://127.0.0.1:<port>/.well-known/jwks.json}). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** Serves this body with {@code 200} and no {@code Cache-Control}. */
    public LoopbackJwksServer serve(String body) {
        return serve(200, body, null);
    }

    public LoopbackJwksServer serve(int status, String body, String cacheControl) {
        reply = new Reply(status, body, cacheControl, false);
        return this;
    }

    /** Serves this body with chunked transfer coding, so that no {@code Content-Length} announces its size. */
    public LoopbackJwksServer serveChunked(String body) {
        reply = new Reply(200, body, null, true);
        return this;
    }

    /** Holds every response until the returned latch is counted down. */
    public CountDownLatch hold() {
        CountDownLatch latch = new CountDownLatch(1);
        hold = latch;
        return latch;
    }

    /** Requests received so far. */
    public int requests() {
        return requests.get();
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
        CountDownLatch latch = hold;
        if (latch != null) {
            latch.countDown();
        }
        stop();
        executor.shutdownNow();
    }
}
