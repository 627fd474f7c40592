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

import dev.gatehouse.testing.JulCapture;
import dev.gatehouse.testing.RecordingLogger;
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

    // ---- a reverse proxy on this host that is not listed -------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"})
    void aLoopbackPeerThatForwardsWithoutBeingATrustedProxyIsRefusedAsNotHttps(String header) {
        TransportSecurity none = new TransportSecurity(true, Set.of(), new RecordingLogger());
        String value = header.equals("Forwarded") ? "for=203.0.113.7;proto=https" : header.endsWith("Proto") ? "https" : "203.0.113.7";

        for (String peer : List.of("127.0.0.1", "127.9.9.9", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1")) {
            assertThat(none.refusal(request(false, peer, header, value))).as("%s from %s", header, peer)
                    .contains("not a trusted proxy").contains(peer).doesNotContain("203.0.113.7");
            assertThat(none.refusal(request(false, peer))).as("a direct loopback client from %s keeps its exemption", peer).isNull();
        }
        // HTTPS to this server does not rest on the loopback exemption
        assertThat(none.refusal(request(true, "127.0.0.1", header, value))).isNull();
    }

    @Test
    void theUnlistedProxyIsWarnedAboutOncePerInstanceNamingTheSettingAndNoHeaderValue() {
        RecordingLogger log = new RecordingLogger();
        TransportSecurity none = new TransportSecurity(true, Set.of(), log);
        for (int i = 0; i < 5; i++) {
            none.refusal(request(false, "127.0.0.1", "X-Forwarded-For", "198.51.100.23", "X-Forwarded-Host", "marker-host.example",
                    "Forwarded", "for=198.51.100.24;host=marker-two.example;proto=https"));
            none.refusal(request(false, "0:0:0:0:0:0:0:1", "X-Forwarded-Proto", "https"));
        }

        assertThat(log.lines()).hasSize(1);
        assertThat(log.lines().get(0)).startsWith("WARNING ")
                .contains("127.0.0.1", "not a trusted proxy", "refused", "one throttling bucket")
                .contains("'trusted-proxies'", "WebSettings.trustedProxies", "GATEHOUSE_TRUSTED_PROXIES")
                .doesNotContain("198.51.100.23", "198.51.100.24", "marker-host", "marker-two");

        RecordingLogger another = new RecordingLogger();
        new TransportSecurity(true, Set.of(), another).refusal(request(false, "127.0.0.1", "X-Forwarded-For", "198.51.100.23"));
        assertThat(another.lines()).as("another instance warns for itself").hasSize(1);
    }

    @Test
    void withTheCheckOffTheUnlistedProxyIsStillWarnedAboutAndItsClientsShareItsAddress() {
        RecordingLogger log = new RecordingLogger();
        TransportSecurity lax = new TransportSecurity(false, Set.of(), log);
        RequestAuthenticator.HttpRequestView proxied = request(false, "127.0.0.1", "X-Forwarded-For", "198.51.100.23");

        assertThat(lax.refusal(proxied)).isNull();
        assertThat(lax.refusal(proxied)).isNull();
        assertThat(lax.clientAddress(proxied)).as("one shared bucket, never the claimed client").isEqualTo("127.0.0.1");
        assertThat(log.lines()).hasSize(1);
        assertThat(log.lines().get(0)).startsWith("WARNING ").contains("GATEHOUSE_TRUSTED_PROXIES").doesNotContain("refused as")
                .doesNotContain("198.51.100.23");
    }

    @Test
    void theWarningGoesToTheJdkLoggingUnderTheClassNameWhereAContainerCollectsIt() {
        try (JulCapture jul = JulCapture.of(TransportSecurity.class.getName())) {
            new TransportSecurity(true, Set.of()).refusal(request(false, "127.0.0.1", "X-Forwarded-For", "198.51.100.23"));

            assertThat(jul.lines()).hasSize(1);
            assertThat(jul.lines().get(0)).startsWith("WARNING A request from 127.0.0.1 on this host carried forwarding headers")
                    .contains("'trusted-proxies'", "WebSettings.trustedProxies", "GATEHOUSE_TRUSTED_PROXIES", "(Logged once.)")
                    .doesNotContain("198.51.100.23");
        }
    }

    @Test
    void nothingIsWarnedAboutWithoutAnUnlistedLoopbackProxy() {
        RecordingLogger log = new RecordingLogger();
        TransportSecurity listed = new TransportSecurity(true, Set.of("127.0.0.1"), log);
        TransportSecurity lax = new TransportSecurity(false, Set.of("127.0.0.1"), log);
        for (TransportSecurity t : List.of(listed, lax)) {
            t.refusal(request(false, "127.0.0.1", "X-Forwarded-For", "198.51.100.23", "X-Forwarded-Proto", "https"));
            t.refusal(request(false, "127.0.0.2"));
            t.refusal(request(false, "192.0.2.9", "X-Forwarded-For", "198.51.100.23"));
            t.refusal(request(true, "192.0.2.9", "Forwarded", "for=198.51.100.23"));
            t.refusal(request(false, null, "X-Forwarded-For", "198.51.100.23"));
        }
        assertThat(log.lines()).isEmpty();
    }

    // ---- the client address for throttling -----------------------------------------------------

    @Test
    void theClientIsThePeerUnlessATrustedProxyNamesAnother() {
        assertThat(STRICT.clientAddress(request(false, "192.0.2.9", "X-Forwarded-For", "198.51.100.1"))).isEqualTo("192.0.2.9");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5", "X-Forwarded-For", "198.51.100.1"))).isEqualTo("198.51.100.1");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5", "X-Forwarded-For", "192.0.2.77, 198.51.100.1")))
                .as("hops the client wrote on the left are not read").isEqualTo("198.51.100.1");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5", "Forwarded", "for=\"[2001:db8::1]:4711\";proto=https")))
                .isEqualTo("2001:db8::1");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5", "Forwarded", "for=192.0.2.60, for=198.51.100.2:8080")))
                .isEqualTo("198.51.100.2");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5", "Forwarded", "for=unknown")))
                .as("a client that is not an address is the proxy's").isEqualTo("10.0.0.5");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5", "X-Forwarded-For", "_hidden")))
                .isEqualTo("10.0.0.5");
        assertThat(STRICT.clientAddress(request(false, "10.0.0.5"))).isEqualTo("10.0.0.5");
        assertThat(STRICT.clientAddress(request(false, null, "X-Forwarded-For", "198.51.100.1"))).isNull();
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
