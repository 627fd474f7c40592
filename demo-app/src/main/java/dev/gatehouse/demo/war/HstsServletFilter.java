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

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Adds {@code Strict-Transport-Security} (RFC 6797) to every response of a request the container
 * received over HTTPS ({@code isSecure()}: Tomcat's TLS connector, or its {@code RemoteIpValve}
 * behind a TLS-terminating proxy), never over plain HTTP. The value comes from
 * {@code GATEHOUSE_HSTS_MAX_AGE}. Mapped before the Gatehouse filter, so refusals carry it too.
 */
public final class HstsServletFilter implements Filter {
    private String value;

    @Override
    public void init(FilterConfig config) {
        value = DemoContextListener.current().settings.hstsHeader();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (request.isSecure() && response instanceof HttpServletResponse http) {
            http.setHeader("Strict-Transport-Security", value);
        }
        chain.doFilter(request, response);
    }
}
