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

package dev.gatehouse.demo.attack;

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.demo.grizzly.DemoMain;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Tampering with the managed keys of the standalone demo on Jersey + Grizzly, started in-process
 * on port 0 with an in-memory H2 database that the test writes to as well. The demo's log lines
 * (slf4j-simple, on {@code System.err}) are copied aside while it runs.
 */
class GrizzlyManagedKeyTamperingTest extends ManagedKeyTamperingContract {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private DemoMain.Running running;

    @Override
    protected Database openDatabase() {
        return TestDatabases.h2();
    }

    @Override
    protected void startServer(Map<String, String> settings) throws Exception {
        originalErr = System.err;
        PrintStream err = originalErr;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                err.write(b);
                log.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                err.write(b, off, len);
                log.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.put("GATEHOUSE_PORT", "0");
        running = DemoMain.start(DemoSettings.from(env, name -> null, name -> null));
    }

    @Override
    protected void stopServer() {
        try {
            if (running != null) {
                running.stop();
            }
        } finally {
            if (originalErr != null) {
                System.setErr(originalErr);
            }
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }

    @Override
    protected String issuer() {
        String url = running.url;
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    protected String serverLog() {
        return log.toString(StandardCharsets.UTF_8);
    }
}
