package com.example.warfilter;

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
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WAR that {@code package} built, deployed as it is in an embedded Tomcat 10.1: its web.xml
 * registers the filter, its WEB-INF/lib brings Gatehouse. A real Gatehouse issuer on another port
 * issues the tokens; web.xml finds it through the system property {@code gatehouse.issuer}.
 */
class HelloServletIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static GatehouseIssuer issuer;
    private static Path baseDir;
    private static Tomcat tomcat;

    @BeforeAll
    static void start() throws Exception {
        issuer = GatehouseIssuer.start();
        // Tomcat replaces ${gatehouse.issuer} in web.xml with this, as it would with -Dgatehouse.issuer=...
        System.setProperty("gatehouse.issuer", issuer.issuer);

        baseDir = Files.createTempDirectory("war-filter-tomcat-");
        Files.createDirectories(baseDir.resolve("webapps"));
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);                          // before getConnector(), or it binds 8080
        tomcat.getConnector();
        tomcat.setAddDefaultWebXmlToWebapp(false);  // no JSP engine here
        tomcat.getHost().setAutoDeploy(false);
        File war = new File(System.getProperty("war", "target/war-filter-1.0-SNAPSHOT.war"));
        assertThat(war).as("the WAR that `mvn package` builds").isFile();
        Context context = tomcat.addWebapp("/app", war.getAbsolutePath());
        context.setJarScanner(noClassPathScanning());
        // no leak hunting on stop: it needs --add-opens, and would only warn about the test JVM's own class path
        StandardContext standard = (StandardContext) context;
        standard.setClearReferencesObjectStreamClassCaches(false);
        standard.setClearReferencesRmiTargets(false);
        standard.setClearReferencesThreadLocals(false);
        tomcat.start();
        // a filter whose init() fails stops the web application: say so here rather than as a 404 later
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
            if (issuer != null) {
                issuer.close();
            }
            System.clearProperty("gatehouse.issuer");
            if (baseDir != null) {
                try (Stream<Path> paths = Files.walk(baseDir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void withoutATokenTheFilterAnswers401WithABearerChallenge() throws Exception {
        HttpResponse<String> response = get(null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"gatehouse\"");
    }

    @Test
    void aValidTokenReachesTheServletWhichNamesTheUser() throws Exception {
        GatehouseIssuer.Login login = issuer.registerAndLogIn();

        HttpResponse<String> response = get(login.accessToken());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Hello " + login.userId() + ", admin: false");
    }

    @Test
    void theServletSeesTheRolesOfTheToken() throws Exception {
        GatehouseIssuer.Login login = issuer.registerAndLogIn("admin");

        HttpResponse<String> response = get(login.accessToken());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("Hello " + login.userId() + ", admin: true");
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedWith401() throws Exception {
        String billingToken = issuer.sign("billing", Clock.systemUTC(), "someone");

        HttpResponse<String> response = get(billingToken);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"The token's audience is not accepted\"");
        assertThat(response.body()).doesNotContain("Hello");
    }

    private static HttpResponse<String> get(String accessToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/app/hello")).GET();
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The WAR's own jars are still read (WEB-INF/lib); the test's class path is not scanned (start-up in about 1 s, not 5). */
    private static StandardJarScanner noClassPathScanning() {
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        return scanner;
    }
}
