package dev.gatehouse.core;

import dev.gatehouse.core.auth.ClientAddresses;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

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

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final boolean requireHttps;
    private final Set<String> trustedProxies;
    private final ClientAddresses clients;

    /**
     * @param requireHttps   whether plain HTTP from other than loopback is refused; {@code true} is the
     *                       secure default, {@code false} turns the check off
     * @param trustedProxies exact peer addresses (as the container reports them) of reverse proxies
     *                       whose forwarding headers are believed; usually empty
     * @throws ConfigurationException naming {@code trustedProxies} when an entry is not an IP address literal
     */
    public TransportSecurity(boolean requireHttps, Set<String> trustedProxies) {
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
     * loopback, or the check turned off. The reason names the peer address and never any header
     * value that could hold a secret.
     */
    public String refusal(RequestAuthenticator.HttpRequestView request) {
        if (!requireHttps) {
            return null;
        }
        String peer = request.peerAddress();
        if (peer == null || !trustedProxies.contains(peer)) {
            // Straight from the client, the common case: no forwarded header counts.
            if (request.isSecure() || peer != null && isLoopback(peer)) {
                return null;
            }
            return "plain HTTP from " + (peer == null ? "an unknown peer" : peer);
        }
        // From a trusted proxy: its forwarded protocol and client decide.
        List<String> protos = new ArrayList<>();
        List<String> forwardedFor = new ArrayList<>(request.headers(FORWARDED_FOR));
        List<String> rfc7239For = new ArrayList<>();
        for (String value : request.headers(FORWARDED_PROTO)) {
            for (String part : value.split(",")) {
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

    /** Collects the {@code proto} and {@code for} parameters of RFC 7239 {@code Forwarded} values (§4). */
    private static void parseForwarded(List<String> values, List<String> protos, List<String> fors) {
        for (String value : values) {
            for (String element : value.split(",")) {
                for (String pair : element.split(";")) {
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
            if (digits == 0 || value > 255 || digits > 1 && address.charAt(start) == '0') {
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
        String a = address.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        String bare = zone >= 0 ? a.substring(0, zone) : a;
        // Only literals reach InetAddress: anything else could start a DNS look-up.
        if (IPV4.matcher(bare).matches()) {
            for (String octet : bare.split("\\.")) {
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

    @Override
    public String toString() {
        return requireHttps ? "HTTPS required (loopback exempt), trusted proxies " + trustedProxies : "plain HTTP allowed";
    }
}
