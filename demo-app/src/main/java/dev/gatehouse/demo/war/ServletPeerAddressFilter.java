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

package dev.gatehouse.demo.war;

import dev.gatehouse.jaxrs.GatehouseFeature;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;

/**
 * Tells Gatehouse's JAX-RS side the connection's peer address in a servlet container: a request
 * attribute, which Jersey's servlet container shows as the request property
 * {@value GatehouseFeature#PEER_ADDRESS_PROPERTY}. A servlet filter rather than a JAX-RS one, so
 * that no injected request proxy is resolved on every request. Request attributes are set only
 * by the server, never by a client.
 */
public final class ServletPeerAddressFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        request.setAttribute(GatehouseFeature.PEER_ADDRESS_PROPERTY, request.getRemoteAddr());
        chain.doFilter(request, response);
    }
}
