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

package dev.gatehouse.testing;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds arbitrary (including hostile) compact JWS tokens for tests, independently of the code
 * under test: headers and payloads are plain maps, signatures are made with the JDK directly.
 */
public final class TokenForge {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private String rawHeader;
    private String rawPayload;

    private TokenForge() {
    }

    /** A forge pre-filled with a valid-looking access token header and claims. */
    public static TokenForge accessToken(String alg, String kid, String iss, String aud, String sub, long iat, long exp) {
        TokenForge f = new TokenForge();
        f.header.put("alg", alg);
        f.header.put("typ", "at+jwt");
        f.header.put("kid", kid);
        f.claims.put("iss", iss);
        f.claims.put("aud", aud);
        f.claims.put("sub", sub);
        f.claims.put("iat", iat);
        f.claims.put("exp", exp);
        f.claims.put("jti", "jti-" + sub + "-" + iat);
        f.claims.put("roles", java.util.List.of("user"));
        return f;
    }

    public static TokenForge empty() {
        return new TokenForge();
    }

    public TokenForge header(String name, Object value) {
        if (value == null) {
            header.remove(name);
        } else {
            header.put(name, value);
        }
        return this;
    }

    /** Sets a header member to JSON null (as opposed to removing it). */
    public TokenForge headerNull(String name) {
        header.put(name, null);
        return this;
    }

    public TokenForge claim(String name, Object value) {
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return this;
    }

    /** Sets a claim to JSON null (as opposed to removing it). */
    public TokenForge claimNull(String name) {
        claims.put(name, null);
        return this;
    }

    /** Uses this exact text (not JSON-encoded by the forge) as the header. */
    public TokenForge rawHeader(String json) {
        this.rawHeader = json;
        return this;
    }

    /** Uses this exact text as the payload. */
    public TokenForge rawPayload(String json) {
        this.rawPayload = json;
        return this;
    }

    /** header.payload, base64url-encoded. */
    public String signingInput() {
        try {
            String h = rawHeader != null ? rawHeader : JSON.writeValueAsString(header);
            String p = rawPayload != null ? rawPayload : JSON.writeValueAsString(claims);
            return B64.encodeToString(h.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(p.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with RSASSA-PKCS1-v1_5 SHA-256. */
    public String signRs256(PrivateKey key) {
        return sign("SHA256withRSA", key);
    }

    /** Signs with ECDSA P-256 SHA-256, converting the DER signature to JOSE's r||s form. */
    public String signEs256(PrivateKey key) {
        String input = signingInput();
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return recorded(input + "." + B64.encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs with HMAC SHA-256 using these raw secret bytes. */
    public String signHs256(byte[] secret) {
        String input = signingInput();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return recorded(input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token with this literal signature segment (possibly empty). */
    public String withSignature(String signatureSegment) {
        return recorded(signingInput() + "." + signatureSegment);
    }

    /** The token with this raw signature (base64url-encoded by the forge). */
    public String withSignatureBytes(byte[] signature) {
        return recorded(signingInput() + "." + B64.encodeToString(signature));
    }

    /** Every token the forge makes is a secret the run used: none may appear in a log ({@link LogScanCheck}). */
    private static String recorded(String token) {
        SecretLedger.record(token);
        return token;
    }

    private String sign(String jdkAlgorithm, PrivateKey key) {
        String input = signingInput();
        try {
            Signature s = Signature.getInstance(jdkAlgorithm);
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return recorded(input + "." + B64.encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String b64(String text) {
        return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
