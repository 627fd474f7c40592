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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Addresses of this machine other than loopback, so that a test can reach a local server as a
 * remote client would (its peer address is then not loopback). The build machines have one; a
 * machine without any makes the calling test fail, never skip: the behaviour it checks would
 * otherwise go untested.
 */
public final class LocalAddresses {
    private LocalAddresses() {
    }

    /** A usable non-loopback address of this machine, IPv4 preferred, as a URI host literal. */
    public static String nonLoopbackHost() {
        InetAddress address = nonLoopback();
        String text = address.getHostAddress();
        return address instanceof Inet4Address ? text : "[" + text + "]";
    }

    /** A usable non-loopback, non-link-local address of an interface that is up; IPv4 preferred. */
    public static InetAddress nonLoopback() {
        List<InetAddress> candidates = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
                        candidates.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            throw new AssertionError("Cannot list the network interfaces", e);
        }
        return candidates.stream().filter(a -> a instanceof Inet4Address).findFirst()
                .or(() -> candidates.stream().findFirst())
                .orElseThrow(() -> new AssertionError("This machine has no non-loopback address: the transport-security"
                        + " tests need one to connect as a non-local client (see `ip addr`)"));
    }
}
