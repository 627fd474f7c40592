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

package dev.gatehouse.jaxrs.grizzly;

import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.FilterChainEvent;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpEvents;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.Header;

import java.io.IOException;

/**
 * Makes Grizzly ignore the {@code Upgrade} request header, as RFC 9110 §7.8 allows a server that
 * does not switch protocols to do.
 *
 * <p>Without it, Grizzly treats the body of any request that carries {@code Upgrade} (Java's
 * {@code HttpClient} sends {@code Upgrade: h2c} by default) as a raw upgraded stream: the
 * application's read of the body never ends and the worker thread stays blocked until the client
 * goes away — a cheap way to exhaust the server's threads. This filter sits right after the HTTP
 * codec and turns such a request back into an ordinary HTTP/1.1 request.
 *
 * <pre>{@code
 * server.getListener("grizzly").registerAddOn(new IgnoreUpgradeAddOn());   // before server.start()
 * }</pre>
 */
public final class IgnoreUpgradeAddOn implements AddOn {
    /**
     * Puts the filter right after Grizzly's HTTP codec.
     *
     * @throws IllegalStateException when the listener's chain has no HTTP codec
     */
    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int codec = builder.indexOfType(HttpServerFilter.class);
        if (codec < 0) {
            throw new IllegalStateException("Grizzly's HTTP codec filter is not in the chain");
        }
        builder.add(codec + 1, new BaseFilter() {
            @Override
            public NextAction handleEvent(FilterChainContext ctx, FilterChainEvent event) throws IOException {
                if (event.type() == HttpEvents.IncomingHttpUpgradeEvent.TYPE) {
                    HttpHeader header = ((HttpEvents.IncomingHttpUpgradeEvent) event).getHttpHeader();
                    header.setIgnoreContentModifiers(false);
                    header.getUpgradeDC().recycle();
                    header.getHeaders().removeHeader(Header.Upgrade);
                }
                return ctx.getInvokeAction();
            }
        });
    }
}
