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

import dev.gatehouse.token.AccessTokenPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.security.Principal;

/**
 * A request whose caller is the subject of a verified access token, answering the security
 * methods of {@link HttpServletRequest} as container login would.
 */
public final class AuthenticatedRequest extends HttpServletRequestWrapper {
    /** The value of {@link #getAuthType()}. */
    public static final String AUTH_TYPE = "Bearer";

    private final AccessTokenPrincipal principal;

    public AuthenticatedRequest(HttpServletRequest request, AccessTokenPrincipal principal) {
        super(request);
        this.principal = principal;
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public String getRemoteUser() {
        return principal.subject();
    }

    /**
     * Whether the role is among the token's roles (its {@code "roles"} claim). {@code "**"} is true for any
     * authenticated caller (Servlet 6.0 §13.3), unless the token itself names a role {@code **}.
     */
    @Override
    public boolean isUserInRole(String role) {
        return principal.hasRole(role) || "**".equals(role);
    }

    @Override
    public String getAuthType() {
        return AUTH_TYPE;
    }
}
