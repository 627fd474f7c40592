package dev.gatehouse.core.auth;

import java.util.List;
import java.util.Set;

/**
 * Decides which address a request came from, for per-client throttling. The connection's peer
 * address is the truth, unless the peer is a proxy the operator trusts: only then is
 * {@code X-Forwarded-For} read, from the right, skipping trusted proxies, and the first address
 * that is not a trusted proxy is the client (anything further left was written by the client
 * and may be forged). Thread-safe.
 */
public final class ClientAddresses {
    private final Set<String> trustedProxies;

    /** @param trustedProxies exact peer addresses of proxies that set {@code X-Forwarded-For}; usually empty */
    public ClientAddresses(Set<String> trustedProxies) {
        this.trustedProxies = Set.copyOf(trustedProxies);
    }

    /**
     * @param peer               the connection's remote address
     * @param forwardedForValues every {@code X-Forwarded-For} header value, in order
     */
    public String resolve(String peer, List<String> forwardedForValues) {
        if (peer == null || trustedProxies.isEmpty() || !trustedProxies.contains(peer) || forwardedForValues == null
                || forwardedForValues.isEmpty()) {
            return peer;
        }
        String joined = String.join(",", forwardedForValues);
        String[] hops = joined.split(",");
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
}
