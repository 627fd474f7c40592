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

import dev.gatehouse.token.AccessTokenPrincipal;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import org.glassfish.jersey.internal.MapPropertiesDelegate;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code @Context AccessTokenPrincipal} parameters, through a real Jersey application handler. */
class PrincipalParametersTest {
    private static final AccessTokenPrincipal ALICE = new AccessTokenPrincipal("user-alice", List.of("user"),
            Instant.parse("2026-11-30T10:00:00Z"), Instant.parse("2026-11-30T10:05:00Z"), "jti-1", "kid-1");

    @Path("t")
    public static class Resource {
        @GET
        @Path("caller")
        public String caller(@Context AccessTokenPrincipal caller) {
            return "caller=" + caller.subject();
        }

        @GET
        @Path("context")
        public String context(@Context SecurityContext security) {
            return "context=" + (security.getUserPrincipal() == null ? "none" : security.getUserPrincipal().getName());
        }
    }

    private final ResourceConfig app = new ResourceConfig(Resource.class).register(PrincipalParameters.binder());
    private final ApplicationHandler jersey = new ApplicationHandler(app);

    private ContainerResponse get(String path, Principal principal) throws Exception {
        SecurityContext security = new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return false;
            }

            @Override
            public boolean isSecure() {
                return false;
            }

            @Override
            public String getAuthenticationScheme() {
                return principal == null ? null : "Bearer";
            }
        };
        ContainerRequest request = new ContainerRequest(URI.create("http://localhost/"), URI.create("http://localhost/" + path),
                "GET", security, new MapPropertiesDelegate(), app);
        return jersey.apply(request).get();
    }

    @Test
    void theMethodGetsTheAuthenticatedPrincipal() throws Exception {
        ContainerResponse response = get("t/caller", ALICE);

        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getEntity()).isEqualTo("caller=user-alice");
    }

    @Test
    void withoutAGatehousePrincipalTheCallIsRefusedWith401NeverANullCaller() throws Exception {
        ContainerResponse anonymous = get("t/caller", null);
        ContainerResponse foreign = get("t/caller", () -> "someone-else");

        assertThat(anonymous.getStatus()).isEqualTo(401);
        assertThat(anonymous.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("Bearer");
        assertThat(foreign.getStatus()).isEqualTo(401);
    }

    @Test
    void otherContextParametersAreLeftToJersey() throws Exception {
        assertThat(get("t/context", ALICE).getEntity()).isEqualTo("context=user-alice");
        assertThat(get("t/context", null).getEntity()).isEqualTo("context=none");
    }
}
