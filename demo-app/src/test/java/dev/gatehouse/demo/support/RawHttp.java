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

package dev.gatehouse.demo.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSession;

/**
 * HTTP/1.1 over a plain {@link Socket}, one request per connection ({@code Connection: close}),
 * for what {@code java.net.http} will not send: headers it restricts or refuses ({@code Host},
 * {@code Content-Length}, oversized ones), malformed requests, a body that is announced but never
 * sent, and a connection from a chosen loopback address (Linux routes all of {@code 127.0.0.0/8}
 * to the loopback interface, so each test can be a different client for per-client throttling).
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** A parsed response; {@code status} is -1 when the server closed the connection without answering. */
    public static final class Response {
        public final int status;
        public final String statusLine;
        /** Header names as sent; look-ups with {@link #header} are case-insensitive. */
        public final List<Map.Entry<String, String>> headers;
        public final byte[] body;
        /** Time from the first byte written to the end of the response head. */
        public final Duration elapsed;

        Response(int status, String statusLine, List<Map.Entry<String, String>> headers, byte[] body, Duration elapsed) {
            this.status = status;
            this.statusLine = statusLine;
            this.headers = List.copyOf(headers);
            this.body = body;
            this.elapsed = elapsed;
        }

        public String header(String name) {
            return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(null);
        }

        public String body() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + body();
        }
    }

    /** Sends {@code request} (the raw bytes of a whole request) to {@code target}'s host and port, then reads the answer. */
    public static Response exchange(InetAddress local, URI target, byte[] request, Duration timeout) {
        return exchange(local, target, request, 0, false, timeout);
    }

    /**
     * Sends {@code head}, then {@code trailingBodyBytes} filler bytes ({@code 'x'}) on a background
     * thread while the answer is read: the server may answer (and close) before the body is all
     * sent, as it should for a body over its limit. Write errors after the answer are expected and
     * ignored. With {@code chunked}, the filler goes in 64 KiB chunks and a last chunk (the head must
     * then say {@code Transfer-Encoding: chunked}).
     */
    public static Response exchange(InetAddress local, URI target, byte[] head, long trailingBodyBytes, boolean chunked,
                                    Duration timeout) {
        try (Socket socket = connect(local, target, timeout)) {
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            try {
                out.write(head);
                out.flush();
            } catch (IOException e) {
                // the server refused the head before it was all written: read what it answered, if anything
                return read(socket.getInputStream(), start);
            }
            Thread writer = null;
            AtomicLong written = new AtomicLong();
            if (trailingBodyBytes > 0) {
                writer = new Thread(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    java.util.Arrays.fill(chunk, (byte) 'x');
                    try {
                        while (written.get() < trailingBodyBytes) {
                            int n = (int) Math.min(chunk.length, trailingBodyBytes - written.get());
                            if (chunked) {
                                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            }
                            out.write(chunk, 0, n);
                            if (chunked) {
                                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                            }
                            written.addAndGet(n);
                        }
                        if (chunked) {
                            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        out.flush();
                    } catch (IOException e) {
                        // the server answered and closed: expected for a refused body
                    }
                }, "raw-http-body");
                writer.setDaemon(true);
                writer.start();
            }
            Response response = read(socket.getInputStream(), start);
            socket.close(); // a body the server stopped reading must not keep the writer blocked
            if (writer != null) {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request head: the request line, {@code Host}, the given header pairs, {@code Connection: close}, and the blank line. */
    public static byte[] head(String method, URI target, String... headers) {
        StringBuilder b = new StringBuilder();
        String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        b.append(method).append(' ').append(path.isEmpty() ? "/" : path).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(target.getHost()).append(':').append(target.getPort()).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            b.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        b.append("Connection: close\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Concatenates byte arrays (a head and a body). */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * Sends a {@link HttpRequest} built for {@code java.net.http} from {@code local} instead (used by
     * {@link WebClient#from(InetAddress)}), and gives the answer the same shape.
     */
    static HttpResponse<String> send(InetAddress local, HttpRequest request) {
        byte[] body = bodyOf(request);
        List<String> pairs = new ArrayList<>();
        request.headers().map().forEach((name, values) -> values.forEach(v -> {
            pairs.add(name);
            pairs.add(v);
        }));
        String method = request.method();
        if (body.length > 0 || !(method.equals("GET") || method.equals("HEAD") || method.equals("DELETE"))) {
            pairs.add("Content-Length");
            pairs.add(String.valueOf(body.length));
        }
        Duration timeout = request.timeout().orElse(Duration.ofSeconds(30));
        Response r = exchange(local, request.uri(), concat(head(method, request.uri(), pairs.toArray(String[]::new)), body), timeout);
        if (r.status < 0) {
            throw new UncheckedIOException(new EOFException(method + " " + request.uri() + ": the server closed the connection without an answer"));
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : r.headers) {
            headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
        }
        HttpHeaders httpHeaders = HttpHeaders.of(headers, (a, b) -> true);
        String text = method.equals("HEAD") ? "" : r.body();
        return new HttpResponse<>() {
            @Override
            public int statusCode() {
                return r.status;
            }

            @Override
            public HttpRequest request() {
                return request;
            }

            @Override
            public Optional<HttpResponse<String>> previousResponse() {
                return Optional.empty();
            }

            @Override
            public HttpHeaders headers() {
                return httpHeaders;
            }

            @Override
            public String body() {
                return text;
            }

            @Override
            public Optional<SSLSession> sslSession() {
                return Optional.empty();
            }

            @Override
            public URI uri() {
                return request.uri();
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }

    private static byte[] bodyOf(HttpRequest request) {
        Optional<HttpRequest.BodyPublisher> publisher = request.bodyPublisher();
        if (publisher.isEmpty()) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.get().subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.writeBytes(bytes);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not read the request body", e);
        }
        return out.toByteArray();
    }

    private static Socket connect(InetAddress local, URI target, Duration timeout) throws IOException {
        Socket socket = new Socket();
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
        socket.setSoTimeout((int) timeout.toMillis());
        return socket;
    }

    /** Reads one response (skipping 1xx interim ones); a connection closed or reset before any byte gives status -1. */
    private static Response read(InputStream raw, long startNanos) throws IOException {
        InputStream in = new java.io.BufferedInputStream(raw);
        while (true) {
            String statusLine;
            try {
                statusLine = line(in);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                // reset before any answer
                return new Response(-1, "", List.of(), new byte[0], Duration.ofNanos(System.nanoTime() - startNanos));
            }
            if (statusLine == null) {
                return new Response(-1, "", List.of(), new byte[0], Duration.ofNanos(System.nanoTime() - startNanos));
            }
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            String h;
            while ((h = line(in)) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                headers.add(Map.entry(h.substring(0, colon).strip(), h.substring(colon + 1).strip()));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            if (status >= 100 && status < 200) {
                continue;
            }
            Map<String, String> lower = headers.stream().collect(Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT),
                    Map.Entry::getValue, (a, b) -> a));
            byte[] body;
            try {
                if (status == 204 || status == 304) {
                    body = new byte[0];
                } else if ("chunked".equalsIgnoreCase(lower.getOrDefault("transfer-encoding", ""))) {
                    body = chunked(in);
                } else if (lower.containsKey("content-length")) {
                    body = in.readNBytes(Integer.parseInt(lower.get("content-length")));
                } else {
                    body = in.readAllBytes();
                }
            } catch (IOException e) {
                body = new byte[0]; // reset while the body was on its way: the head is what counts here
            }
            return new Response(status, statusLine, headers, body, elapsed);
        }
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                return out.toByteArray();
            }
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
            if (n == 0) {
                while (true) {
                    String trailer = line(in);
                    if (trailer == null || trailer.isEmpty()) {
                        return out.toByteArray();
                    }
                }
            }
            out.writeBytes(in.readNBytes(n));
            line(in);
        }
    }

    /** One line without its CRLF (ISO-8859-1), or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    /** The bytes of {@code text} in UTF-8. */
    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
