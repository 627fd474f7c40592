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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.SecretLedger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real HTTP client with its own cookie jar. java.net's CookieManager would never send a
 * {@code Secure} cookie over plain http, so the jar here keeps name=value pairs as a browser on
 * localhost does (Chromium sends Secure cookies to http://localhost).
 */
public final class Client {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    public final Map<String, String> cookies = new LinkedHashMap<>();

    public Client(URI base) {
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /** Another client with a copy of this one's cookies (a second tab, or a thief). */
    public Client copy() {
        Client c = new Client(base);
        c.cookies.putAll(cookies);
        return c;
    }

    public Reply get(String path, String... headers) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET(), headers);
    }

    public Reply postJson(String path, String json, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        SecretLedger.recordBody(json);
        recordLifecycleSecrets(json);
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(json)), all);
    }

    public Reply post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        SecretLedger.recordBody(body);
        recordLifecycleSecrets(body);
        return send(b, headers);
    }

    /** The members of the account lifecycle's bodies that are secrets, which SecretLedger.recordBody does not know. */
    private static final List<String> LIFECYCLE_SECRETS = List.of("token", "new_password", "current_password");

    private static void recordLifecycleSecrets(String body) {
        if (body == null || !body.strip().startsWith("{")) {
            return;
        }
        try {
            JsonNode json = JSON.readTree(body);
            for (String member : LIFECYCLE_SECRETS) {
                if (json.path(member).isTextual()) {
                    SecretLedger.record(json.get(member).asText());
                }
            }
        } catch (IOException malformed) {
            // sent malformed on purpose: nothing to record
        }
    }

    public Reply send(HttpRequest.Builder builder, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        if (!cookies.isEmpty()) {
            builder.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        try {
            HttpRequest request = builder.timeout(Duration.ofSeconds(20)).build();
            SecretLedger.recordExchange(request, null);
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            SecretLedger.recordExchange(request, response);
            for (String setCookie : response.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                String name = pair.substring(0, pair.indexOf('='));
                String value = pair.substring(pair.indexOf('=') + 1);
                if (value.isEmpty() || setCookie.contains("Max-Age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return new Reply(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A response with its body parsed when it is JSON. */
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

        public String body() {
            return response.body();
        }

        public JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The Set-Cookie header for a cookie name, or null. */
        public String setCookie(String name) {
            return headers("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status() + " " + response.headers().map() + " " + body();
        }
    }
}
