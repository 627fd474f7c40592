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
