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

import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Two PostgreSQL servers on loopback, {@link Server#A} the primary and {@link Server#B} its
 * streaming replica (made with {@code pg_basebackup -R}), each behind a PgBouncer of its own in
 * transaction pooling mode; everything in a fresh folder, on free ports, started and stopped by the
 * test. Stands for a Patroni cluster (or a cloud's managed failover) with a pooler on every database
 * host: {@link #stopImmediately(Server)} is the primary's machine failing, {@link #promote(Server)}
 * followed by {@link #reconnectBouncer(Server)} is what the failover manager does about it.
 *
 * <p><b>Synchronous replication.</b> The primary runs with {@code synchronous_standby_names='*'}
 * on its command line (not in a configuration file, which {@code pg_basebackup} would copy: a
 * promoted replica with that setting would wait for a standby it does not have): a commit is
 * acknowledged only once the replica has flushed its WAL, so promoting the replica loses no
 * acknowledged write, even after an immediate (crash) stop of the primary.
 *
 * <p><b>Running as root.</b> PostgreSQL and PgBouncer refuse to run as root; when the test does,
 * they run as the {@code postgres} user ({@code runuser}), and the folder belongs to it. {@link #close()}
 * stops both servers and both poolers and deletes the folder, whatever state they are in; a
 * shutdown hook does the same if the JVM ends first. The servers' and poolers' logs are copied
 * under {@code gatehouse.test.work} first.
 *
 * <p>Binaries: PostgreSQL's from {@value #BIN_PROPERTY} (default {@value #DEFAULT_BIN}), PgBouncer
 * from {@value #PGBOUNCER_PROPERTY} (default {@value #DEFAULT_PGBOUNCER}). {@link #start()} fails,
 * naming what is missing, when they are not there: a test that needs this topology must not pass
 * without it.
 */
public final class ReplicatedPostgres implements AutoCloseable {
    /** System property: the folder with PostgreSQL's server binaries. */
    public static final String BIN_PROPERTY = "gatehouse.test.postgres.bin";
    public static final String DEFAULT_BIN = "/usr/lib/postgresql/15/bin";
    /** System property: the PgBouncer executable. */
    public static final String PGBOUNCER_PROPERTY = "gatehouse.test.pgbouncer";
    public static final String DEFAULT_PGBOUNCER = "/usr/sbin/pgbouncer";
    /** The database the nodes use (through the poolers). */
    public static final String DATABASE = "gatehouse";
    /** A second pooler entry for {@link #DATABASE} whose pool has a single server connection. */
    public static final String SINGLE_SERVER_DATABASE = "gatehouse_one";
    public static final String USER = "postgres";
    /** Server connections per pool of each PgBouncer: far fewer than the nodes' client connections. */
    public static final int SERVER_CONNECTIONS = 5;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    /** The two database hosts; A starts as the primary, B as its replica. */
    public enum Server {
        A, B;

        String dir() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Path bin;
    private final Path pgbouncer;
    private final Path root;
    private final int[] serverPorts = new int[2];
    private final int[] bouncerPorts = new int[2];
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private ReplicatedPostgres(Path bin, Path pgbouncer, Path root, boolean asPostgresUser) {
        this.bin = bin;
        this.pgbouncer = pgbouncer;
        this.root = root;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::closeQuietly, "replicated-postgres-teardown");
    }

    /**
     * Checks that the binaries are there.
     *
     * @throws IllegalStateException naming what is missing and how to install it
     */
    public static void requireBinaries() {
        List<String> missing = new ArrayList<>();
        Path bin = Path.of(System.getProperty(BIN_PROPERTY, DEFAULT_BIN));
        for (String tool : List.of("initdb", "pg_ctl", "postgres", "pg_basebackup", "psql")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                missing.add(bin.resolve(tool) + " (PostgreSQL's server binaries; -D" + BIN_PROPERTY + "=<folder>)");
            }
        }
        Path bouncer = Path.of(System.getProperty(PGBOUNCER_PROPERTY, DEFAULT_PGBOUNCER));
        if (!Files.isExecutable(bouncer)) {
            missing.add(bouncer + " (apt-get install pgbouncer; -D" + PGBOUNCER_PROPERTY + "=<path>)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The failover test needs PostgreSQL and PgBouncer, missing: " + String.join(", ", missing));
        }
    }

    /**
     * Starts the primary, the replica and both poolers, and creates {@link #DATABASE} once the
     * replica streams synchronously.
     */
    public static ReplicatedPostgres start() throws IOException, InterruptedException {
        requireBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path folder = Files.createTempDirectory("gatehouse-failover-");
        ReplicatedPostgres cluster = new ReplicatedPostgres(Path.of(System.getProperty(BIN_PROPERTY, DEFAULT_BIN)),
                Path.of(System.getProperty(PGBOUNCER_PROPERTY, DEFAULT_PGBOUNCER)), folder, root);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.startAll();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.closeQuietly();
            throw e;
        }
    }

    private void startAll() throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("sock"));
        if (asPostgresUser) {
            run(false, "chown", "-R", USER + ":", root.toString());
        }
        for (Server s : Server.values()) {
            serverPorts[s.ordinal()] = Ports.free();
            bouncerPorts[s.ordinal()] = Ports.free();
        }
        // the primary: synchronous replication to any standby, set on its command line only
        run(true, bin.resolve("initdb").toString(), "-D", dataDir(Server.A).toString(), "--auth=trust", "--username=" + USER,
                "--encoding=UTF8", "--locale=C", "--no-sync");
        startServer(Server.A, "-c synchronous_standby_names='*'");
        // the replica: a base backup that streams from the primary (-R writes primary_conninfo and standby.signal)
        run(true, bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(serverPort(Server.A)),
                "-U", USER, "-D", dataDir(Server.B).toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync");
        startServer(Server.B, "");
        awaitSynchronousStandby();
        try (Connection c = direct(Server.A, "postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the database " + DATABASE, e);
        }
        Files.writeString(root.resolve("userlist.txt"), "\"" + USER + "\" \"\"\n", StandardCharsets.UTF_8);
        for (Server s : Server.values()) {
            Files.writeString(bouncerIni(s), bouncerConfiguration(s), StandardCharsets.UTF_8);
        }
        if (asPostgresUser) {
            run(false, "chown", "-R", USER + ":", root.toString());
        }
        for (Server s : Server.values()) {
            run(true, pgbouncer.toString(), "-d", bouncerIni(s).toString());
            awaitPort(bouncerPort(s));
        }
    }

    private void startServer(Server s, String extraOptions) throws IOException, InterruptedException {
        String options = "-c listen_addresses=127.0.0.1 -p " + serverPort(s) + " -c unix_socket_directories=" + root.resolve("sock")
                // a crash of the test machine is not under test: the kernel keeps what a killed server wrote
                + " -c fsync=off -c cluster_name=gatehouse_" + s.dir() + " -c max_connections=100 " + extraOptions;
        run(true, bin.resolve("pg_ctl").toString(), "-D", dataDir(s).toString(), "-l", root.resolve(s.dir() + ".log").toString(),
                "-w", "-t", "60", "-o", options, "start");
    }

    private void awaitSynchronousStandby() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try (Connection c = direct(Server.A, "postgres").getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming'")) {
                if (rs.next() && "sync".equals(rs.getString(1))) {
                    return;
                }
                last = "no synchronous standby yet";
            } catch (SQLException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The replica did not become a synchronous standby within 60 s: " + last);
    }

    private String bouncerConfiguration(Server s) {
        String server = "host=127.0.0.1 port=" + serverPort(s) + " dbname=" + DATABASE;
        return String.join("\n",
                "[databases]",
                DATABASE + " = " + server,
                SINGLE_SERVER_DATABASE + " = " + server + " pool_size=1",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + bouncerPort(s),
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + root.resolve("userlist.txt"),
                "admin_users = " + USER,
                "pool_mode = transaction",
                "default_pool_size = " + SERVER_CONNECTIONS,
                "max_client_conn = 500",
                // pgjdbc sends it at start-up; PgBouncer refuses start-up parameters it does not track
                "ignore_startup_parameters = extra_float_digits",
                // a server that is gone: tell clients within seconds instead of queueing them for two minutes
                "server_login_retry = 1",
                "server_connect_timeout = 3",
                "query_wait_timeout = 5",
                "logfile = " + root.resolve("bouncer-" + s.dir() + ".log"),
                "pidfile = " + bouncerPidFile(s),
                "");
    }

    public Path root() {
        return root;
    }

    public int serverPort(Server s) {
        return serverPorts[s.ordinal()];
    }

    public int bouncerPort(Server s) {
        return bouncerPorts[s.ordinal()];
    }

    /** {@code 127.0.0.1:<port of s's pooler>}. */
    public String bouncerAddress(Server s) {
        return "127.0.0.1:" + bouncerPort(s);
    }

    /** A data source straight to {@code s}'s server (not through its pooler), database {@code database}, for the test's own checks. */
    public PGSimpleDataSource direct(Server s, String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {serverPort(s)});
        ds.setDatabaseName(database);
        ds.setUser(USER);
        ds.setConnectTimeout(5);
        ds.setSocketTimeout(30);
        return ds;
    }

    /** Stops {@code s}'s server at once ({@code pg_ctl stop -m immediate}: no shutdown checkpoint, as a crash). */
    public void stopImmediately(Server s) throws IOException, InterruptedException {
        run(true, bin.resolve("pg_ctl").toString(), "-D", dataDir(s).toString(), "-m", "immediate", "-w", "stop");
    }

    /** Promotes the replica {@code s} and waits until it accepts writes ({@code pg_ctl promote -w}). */
    public void promote(Server s) throws IOException, InterruptedException {
        run(true, bin.resolve("pg_ctl").toString(), "-D", dataDir(s).toString(), "-w", "-t", "60", "promote");
    }

    /**
     * {@code RECONNECT} on {@code s}'s pooler: it closes its server connections as they are released
     * and opens new ones. After a promotion this is needed, not cosmetic: PgBouncer (1.18, and up to
     * at least 1.24) keeps answering new clients with the {@code in_hot_standby=on} it saw when it
     * first logged in to the server as a replica, and pgjdbc's {@code targetServerType=primary}
     * trusts that parameter and refuses the promoted server.
     */
    public void reconnectBouncer(Server s) throws IOException, InterruptedException {
        adminConsole(s, "RECONNECT " + DATABASE);
    }

    /**
     * Runs a command on {@code s}'s pooler's admin console (with {@code psql}: pgjdbc cannot talk
     * to it) and returns its rows, each a map from column name to value.
     */
    public List<Map<String, String>> adminConsole(Server s, String command) throws IOException, InterruptedException {
        String out = run(true, bin.resolve("psql").toString(), "-X", "-q", "-A", "-F", "|", "-P", "footer=off", "-h", "127.0.0.1",
                "-p", String.valueOf(bouncerPort(s)), "-U", USER, "-d", "pgbouncer", "-c", command);
        List<String> lines = out.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        List<Map<String, String>> rows = new ArrayList<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] names = lines.get(0).split("\\|", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split("\\|", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.length && i < values.length; i++) {
                row.put(names[i], values[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    private Path dataDir(Server s) {
        return root.resolve(s.dir());
    }

    private Path bouncerIni(Server s) {
        return root.resolve("bouncer-" + s.dir() + ".ini");
    }

    private Path bouncerPidFile(Server s) {
        return root.resolve("bouncer-" + s.dir() + ".pid");
    }

    /**
     * Runs a command (as the {@code postgres} user when {@code asPostgres} and the test runs as
     * root) and returns its output; fails with the output when it exits non-zero or takes longer than
     * {@link #COMMAND_TIMEOUT}.
     */
    private String run(boolean asPostgres, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(List.of(command));
        Path output = Files.createTempFile("command-", ".txt");
        try {
            // output to a file, never a pipe: pg_ctl's server and a daemonised PgBouncer inherit it and outlive the command
            Process p = new ProcessBuilder(full).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " did not end within " + COMMAND_TIMEOUT + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " exited with " + p.exitValue() + ":\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Nothing listens on 127.0.0.1:" + port + " after 20 s", e);
                }
                Thread.sleep(50);
            }
        }
    }

    /** Stops the poolers and the servers (whatever state they are in), keeps their logs, deletes the folder. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook
        }
        for (Server s : Server.values()) {
            stopBouncer(s);
        }
        for (Server s : Server.values()) {
            if (Files.exists(dataDir(s).resolve("postmaster.pid"))) {
                try {
                    run(true, bin.resolve("pg_ctl").toString(), "-D", dataDir(s).toString(), "-m", "immediate", "-w", "stop");
                } catch (IOException | RuntimeException e) {
                    System.err.println("[ReplicatedPostgres] could not stop server " + s + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        keepLogs();
        deleteRecursively(root);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("[ReplicatedPostgres] teardown: " + e);
        }
    }

    private void stopBouncer(Server s) {
        Path pidFile = bouncerPidFile(s);
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
            ProcessHandle.of(pid).ifPresent(h -> {
                h.destroy(); // SIGTERM: PgBouncer exits at once
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        } catch (IOException | NumberFormatException e) {
            System.err.println("[ReplicatedPostgres] could not stop the pooler of " + s + ": " + e);
        }
    }

    private void keepLogs() {
        try {
            Path target = Files.createDirectories(Path.of(System.getProperty("gatehouse.test.work", "target/it-work"))
                    .resolve("failover-logs").resolve(root.getFileName().toString()));
            try (Stream<Path> files = Files.list(root)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).collect(Collectors.toList())) {
                    Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[ReplicatedPostgres] could not keep the logs: " + e);
        }
    }

    private static void deleteRecursively(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[ReplicatedPostgres] could not delete " + folder + ": " + e);
        }
    }
}
