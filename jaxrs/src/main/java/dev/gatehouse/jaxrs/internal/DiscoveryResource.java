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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.GatehouseException;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The issuer's metadata, so that a resource server given only the issuer URL finds the JWK Set:
 * {@code GET /.well-known/openid-configuration} (OpenID Connect Discovery 1.0 §4) and
 * {@code GET /.well-known/oauth-authorization-server} (RFC 8414 §3), the same document at both.
 *
 * <p>Only members that are true of Gatehouse are listed: {@code issuer} (exactly the configured
 * issuer, RFC 8414 §3.3), {@code jwks_uri}, {@code subject_types_supported: ["public"]} (every
 * caller sees the same {@code sub}), and {@code response_types_supported: []} (required by both
 * specifications; Gatehouse has no authorization endpoint, so it supports none). There is no
 * {@code token_endpoint}: {@code /auth/login} takes a JSON e-mail and password, not an RFC 6749
 * token request, and advertising it would also imply {@code client_secret_basic} (RFC 8414 §2).
 * There is no {@code id_token_signing_alg_values_supported}: Gatehouse issues no ID tokens.
 */
@Path(".well-known")
@PermitAll
public final class DiscoveryResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the JWK Set is served, relative to the application root (see {@link JwksResource}). */
    public static final String JWKS_PATH = "/.well-known/jwks.json";

    private final String document;
    private final String cacheControl;

    public DiscoveryResource(String document, Duration maxAge) {
        this.document = document;
        this.cacheControl = "public, max-age=" + maxAge.toSeconds();
    }

    /**
     * The metadata document for an issuer, or empty when the issuer is not an absolute
     * {@code http}/{@code https} URL without query or fragment (then no URL can be derived from it).
     */
    public static Optional<String> metadata(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.isOpaque() || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            return Optional.empty();
        }
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        ObjectNode doc = JSON.createObjectNode();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", base + JWKS_PATH);
        doc.putArray("response_types_supported");
        doc.putArray("subject_types_supported").add("public");
        try {
            return Optional.of(JSON.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new GatehouseException("Could not write the discovery document", e);
        }
    }

    @GET
    @Path("openid-configuration")
    public Response openIdConfiguration() {
        return document();
    }

    @GET
    @Path("oauth-authorization-server")
    public Response authorizationServerMetadata() {
        return document();
    }

    private Response document() {
        return Response.ok(document, Responses.JSON).header("Cache-Control", cacheControl).build();
    }
}
