package com.example.orders;

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.jaxrs.GatehouseFeature;
import dev.gatehouse.jaxrs.grizzly.IgnoreUpgradeAddOn;
import dev.gatehouse.jaxrs.grizzly.PeerAddressHandler;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenType;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.h2.jdbcx.JdbcDataSource;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * A real Gatehouse issuer for the tests: the JAX-RS module on Jersey and Grizzly, an in-memory H2
 * database and one RS256 key, at {@code http://127.0.0.1:<port>}, set up as docs/jaxrs.md shows.
 * Its issuer is that URL, as discovery requires: the port is bound first, then the service is
 * built with that issuer and mounted.
 */
final class GatehouseIssuer implements AutoCloseable {
    /** The audience Gatehouse issues tokens for: this service, "orders". */
    static final String AUDIENCE = "orders";
    private static final String PASSWORD = "correct horse battery staple";

    /** The issuer URL, the only thing a resource server is told. */
    final String issuer;
    private final AccessTokenType tokenType;
    private final HttpServer server;
    private final AuthService service;
    private final KeySet keys;
    private final HttpClient http = HttpClient.newHttpClient();

    private GatehouseIssuer(String issuer, AccessTokenType tokenType, HttpServer server, AuthService service, KeySet keys) {
        this.issuer = issuer;
        this.tokenType = tokenType;
        this.server = server;
        this.service = service;
        this.keys = keys;
    }

    /** An issuer whose tokens carry {@code typ: tokenType}. */
    static GatehouseIssuer start(AccessTokenType tokenType) {
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), false);
        // java.net.http asks for HTTP/2 with "Upgrade: h2c", which would otherwise hold the request
        server.getListener("grizzly").registerAddOn(new IgnoreUpgradeAddOn());
        try {
            server.start();
            String issuer = "http://127.0.0.1:" + server.getListener("grizzly").getPort();
            JdbcDataSource database = new JdbcDataSource();
            database.setURL("jdbc:h2:mem:gatehouse-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            JdbcSchema.createIfAbsent(database);
            JdbcStores stores = new JdbcStores(database);
            KeySet keys = KeySet.of(SigningKey.generate(SigningAlgorithm.RS256));
            AuthService service = AuthService.builder(
                    TokenSettings.builder(issuer, AUDIENCE).tokenType(tokenType).build(),
                    AuthSettings.builder().bcryptCostForTests(4).build(), keys,
                    new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                    .build();
            service.start();   // the first revocation snapshot and the pools; close() in close()
            ResourceConfig app = new ResourceConfig()
                    .register(GatehouseFeature.builder(service).build())
                    .property(ServerProperties.WADL_FEATURE_DISABLE, true);
            server.getServerConfiguration().addHttpHandler(
                    new PeerAddressHandler(ContainerFactory.createContainer(GrizzlyHttpContainer.class, app)), "/");
            return new GatehouseIssuer(issuer, tokenType, server, service, keys);
        } catch (IOException e) {
            server.shutdownNow();
            throw new UncheckedIOException("Grizzly did not start", e);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw e;
        }
    }

    /** Registers a new user over HTTP, grants the extra roles, logs in over HTTP, and returns the access token. */
    Login registerAndLogIn(String... extraRoles) throws IOException, InterruptedException {
        String credentials = "{\"email\":\"" + UUID.randomUUID() + "@example.org\",\"password\":\"" + PASSWORD + "\"}";
        String userId = post("/auth/register", credentials, 201).getString("id");
        for (String role : extraRoles) {
            service.grantRole(userId, role);
        }
        return new Login(userId, post("/auth/login", credentials, 200).getString("access_token"));
    }

    /**
     * A token signed with this issuer's key for settings a login never uses (another audience, a
     * clock an hour behind): genuine apart from what the settings change.
     */
    String sign(String audience, Clock clock, String subject) {
        TokenSettings settings = TokenSettings.builder(issuer, audience).tokenType(tokenType).clock(clock).build();
        return new AccessTokenIssuer(settings, keys).issue(subject, List.of("user")).token();
    }

    private JsonObject post(String path, String json, int expectedStatus) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(issuer + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError("POST " + path + ": " + response.statusCode() + " " + response.body());
        }
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readObject();
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        service.close();
    }

    /** A logged-in user: the id that {@code sub} carries, and the access token. */
    record Login(String userId, String accessToken) {
    }
}
