package com.example.warjaxrs;

import dev.gatehouse.jaxrs.GatehouseFeature;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;

import java.io.IOException;

/**
 * Tells Gatehouse the connection's peer address in a servlet container: Jersey's servlet
 * container shows request attributes as request properties. (A JAX-RS filter with an injected
 * {@code @Context HttpServletRequest} works too, but resolves the injected proxy on every request.)
 */
public final class ServletPeerAddressFilter implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        request.setAttribute(GatehouseFeature.PEER_ADDRESS_PROPERTY, request.getRemoteAddr());
        chain.doFilter(request, response);
    }
}
