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

import dev.gatehouse.demo.DemoContract;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.demo.grizzly.DemoMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The web attacks against the standalone demo on Jersey + Grizzly, in-process on port 0, on a fresh
 * H2 file database. The demo logs to this JVM's standard error, which the test copies while it
 * runs so that the log can be read back.
 */
class GrizzlyWebAttackTest extends WebAttackContract {
    private static final int GRIZZLY_MAX_HEADER_SECTION = 8 * 1024;
    @TempDir
    static Path dir;
    private DemoMain.Running running;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeAll
    void start() throws Exception {
        originalErr = System.err;
        // slf4j-simple looks System.err up at every line, so a copy made here sees the demo's log
        System.setErr(new PrintStream(new TeeOutputStream(originalErr, log), true, StandardCharsets.UTF_8));
        running = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("attack").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false",
                "GATEHOUSE_TRUSTED_PROXIES", TRUSTED_PROXY), name -> null, name -> null));
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
        if (originalErr != null) {
            System.setErr(originalErr);
        }
    }

    @Override
    protected List<String> logLinesContaining(String needle) {
        String text;
        synchronized (log) {
            text = log.toString(StandardCharsets.UTF_8);
        }
        return text.lines().filter(line -> line.contains(needle)).collect(Collectors.toList());
    }

    @Override
    protected int transportSecurityInstances() {
        return 1;
    }

    /** Writes to two streams; the copy is guarded by its own monitor. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final ByteArrayOutputStream copy;

        TeeOutputStream(OutputStream first, ByteArrayOutputStream copy) {
            this.first = first;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (copy) {
                copy.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (copy) {
                copy.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            first.flush();
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }

    /** Grizzly's {@code maxHttpHeaderSize} default (8 KiB): above it, {@code 400} and the connection closed. */
    @Override
    protected int statusForHeaderSection(int bytes) {
        return bytes > GRIZZLY_MAX_HEADER_SECTION ? 400 : 200;
    }
}
