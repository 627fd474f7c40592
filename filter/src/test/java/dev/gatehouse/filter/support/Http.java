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

package dev.gatehouse.filter.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.SecretLedger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Real HTTP/1.1 over loopback with the JDK client. */
public final class Http {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Http() {
    }

    public static HttpRequest.Builder get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    }

    /** A request with this method and an empty body. */
    public static HttpRequest.Builder request(String method, URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    }

    /** Sends; the credentials the request carries are recorded as secrets of the run ({@link SecretLedger}). */
    public static Reply send(HttpRequest.Builder request) {
        try {
            HttpRequest built = request.build();
            SecretLedger.recordExchange(built, null);
            HttpResponse<String> response = CLIENT.send(built, HttpResponse.BodyHandlers.ofString());
            SecretLedger.recordExchange(built, response);
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What a client sees. */
    public record Reply(int status, HttpHeaders headers, String body) {
        public List<String> all(String header) {
            return headers.allValues(header);
        }

        public String header(String header) {
            return headers.firstValue(header).orElse(null);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        /** Every header value and the body, for checking that a secret is echoed nowhere. */
        public String everything() {
            StringBuilder b = new StringBuilder();
            headers.map().forEach((name, values) -> b.append(name).append(": ").append(values).append('\n'));
            return b.append('\n').append(body).toString();
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + body;
        }
    }
}
