package com.example.grizzly;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/** The application's own resource: Gatehouse has verified the access token before a method runs. */
@Path("me")
public class MeResource {
    /** Every registered user has the role {@code user}; no token, or an invalid one, gets 401. */
    @GET
    @RolesAllowed("user")
    @Produces(MediaType.TEXT_PLAIN)
    public String me(@Context SecurityContext security) {
        String userId = security.getUserPrincipal().getName();   // the token's sub: the user's id
        return "user " + userId + (security.isUserInRole("admin") ? " (admin)" : "");
    }

    /** Only for users granted {@code admin}: a valid token without it gets 403. */
    @GET
    @Path("admin")
    @RolesAllowed("admin")
    @Produces(MediaType.TEXT_PLAIN)
    public String admin() {
        return "admin area";
    }
}
