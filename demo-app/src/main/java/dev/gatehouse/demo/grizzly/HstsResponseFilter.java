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
