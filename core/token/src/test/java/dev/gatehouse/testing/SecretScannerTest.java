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

package dev.gatehouse.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The secret scan finds what it must, says where without repeating the secret, and cannot pass on nothing. */
class SecretScannerTest {
    private static final String PASSWORD = "s3cret \"quoted\" & <odd> pass/word ~~~";
    private static final String REFRESH = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";
    private static final String HEADER = TokenForge.b64("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
    private static final String PAYLOAD = TokenForge.b64("{\"sub\":\"user-1\",\"jti\":\"7a1c0d2e-planted\"}");
    private static final String SIGNATURE = "c2lnbmF0dXJlLWJ5dGVzLXRoYXQtYXJlLWxvbmctZW5vdWdo";
    private static final String JWT = HEADER + "." + PAYLOAD + "." + SIGNATURE;

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void everySpellingIsFoundWithItsFileAndLine() throws IOException {
        SecretScanner scanner = new SecretScanner(List.of(PASSWORD, REFRESH, JWT));
        Path log = write("log.txt",
                "INFO nothing here",
                "body {\"password\":\"" + PASSWORD.replace("\"", "\\\"") + "\"}",
                "GET /x?password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + " 200",
                "cookie gh_refresh=" + REFRESH + "; HttpOnly",
                "Authorization: Basic " + Base64.getEncoder().withoutPadding()
                        .encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)),
                "refused token payload " + PAYLOAD,
                "refused signature " + SIGNATURE,
                "<value>" + PASSWORD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                        .replace("\"", "&quot;") + "</value>",
                "a header alone is no secret: " + HEADER);

        List<SecretScanner.Finding> findings = scanner.scan(log);

        assertThat(findings).extracting(SecretScanner.Finding::line, SecretScanner.Finding::spelling).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2, "JSON-escaped"),
                org.assertj.core.groups.Tuple.tuple(3, "URL-encoded"),
                org.assertj.core.groups.Tuple.tuple(4, "the secret"),
                org.assertj.core.groups.Tuple.tuple(5, "base64"),
                org.assertj.core.groups.Tuple.tuple(6, "JWT payload segment"),
                org.assertj.core.groups.Tuple.tuple(7, "JWT signature segment"),
                org.assertj.core.groups.Tuple.tuple(8, "XML-escaped"));
        assertThat(findings).allSatisfy(f -> assertThat(f.toString()).startsWith(log + ":" + f.line() + ": ")
                .doesNotContain(PASSWORD).doesNotContain(REFRESH).doesNotContain(PAYLOAD).doesNotContain(SIGNATURE));
    }

    @Test
    void theCheckFailsOnAPlantedSecretListingFileAndLineMasked() throws IOException {
        Path ledger = dir.resolve("secrets-used");
        record(ledger, REFRESH, PASSWORD);
        write("reports/dev.example.SomeTest-output.txt", "ok", "ok");
        Path planted = write("it-work/tomcat/logs/catalina.log", "starting", "refresh_token=" + REFRESH);
        write("it-work/tomcat/data/secret.key", REFRESH);   // not a log: not scanned

        assertThatThrownBy(() -> LogScanCheck.check(ledger, List.of(dir.resolve("reports"), dir.resolve("it-work"))))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 secret(s)")
                .hasMessageContaining(planted + ":2: the secret of 'Zm9…' (44 characters)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(REFRESH).doesNotContain(PASSWORD));
    }

    @Test
    void theCheckPassesOnCleanOutputAndSaysWhatItScanned() throws IOException {
        Path ledger = dir.resolve("secrets-used");
        record(ledger, REFRESH, PASSWORD);
        write("reports/dev.example.SomeTest-output.txt", "INFO login succeeded for user-1");

        assertThat(LogScanCheck.check(ledger, List.of(dir.resolve("reports"))))
                .startsWith("2 secrets (").contains("not found in 1 files");
    }

    @Test
    void theCheckCannotPassOnNothing() throws IOException {
        Path ledger = dir.resolve("secrets-used");
        write("reports/dev.example.SomeTest-output.txt", "INFO something");
        assertThatThrownBy(() -> LogScanCheck.check(ledger, List.of(dir.resolve("reports"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no secrets were recorded");

        record(ledger, REFRESH);
        assertThatThrownBy(() -> LogScanCheck.check(ledger, List.of(dir.resolve("nothing-here"))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no test output");
    }

    @Test
    void theLedgerKeepsSecretsWithLineBreaksAndSkipsShortOnes() throws IOException {
        Path ledger = dir.resolve("secrets-used");
        String pem = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n";
        String previous = System.getProperty(SecretLedger.DIR_PROPERTY);
        System.setProperty(SecretLedger.DIR_PROPERTY, ledger.toString());
        try {
            SecretLedger.record(pem);
            SecretLedger.record("short");
        } finally {
            if (previous == null) {
                System.clearProperty(SecretLedger.DIR_PROPERTY);
            } else {
                System.setProperty(SecretLedger.DIR_PROPERTY, previous);
            }
        }
        assertThat(SecretLedger.load(ledger)).containsExactly(pem);
    }

    /** Writes a ledger file as another JVM would. */
    private static void record(Path ledger, String... secrets) throws IOException {
        Files.createDirectories(ledger);
        StringBuilder b = new StringBuilder();
        for (String s : secrets) {
            b.append(Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        Files.writeString(ledger.resolve("4242.txt"), b.toString());
    }
}
