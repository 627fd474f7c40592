package com.example.grizzly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The application on a free loopback port with an in-memory database, used over real HTTP. */
class AppTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static App app;

    @BeforeAll
    static void start() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        app = App.start(new App.Settings("127.0.0.1", 0, null,
                "jdbc:h2:mem:app-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", Base64.getEncoder().encodeToString(kek)));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aRegisteredUserLogsInAndReachesTheProtectedResource() throws Exception {
        String credentials = credentials();
        HttpResponse<String> registered = post("/auth/register", credentials);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String userId = JSON.readTree(registered.body()).get("id").asText();

        HttpResponse<String> login = post("/auth/login", credentials);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        JsonNode tokens = JSON.readTree(login.body());
        assertThat(tokens.get("refresh_token").asText()).isNotBlank();

        HttpResponse<String> me = get("/me", tokens.get("access_token").asText());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).isEqualTo("user " + userId);
    }

    @Test
    void withoutATokenTheResourceAnswers401WithABearerChallenge() throws Exception {
        HttpResponse<String> me = get("/me", null);

        assertThat(me.statusCode()).isEqualTo(401);
        assertThat(me.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void aUserWithoutTheRoleGets403() throws Exception {
        String credentials = credentials();
        assertThat(post("/auth/register", credentials).statusCode()).isEqualTo(201);
        String token = JSON.readTree(post("/auth/login", credentials).body()).get("access_token").asText();

        assertThat(get("/me/admin", token).statusCode()).isEqualTo(403);
    }

    @Test
    void anAdminReachesTheAdminResource() throws Exception {
        String credentials = credentials();
        HttpResponse<String> registered = post("/auth/register", credentials);
        app.service().grantRole(JSON.readTree(registered.body()).get("id").asText(), "admin");
        // roles are read at login: the token carries them
        String token = JSON.readTree(post("/auth/login", credentials).body()).get("access_token").asText();

        HttpResponse<String> admin = get("/me/admin", token);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).isEqualTo("admin area");
        assertThat(get("/me", token).body()).endsWith(" (admin)");
    }

    private static String credentials() {
        return "{\"email\":\"" + UUID.randomUUID() + "@example.org\",\"password\":\"correct horse battery staple\"}";
    }

    private static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.baseUri() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String accessToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUri() + path)).GET();
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
