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

package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.web.CsrfPolicy;
import dev.gatehouse.web.Problem;
import dev.gatehouse.web.WebSettings;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.web.TransportSecurity;
import dev.gatehouse.auth.AuthService;
import jakarta.ws.rs.container.ContainerRequestContext;

import java.time.Duration;
import java.util.function.Function;

/** What the resources need, fixed when the feature is built. Immutable. */
public final class Endpoints {
    private final AuthService service;
    final KeySource keys;
    final WebSettings settings;
    final CsrfPolicy csrf;
    final Function<ContainerRequestContext, String> peerAddress;
    final TransportSecurity transport;
    final int maxBodyBytes;
    final Duration jwksMaxAge;
    final Duration asyncTimeout;

    public Endpoints(AuthService service, WebSettings settings, Function<ContainerRequestContext, String> peerAddress,
                     int maxBodyBytes, Duration jwksMaxAge, Duration asyncTimeout) {
        this.service = service;
        this.keys = service.keys();
        this.settings = settings;
        this.csrf = new CsrfPolicy(settings);
        this.peerAddress = peerAddress;
        this.transport = settings.transportSecurity();
        this.maxBodyBytes = maxBodyBytes;
        this.jwksMaxAge = jwksMaxAge;
        this.asyncTimeout = asyncTimeout;
    }

    /**
     * The service, while it runs; a {@code 503} once it is closed (requests that still arrive while
     * the application shuts down). {@code GatehouseFeature} refuses a service that was never started.
     */
    AuthService service() {
        if (!service.isRunning()) {
            throw new ProblemException(new Problem(503, "unavailable", "Service unavailable",
                    "The service is shutting down; try again shortly."));
        }
        return service;
    }

    public KeySource keys() {
        return keys;
    }

    public Duration jwksMaxAge() {
        return jwksMaxAge;
    }
}
