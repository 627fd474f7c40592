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

package dev.gatehouse.demo.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A JVM child process started the way an operator starts the demo ({@code run-demo.sh}:
 * {@code java -cp target/classes:target/lib/* dev.gatehouse.demo.grizzly.DemoMain}), with the
 * classpath from the system property {@value #CLASSPATH_PROPERTY} (set by the pom; {@code target/lib}
 * is made in {@code prepare-package}, so only the {@code *IT} tests can use this). Settings are
 * environment variables: every {@code GATEHOUSE_*} variable of the test's own environment is
 * removed first, and so are {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS}.
 *
 * <p>stdout and stderr go to files in the working directory. (Read through pipes, the last lines
 * a JVM writes in its shutdown hooks can be lost: the JDK's process reaper closes the pipes when
 * the child exits.)
 */
public final class DemoProcess implements AutoCloseable {
    /** System property with the demo's runtime classpath; set by the pom. */
    public static final String CLASSPATH_PROPERTY = "gatehouse.test.classpath";
    public static final String DEMO_MAIN = "dev.gatehouse.demo.grizzly.DemoMain";
    private static final Pattern URL = Pattern.compile("http://[^\\s]+");

    private final Process process;
    private final long startedNanos;
    private final Path out;
    private final Path err;

    private DemoProcess(Process process, long startedNanos, Path out, Path err) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.out = out;
        this.err = err;
    }

    /** The demo's classpath; fails with a hint when the build has not made {@code target/lib}. */
    public static String classpath() {
        String classpath = System.getProperty(CLASSPATH_PROPERTY);
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalStateException(CLASSPATH_PROPERTY + " is not set (the pom sets it)");
        }
        Path lib = Path.of(classpath.substring(classpath.lastIndexOf(File.pathSeparatorChar) + 1)).getParent();
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is made in prepare-package: run this through 'mvn verify'");
        }
        return classpath;
    }

    /** Starts {@link #DEMO_MAIN} in {@code workDir} with these settings. */
    public static DemoProcess start(Path workDir, Map<String, String> settings) {
        return start(workDir, settings, List.of(), DEMO_MAIN);
    }

    /**
     * Starts {@code mainClass} (with {@code args}) on the demo's classpath in {@code workDir}, with
     * these settings and JVM options.
     */
    public static DemoProcess start(Path workDir, Map<String, String> settings, List<String> jvmOptions, String mainClass,
                                    String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        try {
            Files.createDirectories(workDir);
            pb.directory(workDir.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("JDK_JAVA_OPTIONS"));
            pb.environment().putAll(settings);
            // under target/it-work, not the work directory: the secret scan (LogScanCheck) reads them after the run
            Path outputs = Files.createDirectories(Path.of(System.getProperty("gatehouse.test.work", "target/it-work"))
                    .resolve("processes"));
            Path out = Files.createTempFile(outputs, "stdout", ".txt");
            Path err = Files.createTempFile(outputs, "stderr", ".txt");
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            long started = System.nanoTime();
            return new DemoProcess(pb.start(), started, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + mainClass, e);
        }
    }

    public Process process() {
        return process;
    }

    /** {@link System#nanoTime()} just before the process was started. */
    public long startedNanos() {
        return startedNanos;
    }

    /** The first complete stdout line, or null when none came within the timeout (or the process died). */
    public String awaitLine(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean alive = process.isAlive();
            String text = read(out);
            int newline = text.indexOf('\n');
            if (newline >= 0) {
                return text.substring(0, newline);
            }
            if (!alive || System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(10);
        }
    }

    /**
     * Waits for the ready line ({@code Gatehouse demo ready at http://...}) and returns its URL.
     *
     * @throws IllegalStateException with the process's stderr when it did not come in time
     */
    public URI awaitReady(Duration timeout) throws InterruptedException {
        String line = awaitLine(timeout);
        Matcher m = line == null ? null : URL.matcher(line);
        if (m == null || !m.find()) {
            kill();
            throw new IllegalStateException("The demo printed no ready line within " + timeout + " (stdout: " + line
                    + "); stderr:\n" + stderr());
        }
        return URI.create(m.group());
    }

    public List<String> stdoutLines() {
        return read(out).lines().collect(Collectors.toList());
    }

    public String stderr() {
        return read(err);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to end; its exit status, or null when it did not end in time. */
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** SIGTERM, as an operator stops it; the exit status, or null when it did not exit in time (it is then killed). */
    public Integer stop(Duration timeout) throws InterruptedException {
        process.destroy();
        Integer status = awaitExit(timeout);
        if (status == null) {
            kill();
        }
        return status;
    }

    /** Kills the process if it is still running. */
    public void kill() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
