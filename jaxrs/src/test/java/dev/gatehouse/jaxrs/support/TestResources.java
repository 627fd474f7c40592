package dev.gatehouse.jaxrs.support;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.jaxrs.Authenticated;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;

/** A small protected API, as an application would write it. */
@Path("api")
@Produces("application/json")
public class TestResources {
    @GET
    @Path("ping")
    @PermitAll
    public String ping() {
        return "{\"status\":\"ok\"}";
    }

    @GET
    @Path("me")
    @Authenticated
    public String me(@Context SecurityContext security) {
        AccessTokenPrincipal p = (AccessTokenPrincipal) security.getUserPrincipal();
        return "{\"sub\":\"" + p.subject() + "\",\"roles\":\"" + String.join(",", p.roles()) + "\",\"scheme\":\""
                + security.getAuthenticationScheme() + "\",\"user\":" + security.isUserInRole("user") + "}";
    }

    @POST
    @Path("me")
    @Authenticated
    public String change(@Context SecurityContext security) {
        return "{\"changed\":\"" + security.getUserPrincipal().getName() + "\"}";
    }

    @GET
    @Path("admin")
    @RolesAllowed("admin")
    public String admin() {
        return "{\"admin\":true}";
    }

    @GET
    @Path("nobody")
    @DenyAll
    public String nobody() {
        return "{}";
    }

    @GET
    @Path("open")
    public String open(@Context SecurityContext security) {
        return "{\"user\":\"" + (security.getUserPrincipal() == null ? "" : security.getUserPrincipal().getName()) + "\"}";
    }
}
