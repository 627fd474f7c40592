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

package dev.gatehouse.demo.grizzly;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.util.Objects;

/**
 * Adds {@code Strict-Transport-Security} (RFC 6797) to every response of a request that came over
 * HTTPS, and never to one over plain HTTP (§7.2: a host must not send it there, where an attacker
 * could strip or forge it).
 */
public final class HstsResponseFilter implements ContainerResponseFilter {
    public static final String HEADER = "Strict-Transport-Security";
    private final String value;

    /** @param value the header value, e.g. {@code max-age=31536000} */
    public HstsResponseFilter(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if ("https".equalsIgnoreCase(request.getUriInfo().getRequestUri().getScheme())) {
            response.getHeaders().putSingle(HEADER, value);
        }
    }
}
