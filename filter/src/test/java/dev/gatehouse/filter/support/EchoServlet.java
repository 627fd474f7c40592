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

package dev.gatehouse.filter.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

/** Answers every method with JSON describing the request's security context as the application sees it. */
public class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getParameter("session") != null) {
            // As an application with server-side sessions would (JSF, a shopping cart, ...).
            request.getSession(true);
        }
        Principal principal = request.getUserPrincipal();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", request.getMethod());
        body.put("servletPath", request.getServletPath());
        body.put("pathInfo", request.getPathInfo());
        body.put("name", principal == null ? null : principal.getName());
        body.put("remoteUser", request.getRemoteUser());
        body.put("authType", request.getAuthType());
        body.put("user", request.isUserInRole("user"));
        body.put("admin", request.isUserInRole("admin"));
        body.put("principalClass", principal == null ? null : principal.getClass().getName());
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
