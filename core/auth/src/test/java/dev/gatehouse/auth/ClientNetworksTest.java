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

package dev.gatehouse.auth;

import dev.gatehouse.web.ClientAddresses;

import dev.gatehouse.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which network a client address is counted in, and the in-memory per-client limit over those networks. */
class ClientNetworksTest {
    @ParameterizedTest
    @CsvSource({
            "192.0.2.7, 192.0.2.7",
            "::ffff:192.0.2.7, 192.0.2.7",
            "0:0:0:0:0:ffff:c000:207, 192.0.2.7",
            "[::ffff:192.0.2.7], 192.0.2.7",
            "2001:db8::1, 2001:db8:0:0::/64",
            "2001:db8:0:0:ffff:ffff:ffff:ffff, 2001:db8:0:0::/64",
            "[2001:DB8:0:1::1], 2001:db8:0:1::/64",
            "2001:db8:0:1:2:3:4:5, 2001:db8:0:1::/64",
            "fe80::1%eth0, fe80:0:0:0::/64",
            "::1, 0:0:0:0::/64"})
    void addressesAreCountedByNetwork(String address, String network) {
        assertThat(ClientAddresses.network(address)).isEqualTo(network);
    }

    @ParameterizedTest
    @CsvSource({
            "192.0.2.7, 192.0.2.0/24",
            "203.0.113.255, 203.0.113.0/24",
            "::ffff:198.51.100.9, 198.51.100.0/24",
            "2001:db8:1:2:3:4:5:6, 2001:db8:1::/48",
            "[2001:DB8:ABCD:ffff::1], 2001:db8:abcd::/48",
            "::1, 0:0:0::/48"})
    void sessionsShowTheIpv4Slash24OrTheIpv6Slash48(String address, String location) {
        assertThat(ClientAddresses.coarseLocation(address)).isEqualTo(location);
    }

    @Test
    void aSessionWithoutAnAddressLiteralShowsNoLocation() {
        assertThat(ClientAddresses.coarseLocation(null)).isNull();
        assertThat(ClientAddresses.coarseLocation("example.com")).isNull();
        assertThat(ClientAddresses.coarseLocation("id:client-7")).isNull();
    }

    @ParameterizedTest
    @CsvSource({
            "2001:db8:0:1::1, 2001:db8:0:0::/56",
            "2001:db8:0:ff::1, 2001:db8:0:0::/56",
            "2001:db8:0:100::1, 2001:db8:0:100::/56",
            "2001:db8:abcd:12ff:1:2:3:4, 2001:db8:abcd:1200::/56"})
    void ipv6NetworksBelongToASlash56(String address, String wide) {
        assertThat(ClientAddresses.wideNetwork(address)).isEqualTo(wide);
    }

    @Test
    void ipv4UnknownAndOtherClientsHaveNoWiderNetwork() {
        assertThat(ClientAddresses.wideNetwork("192.0.2.7")).isNull();
        assertThat(ClientAddresses.wideNetwork("::ffff:192.0.2.7")).isNull();
        assertThat(ClientAddresses.wideNetwork(null)).isNull();
        assertThat(ClientAddresses.wideNetwork("client-a")).isNull();
        assertThat(ClientAddresses.network(null)).isEqualTo(ClientAddresses.UNKNOWN_NETWORK);
        assertThat(ClientAddresses.network("client-a")).isEqualTo("id:client-a");
        assertThat(ClientAddresses.network("localhost")).as("a name is never looked up").isEqualTo("id:localhost");
    }

