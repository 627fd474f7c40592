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

import dev.gatehouse.token.ConfigurationException;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides whether a request came over a channel fit for credentials: HTTPS, or plain HTTP from
 * the loopback interface (local development). Immutable and thread-safe.
 *
 * <p>The connection is the truth: {@link RequestAuthenticator.HttpRequestView#isSecure()} and the
 * peer address. Only when the immediate peer is one of the configured trusted proxies are its
 * forwarding headers believed: {@code X-Forwarded-Proto} and the {@code proto} parameter of RFC
 * 7239 {@code Forwarded} for the scheme (every value must be {@code https}; a single {@code http}
 * anywhere makes the request plain), and {@code X-Forwarded-For} (else {@code Forwarded: for=})
 * for the client, resolved as {@link ClientAddresses} does. From any other peer these headers are
 * ignored: a client cannot talk its way past the check.
 *
 * <p>A request is exempt as loopback when the immediate peer is a loopback address
 * ({@code 127.0.0.0/8}, {@code ::1}) and no trusted-proxy header says the client is elsewhere: a
 * trusted proxy on the same host that forwards for a remote client does not make that client
 * local, and one that forwards without naming the client is not trusted to be local either. An
 * unknown peer address ({@code null}) is never loopback (fail closed).
 *
 * <p><b>A reverse proxy on this host that is not listed.</b> A loopback peer that is not a
 * trusted proxy but sends {@code X-Forwarded-For}, {@code X-Forwarded-Proto},
 * {@code X-Forwarded-Host} or {@code Forwarded} is almost certainly a proxy on the same host that
 * the operator forgot to list. Its clients are remote, and nothing proves their hop was HTTPS, so
 * the loopback exemption does not apply: credentials over it are refused like plain HTTP from
 * anywhere else. Its clients also all share the proxy's address, so {@link #clientAddress} gives
 * the peer (one shared throttling bucket: fail closed). The first such request logs one warning
 * per instance that names the setting to fix (and no header value); with the check turned off
 * the warning is logged all the same. A proxy that connects to this server over HTTPS is not
 * checked (the exemption is not what admits it), but it must be listed too for its clients to
 * be throttled apart.
 *
 * <p>Security caveat: refusing a request protects the next one, not this one. A token or
 * password that was sent over plain HTTP has already crossed the network in clear; the refusal
 * makes the mistake visible at once instead of letting it work silently.
 */
public final class TransportSecurity {
    /** The header a TLS-terminating proxy sets to the scheme the client used. */
    public static final String FORWARDED_PROTO = "X-Forwarded-Proto";
    /** The RFC 7239 header. */
    public static final String FORWARDED = "Forwarded";
    /** The de facto header listing the clients and proxies a request passed. */
    public static final String FORWARDED_FOR = "X-Forwarded-For";
    /** The de facto header naming the host the client asked for. */
    public static final String FORWARDED_HOST = "X-Forwarded-Host";
    /** Where the operator lists trusted proxies, in each way of running Gatehouse. */
    static final String TRUSTED_PROXIES_SETTINGS = "the servlet filter's init-param 'trusted-proxies',"
            + " WebSettings.trustedProxies(...) (the filter's or the JAX-RS feature's), or the demo's GATEHOUSE_TRUSTED_PROXIES";

    private final boolean requireHttps;
    private final Set<String> trustedProxies;
    private final ClientAddresses clients;
    private final Logger log;
    private final AtomicBoolean warnedUnlistedProxy = new AtomicBoolean();

    /**
     * @param requireHttps   whether plain HTTP from other than loopback is refused; {@code true} is the
     *                       secure default, {@code false} turns the check off
     * @param trustedProxies exact peer addresses (as the container reports them) of reverse proxies
     *                       whose forwarding headers are believed; usually empty
     * @throws ConfigurationException naming {@code trustedProxies} when an entry is not an IP address literal
     */
    public TransportSecurity(boolean requireHttps, Set<String> trustedProxies) {
        this(requireHttps, trustedProxies, System.getLogger(TransportSecurity.class.getName()));
    }

    /** As {@link #TransportSecurity(boolean, Set)}, warning on {@code log} (for tests). */
    TransportSecurity(boolean requireHttps, Set<String> trustedProxies, Logger log) {
        this.log = Objects.requireNonNull(log, "log");
        this.requireHttps = requireHttps;
        this.trustedProxies = Set.copyOf(trustedProxies);
        for (String proxy : this.trustedProxies) {
            if (!isAddressLiteral(proxy)) {
                throw new ConfigurationException("trustedProxies", "'" + proxy + "' is not an IP address literal");
            }
        }
        this.clients = new ClientAddresses(this.trustedProxies);
    }

    /** HTTPS required (loopback exempt), no trusted proxies: the default. */
    public static TransportSecurity requireHttps() {
        return new TransportSecurity(true, Set.of());
    }

    public boolean requiresHttps() {
        return requireHttps;
    }

    public Set<String> trustedProxies() {
        return trustedProxies;
    }

    /**
     * Why credentials must not be accepted on this request, or {@code null} when they may: HTTPS,
     * loopback (unless the loopback peer forwards for others without being a trusted proxy), or
     * the check turned off. The reason names the peer address and never any header value that
     * could hold a secret.
     */
    public String refusal(RequestAuthenticator.HttpRequestView request) {
        String peer = request.peerAddress();
        boolean trusted = peer != null && trustedProxies.contains(peer);
        if (!requireHttps) {
            // Nothing is refused, but the forgotten proxy is still worth one warning.
            if (!trusted && !warnedUnlistedProxy.get() && peer != null && isLoopback(peer) && hasForwardingHeader(request)) {
                warnUnlistedProxy(peer);
            }
            return null;
        }
        if (!trusted) {
            // Straight from the client, the common case: no forwarded header counts.
            if (request.isSecure()) {
                // HTTPS to this server: the loopback exemption is not what lets it in, so its
                // forwarding headers are not inspected (and cost nothing).
                return null;
            }
            if (peer != null && isLoopback(peer)) {
                if (hasForwardingHeader(request)) {
                    // A proxy on this host that is not listed: its clients are remote, and
                    // nothing proves their hop was HTTPS.
                    warnUnlistedProxy(peer);
                    return "plain HTTP from " + peer + ", a loopback peer that forwards for others but is not a trusted proxy";
                }
                return null;
            }
            return "plain HTTP from " + (peer == null ? "an unknown peer" : peer);
        }
        // From a trusted proxy: its forwarded protocol and client decide.
        List<String> protos = new ArrayList<>();
        List<String> forwardedFor = new ArrayList<>(request.headers(FORWARDED_FOR));
        List<String> rfc7239For = new ArrayList<>();
        for (String value : request.headers(FORWARDED_PROTO)) {
            for (String part : value.split(",", -1)) {
                if (!part.isBlank()) {
                    protos.add(part.strip());
                }
            }
        }
        parseForwarded(request.headers(FORWARDED), protos, rfc7239For);
        boolean secure = protos.isEmpty() ? request.isSecure() : protos.stream().allMatch("https"::equalsIgnoreCase);
        if (secure) {
            return null;
        }
        String client;
        if (!forwardedFor.isEmpty()) {
            client = clients.resolve(peer, forwardedFor);
        } else if (!rfc7239For.isEmpty()) {
            client = clients.resolve(peer, rfc7239For);
        } else if (protos.isEmpty()) {
            client = peer; // the proxy itself, forwarding nothing
        } else {
            client = null; // forwarded plain HTTP without naming the client: not known to be local
        }
        if (client != null && isLoopback(client)) {
            return null;
        }
        return "plain HTTP from " + peer + " (trusted proxy, client " + (client == null ? "not named" : client) + ")";
    }

    /**
     * Warns, the first time only, that the untrusted loopback peer {@code peer} sends forwarding
     * headers: a reverse proxy on this host that is missing from the trusted proxies.
     */
    private void warnUnlistedProxy(String peer) {
        if (warnedUnlistedProxy.compareAndSet(false, true)) {
            // The peer is a loopback address, never a secret; no header value is logged.
            log.log(Level.WARNING, () -> "A request from " + peer + " on this host carried forwarding headers (X-Forwarded-For,"
                    + " X-Forwarded-Proto, X-Forwarded-Host or Forwarded), but " + peer + " is not a trusted proxy. A reverse proxy"
                    + " on this host must be listed as one: until it is, "
                    + (requireHttps ? "credentials over it are refused as not provably HTTPS (403) and " : "")
                    + "every client behind it shares one throttling bucket. List its address in " + TRUSTED_PROXIES_SETTINGS
                    + ". (Logged once.)");
        }
    }

    private static boolean hasForwardingHeader(RequestAuthenticator.HttpRequestView request) {
        return !request.headers(FORWARDED_FOR).isEmpty() || !request.headers(FORWARDED_PROTO).isEmpty()
                || !request.headers(FORWARDED_HOST).isEmpty() || !request.headers(FORWARDED).isEmpty();
    }

    /**
     * The client address to throttle a request by: the connection's peer, or, when the peer is a
     * trusted proxy, the client it names ({@code X-Forwarded-For}, else the {@code for} of
     * {@code Forwarded}), resolved as {@link ClientAddresses#resolve} does. A forwarded client
     * that is not an IP literal (RFC 7239 {@code unknown}, an obfuscated name) cannot be told
     * from another, so the proxy's address stands for it. From an untrusted peer, forwarding
     * headers are ignored. {@code null} when the peer is unknown.
     */
    public String clientAddress(RequestAuthenticator.HttpRequestView request) {
        String peer = request.peerAddress();
        if (peer == null || !trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> forwardedFor = request.headers(FORWARDED_FOR);
        String client;
        if (!forwardedFor.isEmpty()) {
            client = clients.resolve(peer, forwardedFor);
        } else {
            List<String> rfc7239For = new ArrayList<>();
            parseForwarded(request.headers(FORWARDED), new ArrayList<>(), rfc7239For);
            client = clients.resolve(peer, rfc7239For);
        }
        return ClientAddresses.literal(client) != null ? client.strip() : peer;
    }

    /** Collects the proto and for parameters of RFC 7239 {@code Forwarded} values (§4) into {@code protos} and {@code fors}. */
    private static void parseForwarded(List<String> values, List<String> protos, List<String> fors) {
        for (String value : values) {
            for (String element : value.split(",", -1)) {
                for (String pair : element.split(";", -1)) {
                    int eq = pair.indexOf('=');
                    if (eq < 0) {
                        continue;
                    }
                    String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                    String v = unquote(pair.substring(eq + 1).strip());
                    if (name.equals("proto") && !v.isEmpty()) {
                        protos.add(v);
                    } else if (name.equals("for") && !v.isEmpty()) {
                        fors.add(nodeAddress(v));
                    }
                }
            }
        }
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** The address of an RFC 7239 §6 node: {@code 192.0.2.1}, {@code 192.0.2.1:80}, {@code [2001:db8::1]:80}. */
    private static String nodeAddress(String node) {
        if (node.startsWith("[")) {
            int end = node.indexOf(']');
            return end < 0 ? node : node.substring(1, end);
        }
        int colon = node.indexOf(':');
        return colon >= 0 && colon == node.lastIndexOf(':') ? node.substring(0, colon) : node;
    }

    /** Whether {@code address} is an IPv4 or IPv6 literal (never a host name, so no DNS look-up). */
    public static boolean isAddressLiteral(String address) {
        return address != null && parseLiteral(address) != null;
    }

    /** Whether {@code address} is a loopback IP literal; host names and garbage are not. */
    public static boolean isLoopback(String address) {
        int firstOctet = canonicalIpv4FirstOctet(address);
        if (firstOctet >= 0) {
            return firstOctet == 127; // 127.0.0.0/8, as Inet4Address.isLoopbackAddress()
        }
        InetAddress parsed = parseLiteral(address);
        return parsed != null && parsed.isLoopbackAddress();
    }

    /**
     * The first octet of an IPv4 address written the usual way (four decimal octets of at most
     * 255, no leading zeros, nothing around them), or -1 for anything else, which then takes the
     * general path. What a container reports as its peer address, parsed without a regular
     * expression or an {@link InetAddress}.
     */
    static int canonicalIpv4FirstOctet(String address) {
        if (address == null) {
            return -1;
        }
        int n = address.length();
        int octets = 0;
        int first = -1;
        int i = 0;
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 3) {
                char c = address.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && address.charAt(start) == '0')) {
                return -1;
            }
            if (octets == 0) {
                first = value;
            }
            octets++;
            if (i == n) {
                break;
            }
            if (address.charAt(i) != '.' || octets == 4) {
                return -1;
            }
            i++;
            if (i == n) {
                return -1; // a trailing dot
            }
        }
        return octets == 4 ? first : -1;
    }

    private static InetAddress parseLiteral(String address) {
        return ClientAddresses.literal(address);
    }

    @Override
    public String toString() {
        return requireHttps ? "HTTPS required (loopback exempt), trusted proxies " + trustedProxies : "plain HTTP allowed";
    }
}
