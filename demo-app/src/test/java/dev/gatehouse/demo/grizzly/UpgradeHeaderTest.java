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

package dev.gatehouse.demo.grizzly;

import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.jaxrs.grizzly.IgnoreUpgradeAddOn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request carrying {@code Upgrade} (Java's HttpClient sends {@code Upgrade: h2c} by default)
 * is answered as ordinary HTTP/1.1; without {@link IgnoreUpgradeAddOn} Grizzly never delivers its
 * body and the worker thread hangs. Raw sockets, so no client library can hide the behaviour.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpgradeHeaderTest {
    @TempDir
    static Path dir;
    DemoMain.Running demo;
    URI base;

    @BeforeAll
    void start() throws Exception {
        DemoSettings settings = DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", dev.gatehouse.demo.DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_PEPPER", dev.gatehouse.demo.DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", "4",
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false",
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath()), name -> null, name -> null);
        demo = DemoMain.start(settings);
        base = URI.create(demo.url);
    }

    @AfterAll
    void stop() {
        if (demo != null) {
            demo.stop();
        }
    }

    private String exchange(String request) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                response.write(buffer, 0, n);
                if (response.toString(StandardCharsets.UTF_8).contains("}")) {
                    break;
                }
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    private static String post(String path, String body, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n" + extraHeaders + "\r\n" + body;
    }

    @Test
    void postWithH2cUpgradeHeaderIsAnsweredAsHttp11() throws Exception {
        String response = exchange(post("/auth/register", "{\"email\":\"h2c@example.org\",\"password\":\"correct horse battery staple\"}",
                "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"));
        assertThat(response).startsWith("HTTP/1.1 201");
        assertThat(response).contains("\"email\":\"h2c@example.org\"");
    }

    @Test
    void postWithWebSocketUpgradeHeaderIsAnsweredAsHttp11() throws Exception {
        String response = exchange(post("/auth/refresh", "{\"refresh_token\":\"x\"}", "Connection: Upgrade\r\nUpgrade: websocket\r\n"));
        assertThat(response).startsWith("HTTP/1.1 401");
        assertThat(response).contains("invalid-credentials");
    }
}
