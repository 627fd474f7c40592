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
