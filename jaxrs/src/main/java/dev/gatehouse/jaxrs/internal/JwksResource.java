package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeySource;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import java.time.Duration;

/** {@code GET /.well-known/jwks.json}: the public signing keys as an RFC 7517 JWK Set. */
@Path(".well-known/jwks.json")
@PermitAll
public final class JwksResource {
    private final KeySource keys;
    private final Duration maxAge;

    public JwksResource(KeySource keys, Duration maxAge) {
        this.keys = keys;
        this.maxAge = maxAge;
    }

    @GET
    public Response jwks() {
        return Response.ok(JwkSets.toPublicJson(keys), Responses.JSON)
                .header("Cache-Control", "public, max-age=" + maxAge.toSeconds())
                .build();
    }
}
