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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 (a free port) in front of a real server, for fault tests: put it
 * between the code under test and a database, then cut, freeze or slow the link while the server
 * itself keeps running for everyone else.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432)) {
 *     String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test";
 *     ...
 *     proxy.refuse();     // the server is down
 *     proxy.blackhole();  // the server hangs
 *     proxy.forward();    // it is back
 * }
 * }</pre>
 *
 * <p>Modes:
 * <ul>
 * <li>{@link Mode#FORWARD}: bytes pass both ways, after {@link #latency(Duration)} per chunk.</li>
 * <li>{@link Mode#REFUSE}: every open connection is reset, and every new one is reset as soon as
 *     it is accepted (what a client sees of a stopped server).</li>
 * <li>{@link Mode#BLACKHOLE}: new connections are accepted and never answered; open ones stop
 *     carrying bytes in either direction (a hung server, or a network that drops packets).
 *     Connections frozen this way are reset when the mode changes again, as a server that
 *     restarted would.</li>
 * </ul>
 * Thread-safe. Each connection costs two daemon threads.
 */
public final class TcpProxy implements AutoCloseable {
    /** What the proxy does with connections. */
    public enum Mode { FORWARD, REFUSE, BLACKHOLE }

    private static final AtomicInteger IDS = new AtomicInteger();

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong forwardedWrites = new AtomicLong();
    private final int id = IDS.incrementAndGet();
    private volatile Mode mode = Mode.FORWARD;
    private volatile long latencyNanos;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + id + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy forwarding to {@code host:port}, listening on a free loopback port. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("Could not open a proxy port", e);
        }
    }

    /** A proxy forwarding to {@code "host:port"}. */
    public static TcpProxy to(String address) {
        int colon = address.lastIndexOf(':');
        return to(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    /** The local port to connect to instead of the server's. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, to put in a URL instead of the server's address. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** The current mode. */
    public Mode mode() {
        return mode;
    }

    /** Connections accepted so far (in any mode). */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Writes passed on from clients to the server so far: one per database round trip for the
     * JDBC drivers used here, which flush a whole statement at once. Nothing counts while the
     * proxy refuses or is a black hole, since nothing reaches the server then.
     */
    public long forwardedWrites() {
        return forwardedWrites.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return links.size();
    }

    /** Forward again (new connections reach the server; frozen ones were reset). */
    public void forward() {
        setMode(Mode.FORWARD);
    }

    /** Reset every open connection and every new one: the server is down. */
    public void refuse() {
        setMode(Mode.REFUSE);
    }

    /** Accept and never answer; freeze open connections: the server hangs. */
    public void blackhole() {
        setMode(Mode.BLACKHOLE);
    }

    /** Resets every open connection, whatever the mode (a network blip); new ones follow the mode. */
    public void cutConnections() {
        for (Link link : links) {
            link.close();
        }
    }

    /** Delay added before each chunk of bytes is passed on, in each direction; zero (the default) for none. */
    public void latency(Duration delay) {
        latencyNanos = Objects.requireNonNull(delay, "delay").toNanos();
    }

    private void setMode(Mode next) {
        synchronized (lock) {
            Mode previous = mode;
            mode = next;
            if (next == Mode.REFUSE || previous == Mode.BLACKHOLE && next != Mode.BLACKHOLE) {
                cutConnections();
            }
            lock.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            accepted.incrementAndGet();
            Mode now = mode;
            if (now == Mode.REFUSE) {
                reset(client);
                continue;
            }
            Link link = new Link(client);
            links.add(link);
            if (now == Mode.BLACKHOLE) {
                link.frozen = true; // accepted, never answered; reset when the mode changes
                continue;
            }
            link.start();
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a RST, as from a port nothing listens on. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** Stops listening and resets every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        cutConnections();
    }

    @Override
    public String toString() {
        return "TcpProxy{" + address() + " -> " + target.getHostString() + ":" + target.getPort() + ", " + mode + "}";
    }

    /** One client connection and its connection to the server. */
    private final class Link {
        private final Socket client;
        private volatile Socket upstream;
        private volatile boolean done;
        volatile boolean frozen;

        Link(Socket client) {
            this.client = client;
        }

        void start() {
            Thread t = new Thread(this::run, "tcp-proxy-" + id + "-link");
            t.setDaemon(true);
            t.start();
        }

        private void run() {
            try {
                Socket up = new Socket();
                up.connect(target, 5_000);
                upstream = up;
                if (done) {
                    reset(up);
                    return;
                }
                Thread back = new Thread(() -> pump(up, client, false), "tcp-proxy-" + id + "-down");
                back.setDaemon(true);
                back.start();
                pump(client, up, true);
            } catch (IOException e) {
                close();
            }
        }

        private void pump(Socket from, Socket to, boolean fromClient) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (!awaitPassable()) {
                        break;
                    }
                    if (fromClient) {
                        forwardedWrites.incrementAndGet();
                    }
                    long delay = latencyNanos;
                    if (delay > 0) {
                        Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the link is over
            }
            close();
        }

        /** Waits while the proxy is a black hole; {@code false} when this link is to end instead. */
        private boolean awaitPassable() throws InterruptedException {
            synchronized (lock) {
                while (mode == Mode.BLACKHOLE && !done && !closed) {
                    frozen = true;
                    lock.wait();
                }
            }
            return !done && !closed && !frozen;
        }

        void close() {
            if (done) {
                return;
            }
            done = true;
            links.remove(this);
            reset(client);
            Socket up = upstream;
            if (up != null) {
                reset(up);
            }
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }
}
