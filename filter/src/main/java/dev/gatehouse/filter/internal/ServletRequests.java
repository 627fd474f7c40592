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

package dev.gatehouse.filter.internal;

import dev.gatehouse.web.Challenge;
import dev.gatehouse.web.Problem;
import dev.gatehouse.web.RequestAuthenticator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** The servlet side of {@link RequestAuthenticator}: a request view, and the problem writer. */
public final class ServletRequests {
    private ServletRequests() {
    }

    /** A view of a servlet request for the core authenticator. */
    public static RequestAuthenticator.HttpRequestView view(HttpServletRequest request) {
        return new RequestAuthenticator.HttpRequestView() {
            @Override
            public String method() {
                return request.getMethod();
            }

            @Override
            public List<String> headers(String name) {
                Enumeration<String> values = request.getHeaders(name);
                if (values == null || !values.hasMoreElements()) {
                    return Collections.emptyList();
                }
                String first = values.nextElement();
                if (!values.hasMoreElements()) {
                    return Collections.singletonList(first); // the usual case, without a list to grow
                }
                List<String> all = new ArrayList<>(2);
                all.add(first);
                while (values.hasMoreElements()) {
                    all.add(values.nextElement());
                }
                return Collections.unmodifiableList(all);
            }

            @Override
            public String ownOrigin() {
                // Behind a TLS-terminating proxy, configure the container to honour the proxy's
                // forwarded protocol (Tomcat's RemoteIpValve), or list the origin in allowed-origins.
                return request.getScheme() + "://" + request.getServerName() + ":" + request.getServerPort();
            }

            @Override
            public boolean isSecure() {
                return request.isSecure();
            }

            @Override
            public String peerAddress() {
                return request.getRemoteAddr();
            }
        };
    }

    /** Writes a rejection: status, challenge, problem body, {@code Cache-Control: no-store}. */
    public static void reject(HttpServletResponse response, RequestAuthenticator.Outcome outcome) throws IOException {
        write(response, outcome.problem(), outcome.challenge());
    }

    /** Writes a problem response. */
    public static void write(HttpServletResponse response, Problem problem, String challenge) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.status());
        if (challenge != null) {
            response.setHeader(Challenge.HEADER, challenge);
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        byte[] body = problem.toJson().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
