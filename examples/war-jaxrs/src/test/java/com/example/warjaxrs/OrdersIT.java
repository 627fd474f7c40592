package com.example.warjaxrs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAR that {@code package} built, deployed as it is in an embedded Tomcat 10.1, used over
 * HTTP: it issues the tokens (the JAX-RS endpoints) and checks them (the servlet filter).
 */
class OrdersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path baseDir;
    private static Tomcat tomcat;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        baseDir = Files.createTempDirectory("war-jaxrs-tomcat-");
        Files.createDirectories(baseDir.resolve("webapps"));
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);                          // before getConnector(), or it binds 8080
        tomcat.getConnector();
        tomcat.setAddDefaultWebXmlToWebapp(false);  // no JSP engine here
        tomcat.getHost().setAutoDeploy(false);
        File war = new File(System.getProperty("war", "target/war-jaxrs-1.0-SNAPSHOT.war"));
        assertThat(war).as("the WAR that `mvn package` builds").isFile();
        Context context = tomcat.addWebapp("/app", war.getAbsolutePath());
        context.setJarScanner(noClassPathScanning());
        // no leak hunting on stop: it needs --add-opens, and would only warn about the test JVM's own class path
        StandardContext standard = (StandardContext) context;
        standard.setClearReferencesObjectStreamClassCaches(false);
        standard.setClearReferencesRmiTargets(false);
        standard.setClearReferencesThreadLocals(false);

        tomcat.init();                              // binds the port: the issuer can name it
        base = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/app";
        // Tomcat replaces ${orders.issuer} and ${orders.key-encryption-key} in web.xml with these
        System.setProperty("orders.issuer", base);
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        System.setProperty("orders.key-encryption-key", Base64.getEncoder().encodeToString(kek));
        tomcat.start();
        assertThat(context.getState()).as("the web application started").isEqualTo(LifecycleState.STARTED);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } finally {
            System.clearProperty("orders.issuer");
            System.clearProperty("orders.key-encryption-key");
            if (baseDir != null) {
                try (Stream<Path> paths = Files.walk(baseDir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void aRegisteredUserLogsInAndReachesTheResource() throws Exception {
        String credentials = credentials();
        HttpResponse<String> registered = post("/auth/register", credentials);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        String userId = JSON.readTree(registered.body()).get("id").asText();
        HttpResponse<String> login = post("/auth/login", credentials);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);

        HttpResponse<String> orders = get("/orders", JSON.readTree(login.body()).get("access_token").asText());

        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(orders.body()).isEqualTo("orders of " + userId);
    }

    @Test
    void withoutATokenTheFilterAnswers401() throws Exception {
        HttpResponse<String> orders = get("/orders", null);

        assertThat(orders.statusCode()).isEqualTo(401);
        assertThat(orders.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void aUserWithoutTheRoleGets403() throws Exception {
        String credentials = credentials();
        assertThat(post("/auth/register", credentials).statusCode()).isEqualTo(201);
        String token = JSON.readTree(post("/auth/login", credentials).body()).get("access_token").asText();

        assertThat(get("/orders/all", token).statusCode()).isEqualTo(403);
    }

    @Test
    void afterLogoutTheAccessTokenIsRefused() throws Exception {
        String credentials = credentials();
        assertThat(post("/auth/register", credentials).statusCode()).isEqualTo(201);
        var tokens = JSON.readTree(post("/auth/login", credentials).body());
        String accessToken = tokens.get("access_token").asText();
        assertThat(get("/orders", accessToken).statusCode()).isEqualTo(200);

        HttpResponse<String> logout = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/auth/logout"))
                .header("Authorization", "Bearer " + accessToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"refresh_token\":\"" + tokens.get("refresh_token").asText() + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).as(logout.body()).isEqualTo(204);

        // the filter verifies with the service's verifier, which sees the logout
        assertThat(get("/orders", accessToken).statusCode()).isEqualTo(401);
    }

    private static String credentials() {
        return "{\"email\":\"" + UUID.randomUUID() + "@example.org\",\"password\":\"correct horse battery staple\"}";
    }

    private static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String accessToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The WAR's own jars are still read (WEB-INF/lib); the test's class path is not scanned. */
    private static StandardJarScanner noClassPathScanning() {
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        return scanner;
    }
}
