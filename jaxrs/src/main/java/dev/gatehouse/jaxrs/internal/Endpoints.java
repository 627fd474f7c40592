package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.web.CsrfPolicy;
import dev.gatehouse.token.GatehouseSettings;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.web.TransportSecurity;
import dev.gatehouse.auth.AuthService;
import jakarta.ws.rs.container.ContainerRequestContext;

import java.time.Duration;
import java.util.function.Function;

/** What the resources need, fixed when the feature is built. Immutable. */
public final class Endpoints {
    final AuthService service;
    final KeySource keys;
    final GatehouseSettings settings;
    final CsrfPolicy csrf;
    final Function<ContainerRequestContext, String> peerAddress;
    final TransportSecurity transport;
    final int maxBodyBytes;
    final Duration jwksMaxAge;
    final Duration asyncTimeout;

    public Endpoints(AuthService service, KeySource keys, CsrfPolicy csrf, Function<ContainerRequestContext, String> peerAddress,
                     TransportSecurity transport, int maxBodyBytes, Duration jwksMaxAge, Duration asyncTimeout) {
        this.service = service;
        this.keys = keys;
        this.settings = service == null ? null : service.tokenSettings();
        this.csrf = csrf;
        this.peerAddress = peerAddress;
        this.transport = transport;
        this.maxBodyBytes = maxBodyBytes;
        this.jwksMaxAge = jwksMaxAge;
        this.asyncTimeout = asyncTimeout;
    }

    public KeySource keys() {
        return keys;
    }

    public Duration jwksMaxAge() {
        return jwksMaxAge;
    }
}
