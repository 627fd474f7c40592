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

package dev.gatehouse.jaxrs;

import dev.gatehouse.web.WebSettings;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.web.Transport;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertInvalidRequest;
import static dev.gatehouse.jaxrs.support.Problems.assertProblem;
import static dev.gatehouse.jaxrs.support.Problems.assertTooLarge;
import static dev.gatehouse.jaxrs.support.Problems.assertUnsupportedMediaType;
import static dev.gatehouse.jaxrs.support.Problems.assertValidation;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape of requests to the auth endpoints, over real HTTP: media types, body size (declared
 * and chunked), JSON that is not what it should be, mass assignment, methods and transports.
 * Every refusal is a problem response, never a 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestShapeTest {
    private static final String PASSWORD = "correct horse battery staple";
    private static final int LIMIT = 16 * 1024;

    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer server;
    private TestServer bearerOnly;

    @BeforeAll
    void start() throws Exception {
        server = TestServer.start(db.dataSource());
        bearerOnly = TestServer.start(db.dataSource(), b -> b, b -> b, f -> f.web(WebSettings.builder().transports(Set.of(Transport.BEARER)).build()));
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        if (bearerOnly != null) {
            bearerOnly.close();
        }
        db.close();
    }

    private Client client() {
        return new Client(server.base);
    }

    private static String newEmail() {
        return "shape-" + UUID.randomUUID() + "@example.org";
    }

    static Stream<Arguments> nonJsonContentTypes() {
        return Stream.of("auth/register", "auth/login").flatMap(path -> Stream.of(
                Arguments.of(path, "text/plain"),
                Arguments.of(path, "text/plain; charset=utf-8"),
                Arguments.of(path, "application/x-www-form-urlencoded"),
                Arguments.of(path, "multipart/form-data; boundary=xyz"),
                Arguments.of(path, "application/xml"),
                Arguments.of(path, "application/json; charset=ISO-8859-1"),
                Arguments.of(path, null)));
    }

    @ParameterizedTest(name = "{0} with Content-Type {1}")
    @MethodSource("nonJsonContentTypes")
    void postWithAnythingButJsonIs415(String path, String contentType) {
        String body = "multipart/form-data; boundary=xyz".equals(contentType)
                ? "--xyz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@example.org\r\n--xyz--\r\n"
                : "application/x-www-form-urlencoded".equals(contentType)
                ? "email=a%40example.org&password=correct+horse+battery+staple"
                : Json.credentials(newEmail(), PASSWORD);
        Reply r = client().post(path, contentType, body);
        assertUnsupportedMediaType(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login"})
    void jsonWithUtf8CharsetParameterIsAccepted(String path) {
        String email = newEmail();
        Reply r = client().post(path, "application/json; charset=UTF-8", Json.credentials(email, PASSWORD));
        if (path.endsWith("register")) {
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        } else {
            assertInvalidCredentials(r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login"})
    void postWithoutBodyOrContentTypeIs415(String path) {
        assertUnsupportedMediaType(client().post(path, null, null));
    }

    /** A JSON object of exactly {@code size} bytes: the credentials plus an ignored padding field. */
    private static String paddedBody(String email, int size) {
        String prefix = "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"pad\":\"";
        String suffix = "\"}";
        return prefix + "x".repeat(size - prefix.length() - suffix.length()) + suffix;
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login"})
    void bodyOverTheLimitWithContentLengthIs413(String path) {
        String body = paddedBody(newEmail(), LIMIT + 1);
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT + 1);
        assertTooLarge(client().postJson(path, body));
        // far over the limit too
        assertTooLarge(client().postJson(path, paddedBody(newEmail(), 200_000)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login"})
    void chunkedBodyOverTheLimitIs413(String path) {
        byte[] body = paddedBody(newEmail(), LIMIT + 1).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(server.base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        Reply r = client().send(b, "Content-Type", "application/json");
        assertTooLarge(r);
    }

    @Test
    void bodyOfExactlyTheLimitIsRead() {
        String email = newEmail();
        String body = paddedBody(email, LIMIT);
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);
        Reply declared = client().postJson("auth/register", body);
        assertThat(declared.status()).as(declared.toString()).isEqualTo(201);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(server.base.resolve("auth/login"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        Reply chunked = client().send(b, "Content-Type", "application/json");
        assertThat(chunked.status()).as(chunked.toString()).isEqualTo(200);
        assertThat(chunked.header("Cache-Control")).isEqualTo("no-store");
    }

    static Stream<Arguments> malformedJson() {
        String ok = Json.credentials("a@example.org", PASSWORD);
        return Stream.of("auth/register", "auth/login").flatMap(path -> Stream.of(
                Arguments.of(path, "not json at all"),
                Arguments.of(path, "{\"email\":\"a@example.org\",\"password\":"),
                Arguments.of(path, "{'email':'a@example.org'}"),
                Arguments.of(path, ""),
                Arguments.of(path, "null"),
                Arguments.of(path, "\"a string\""),
                Arguments.of(path, "42"),
                Arguments.of(path, "[" + ok + "]"),
                Arguments.of(path, ok + " trailing"),
                Arguments.of(path, ok + ok),
                Arguments.of(path, ok + "}"),
                Arguments.of(path, "{\"email\":\"a@example.org\",\"email\":\"b@example.org\",\"password\":\"" + PASSWORD + "\"}"),
                Arguments.of(path, "{\"email\":\"a@example.org\",\"password\":\"" + PASSWORD + "\",\"password\":\"other password 1\"}"),
                Arguments.of(path, "[".repeat(10_000)),
                Arguments.of(path, "[".repeat(8_000) + "]".repeat(8_000)),
                Arguments.of(path, "{\"email\":\"a@example.org\",\"x\":" + "{\"y\":".repeat(2_000) + "1" + "}".repeat(2_000) + "}"),
                Arguments.of(path, "{\"email\":\"a@example.org\",\"password\":\"" + PASSWORD + "\",}"),
                Arguments.of(path, "{\"email\":\"a@example.org\" \"password\":\"x\"}"),
                Arguments.of(path, "{\"email\":\"\\uZZZZ@example.org\",\"password\":\"" + PASSWORD + "\"}")));
    }

    @ParameterizedTest(name = "{0}: {index}")
    @MethodSource("malformedJson")
    void malformedJsonIs400ProblemNever500(String path, String body) {
        Reply r = client().postJson(path, body);
        JsonNode problem = assertInvalidRequest(r);
        assertThat(problem.has("errors")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login"})
    void invalidUtf8Is400(String path) {
        byte[] body = "{\"email\":\"a\u00ff@example.org\",\"password\":\"correct horse battery staple\"}"
                .getBytes(StandardCharsets.ISO_8859_1); // a lone 0xFF byte is never UTF-8
        HttpRequest.Builder b = HttpRequest.newBuilder(server.base.resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        assertInvalidRequest(client().send(b, "Content-Type", "application/json"));
    }

    /** Found by RequestBodyFuzzTest: Jackson, reading bytes, detected UTF-16 and accepted it. */
    @ParameterizedTest
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE", "UTF-16"})
    void utf16BodyIs400(String charset) {
        byte[] body = Json.credentials(newEmail(), PASSWORD).getBytes(java.nio.charset.Charset.forName(charset));
        HttpRequest.Builder b = HttpRequest.newBuilder(server.base.resolve("auth/register"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        assertInvalidRequest(client().send(b, "Content-Type", "application/json"));
    }

    static Stream<Arguments> wronglyTypedFields() {
        return Stream.of("auth/register", "auth/login").flatMap(path -> Stream.of(
                Arguments.of(path, "{\"email\":5,\"password\":\"" + PASSWORD + "\"}", List.of("email")),
                Arguments.of(path, "{\"email\":true,\"password\":\"" + PASSWORD + "\"}", List.of("email")),
                Arguments.of(path, "{\"email\":[\"a@example.org\"],\"password\":\"" + PASSWORD + "\"}", List.of("email")),
                Arguments.of(path, "{\"email\":{\"$ne\":null},\"password\":\"" + PASSWORD + "\"}", List.of("email")),
                Arguments.of(path, "{\"email\":\"a@example.org\",\"password\":123456789012}", List.of("password")),
                Arguments.of(path, "{\"email\":1,\"password\":{}}", List.of("email", "password"))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wronglyTypedFields")
    void fieldThatIsNotAStringIs400NamingIt(String path, String body, List<String> fields) {
        assertValidation(client().postJson(path, body), fields.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login"})
    void missingFieldsAre400NamingThem(String path) {
        assertValidation(client().postJson(path, "{}"), "email", "password");
        assertValidation(client().postJson(path, "{\"email\":null,\"password\":null}"), "email", "password");
        assertValidation(client().postJson(path, Json.object("email", newEmail())), "password");
        assertValidation(client().postJson(path, Json.object("password", PASSWORD)), "email");
    }

    @Test
    void unknownFieldsAreIgnoredAndNeverBound() {
        Client c = client();
        String email = newEmail();
        String body = Json.object("email", email, "password", PASSWORD, "roles", List.of("admin"), "id", "x",
                "role", "admin", "admin", true, "created_at", "1970-01-01T00:00:00Z", "password_hash", "$2a$04$xxxxxxxx");
        Reply created = c.postJson("auth/register", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        String id = created.json().get("id").asText();
        assertThat(id).isNotEqualTo("x");
        assertThat(UUID.fromString(id).version()).isEqualTo(4);
        assertThat(created.json().get("email").asText()).isEqualTo(email);
        assertThat(created.header("Location")).endsWith("/auth/users/" + id);

        Reply login = c.postJson("auth/login", Json.object("email", email, "password", PASSWORD, "roles", List.of("admin")));
        assertThat(login.status()).as(login.toString()).isEqualTo(200);
        assertThat(login.header("Cache-Control")).isEqualTo("no-store");
        String bearer = "Bearer " + login.json().get("access_token").asText();

        Reply user = c.get("auth/users/" + id, "Authorization", bearer);
        assertThat(user.status()).as(user.toString()).isEqualTo(200);
        assertThat(user.json().get("roles").size()).isEqualTo(1);
        assertThat(user.json().get("roles").get(0).asText()).isEqualTo("user");
        assertThat(user.json().get("created_at").asText()).doesNotStartWith("1970");
        assertThat(c.get("api/admin", "Authorization", bearer).status()).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth/register", "auth/login", "auth/refresh", "auth/logout", "auth/logout-all"})
    void getOnAPostEndpointIs405(String path) {
        Reply r = client().get(path);
        assertThat(r.status()).as(r.toString()).isEqualTo(405);
        assertThat(r.header("Allow")).as(r.toString()).contains("POST");
        assertThat(r.body()).doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE", "PATCH"})
    void otherMethodsOnLoginAre405(String method) {
        // Grizzly itself refuses a DELETE with a body (400), so DELETE goes without one
        HttpRequest.BodyPublisher body = "DELETE".equals(method) ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(Json.credentials(newEmail(), PASSWORD));
        HttpRequest.Builder b = HttpRequest.newBuilder(server.base.resolve("auth/login")).method(method, body);
        Reply r = client().send(b, "Content-Type", "application/json");
        assertThat(r.status()).as(r.toString()).isEqualTo(405);
        assertThat(r.header("Allow")).contains("POST");
    }

    @ParameterizedTest
    @ValueSource(strings = {"carrier-pigeon", "", "bearer cookie", "bearer, cookie", "COOKIES"})
    void unknownAuthTransportIs400(String transport) {
        Reply r = client().postJson("auth/login", Json.credentials(newEmail(), PASSWORD), "Auth-Transport", transport);
        JsonNode problem = assertInvalidRequest(r);
        assertThat(problem.get("detail").asText()).contains("Auth-Transport");
        Reply refresh = client().postJson("auth/refresh", Json.object("refresh_token", "x".repeat(43)), "Auth-Transport", transport);
        assertInvalidRequest(refresh);
    }

    @Test
    void transportNamesAreCaseInsensitive() {
        for (String t : List.of("BEARER", "Cookie", " bearer ")) {
            Reply r = client().postJson("auth/login", Json.credentials(newEmail(), PASSWORD), "Auth-Transport", t);
            assertInvalidCredentials(r);
        }
    }

    @Test
    void disabledTransportIs400AndTheEnabledOneWorks() {
        Client c = new Client(bearerOnly.base);
        String email = newEmail();
        assertThat(c.postJson("auth/register", Json.credentials(email, PASSWORD)).status()).isEqualTo(201);

        Reply cookie = c.postJson("auth/login", Json.credentials(email, PASSWORD), "Auth-Transport", "cookie");
        JsonNode problem = assertInvalidRequest(cookie);
        assertThat(problem.get("detail").asText()).contains("cookie");
        assertThat(cookie.headers("Set-Cookie")).isEmpty();
        assertThat(cookie.body()).doesNotContain("access_token");

        Reply refresh = c.postJson("auth/refresh", "{}", "Auth-Transport", "cookie");
        assertInvalidRequest(refresh);

        Reply bearer = c.postJson("auth/login", Json.credentials(email, PASSWORD), "Auth-Transport", "bearer");
        assertThat(bearer.status()).as(bearer.toString()).isEqualTo(200);
        assertThat(bearer.header("Cache-Control")).isEqualTo("no-store");
        assertThat(bearer.json().get("access_token").asText()).isNotEmpty();
        assertThat(c.postJson("auth/login", Json.credentials(email, PASSWORD)).status()).isEqualTo(200);
    }

    @Test
    void refreshBodyIsCheckedLikeTheOthers() {
        assertUnsupportedMediaType(client().post("auth/refresh", "text/plain", "x"));
        assertInvalidRequest(client().postJson("auth/refresh", "[1]"));
        assertValidation(client().postJson("auth/refresh", "{}"), "refresh_token");
        assertValidation(client().postJson("auth/refresh", "{\"refresh_token\":5}"), "refresh_token");
        assertTooLarge(client().postJson("auth/refresh", Json.object("refresh_token", "x".repeat(LIMIT))));
        assertInvalidCredentials(client().postJson("auth/refresh", Json.object("refresh_token", "not-a-token")));
        assertProblem(client().postJson("auth/refresh", Json.object("refresh_token", "A".repeat(43))), 401,
                "invalid-credentials", "Invalid credentials");
    }
}
