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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last test of each module's build (surefire execution {@code secret-scan}, phase
 * {@code verify}, after the unit and integration tests): no secret the run used
 * ({@link SecretLedger}) appears, in any spelling {@link SecretScanner} knows, in anything the run
 * wrote — test output and log lines ({@code target/surefire-reports}), Tomcat's logs and the
 * launched demo processes' output ({@code target/it-work}).
 *
 * <p>What is scanned, explicitly: every regular file under the roots (system property
 * {@value #ROOTS_PROPERTY}, comma-separated) whose name ends in {@code .txt}, {@code .log},
 * {@code .out}, {@code .xml}, {@code .dump} or {@code .dumpstream}. Not scanned: the ledger
 * directory itself, and files of other kinds (H2 databases, jars, classes, key files the tests
 * wrote on purpose). The check fails — it never passes vacuously — when the ledger is empty or
 * when no test output file ({@code *-output.txt}) was found.
 */
class LogScanCheck {
    /** The roots to scan, comma-separated. */
    static final String ROOTS_PROPERTY = "gatehouse.test.scan-roots";
    static final List<String> SCANNED_ENDINGS = List.of(".txt", ".log", ".out", ".xml", ".dump", ".dumpstream");

    @Test
    void noSecretUsedByThisRunAppearsInItsOutput() throws IOException {
        String roots = System.getProperty(ROOTS_PROPERTY);
        String ledger = System.getProperty(SecretLedger.DIR_PROPERTY);
        assertThat(roots).as("system property %s (set by the build)", ROOTS_PROPERTY).isNotBlank();
        assertThat(ledger).as("system property %s (set by the build)", SecretLedger.DIR_PROPERTY).isNotBlank();
        String summary = check(Path.of(ledger), Arrays.stream(roots.split(",")).map(String::strip)
                .filter(r -> !r.isEmpty()).map(Path::of).collect(Collectors.toList()));
        System.out.println("[LogScanCheck] " + summary);
    }

    /**
     * Scans; a one-line summary when clean.
     *
     * @throws AssertionError listing every finding (file:line, the spelling, the secret masked),
     *                        or when there was nothing to scan or nothing to look for
     */
    static String check(Path ledgerDir, List<Path> roots) throws IOException {
        List<String> secrets = SecretLedger.load(ledgerDir);
        assertThat(secrets).as("no secrets were recorded in %s: the tests did not run, or their support code no longer"
                + " calls SecretLedger.record", ledgerDir).isNotEmpty();
        List<Path> files = new ArrayList<>();
        Path ledger = ledgerDir.toAbsolutePath().normalize();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> !f.toAbsolutePath().normalize().startsWith(ledger))
                        .filter(f -> SCANNED_ENDINGS.stream().anyMatch(e -> f.getFileName().toString()
                                .toLowerCase(Locale.ROOT).endsWith(e)))
                        .sorted()
                        .forEach(files::add);
            }
        }
        assertThat(files).as("no test output (*-output.txt) under %s: is redirectTestOutputToFile on?", roots)
                .anyMatch(f -> f.getFileName().toString().endsWith("-output.txt"));
        SecretScanner scanner = new SecretScanner(secrets);
        List<SecretScanner.Finding> findings = new ArrayList<>();
        long bytes = 0;
        for (Path file : files) {
            findings.addAll(scanner.scan(file));
            bytes += Files.size(file);
        }
        if (!findings.isEmpty()) {
            throw new AssertionError(findings.size() + " secret(s) used by this run appear in its output (fix the"
                    + " code that printed them; never weaken this check):\n  " + findings.stream()
                    .map(SecretScanner.Finding::toString).collect(Collectors.joining("\n  ")));
        }
        return secrets.size() + " secrets (" + scanner.spellings() + " spellings) not found in " + files.size()
                + " files (" + bytes / 1024 + " KiB) under " + roots;
    }
}
