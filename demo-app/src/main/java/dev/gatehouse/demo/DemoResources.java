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

package dev.gatehouse.demo;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.jaxrs.Authenticated;
import dev.gatehouse.jaxrs.StepUp;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.server.ResourceConfig;

import java.io.IOException;
import java.io.InputStream;

/**
 * The demo's own routes: the onboarding page and a small API (docs/http-api.md, "Demo app"). Protected
 * methods take the caller as {@code @Context AccessTokenPrincipal} ({@link PrincipalParameters},
 * registered by {@link #register}); {@code @Context SecurityContext} would work as well.
 */
@Path("")
@Singleton
public final class DemoResources {
    private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();
    /** No inline script, no third party; the page talks only to its own origin. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final Profiles profiles;

    @Inject
    public DemoResources(Profiles profiles) {
        this.profiles = profiles;
    }

    /**
     * Registers these resources (one instance, made by Jersey with the given profiles), and the
     * provider of their principal parameters, with an application. The class is registered rather
     * than an instance: Jersey takes a registered instance for a would-be provider and warns that it
     * ignores it. Jersey's default provider for {@code jakarta.activation.DataSource} bodies is
     * turned off: the demo sends none, and without Jakarta Activation on the class path Jersey
     * would warn about it at every start.
     */
    public static ResourceConfig register(ResourceConfig app, Profiles profiles) {
        return app.register(DemoResources.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(profiles).to(Profiles.class);
                    }
                })
                .register(PrincipalParameters.binder())
                .property(CommonProperties.PROVIDER_DEFAULT_DISABLE, "DATASOURCE");
    }

    @GET
    @PermitAll
    @Produces("text/html;charset=UTF-8")
    public Response page(@Context UriInfo uri) {
        // The page's URLs are relative (app.js, auth/login, api/me), so it must be served at <base>/:
        // in a WAR under a context path, Jersey mapped to /* also gets "/context" itself, where the
        // browser would resolve them against the parent path.
        String path = uri.getRequestUri().getRawPath();
        if (path == null || !path.endsWith("/")) {
            return Response.status(Response.Status.FOUND)
                    .location(uri.getRequestUriBuilder().replacePath((path == null ? "" : path) + "/").build())
                    .header("Cache-Control", "no-cache")
                    .build();
        }
        return asset("index.html", "text/html;charset=UTF-8");
    }

    /**
     * The page again at the paths of the links in mail ({@code /verify-email?token=...},
     * {@code /reset-password?token=...}): the page reads the token and removes it from the address
     * bar. The token is in this URL, so it is never stored ({@code no-store}) nor sent on as a
     * referrer ({@code Referrer-Policy: no-referrer}, as on every page).
     */
    @GET
    @Path("{page: verify-email|reset-password}")
    @PermitAll
    @Produces("text/html;charset=UTF-8")
    public Response linkPage() {
        return asset("index.html", "text/html;charset=UTF-8", "no-store");
    }

    @GET
    @Path("{file: app\\.(js|css)|favicon\\.svg}")
    @PermitAll
    public Response file(@PathParam("file") String file) {
        String type = file.endsWith(".js") ? "text/javascript;charset=UTF-8"
                : file.endsWith(".css") ? "text/css;charset=UTF-8"
                : "image/svg+xml";
        return asset(file, type);
    }

    private static Response asset(String name, String type) {
        return asset(name, type, "no-cache");
    }

    private static Response asset(String name, String type, String cacheControl) {
        try (InputStream in = DemoResources.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new NotFoundException();
            }
            return Response.ok(in.readAllBytes(), type)
                    .header("Content-Security-Policy", CSP)
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Referrer-Policy", "no-referrer")
                    .header("Cache-Control", cacheControl)
                    .build();
        } catch (IOException e) {
            throw new NotFoundException();
        }
    }

    @GET
    @Path("api/ping")
    @PermitAll
    @Produces("application/json")
    public String ping() {
        return "{\"status\":\"ok\"}";
    }

    @GET
    @Path("api/me")
    @Authenticated
    @Produces("application/json")
    public String me(@Context AccessTokenPrincipal principal) {
        String email = profiles.email(principal.subject()).orElseThrow(NotFoundException::new);
        StringBuilder json = new StringBuilder(128).append('{');
        string(json, "sub").append(':');
        string(json, principal.subject()).append(',');
        string(json, "email").append(':');
        string(json, email).append(',');
        roles(json, principal).append('}');
        return json.toString();
    }

    @GET
    @Path("api/claims")
    @Authenticated
    @Produces("application/json")
    public String claims(@Context AccessTokenPrincipal principal) {
        StringBuilder json = new StringBuilder(128).append('{');
        string(json, "sub").append(':');
        string(json, principal.subject()).append(',');
        roles(json, principal).append(',');
        string(json, "exp").append(':').append(principal.expiresAt().getEpochSecond()).append('}');
        return json.toString();
    }

    /**
     * Appends a JSON string, escaped by Jackson's encoder (quotes, backslashes, control
     * characters). These small bodies are written by hand: a Jackson tree costs more than the
     * rest of the route on every request.
     */
    private static StringBuilder string(StringBuilder json, String value) {
        json.append('"');
        ESCAPER.quoteAsString(value, json);
        return json.append('"');
    }

    private static StringBuilder roles(StringBuilder json, AccessTokenPrincipal principal) {
        return strings(json, "roles", principal.roles());
    }

    /** {@code "name":["value",...]}. */
    private static StringBuilder strings(StringBuilder json, String name, Iterable<String> values) {
        string(json, name).append(":[");
        boolean first = true;
        for (String value : values) {
            if (!first) {
                json.append(',');
            }
            string(json, value);
            first = false;
        }
        return json.append(']');
    }

    /**
     * A resource behind step-up: only a login that used a second factor reaches it. Any other
     * valid token gets 401 with {@code error="insufficient_user_authentication", acr_values="mfa"}
     * (RFC 9470), and the page asks the user to log in again with their code.
     */
    @GET
    @Path("api/secure")
    @StepUp(secondFactor = true)
    @Produces("application/json")
    public String secure(@Context AccessTokenPrincipal principal) {
        StringBuilder json = new StringBuilder(128).append('{');
        string(json, "subject").append(':');
        string(json, principal.subject()).append(',');
        strings(json, "amr", principal.authenticationMethods()).append(',');
        string(json, "auth_time").append(':');
        json.append(principal.authenticatedAt().map(t -> String.valueOf(t.getEpochSecond())).orElse("null"));
        return json.append('}').toString();
    }

    @GET
    @Path("api/admin")
    @RolesAllowed("admin")
    @Produces("application/json")
    public String admin() {
        return "{\"admin\":true}";
    }
}
