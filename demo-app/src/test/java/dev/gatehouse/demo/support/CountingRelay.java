package dev.gatehouse.demo.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP relay on a free loopback port that counts what a client sends to a server: the
 * number of writes that arrive from the client side ("requests", one per database round trip
 * for the JDBC drivers used here, which flush a whole statement at once) and their bytes. Put it
 * between an application and its database to see how often the application talks to it.
 * Thread-safe; two daemon threads per connection.
 */
public final class CountingRelay implements AutoCloseable {
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestBytes = new AtomicLong();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CountingRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "counting-relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A relay to {@code "host:port"}. */
    public static CountingRelay to(String address) {
        int colon = address.lastIndexOf(':');
        try {
            return new CountingRelay(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
        } catch (IOException e) {
            throw new IllegalStateException("Could not open a relay port", e);
        }
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Writes received from clients so far (each one a database round trip). */
    public long requests() {
        return requests.get();
    }

    /** Bytes received from clients so far. */
    public long requestBytes() {
        return requestBytes.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> link(client), "counting-relay-link");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void link(Socket client) {
        try (client; Socket up = new Socket()) {
            sockets.add(up);
            up.connect(target, 5_000);
            Thread back = new Thread(() -> pump(up, client, false), "counting-relay-down");
            back.setDaemon(true);
            back.start();
            pump(client, up, true);
        } catch (IOException e) {
            // the link is over
        }
    }

    private void pump(Socket from, Socket to, boolean count) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (count) {
                    requests.incrementAndGet();
                    requestBytes.addAndGet(n);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the link is over
        }
        close(from);
        close(to);
    }

    private void close(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        sockets.forEach(this::close);
    }
}
