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

import dev.gatehouse.token.AccessTokenPrincipal;
import jakarta.ws.rs.core.SecurityContext;

import java.security.Principal;

/** The JAX-RS security context of a caller authenticated by an access token. */
final class TokenSecurityContext implements SecurityContext {
    static final String AUTH_SCHEME = "Bearer";

    private final AccessTokenPrincipal principal;
    private final boolean secure;

    TokenSecurityContext(AccessTokenPrincipal principal, boolean secure) {
        this.principal = principal;
        this.secure = secure;
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public boolean isUserInRole(String role) {
        return principal.hasRole(role);
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public String getAuthenticationScheme() {
        return AUTH_SCHEME;
    }
}
