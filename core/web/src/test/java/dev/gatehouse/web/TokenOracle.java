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

package dev.gatehouse.web;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.TokenSettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static dev.gatehouse.web.FuzzKeys.AUDIENCE;
import static dev.gatehouse.web.FuzzKeys.ISSUER;
import static dev.gatehouse.web.FuzzKeys.LEEWAY_S;
import static dev.gatehouse.web.FuzzKeys.NOW_S;

/**
 * What the fuzz harnesses hold an accepted token to, decided without the code under test: the
 * JDK checks the signature with the real key the header names, a plain Jackson parse reads the
 * claims, and every rule of {@link AccessTokenVerifier}'s contract is checked again here. Any
 * accepted token that breaks one is a finding (an {@link AssertionError}).
 */
final class TokenOracle {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final int MAX_TOKEN = TokenSettings.DEFAULT_MAX_TOKEN_SIZE;
    private static final int MAX_CLAIM = 256;
    private static final int MAX_ROLES = 64;

    private TokenOracle() {
    }

    /** Fails unless {@code token} deserved to be accepted and {@code principal} says what it says. */
    static void checkAccepted(String token, AccessTokenPrincipal principal) {
        require(principal != null, "accepted without a principal");
        require(token.length() <= MAX_TOKEN, "accepted a token longer than the maximum");
        String[] parts = token.split("\\.", -1);
        require(parts.length == 3, "accepted a token without exactly three segments");
        byte[][] decoded = new byte[3][];
        for (int i = 0; i < 3; i++) {
            decoded[i] = canonicalBase64Url(parts[i]);
        }
        JsonNode header = json(decoded[0], "header");
        JsonNode payload = json(decoded[1], "payload");

        // Header: typ, no crit, a kid naming a real key, the alg of that key.
        String typ = text(header, "typ");
        require(typ != null && (typ.equalsIgnoreCase("at+jwt") || typ.equalsIgnoreCase("application/at+jwt")),
                "accepted typ " + header.get("typ"));
        require(!header.has("crit"), "accepted a crit header");
        String kid = text(header, "kid");
        String alg = text(header, "alg");
        require(kid != null, "accepted a token whose kid is not a string");
        byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        switch (kid) {
            case FuzzKeys.RSA_KID:
                require("RS256".equals(alg), "accepted alg " + alg + " for the RSA key");
                require(jdkVerifies("SHA256withRSA", FuzzKeys.RSA_PUBLIC, signingInput, decoded[2]),
                        "accepted an RS256 token the real RSA key did not sign");
                break;
            case FuzzKeys.EC_KID:
                require("ES256".equals(alg), "accepted alg " + alg + " for the EC key");
                require(jdkVerifies("SHA256withECDSAinP1363Format", FuzzKeys.EC_PUBLIC, signingInput, decoded[2]),
                        "accepted an ES256 token the real EC key did not sign");
                break;
            case FuzzKeys.HMAC_KID:
                require("HS256".equals(alg), "accepted alg " + alg + " for the HMAC key");
                require(MessageDigest.isEqual(hmac(signingInput), decoded[2]),
                        "accepted an HS256 token the real secret did not sign");
                break;
            default:
                throw new AssertionError("accepted a token naming the unknown kid " + kid);
        }
        require(kid.equals(principal.keyId()), "principal key id differs from the header");

        // Claims.
        require(payload.isObject(), "accepted a payload that is not an object");
        require(ISSUER.equals(text(payload, "iss")), "accepted iss " + payload.get("iss"));
        JsonNode aud = payload.get("aud");
        require(aud != null && (AUDIENCE.equals(text(payload, "aud")) || audienceArrayContains(aud)),
                "accepted aud " + aud);
        long exp = seconds(payload, "exp");
        require(exp >= NOW_S - LEEWAY_S, "accepted an expired token (exp " + exp + ")");
        long iat = seconds(payload, "iat");
        require(iat <= NOW_S + LEEWAY_S, "accepted a token issued in the future (iat " + iat + ")");
        if (payload.has("nbf")) {
            long nbf = seconds(payload, "nbf");
            require(nbf <= NOW_S + LEEWAY_S, "accepted a token not valid yet (nbf " + nbf + ")");
        }
        String sub = wellFormedString(payload, "sub");
        String jti = wellFormedString(payload, "jti");
        require(!FuzzKeys.REVOKED_JTI.equals(jti), "accepted a revoked token");
        JsonNode roles = payload.get("roles");
        require(roles != null && roles.isArray() && roles.size() <= MAX_ROLES, "accepted roles " + roles);
        List<String> expectedRoles = new ArrayList<>();
        for (JsonNode role : roles) {
            require(role.isTextual() && !role.textValue().isBlank() && role.textValue().length() <= MAX_CLAIM,
                    "accepted a role " + role);
            expectedRoles.add(role.textValue());
        }

        // The principal says exactly what the token says.
        require(sub.equals(principal.subject()), "principal subject differs from sub");
        require(jti.equals(principal.tokenId()), "principal token id differs from jti");
        // AccessTokenPrincipal#roles: the claim's roles in token order, each once (a role listed
        // twice grants nothing more than listed once)
        List<String> distinctRoles = new ArrayList<>(new LinkedHashSet<>(expectedRoles));
        require(distinctRoles.equals(principal.roles()),
                "principal roles " + principal.roles() + " differ from the roles claim " + roles);
        require(principal.expiresAt().getEpochSecond() == exp, "principal expiry differs from exp");
        require(principal.issuedAt().getEpochSecond() == iat, "principal issue time differs from iat");
    }

    /** Whether the JDK, with the real key, verifies this signature. */
    private static boolean jdkVerifies(String algorithm, PublicKey key, byte[] input, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(input);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] hmac(byte[] input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(FuzzKeys.HMAC_SECRET, "HmacSHA256"));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 7515 §2: base64url without padding, and one spelling only (re-encoding gives it back). */
    private static byte[] canonicalBase64Url(String segment) {
        require(!segment.isEmpty(), "accepted an empty segment");
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(segment);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("accepted a segment that is not base64url: " + segment, e);
        }
        require(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(segment),
                "accepted a non-canonical base64url segment: " + segment);
        return bytes;
    }

    private static JsonNode json(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            require(node != null && node.isObject(), "accepted a " + what + " that is not a JSON object");
            return node;
        } catch (java.io.IOException e) {
            throw new AssertionError("accepted a " + what + " that is not JSON", e);
        }
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static boolean audienceArrayContains(JsonNode aud) {
        if (!aud.isArray()) {
            return false;
        }
        boolean found = false;
        for (JsonNode a : aud) {
            require(a.isTextual(), "accepted an aud array with a non-string member: " + aud);
            found |= AUDIENCE.equals(a.textValue());
        }
        return found;
    }

    /** RFC 7519 §2 NumericDate: a JSON number (fractions are truncated to whole seconds). */
    private static long seconds(JsonNode payload, String name) {
        JsonNode value = payload.get(name);
        require(value != null && value.isNumber() && value.canConvertToLong(),
                "accepted " + name + " = " + value + " (not a NumericDate)");
        return value.longValue();
    }

    private static String wellFormedString(JsonNode payload, String name) {
        String value = text(payload, name);
        require(value != null && !value.isBlank() && value.length() <= MAX_CLAIM,
                "accepted " + name + " = " + payload.get(name));
        return value;
    }

    private static void require(boolean condition, String finding) {
        if (!condition) {
            throw new AssertionError(finding);
        }
    }
}
