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

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Tomcat distribution (unpacked from Maven Central into {@code target/tomcat} by the
 * build) run as a child process with {@code bin/catalina.sh run} and a CATALINA_BASE of its own:
 * the distribution's {@code conf/} with only the two ports of {@code server.xml} and its access log's pattern (no query
 * strings) changed, one WAR in
 * {@code webapps/}, and settings as system properties in {@code CATALINA_OPTS}. Stopped through its
 * shutdown port, as {@code catalina.sh stop} would, so that the web application is undeployed and
 * Tomcat's leak detection runs; everything it logged is then in {@link #log()}.
 */
public final class TomcatDistribution implements AutoCloseable {
    /** System property naming the unpacked distribution (CATALINA_HOME); set by the pom. */
    public static final String HOME_PROPERTY = "gatehouse.test.tomcat.home";

    private final Path base;
    private final int httpPort;
    private final int shutdownPort;
    private final String shutdownCommand;
    private final Process process;
    private final long startedNanos;
    private Duration startup;

    private TomcatDistribution(Path base, int httpPort, int shutdownPort, String shutdownCommand, Process process, long startedNanos) {
        this.base = base;
        this.httpPort = httpPort;
        this.shutdownPort = shutdownPort;
        this.shutdownCommand = shutdownCommand;
        this.process = process;
        this.startedNanos = startedNanos;
    }

