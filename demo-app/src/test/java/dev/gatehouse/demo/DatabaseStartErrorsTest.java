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

import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A database the demo cannot use stops its start with a message that names
 * {@code GATEHOUSE_JDBC_URL}; a second demo on the H2 file another process holds (two demos started
 * in the same directory share {@code ./data}) is told so, and how to choose another database.
 */
class DatabaseStartErrorsTest {

    /** Holds an H2 file database open until its stdin closes: the first demo, as far as H2 can tell. */
    public static final class H2Holder {
        private H2Holder() {
        }

        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection(args[0])) {
                c.createStatement().execute("CREATE TABLE IF NOT EXISTS held (id INT)");
                System.out.println("open");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the test closes our stdin
                }
            }
        }
    }

    private static DemoSettings settings(String jdbcUrl) {
        return DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", jdbcUrl,
                "GATEHOUSE_JDBC_CONNECTION_TIMEOUT", "PT1S",
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", "4",
                "GATEHOUSE_TEST_MODE", "true"), name -> null, name -> null);
    }

    @Test
    void aSecondDemoOnAnH2FileAnotherProcessHoldsSaysSoAndHowToChooseAnotherUrl(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("data/gatehouse").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
        Process first = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), H2Holder.class.getName(), url))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the holder process opened the database").isEqualTo("open");

            assertThatThrownBy(() -> DemoMain.start(settings(url)))
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                        assertThat(e.setting()).isEqualTo("GATEHOUSE_JDBC_URL");
                        assertThat(e.getMessage()).contains("GATEHOUSE_JDBC_URL", "is in use by another process",
                                "another Gatehouse demo", "GATEHOUSE_JDBC_URL=jdbc:h2:file:./data-2/gatehouse");
                    });
        } finally {
            first.getOutputStream().close();
            if (!first.waitFor(10, TimeUnit.SECONDS)) {
                first.destroyForcibly();
            }
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedIsReportedUnderGatehouseJdbcUrlWithThePasswordMasked() {
        String url = "jdbc:postgresql://127.0.0.1:1/gatehouse?password=s3cret-pw&connectTimeout=1";

        assertThatThrownBy(() -> DemoContext.create(settings(url), "http://127.0.0.1:0", null))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("GATEHOUSE_JDBC_URL");
                    assertThat(e.getMessage()).contains("cannot use the database jdbc:postgresql://127.0.0.1:1/gatehouse?password=****",
                            "Check that the database runs and that GATEHOUSE_JDBC_URL").doesNotContain("s3cret-pw");
                });
    }
}
