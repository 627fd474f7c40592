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

package dev.gatehouse.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides which address a request came from, for per-client throttling, and which network that
 * address is counted in. The connection's peer address is the truth, unless the peer is a proxy
 * the operator trusts: only then is a forwarding header read, from the right, skipping trusted
 * proxies, and the first address that is not a trusted proxy is the client (anything further left
 * was written by the client and may be forged). Thread-safe.
 *
 * <p>Throttling counts networks, not addresses ({@link #network(String)}): an IPv4 address is its
 * own network, an IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is the IPv4 address, and an
 * IPv6 address counts as its {@code /64}, which is what one subscriber is usually given. Each
 * {@code /64} also belongs to a {@code /56} ({@link #wideNetwork(String)}), which gets a bucket of
 * its own so that a client holding a whole {@code /56} cannot multiply its budget by 256.
 */
public final class ClientAddresses {
    /** The network of a client whose address is not known. */
    public static final String UNKNOWN_NETWORK = "unknown";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** Longest client identifier used as it is when it is not an IP literal. */
    private static final int MAX_OTHER_ID = 128;

    private final Set<String> trustedProxies;

    /** @param trustedProxies exact peer addresses of proxies that set {@code X-Forwarded-For}; usually empty */
    public ClientAddresses(Set<String> trustedProxies) {
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    /**
     * The client of a request: the peer, or, when the peer is a trusted proxy, the rightmost
     * forwarded hop that is not a trusted proxy, as written (it may be RFC 7239 {@code unknown}
     * or an obfuscated name, which is not an address at all).
     *
     * @param peer               the connection's remote address
     * @param forwardedForValues every {@code X-Forwarded-For} header value in order, or the
     *                           addresses of the {@code for} parameters of {@code Forwarded}
     */
    public String resolve(String peer, List<String> forwardedForValues) {
        if (peer == null || trustedProxies.isEmpty() || !trustedProxies.contains(peer) || forwardedForValues == null
                || forwardedForValues.isEmpty()) {
            return peer;
        }
        String joined = String.join(",", forwardedForValues);
        String[] hops = joined.split(",", -1);
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (hop.isEmpty()) {
                continue;
            }
            if (!trustedProxies.contains(hop)) {
                return hop;
            }
        }
        return peer;
    }

    /**
     * The network a client is counted in: the IPv4 address ({@code 192.0.2.1}, also for
     * {@code ::ffff:192.0.2.1}), the IPv6 {@code /64} ({@code 2001:db8:0:1::/64}), or
     * {@value #UNKNOWN_NETWORK} for {@code null}. An identifier that is not an IP literal (an
     * application may pass its own) is its own network.
     */
    public static String network(String client) {
        if (client == null) {
            return UNKNOWN_NETWORK;
        }
        InetAddress address = literal(client);
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        if (address instanceof Inet6Address) {
            return prefix(address.getAddress(), 64);
        }
        String id = client.strip();
        return "id:" + (id.length() > MAX_OTHER_ID ? id.substring(0, MAX_OTHER_ID) : id);
    }

    /**
     * Where a client was, coarsely enough to show a user in a list of their sessions without
     * keeping their address: the IPv4 {@code /24} ({@code 192.0.2.0/24}, also for
     * {@code ::ffff:192.0.2.1}) or the IPv6 {@code /48} ({@code 2001:db8:1::/48}); {@code null}
     * for {@code null} or anything that is not an IP literal.
     */
    public static String coarseLocation(String client) {
        InetAddress address = client == null ? null : literal(client);
        if (address instanceof Inet4Address) {
            byte[] b = address.getAddress();
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
        }
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            return Integer.toHexString(((b[0] & 0xff) << 8) | (b[1] & 0xff)) + ":"
                    + Integer.toHexString(((b[2] & 0xff) << 8) | (b[3] & 0xff)) + ":"
                    + Integer.toHexString(((b[4] & 0xff) << 8) | (b[5] & 0xff)) + "::/48";
        }
        return null;
    }

    /**
     * The wider network a client is also counted in: the IPv6 {@code /56}
     * ({@code 2001:db8:0:0::/56}), or {@code null} when there is none (IPv4, unknown, other).
     */
    public static String wideNetwork(String client) {
        InetAddress address = client == null ? null : literal(client);
        return address instanceof Inet6Address ? prefix(address.getAddress(), 56) : null;
    }

    /** The first {@code bits} (a multiple of 8, at most 64) of an IPv6 address, as {@code a:b:c:d::/bits}. */
    private static String prefix(byte[] address, int bits) {
        byte[] kept = new byte[8];
        System.arraycopy(address, 0, kept, 0, bits / 8);
        StringBuilder b = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            b.append(Integer.toHexString(((kept[i] & 0xff) << 8) | (kept[i + 1] & 0xff))).append(':');
        }
        return b.append(":/").append(bits).toString();
    }

    /**
     * The address an IP literal denotes ({@code 192.0.2.1}, {@code 2001:db8::1},
     * {@code [2001:db8::1]}, {@code fe80::1%eth0}), or {@code null} for anything else. Never
     * looks a name up: only text that can be nothing but a literal reaches {@link InetAddress}.
     * An IPv4-mapped IPv6 literal gives the IPv4 address.
     */
    public static InetAddress literal(String address) {
        if (address == null) {
            return null;
        }
        String a = address.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        String bare = zone >= 0 ? a.substring(0, zone) : a;
        if (IPV4.matcher(bare).matches()) {
            for (String octet : bare.split("\\.", -1)) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        } else if (!IPV6.matcher(bare).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }
}
