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
