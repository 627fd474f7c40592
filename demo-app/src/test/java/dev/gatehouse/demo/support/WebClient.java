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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.SecretLedger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A real HTTP client with a cookie jar that behaves as a browser on localhost does: it keeps
 * {@code Secure} cookies over plain http (as Chromium does on 127.0.0.1, which java.net's
 * CookieManager would not), honours each cookie's {@code Path} (so the refresh cookie only goes to
 * {@code <app>/auth/...}, which matters when the app has a context path), and forgets a cookie on
 * {@code Max-Age=0}. HTTP/1.1 only: Grizzly hangs on Java HttpClient's h2c upgrade of POST bodies.
 */
public final class WebClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final URI base;
    private final HttpClient http;
    private final List<Cookie> jar = new ArrayList<>();
    /** When set, requests go over {@link RawHttp} from this loopback address (another client for per-client limits). */
    private InetAddress local;

    /** @param base the application's base URI, ending with {@code /} */
    public WebClient(URI base) {
        this(base, HTTP);
    }

    /** A client for an HTTPS base that trusts what {@code tls} trusts (and verifies host names). */
    public WebClient(URI base, javax.net.ssl.SSLContext tls) {
        this(base, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(tls)
                .build());
    }

    private WebClient(URI base, HttpClient http) {
        if (!base.getRawPath().endsWith("/")) {
            throw new IllegalArgumentException("base must end with '/': " + base);
        }
        this.base = base;
        this.http = http;
    }

    public URI base() {
        return base;
    }

    /**
     * Connects from {@code local} (for example {@code 127.20.0.7}, see {@link LoopbackAddresses}):
     * to the server, a different client address, with a throttling budget of its own.
     */
    public WebClient from(InetAddress local) {
        this.local = local;
        return this;
    }

    /** The origin of the application, as a browser would send it in {@code Origin}. */
    public String origin() {
        return base.getScheme() + "://" + base.getHost() + ":" + base.getPort();
    }

    /** A cookie in the jar by name (any path), or null. */
    public String cookie(String name) {
        return jar.stream().filter(c -> c.name.equals(name)).map(c -> c.value).findFirst().orElse(null);
    }

    /** Names of the cookies in the jar. */
    public List<String> cookieNames() {
        return jar.stream().map(c -> c.name).collect(Collectors.toList());
    }

    /** Puts a cookie in the jar (path {@code /}), as a client replaying a stolen or old cookie would. */
    public WebClient withCookie(String name, String value, String path) {
        jar.removeIf(c -> c.name.equals(name) && c.path.equals(path));
        jar.add(new Cookie(name, value, path));
        return this;
    }

    public Reply get(String path, String... headers) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), headers);
    }

    public Reply delete(String path, String... headers) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE(), headers);
    }

    public Reply postJson(String path, String json, String... headers) {
        return post(path, "application/json", json, headers);
    }

    /** A POST; {@code contentType} and {@code body} may be null (no body). */
    public Reply post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        SecretLedger.recordBody(body);
        return send(b, headers);
    }

    /** Any method, with an optional body ({@code contentType} and {@code body} may be null). */
    public Reply request(String method, String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, headers);
    }

    private Reply send(HttpRequest.Builder builder, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
        String requestPath = request.uri().getRawPath();
        String cookieHeader = jar.stream().filter(c -> pathMatches(requestPath, c.path))
                .map(c -> c.name + "=" + c.value).collect(Collectors.joining("; "));
        if (!cookieHeader.isEmpty()) {
            request = HttpRequest.newBuilder(request, (name, value) -> true).header("Cookie", cookieHeader).build();
        }
        try {
            SecretLedger.recordExchange(request, null);
            HttpResponse<String> response = local != null ? RawHttp.send(local, request)
                    : http.send(request, HttpResponse.BodyHandlers.ofString());
            SecretLedger.recordExchange(request, response);
            Reply reply = new Reply(response);
            for (SetCookie set : reply.setCookies()) {
                String path = set.attribute("Path").orElse(defaultPath(requestPath));
                jar.removeIf(c -> c.name.equals(set.name) && c.path.equals(path));
                if (!"0".equals(set.attribute("Max-Age").orElse(null)) && !set.value.isEmpty()) {
                    jar.add(new Cookie(set.name, set.value, path));
                }
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** RFC 6265 §5.1.4 path-match. */
    static boolean pathMatches(String requestPath, String cookiePath) {
        if (requestPath.equals(cookiePath)) {
            return true;
        }
        return requestPath.startsWith(cookiePath)
                && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
    }

    private static String defaultPath(String requestPath) {
        int slash = requestPath.lastIndexOf('/');
        return slash <= 0 ? "/" : requestPath.substring(0, slash);
    }

    private static final class Cookie {
        final String name;
        final String value;
        final String path;

        Cookie(String name, String value, String path) {
            this.name = name;
            this.value = value;
            this.path = path;
        }
    }

    /** One Set-Cookie header, parsed. Attribute names are case-insensitive; flags have the value "". */
    public static final class SetCookie {
        public final String name;
        public final String value;
        public final String raw;
        private final Map<String, String> attributes = new LinkedHashMap<>();

        SetCookie(String raw) {
            this.raw = raw;
            String[] parts = raw.split(";");
            String pair = parts[0].strip();
            int eq = pair.indexOf('=');
            this.name = pair.substring(0, eq).strip();
            this.value = pair.substring(eq + 1).strip();
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.isEmpty()) {
                    continue;
                }
                int e = p.indexOf('=');
                attributes.put((e < 0 ? p : p.substring(0, e)).strip().toLowerCase(Locale.ROOT), e < 0 ? "" : p.substring(e + 1).strip());
            }
        }

        public Optional<String> attribute(String name) {
            return Optional.ofNullable(attributes.get(name.toLowerCase(Locale.ROOT)));
        }

        public boolean has(String flag) {
            return attributes.containsKey(flag.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return raw;
        }
    }

    /** A response, with its body parsed on demand. */
    public static final class Reply {
        public final HttpResponse<String> response;

        Reply(HttpResponse<String> response) {
            this.response = response;
        }

        public int status() {
            return response.statusCode();
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        public List<String> headers(String name) {
            return response.headers().allValues(name);
        }

        public String contentType() {
            return header("Content-Type");
        }

        public String body() {
            return response.body();
        }

        public JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + this, e);
            }
        }

        public List<SetCookie> setCookies() {
            return headers("Set-Cookie").stream().map(SetCookie::new).collect(Collectors.toList());
        }

        /** The Set-Cookie for a name, or null. */
        public SetCookie setCookie(String name) {
            return setCookies().stream().filter(c -> c.name.equals(name)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return response.request().method() + " " + response.uri() + " -> " + status() + " " + response.headers().map() + " " + body();
        }
    }
}