    @Test
    void literalsAreParsedWithoutLookingNamesUp() {
        assertThat(ClientAddresses.literal("localhost")).isNull();
        assertThat(ClientAddresses.literal("example.org")).isNull();
        assertThat(ClientAddresses.literal("unknown")).isNull();
        assertThat(ClientAddresses.literal("_hidden")).isNull();
        assertThat(ClientAddresses.literal("256.0.0.1")).isNull();
        assertThat(ClientAddresses.literal(" 192.0.2.7 ")).isNotNull();
        assertThat(ClientAddresses.literal("2001:db8::1").getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void everyAddressOfOneSlash64SharesOneBucket() {
        ClientRateLimiter limiter = new ClientRateLimiter(5, new MutableClock(Instant.parse("2026-12-01T10:00:00Z")));
        for (int i = 1; i <= 5; i++) {
            assertThat(limiter.tryAcquire("2001:db8:0:7:" + Integer.toHexString(i * 4099) + "::" + i)).as("address %d", i).isEmpty();
        }
        assertThat(limiter.tryAcquire("2001:db8:0:7:ffff:ffff:ffff:ffff")).isPresent();
        assertThat(limiter.tryAcquire("2001:db8:0:8::1")).as("the next /64 of the /56").isEmpty();
    }

    @Test
    void theSlash64sOfOneSlash56AreBoundedByItsOwnLargerBucket() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        ClientRateLimiter limiter = new ClientRateLimiter(5, clock);
        int granted = 0;
        for (int net = 0; net < 256; net++) {
            for (int i = 0; i < 5; i++) {
                if (limiter.tryAcquire("2001:db8:0:" + Integer.toHexString(0x4200 + net) + "::" + (i + 1)).isEmpty()) {
                    granted++;
                }
            }
        }
        assertThat(granted).as("four times one client's burst, not 256 times").isEqualTo(5 * ClientRateLimiter.WIDE_FACTOR);
        Optional<Duration> wait = limiter.tryAcquire("2001:db8:0:42ff::9");
        assertThat(wait).hasValueSatisfying(d -> assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(3)));
        assertThat(limiter.tryAcquire("2001:db8:0:4300::1")).as("another /56").isEmpty();
        assertThat(limiter.tryAcquire("192.0.2.1")).isEmpty();

        // the /56 refills four times as fast as one client: 3 s give it one token, and a fresh /64 takes it
        clock.advance(Duration.ofMillis(3100));
        assertThat(limiter.tryAcquire("2001:db8:0:42ff::9")).isEmpty();
        assertThat(limiter.tryAcquire("2001:db8:0:42fe::9")).isPresent();
    }

    @Test
    void aRefusedAttemptTakesNothingFromTheSlash56() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        ClientRateLimiter limiter = new ClientRateLimiter(2, clock);
        for (int i = 0; i < 2; i++) {
            assertThat(limiter.tryAcquire("2001:db8:1:1::1")).isEmpty();
        }
        for (int i = 0; i < 50; i++) {
            assertThat(limiter.tryAcquire("2001:db8:1:1::1")).isPresent();
        }
        // the /56 (8) gave only the two that were granted
        for (int i = 0; i < 6; i++) {
            assertThat(limiter.tryAcquire("2001:db8:1:" + (i + 2) + "::1")).as("/64 number %d", i + 2).isEmpty();
        }
        assertThat(limiter.tryAcquire("2001:db8:1:9::1")).isPresent();
    }

    @Test
    void ipv4MappedAddressesShareTheIpv4AddressesBucket() {
        ClientRateLimiter limiter = new ClientRateLimiter(2, new MutableClock(Instant.parse("2026-12-01T10:00:00Z")));
        assertThat(limiter.tryAcquire("192.0.2.7")).isEmpty();
        assertThat(limiter.tryAcquire("::ffff:192.0.2.7")).isEmpty();
        assertThat(limiter.tryAcquire("[::ffff:c000:207]")).isPresent();
    }

    @Test
    void resolvingReadsForwardedHopsOnlyFromTrustedProxies() {
        ClientAddresses addresses = new ClientAddresses(Set.of("10.0.0.5"));
        assertThat(addresses.resolve("192.0.2.9", java.util.List.of("198.51.100.1"))).isEqualTo("192.0.2.9");
        assertThat(addresses.resolve("10.0.0.5", java.util.List.of("198.51.100.7, 198.51.100.1"))).isEqualTo("198.51.100.1");
        assertThat(addresses.resolve("10.0.0.5", java.util.List.of("198.51.100.1, 10.0.0.5"))).isEqualTo("198.51.100.1");
    }
}
