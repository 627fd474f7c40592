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

package dev.gatehouse.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.filter.GatehouseFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A verify-only web application in Tomcat whose Gatehouse filter knows the issuer alone
 * ({@code issuer-uri}), against the demo running on Grizzly: the filter reads the demo's
 * {@code /.well-known/openid-configuration}, follows its {@code jwks_uri}, and verifies the
 * tokens the demo issues. An {@code issuer-uri} that the demo's document does not name exactly
 * (a trailing {@code /} more) keeps that application from starting, naming the init-param.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IssuerUriFilterDemoTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private DemoMain.Running demo;
    private String issuer;
    private Tomcat tomcat;
    private Context verifying;
    private Context mixedUp;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger containerLog = Logger.getLogger("org.apache.catalina.core.ContainerBase");

    @BeforeAll
    void start() throws Exception {
        demo = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("gatehouse").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(DemoContract.BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false"), name -> null, name -> null));
        // What an operator writes: the demo's own issuer, http://127.0.0.1:<port> (docs/demo.md).
        issuer = "http://127.0.0.1:" + URI.create(demo.url).getPort();

        containerLog.addHandler(capture);
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(dir.resolve("tomcat")).toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        tomcat.setAddDefaultWebXmlToWebapp(false);
        tomcat.getHost().setAutoDeploy(false);
        verifying = addContext("/orders", issuer);
        mixedUp = addContext("/mixed-up", issuer + "/");
        tomcat.start();
    }

    private Context addContext(String path, String issuerUri) throws IOException {
        Context context = tomcat.addContext(path, Files.createDirectories(dir.resolve("docbase" + path.replace('/', '_'))).toString());
        StandardJarScanner noScanning = new StandardJarScanner();
        noScanning.setScanClassPath(false);
        noScanning.setScanManifest(false);
        context.setJarScanner(noScanning);
        FilterDef filter = new FilterDef();
        filter.setFilterName("gatehouse");
        filter.setFilterClass(GatehouseFilter.class.getName());
        filter.addInitParameter(GatehouseFilter.ISSUER_URI_PARAM, issuerUri);
        filter.addInitParameter(GatehouseFilter.AUDIENCE_PARAM, demo.context.settings.audience);
        filter.addInitParameter(GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "true");
        context.addFilterDef(filter);
        FilterMap mapping = new FilterMap();
        mapping.setFilterName("gatehouse");
        mapping.addURLPattern("/*");
        context.addFilterMap(mapping);
        Tomcat.addServlet(context, "whoami", new WhoAmI());
        context.addServletMapping("/*", "whoami");
        return context;
    }

    @AfterAll
    void stop() throws Exception {
        containerLog.removeHandler(capture);
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
        if (demo != null) {
            demo.stop();
        }
    }

    /** Answers the principal's name. */
    private static final class WhoAmI extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            Principal principal = request.getUserPrincipal();
            response.setContentType("text/plain");
            response.getWriter().write(principal == null ? "-" : principal.getName());
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(demo.url + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpResponse<String> getAtTomcat(String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + path))
                .header("Authorization", "Bearer " + token).GET().build());
    }

    /** Registers and logs in at the demo; returns the user id and the access token. */
    private String[] logIn() throws Exception {
        String credentials = "{\"email\":\"issuer-uri-" + UUID.randomUUID() + "@example.org\",\"password\":\""
                + DemoContract.PASSWORD + "\"}";
        HttpResponse<String> registered = postJson("auth/register", credentials);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        HttpResponse<String> login = postJson("auth/login", credentials);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new String[] {JSON.readTree(registered.body()).get("id").asText(), JSON.readTree(login.body()).get("access_token").asText()};
    }

    @Test
    void theDemosDiscoveryDocumentNamesTheIssuerTheOperatorWrites() throws Exception {
        HttpResponse<String> document = send(HttpRequest.newBuilder(URI.create(demo.url + ".well-known/openid-configuration")).build());

        JsonNode metadata = JSON.readTree(document.body());
        assertThat(metadata.get("issuer").asText()).isEqualTo(issuer);
        assertThat(metadata.get("jwks_uri").asText()).isEqualTo(issuer + "/.well-known/jwks.json");
    }

    @Test
    void aTokenTheDemoIssuedIsVerifiedInTomcatWithKeysFoundFromTheIssuerAlone() throws Exception {
        String[] login = logIn();

        HttpResponse<String> reply = getAtTomcat("/orders/api/resource", login[1]);

        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(login[0]);
        HttpResponse<String> none = getAtTomcat("/orders/api/resource", "not.a.token");
        assertThat(none.statusCode()).isEqualTo(401);
    }

    @Test
    void anIssuerUriTheDocumentDoesNotNameExactlyKeepsTheApplicationFromStarting() throws Exception {
        assertThat(verifying.getState().isAvailable()).isTrue();
        assertThat(mixedUp.getState().isAvailable()).as("state " + mixedUp.getState()).isFalse();
        String failure = records.stream()
                .filter(r -> r.getThrown() != null)
                .map(r -> messages(r.getThrown()))
                .filter(m -> m.contains("Gatehouse"))
                .findFirst().orElseThrow(() -> new AssertionError("no start-up failure was logged"));
        assertThat(failure).contains("'" + GatehouseFilter.ISSUER_URI_PARAM + "'")
                .contains("'" + issuer + "'").contains("'" + issuer + "/'");

        HttpResponse<String> refused = getAtTomcat("/mixed-up/api/resource", logIn()[1]);
        assertThat(refused.statusCode()).isEqualTo(404);
    }

    private static String messages(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c.getMessage()).append('\n');
        }
        return out.toString();
    }
}
