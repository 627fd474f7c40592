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
import dev.gatehouse.demo.support.DemoProcess;
import dev.gatehouse.demo.support.IndependentTotp;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.Ports;
import dev.gatehouse.demo.support.TomcatDistribution;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions and the second factor across three demo nodes on one PostgreSQL schema: two standalone
 * demos on Grizzly (separate JVMs, {@link DemoProcess}, as {@link MultiNodeContract} runs them) and
 * the WAR in a real Tomcat 10.1 (node 3, the servlet filter in front of Jersey), with the same
 * settings given as environment variables: the same database, key-encryption
 * key, pepper, second-factor key and issuer on every node, a revocation staleness of
 * {@value #STALENESS_TEXT}. A session started on one node is listed on another and ended on a
 * third, which every node honours (its refresh token at once, its access token within the
 * staleness); a login's two steps may reach two different nodes, and a TOTP code spent on one is
 * spent on all. Codes come from the tests' own {@link IndependentTotp}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresSessionsMultiNodeIT {
    static final String STALENESS_TEXT = "PT2S";
    static final Duration STALENESS = Duration.parse(STALENESS_TEXT);
    /** What a revocation may take beyond the staleness on a busy 2-core machine (as in {@link MultiNodeContract}). */
    static final Duration STALENESS_MARGIN = Duration.ofMillis(1500);
    static final String PASSWORD = "plum-Kettle-4-orbit";
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Xshare:auto");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestDatabases.Database db;
    private static final String TOMCAT_CONTEXT = "sessions";
    private final Map<String, DemoProcess> processes = new LinkedHashMap<>();
    private TomcatDistribution tomcat;
    private final Map<String, URI> nodes = new LinkedHashMap<>();

    @BeforeAll
    void startThreeNodes() throws Exception {
        db = TestDatabases.postgres();
        SecretLedger.record(PASSWORD);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GATEHOUSE_PORT", "0");
        env.put("GATEHOUSE_JDBC_URL", db.jdbcUrl());
        env.put("GATEHOUSE_JDBC_USER", db.user());
        env.put("GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        env.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        env.put("GATEHOUSE_MFA_KEY", DemoContract.newPepper());
        env.put("GATEHOUSE_ISSUER", "https://gatehouse.sessions.test");
        env.put("GATEHOUSE_BCRYPT_COST", "4");
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false");
        env.put("GATEHOUSE_REVOCATION_STALENESS", STALENESS_TEXT);
        env.put("GATEHOUSE_CLIENT_ATTEMPTS_PER_MINUTE", "100000");
        Path work = Path.of(System.getProperty("gatehouse.test.work", "target/it-work")).resolve("sessions-multinode-" + db.name())
                .toAbsolutePath();
        for (String name : List.of("1", "2")) {
            processes.put(name, DemoProcess.start(work.resolve("node-" + name), env, JVM_OPTIONS, DemoProcess.DEMO_MAIN));
        }
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Files.createDirectories(work);
        Map<String, String> tomcatEnv = new LinkedHashMap<>(env);
        tomcatEnv.remove("GATEHOUSE_PORT");
        tomcat = TomcatDistribution.start(Files.createTempDirectory(work, "node-3-tomcat-"), war, TOMCAT_CONTEXT, Map.of(), tomcatEnv,
                Ports.free(), START_TIMEOUT);
        assertThat(tomcat.logLinesContaining("SEVERE")).as("errors while deploying:\n%s", tomcat.log()).isEmpty();
        for (Map.Entry<String, DemoProcess> e : processes.entrySet()) {
            nodes.put(e.getKey(), e.getValue().awaitReady(START_TIMEOUT));
        }
        nodes.put("3", tomcat.uri("/" + TOMCAT_CONTEXT + "/"));
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (DemoProcess process : processes.values()) {
            process.stop(Duration.ofSeconds(15));
        }
        if (tomcat != null) {
            tomcat.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    @Order(1)
    void aSessionEndedOnOneNodeIsRefusedOnEveryNodeAndTheOtherLivesOn() {
        String email = register("1");
        JsonNode one = login("1", email, "Sessions-IT (one)");
        JsonNode two = login("1", email, "Sessions-IT (two)");

        JsonNode listed = sessions("2", one);
        assertThat(listed.size()).as("%s", listed).isEqualTo(2);
        String oneId = idOf(listed, "Sessions-IT (one)", true);
        String twoId = idOf(listed, "Sessions-IT (two)", false);
        assertThat(idOf(sessions("3", two), "Sessions-IT (two)", true)).isEqualTo(twoId);
        assertThat(oneId).isNotEqualTo(twoId);

        Reply ended = node("3").delete("auth/sessions/" + twoId, bearer(one));
        assertThat(ended.status()).as("session two ended on node 3 with session one's token: %s", ended).isEqualTo(204);
        long endedAt = System.nanoTime();
        Reply refreshTwo = refresh("1", two);
        assertThat(refreshTwo.status()).as("session two's refresh token on node 1, at once: %s", refreshTwo).isEqualTo(401);
        Reply claims = Poll.until(STALENESS.plus(STALENESS_MARGIN).plusSeconds(5), Duration.ofMillis(20),
                () -> node("2").get("api/claims", bearer(two)), r -> r.status() == 401);
        Duration delay = Duration.ofNanos(System.nanoTime() - endedAt);
        assertThat(claims.status()).as("session two's access token on node 2: %s", claims).isEqualTo(401);
        assertThat(delay).as("until node 2 refused session two's access token").isLessThanOrEqualTo(STALENESS.plus(STALENESS_MARGIN));
        System.out.println("[SessionsMultiNode PostgreSQL] an ended session's access token refused on node 2 after " + delay.toMillis()
                + " ms (staleness " + STALENESS_TEXT + ")");
        assertThat(refresh("3", two).status()).as("session two's refresh token on node 3").isEqualTo(401);

        JsonNode current = one;
        for (String n : List.of("1", "2", "3", "1")) {
            Reply refreshed = refresh(n, current);
            assertThat(refreshed.status()).as("session one refreshes on node %s: %s", n, refreshed).isEqualTo(200);
            current = refreshed.json();
            for (String m : List.of("1", "2", "3")) {
                assertThat(node(m).get("api/claims", bearer(current)).status()).as("session one's new access token on %s", m).isEqualTo(200);
            }
        }
        JsonNode after = sessions("2", current);
        assertThat(after.size()).as("%s", after).isEqualTo(1);
        assertThat(idOf(after, "Sessions-IT (one)", true)).isEqualTo(oneId);
    }

    @Test
    @Order(2)
    void theTwoStepsOfALoginMayReachDifferentNodesAndACodeIsSpentOnAll() {
        String email = register("1");
        JsonNode first = login("1", email, "Sessions-IT (enrol)");
        Reply begun = node("1").post("auth/mfa/totp", null, null, bearer(first));
        assertThat(begun.status()).as("%s", begun).isEqualTo(200);
        String uri = begun.json().path("otpauth_uri").asText();
        SecretLedger.record(IndependentTotp.secretParameter(uri));
        IndependentTotp totp = IndependentTotp.fromUri(uri);
        Reply confirmed = node("1").postJson("auth/mfa/totp/confirm", "{\"code\":\"" + totp.nextCode() + "\"}", bearer(first));
        assertThat(confirmed.status()).as("%s", confirmed).isEqualTo(200);
        assertThat(confirmed.json().path("recovery_codes").size()).isEqualTo(10);

        String code = totp.nextCode();
        String mfaToken = challenge("2", email);
        Reply completed = node("3").postJson("auth/login/mfa", secondStep(mfaToken, code));
        assertThat(completed.status()).as("step one on node 2, step two on node 3: %s", completed).isEqualTo(200);
        JsonNode claims = payload(completed.json());
        assertThat(claims.path("amr").toString()).isEqualTo("[\"pwd\",\"otp\",\"mfa\"]");
        assertThat(node("1").get("api/secure", bearer(completed.json())).status()).as("/api/secure on node 1").isEqualTo(200);

        Reply replayed = node("1").postJson("auth/login/mfa", secondStep(challenge("1", email), code));
        assertThat(replayed.status()).as("the code spent on node 3, replayed on node 1: %s", replayed).isEqualTo(401);
        Reply again = node("2").postJson("auth/login/mfa", secondStep(mfaToken, totp.nextCode()));
        assertThat(again.status()).as("the challenge completed on node 3, again on node 2: %s", again).isEqualTo(401);

        JsonNode listed = sessions("2", completed.json());
        assertThat(listed.size()).as("%s", listed).isEqualTo(2);
        assertThat(listed.toString()).contains("\"amr\":[\"pwd\",\"otp\",\"mfa\"],\"current\":true");
    }

    // ---- helpers ----

    private WebClient node(String name) {
        URI base = nodes.get(name);
        assertThat(base).as("node %s", name).isNotNull();
        return new WebClient(base);
    }

    private String register(String on) {
        String email = "sessions-" + UUID.randomUUID().toString().substring(0, 12) + "@gatehouse.test";
        Reply r = node(on).postJson("auth/register", credentials(email));
        assertThat(r.status()).as("register on %s: %s", on, r).isEqualTo(201);
        return email;
    }

    private JsonNode login(String on, String email, String userAgent) {
        Reply r = node(on).postJson("auth/login", credentials(email), "User-Agent", userAgent);
        assertThat(r.status()).as("login on %s: %s", on, r).isEqualTo(200);
        assertThat(r.json().path("access_token").asText()).isNotEmpty();
        return r.json();
    }

    private String challenge(String on, String email) {
        Reply r = node(on).postJson("auth/login", credentials(email));
        assertThat(r.status()).as("login on %s: %s", on, r).isEqualTo(200);
        assertThat(r.json().path("mfa_required").asBoolean()).as("%s", r).isTrue();
        String token = r.json().path("mfa_token").asText();
        SecretLedger.record(token);
        return token;
    }

    private Reply refresh(String on, JsonNode tokens) {
        return node(on).postJson("auth/refresh", "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}");
    }

    private JsonNode sessions(String on, JsonNode tokens) {
        Reply r = node(on).get("auth/sessions", bearer(tokens));
        assertThat(r.status()).as("sessions on %s: %s", on, r).isEqualTo(200);
        return r.json().path("sessions");
    }

    /** The id of the session of {@code userAgent}, asserting its {@code current} flag and that no other is current when it is. */
    private static String idOf(JsonNode sessions, String userAgent, boolean current) {
        List<String> currents = new ArrayList<>();
        String id = null;
        for (JsonNode s : sessions) {
            if (s.path("current").asBoolean()) {
                currents.add(s.path("user_agent").asText());
            }
            if (userAgent.equals(s.path("user_agent").asText())) {
                assertThat(s.path("current").asBoolean()).as("current of %s in %s", userAgent, sessions).isEqualTo(current);
                assertThat(s.path("client").asText()).isEqualTo("127.0.0.0/24");
                id = s.path("id").asText();
            }
        }
        assertThat(currents).as("the current sessions in %s", sessions).hasSize(1);
        assertThat(id).as("a session of %s in %s", userAgent, sessions).isNotNull();
        return id;
    }

    private static String[] bearer(JsonNode tokens) {
        return new String[] {"Authorization", "Bearer " + tokens.path("access_token").asText()};
    }

    private static JsonNode payload(JsonNode tokens) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(tokens.path("access_token").asText().split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String credentials(String email) {
        return JSON.createObjectNode().put("email", email).put("password", PASSWORD).toString();
    }

    private static String secondStep(String mfaToken, String code) {
        return JSON.createObjectNode().put("mfa_token", mfaToken).put("code", code).toString();
    }
}
