package dev.gatehouse.demo.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Distinct loopback addresses ({@code 127.20.x.y}) to connect from: on Linux the whole of
 * {@code 127.0.0.0/8} reaches a server bound to {@code 127.0.0.1}, and the server sees each as
 * another client, with a per-client throttling budget of its own. Lets one test make more
 * credential attempts than one client may, and lets a test play many clients at once.
 */
public final class LoopbackAddresses {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private LoopbackAddresses() {
    }

    /** An address no other call in this JVM has returned. */
    public static InetAddress next() {
        int n = NEXT.getAndIncrement();
        byte[] address = {127, 20, (byte) (n / 250), (byte) (n % 250 + 1)};
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
