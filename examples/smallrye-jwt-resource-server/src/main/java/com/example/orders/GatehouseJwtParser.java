package com.example.orders;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * SmallRye JWT's parser for the access tokens of a Gatehouse issuer, configured from the issuer URL
 * and this service's audience alone. In Quarkus (or any MicroProfile JWT runtime) the same is four
 * properties: {@code mp.jwt.verify.issuer}, {@code mp.jwt.verify.publickey.location} (the
 * {@code jwks_uri} that {@link #jwksUri(String)} finds), {@code mp.jwt.verify.audiences} and
 * {@code smallrye.jwt.path.groups=roles}.
 */
public final class GatehouseJwtParser {
    private GatehouseJwtParser() {
    }

    /**
     * A parser that checks the signature with the issuer's published keys, {@code iss},
     * {@code exp} and {@code iat}, and the audience, and reads the groups ({@code @RolesAllowed})
     * from Gatehouse's {@code roles} claim. The principal's name is {@code sub}, the user's id.
     */
    public static JWTParser forIssuer(String issuer, String audience) {
        JWTAuthContextInfo context = new JWTAuthContextInfo(jwksUri(issuer), issuer);
        context.setExpectedAudience(Set.of(audience));
        context.setGroupsPath("roles");
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256));
        return new DefaultJWTParser(context);
    }

    /**
     * The {@code jwks_uri} of the issuer's metadata at {@code <issuer>/.well-known/openid-configuration}
     * (OpenID Connect Discovery 1.0 §4), which must name this issuer exactly (§4.3).
     */
    public static String jwksUri(String issuer) {
        URI metadata = URI.create(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        HttpRequest request = HttpRequest.newBuilder(metadata).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body(); JsonReader reader = Json.createReader(body)) {
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(metadata + " answered " + response.statusCode());
                }
                JsonObject document = reader.readObject();
                if (!issuer.equals(document.getString("issuer", null))) {
                    throw new IllegalStateException(metadata + " is the metadata of another issuer: " + document.get("issuer"));
                }
                return document.getString("jwks_uri");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + metadata, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading " + metadata, e);
        }
    }
}
