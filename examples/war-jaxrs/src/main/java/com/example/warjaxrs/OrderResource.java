package com.example.warjaxrs;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/** The application's resource, behind the servlet filter (no token: 401) and @RolesAllowed (no role: 403). */
@Path("orders")
public class OrderResource {
    @GET
    @RolesAllowed("user")
    @Produces(MediaType.TEXT_PLAIN)
    public String mine(@Context SecurityContext security) {
        return "orders of " + security.getUserPrincipal().getName();   // the filter's principal: the token's sub
    }

    @GET
    @Path("all")
    @RolesAllowed("admin")
    @Produces(MediaType.TEXT_PLAIN)
    public String all() {
        return "all orders";
    }
}
