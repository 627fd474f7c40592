package dev.gatehouse.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The address and header rules of {@link TransportSecurity}; the adapters' tests show the same
 * over real HTTP (Tomcat, Grizzly).
 */
class TransportSecurityTest {
    private static final TransportSecurity STRICT = new TransportSecurity(true, Set.of("10.0.0.5", "0:0:0:0:0:0:0:1"));

    private static RequestAuthenticator.HttpRequestView request(boolean secure, String peer, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.computeIfAbsent(headers[i].toLowerCase(), k -> new java.util.ArrayList<>()).add(headers[i + 1]);
        }
        return new RequestAuthenticator.HttpRequestView() {
            @Override
            public String method() {
                return "GET";
            }

            @Override
            public List<String> headers(String name) {
                return map.getOrDefault(name.toLowerCase(), List.of());
            }

            @Override
            public String ownOrigin() {
                return "http://app.example";
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String peerAddress() {
                return peer;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1"})
    void loopbackPeersMayUsePlainHttp(String peer) {
        assertThat(STRICT.refusal(request(false, peer))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.2", "10.0.0.7", "fd00::2", "localhost", "127.0.0.1.example", "999.0.0.1", "", "unknown"})
    void otherPeersMayNotAndHostNamesAreNeverLookedUp(String peer) {
        assertThat(STRICT.refusal(request(false, peer))).isNotNull();
    }

    @Test
    void unknownPeerIsRefusedOverPlainHttp() {
        assertThat(STRICT.refusal(request(false, null))).contains("unknown peer");
    }

    @Test
    void httpsIsAlwaysFine() {
        assertThat(STRICT.refusal(request(true, "192.0.2.2"))).isNull();
        assertThat(STRICT.refusal(request(true, null))).isNull();
    }

    @Test
    void forwardedHeadersCountOnlyFromTrustedProxies() {
        assertThat(STRICT.refusal(request(false, "192.0.2.9", "X-Forwarded-Proto", "https"))).isNotNull();
        assertThat(STRICT.refusal(request(true, "192.0.2.9", "X-Forwarded-Proto", "http"))).as("https connection").isNull();
        assertThat(STRICT.refusal(request(false, "10.0.0.5", "X-Forwarded-Proto", "https"))).isNull();
        assertThat(STRICT.refusal(request(false, "0:0:0:0:0:0:0:1", "Forwarded", "for=\"[2001:db8::1]:4711\";proto=https"))).isNull();
        assertThat(STRICT.refusal(request(false, "0:0:0:0:0:0:0:1", "Forwarded", "for=\"[2001:db8::1]:4711\";proto=http")))
                .contains("client 2001:db8::1");
    }

    @Test
    void aTrustedProxyOverHttpsSayingHttpMakesTheRequestPlain() {
        assertThat(STRICT.refusal(request(true, "10.0.0.5", "X-Forwarded-Proto", "http", "X-Forwarded-For", "198.51.100.1")))
                .isNotNull();
        assertThat(STRICT.refusal(request(false, "10.0.0.5", "X-Forwarded-Proto", "https,http"))).isNotNull();
        assertThat(STRICT.refusal(request(false, "10.0.0.5", "X-Forwarded-Proto", "https",
                "Forwarded", "proto=http"))).as("headers disagreeing").isNotNull();
    }

    @Test
    void loopbackProxyForwardingForARemoteClientDoesNotMakeItLocal() {
        assertThat(STRICT.refusal(request(false, "0:0:0:0:0:0:0:1", "X-Forwarded-For", "198.51.100.1"))).isNotNull();
        assertThat(STRICT.refusal(request(false, "0:0:0:0:0:0:0:1", "X-Forwarded-Proto", "http")))
                .as("forwarded without naming the client").contains("not named");
        assertThat(STRICT.refusal(request(false, "0:0:0:0:0:0:0:1", "X-Forwarded-Proto", "http", "X-Forwarded-For", "127.0.0.1")))
                .as("forwarded for a local client").isNull();
        assertThat(STRICT.refusal(request(false, "0:0:0:0:0:0:0:1"))).as("the proxy host itself").isNull();
    }

    @Test
    void turnedOffAcceptsEverything() {
        assertThat(new TransportSecurity(false, Set.of()).refusal(request(false, "192.0.2.2"))).isNull();
        assertThat(new TransportSecurity(false, Set.of()).refusal(request(false, null))).isNull();
    }

    @Test
    void trustedProxiesMustBeAddressLiterals() {
        assertThatThrownBy(() -> new TransportSecurity(true, Set.of("proxy.internal")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("trustedProxies");
    }

    // ---- loopback ------------------------------------------------------------------------------

    @Test
    void everyUsualIpv4AddressIsLoopbackExactlyWhenItIsIn127Slash8() {
        // RFC 1122 §3.2.1.3: 127.0.0.0/8 is loopback; nothing else in IPv4 is.
        java.util.Random random = new java.util.Random(42);
        for (int first = 0; first <= 255; first++) {
            for (int k = 0; k < 20; k++) {
                String address = first + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
                assertThat(TransportSecurity.isLoopback(address)).as(address).isEqualTo(first == 127);
                assertThat(TransportSecurity.canonicalIpv4FirstOctet(address)).as(address).isEqualTo(first);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1.", ".127.0.0.1", "127.0.0", "127.0.0.1.1", "1270.0.0.1", "127.0.0.256", "127..0.1",
            "127.0.0.01", "0127.0.0.1", " 127.0.0.1", "127.0.0.1 ", "127.0.0.1%eth0", "127.0.0.x", "", "::1", "localhost",
            "\u0661\u0662\u0667.0.0.1"})
    void anythingButFourPlainDecimalOctetsLeavesTheFastPath(String address) {
        assertThat(TransportSecurity.canonicalIpv4FirstOctet(address)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::1", "0:0:0:0:0:0:0:1", "[::1]", " 127.0.0.1"})
    void otherSpellingsOfLoopbackAreStillRecognised(String address) {
        assertThat(TransportSecurity.isLoopback(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.256", "127.0.0", "::2", "fe80::1", "128.0.0.1", "126.255.255.255", "", "127.0.0.1."})
    void nonLoopbackAndNonLiteralsAreNotLoopback(String address) {
        assertThat(TransportSecurity.isLoopback(address)).isFalse();
    }
}
