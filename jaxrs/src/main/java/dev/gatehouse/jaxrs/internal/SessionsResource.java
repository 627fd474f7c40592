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

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.jaxrs.Authenticated;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.web.Problem;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The caller's sessions under {@code /auth/sessions}: where they are logged in, and ending one or
 * all others. Every answer carries {@code Cache-Control: no-store}; the work runs on the service's
 * store pool. A cookie-authenticated {@code DELETE} or {@code POST} must pass the CSRF check (the
 * token filter refuses it before this runs).
 */
@Path("auth/sessions")
public final class SessionsResource {
    private final AuthResource auth;

    public SessionsResource(AuthResource auth) {
        this.auth = auth;
    }

    /**
     * {@code {"sessions": [...]}}: the caller's live sessions, the most recently used first, each
     * with its id, times (RFC 3339, UTC), user agent and coarse client (JSON null when unknown), the
     * login's {@code amr} (empty when unknown) and whether it is the caller's own.
     */
    @GET
    @Authenticated
    public void list(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        AuthService service = auth.config().service();
        auth.complete(async, service.sessionsAsync(principal), sessions -> Response.ok(json(sessions, principal.sessionId()), Responses.JSON)
                .header("Cache-Control", "no-store")
                .build());
    }

    /**
     * Ends one of the caller's sessions: {@code 204}, or {@code 404} for an unknown id, another
     * user's and one ended already alike. Ending the caller's own also clears the cookies, as logout does.
     */
    @DELETE
    @Path("{id}")
    @Authenticated
    public void end(@Context ContainerRequestContext request, @Context UriInfo uri, @PathParam("id") String id,
                    @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        CompletableFuture<Boolean> work = auth.config().service().endSessionAsync(principal, id);
        CompletableFuture<Boolean> ended = work.thenApply(found -> {
            if (!found) {
                throw new ProblemException(new Problem(404, "not-found", "Not found", "No such session."));
            }
            return true;
        });
        boolean own = id.equals(principal.sessionId());
        auth.complete(async, ended, work, done -> own
                ? auth.cleared(Response.noContent(), uri).build()
                : Response.noContent().header("Cache-Control", "no-store").build());
    }

    /** Ends every session of the caller but their own: {@code {"ended": n}}. */
    @POST
    @Path("revoke-others")
    @Authenticated
    public void endOthers(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        JsonBody.refuseOtherMediaTypes(request.getMediaType());
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        auth.complete(async, auth.config().service().endOtherSessionsAsync(principal),
                ended -> Response.ok(JsonBody.object("ended", ended), Responses.JSON).header("Cache-Control", "no-store").build());
    }

    private static String json(List<Session> sessions, String current) {
        ObjectNode root = JsonBody.newObject();
        ArrayNode array = root.putArray("sessions");
        for (Session s : sessions) {
            ObjectNode node = array.addObject();
            node.put("id", s.id());
            node.put("created_at", time(s.createdAt()));
            node.put("last_used_at", time(s.lastUsedAt()));
            node.put("user_agent", s.userAgent());
            node.put("client", s.client());
            ArrayNode amr = node.putArray("amr");
            if (s.authentication() != null) {
                s.authentication().methods().forEach(amr::add);
            }
            node.put("current", s.id().equals(current));
        }
        return root.toString();
    }

    private static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
