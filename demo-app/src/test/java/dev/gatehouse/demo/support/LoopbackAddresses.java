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