    /** CATALINA_HOME from {@value #HOME_PROPERTY}; fails with a hint when the build has not unpacked it. */
    public static Path home() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || !Files.isRegularFile(Path.of(home, "bin", "catalina.sh"))) {
            throw new IllegalStateException("No Tomcat distribution at " + HOME_PROPERTY + "=" + home
                    + ": run the *IT tests through Maven ('mvn verify'), which unpacks org.apache.tomcat:tomcat:tar.gz first");
        }
        return Path.of(home);
    }

    /**
     * The demo's WAR ({@code gatehouse.test.war}, built in {@code package}) under {@code /<context>},
     * in a new CATALINA_BASE under the tests' work folder, on a free port and a fresh H2 file
     * database in that base, with {@code gatehouse.issuer} its own URL, and {@code settings} as
     * system properties besides (they win). Fails, with Tomcat stopped, when Tomcat logged a
     * {@code SEVERE} line while deploying.
     */
    public static TomcatDistribution startDemoWar(String context, Map<String, String> settings)
            throws IOException, InterruptedException {
        Path war = Path.of(System.getProperty("gatehouse.test.war", "target/gatehouse-demo.war"));
        assertThat(war).as("the WAR is built in 'package', before these tests").isRegularFile();
        Path work = Files.createDirectories(Path.of(System.getProperty("gatehouse.test.work", "target/it-work")));
        Path base = Files.createTempDirectory(work, "tomcat-" + context + "-");
        int port = Ports.free();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("gatehouse.jdbc.url", "jdbc:h2:file:" + base.resolve("data/" + context + "-" + UUID.randomUUID()).toAbsolutePath());
        properties.put("gatehouse.issuer", "http://127.0.0.1:" + port + "/" + context);
        properties.putAll(settings);
        TomcatDistribution tomcat = start(base, war, context, properties, port, Duration.ofSeconds(90));
        try {
            assertThat(tomcat.logLinesContaining("SEVERE")).as("errors while deploying:\n%s", tomcat.log()).isEmpty();
        } catch (AssertionError e) {
            tomcat.close();
            throw e;
        }
        return tomcat;
    }

    /**
     * Starts Tomcat with {@code war} deployed as {@code webapps/<warName>.war} ({@code ROOT} for the
     * root context) and waits until the application has been deployed (i.e. Tomcat logs the
     * server start-up), at most {@code timeout}.
     *
     * @param systemProperties {@code -Dname=value} pairs for CATALINA_OPTS (values without spaces or quotes)
     */
    public static TomcatDistribution start(Path base, Path war, String warName, Map<String, String> systemProperties,
                                           int httpPort, Duration timeout) throws IOException, InterruptedException {
        return start(base, war, warName, systemProperties, Map.of(), httpPort, timeout);
    }

    /**
     * As {@link #start(Path, Path, String, Map, int, Duration)}, with environment variables for
     * Tomcat's process as well: the place for secrets, since Tomcat logs its command line (and so
     * every system property) at start, and not its environment.
     */
    public static TomcatDistribution start(Path base, Path war, String warName, Map<String, String> systemProperties,
                                           Map<String, String> environment, int httpPort, Duration timeout)
            throws IOException, InterruptedException {
        Path home = home();
        Files.createDirectories(base);
        for (String dir : List.of("conf", "logs", "temp", "webapps", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        int shutdownPort = Ports.free();
        String command = "STOP-" + UUID.randomUUID();
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml);
        xml = replaceOnce(xml, "<Server port=\"8005\" shutdown=\"SHUTDOWN\">",
                "<Server port=\"" + shutdownPort + "\" shutdown=\"" + command + "\">");
        xml = replaceOnce(xml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + httpPort + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        // The access log as docs/demo.md recommends it: the request's path without its query string
        // (%U instead of %r's full request line), where a mailed link's token would otherwise be kept.
        xml = replaceOnce(xml, "pattern=\"%h %l %u %t &quot;%r&quot; %s %b\"", "pattern=\"%h %l %u %t &quot;%m %U %H&quot; %s %b\"");
        Files.writeString(serverXml, xml);
        Files.copy(war, base.resolve("webapps").resolve(warName + ".war"), StandardCopyOption.REPLACE_EXISTING);

        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run");
        pb.directory(base.toFile()); // the demo's relative paths (./data) land in CATALINA_BASE
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.startsWith("CATALINA_") || k.equals("JAVA_OPTS")
                || k.equals("JRE_HOME"));
        env.putAll(environment);
        env.put("CATALINA_HOME", home.toString());
        env.put("CATALINA_BASE", base.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("CATALINA_OPTS", systemProperties.entrySet().stream().map(e -> {
            if (e.getValue().matches(".*[\\s\"'`$;&|\\\\].*")) {
                throw new IllegalArgumentException("CATALINA_OPTS goes through 'eval': no spaces or quotes in " + e);
            }
            return "-D" + e.getKey() + "=" + e.getValue();
        }).collect(Collectors.joining(" ")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(base.resolve("logs/console.out").toFile());
        long started = System.nanoTime();
        Process process = pb.start();
        TomcatDistribution tomcat = new TomcatDistribution(base, httpPort, shutdownPort, command, process, started);
        try {
            tomcat.awaitStarted(timeout);
        } catch (RuntimeException | Error e) {
            tomcat.kill();
            throw e;
        }
        return tomcat;
    }

    private static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            throw new IllegalStateException("server.xml of the distribution does not contain '" + target + "' exactly once");
        }
        return text.replace(target, replacement);
    }

    /** Waits for "Server startup in [...] milliseconds" (all deployments done) and the HTTP port to answer. */
    private void awaitStarted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Tomcat exited with " + process.exitValue() + " while starting:\n" + log());
            }
            if (log().contains("Server startup in")) {
                try {
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    startup = Duration.ofNanos(System.nanoTime() - startedNanos);
                    return;
                } catch (IOException e) {
                    // not yet
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("Tomcat did not start within " + timeout + ":\n" + log());
            }
            Thread.sleep(100);
        }
    }

    /** Time from launching catalina.sh to the end of start-up (deployment included). */
    public Duration startupTime() {
        return startup;
    }

    public int httpPort() {
        return httpPort;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * Stops Tomcat as {@code catalina.sh stop} does (the shutdown command on the shutdown port): the
     * web application is undeployed, then the JVM exits.
     *
     * @return the exit code, or null when it did not exit within {@code timeout} (it is then killed)
     */
    public Integer stop(Duration timeout) throws IOException, InterruptedException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), shutdownPort); OutputStream out = socket.getOutputStream()) {
            out.write(shutdownCommand.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        kill();
        return null;
    }

    /** Everything Tomcat wrote: its console and the files under {@code logs/}. */
    public String log() {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(base.resolve("logs"))) {
            List<Path> sorted = new ArrayList<>(files.filter(Files::isRegularFile).sorted().collect(Collectors.toList()));
            for (Path file : sorted) {
                all.append("==> ").append(base.relativize(file)).append(" <==\n")
                        .append(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    /** Lines of the logs that contain any of {@code needles} (case-insensitive). */
    public List<String> logLinesContaining(String... needles) {
        return linesContaining(log(), needles);
    }

    /**
     * Lines of Tomcat's console ({@code logs/console.out}) that contain any of {@code needles}
     * (case-insensitive). Everything logged is there exactly once: what the web application logs
     * through {@code java.util.logging} (Gatehouse's {@code System.Logger} lines, in a WAR) is also
     * in {@code logs/catalina.*.log}, so {@link #logLinesContaining} counts such a line twice.
     */
    public List<String> consoleLinesContaining(String... needles) {
        try {
            return linesContaining(Files.readString(base.resolve("logs/console.out"), StandardCharsets.UTF_8), needles);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> linesContaining(String text, String... needles) {
        return text.lines().filter(line -> {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            for (String n : needles) {
                if (l.contains(n.toLowerCase(java.util.Locale.ROOT))) {
                    return true;
                }
            }
            return false;
        }).collect(Collectors.toList());
    }

    public Path base() {
        return base;
    }

    private void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
