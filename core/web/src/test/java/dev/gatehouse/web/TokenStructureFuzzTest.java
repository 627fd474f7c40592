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
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.SigningKey;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.FuzzRuns;
import org.junit.jupiter.api.AfterAll;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static dev.gatehouse.web.FuzzKeys.AUDIENCE;
import static dev.gatehouse.web.FuzzKeys.ISSUER;
import static dev.gatehouse.web.FuzzKeys.NOW_S;
import static dev.gatehouse.web.TokenStringFuzzTest.require;

/**
 * Fuzzes the verifier with structured mutations of genuinely issued RS256, ES256 and HS256 tokens:
 * header and payload members replaced, removed, retyped or added from fuzzer data (including
 * {@code alg}, {@code kid}, {@code typ}, {@code crit}, {@code jku}, {@code jwk}), the JSON text itself
 * bent (trailing data, duplicate members, a byte-order mark), and the result kept under the
 * original signature, signed with an attacker's key, signed with HS256 using a real public key
 * as the secret, left unsigned, or signed with a real key (which drives the claim checks), then
 * optionally edited character by character.
 *
 * <p>Properties: nothing but {@link InvalidTokenException} leaves the verifier; a token is
 * accepted only if this harness signed exactly that text with the real key its header names,
 * and {@link TokenOracle} agrees (claims, header, JDK signature check); an untouched genuine
 * token is accepted; the full {@link RequestAuthenticator} path agrees with the verifier.
 */
class TokenStructureFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final AccessTokenVerifier VERIFIER = FuzzKeys.verifier();
    private static final RequestAuthenticator AUTHENTICATOR =
            new RequestAuthenticator(VERIFIER, WebSettings.defaults());
    private static final FuzzRuns RUNS = new FuzzRuns("TokenStructureFuzzTest.mutatedTokens");

    private static final SigningKey[] REAL = {FuzzKeys.rsaKey(), FuzzKeys.ecKey(), FuzzKeys.hmacKey()};
    /** Genuine tokens, one per real key, issued by the code under test. */
    private static final String[] GENUINE = new String[REAL.length];
    private static final KeyPair ATTACKER_RSA = generate("RSA");
    private static final KeyPair ATTACKER_EC = generate("EC");
    private static final byte[] ATTACKER_SECRET = "an attacker's secret of at least 32 bytes".getBytes(StandardCharsets.US_ASCII);
    /** Secrets of an algorithm-confusion attack: public key material used as an HMAC secret. */
    private static final byte[][] CONFUSION_SECRETS = {
            FuzzKeys.RSA_PUBLIC.getEncoded(),
            FuzzKeys.EC_PUBLIC.getEncoded(),
            KeyFiles.publicKeyPem(FuzzKeys.rsaKey()).getBytes(StandardCharsets.US_ASCII),
            KeyFiles.publicKeyPem(FuzzKeys.ecKey()).getBytes(StandardCharsets.US_ASCII),
            FuzzKeys.RSA_KID.getBytes(StandardCharsets.US_ASCII),
    };

    private static final String[] HEADER_NAMES = {"alg", "typ", "kid", "crit", "jku", "jwk", "x5u", "x5c", "cty", "b64", "zip"};
    private static final String[] CLAIM_NAMES = {"iss", "aud", "sub", "exp", "iat", "nbf", "jti", "roles", "scope"};
    private static final Object[] ALGS = {"RS256", "ES256", "HS256", "none", "None", "NONE", "rs256", "PS256", "RS512", "ES384", "HS512", ""};
    private static final Object[] KIDS = {FuzzKeys.RSA_KID, FuzzKeys.EC_KID, FuzzKeys.HMAC_KID, "RSA-1", "rsa-1 ", "unknown",
            "../rsa-1", "rsa-1\u0000", 1};
    private static final Object[] TYPES = {"at+jwt", "AT+JWT", "application/at+jwt", "JWT", "jwt", "at+jwt ", "application/jwt"};
    private static final Object[] ISSUERS = {ISSUER, ISSUER + "/", "HTTPS://issuer.example", "https://evil.example", List.of(ISSUER)};
    private static final Object[] AUDIENCES = {AUDIENCE, List.of(AUDIENCE), List.of("other", AUDIENCE), List.of("other"),
            AUDIENCE.toUpperCase(java.util.Locale.ROOT), List.of(AUDIENCE, 7)};
    private static final Object[] SUBJECTS = {"user-1", "admin", " ", "", "x".repeat(257), 42};
    private static final Object[] TOKEN_IDS = {"jti-1", FuzzKeys.REVOKED_JTI, "", 5};
    private static final Object[] ROLES = {List.of("user"), List.of("admin", "user"), List.of(), List.of(""), List.of(1),
            "admin", java.util.Collections.nCopies(65, "r")};

    static {
        for (int i = 0; i < REAL.length; i++) {
            GENUINE[i] = FuzzKeys.issuer(REAL[i]).issue("user-1", List.of("user", "admin")).token();
        }
    }

    @FuzzTest(maxDuration = "15s")
    void mutatedTokens(FuzzedDataProvider data) {
        RUNS.ran();
        int base = data.consumeInt(0, GENUINE.length - 1);
        String genuine = GENUINE[base];
        String[] parts = genuine.split("\\.");
        Map<String, Object> header = decode(parts[0]);
        Map<String, Object> claims = decode(parts[1]);

        int mutations = data.consumeInt(0, 6);
        for (int i = 0; i < mutations; i++) {
            boolean inHeader = data.consumeBoolean();
            String name = data.consumeBoolean() ? data.pickValue(inHeader ? HEADER_NAMES : CLAIM_NAMES) : data.consumeString(12);
            Object value = value(data, name);
            Map<String, Object> target = inHeader ? header : claims;
            if (value == REMOVE) {
                target.remove(name);
            } else {
                target.put(name, value);
            }
        }
        String headerJson = bend(data, write(header));
        String claimsJson = bend(data, write(claims));
        String signingInput = mutations == 0 && headerJson.equals(write(header)) && claimsJson.equals(write(claims))
                ? parts[0] + "." + parts[1]
                : B64.encodeToString(utf8(headerJson)) + "." + B64.encodeToString(utf8(claimsJson));

        // Who signs: the harness knows exactly when a real key signed this very text.
        SigningKey realSigner = null;
        String signature;
        switch (data.consumeInt(0, 6)) {
            case 0: // the genuine token's signature, over whatever the header and payload now are
                signature = parts[2];
                realSigner = signingInput.equals(parts[0] + "." + parts[1]) ? REAL[base] : null;
                break;
            case 1: // a real key signs the fuzzer's claims: drives the claim checks
                realSigner = data.pickValue(REAL);
                signature = sign(realSigner, signingInput);
                break;
            case 2:
                signature = attackerSignature(data.consumeInt(0, 2), signingInput);
                break;
            case 3:
                signature = B64.encodeToString(hmac(data.pickValue(CONFUSION_SECRETS), signingInput));
                break;
            case 4:
                signature = "";
                break;
            case 5:
                signature = B64.encodeToString(data.consumeBytes(300));
                break;
            default:
                signature = GENUINE[(base + 1) % GENUINE.length].split("\\.")[2];
                break;
        }
        String token = signingInput + "." + signature;

        // Character edits anywhere in the token.
        int edits = data.consumeInt(0, 3);
        StringBuilder edited = new StringBuilder(token);
        for (int i = 0; i < edits && edited.length() > 0; i++) {
            int at = data.consumeInt(0, edited.length() - 1);
            switch (data.consumeInt(0, 2)) {
                case 0:
                    edited.setCharAt(at, data.consumeChar());
                    break;
                case 1:
                    edited.deleteCharAt(at);
                    break;
                default:
                    edited.insert(at, data.consumeChar());
                    break;
            }
        }
        if (!edited.toString().equals(token)) {
            token = edited.toString();
            realSigner = null;
        }

        AccessTokenPrincipal principal = TokenStringFuzzTest.verify(token);
        if (principal != null) {
            RUNS.accepted();
            require(realSigner != null, "accepted a token no real key signed: " + token);
            require(realSigner.kid().equals(principal.keyId()), "accepted under " + principal.keyId()
                    + " a token signed by " + realSigner.kid());
        }
        if (token.equals(genuine)) {
            require(principal != null, "refused the genuine token " + token);
        }
        RequestAuthenticator.Outcome outcome = AUTHENTICATOR.authenticate(TokenStringFuzzTest.request("GET", "Bearer " + token, null));
        // An accepted token is canonical base64url, so always a well-formed bearer token.
        require(java.util.Objects.equals(outcome.principal(), principal),
                "the authenticator let in " + outcome.principal() + " where the verifier says " + principal);
    }

    @AfterAll
    static void ranEnoughInputs() {
        RUNS.assertEnough();
        if (FuzzRuns.fuzzing()) {
            RUNS.assertAccepted(1);
        }
    }

    private static final Object REMOVE = new Object();

    /** A member value: absent, null, of the wrong type, near the right value, or right. */
    private static Object value(FuzzedDataProvider data, String name) {
        switch (data.consumeInt(0, 13)) {
            case 0:
                return REMOVE;
            case 1:
                return null;
            case 2:
                return data.consumeBoolean();
            case 3:
                return data.consumeLong();
            case 4:
                return NOW_S + data.consumeInt(-400, 400);
            case 5:
                return data.consumeRegularDouble();
            case 6:
                return data.consumeString(64);
            case 7:
                return List.of(data.consumeString(16), data.consumeString(16));
            case 8:
                return Arrays.asList(plausible(data, name), 1, null);
            case 9:
                return Map.of("value", plausible(data, name));
            case 10:
                return "a".repeat(data.consumeInt(250, 300));
            case 11:
                return data.pickValue(new Object[] {"", " ", "\t", "\u0000"});
            default:
                return plausible(data, name);
        }
    }

    /** A value the member could well have, right or nearly right. */
    private static Object plausible(FuzzedDataProvider data, String name) {
        switch (name) {
            case "alg":
                return data.pickValue(ALGS);
            case "kid":
                return data.pickValue(KIDS);
            case "typ":
                return data.pickValue(TYPES);
            case "crit":
                return List.of("exp");
            case "jku":
            case "x5u":
                return "https://attacker.example/keys";
            case "jwk":
                return Map.of("kty", "oct", "k", B64.encodeToString(ATTACKER_SECRET));
            case "iss":
                return data.pickValue(ISSUERS);
            case "aud":
                return data.pickValue(AUDIENCES);
            case "sub":
                return data.pickValue(SUBJECTS);
            case "jti":
                return data.pickValue(TOKEN_IDS);
            case "roles":
                return data.pickValue(ROLES);
            case "exp":
            case "iat":
            case "nbf":
                return data.consumeBoolean() ? NOW_S + data.consumeInt(-100, 100) : String.valueOf(NOW_S);
            default:
                return data.consumeString(16);
        }
    }

    /** Bends serialized JSON in ways a map cannot: trailing data, a duplicate member, a BOM, raw text. */
    private static String bend(FuzzedDataProvider data, String json) {
        switch (data.consumeInt(0, 8)) {
            case 5:
                return json + data.pickValue(new String[] {" ", "\n", "{}", "x", "{\"sub\":\"admin\"}", "]", "\u0000"});
            case 6:
                return "{\"" + data.pickValue(CLAIM_NAMES) + "\":" + write(plausible(data, "sub")) + "," + json.substring(1);
            case 7:
                return "\uFEFF" + json;
            case 8:
                return data.consumeString(120);
            default:
                return json;
        }
    }

    private static String attackerSignature(int which, String signingInput) {
        switch (which) {
            case 0:
                return B64.encodeToString(jdkSign("SHA256withRSA", ATTACKER_RSA.getPrivate(), signingInput));
            case 1:
                return B64.encodeToString(jdkSign("SHA256withECDSAinP1363Format", ATTACKER_EC.getPrivate(), signingInput));
            default:
                return B64.encodeToString(hmac(ATTACKER_SECRET, signingInput));
        }
    }

    /** Signs with a real key, with the JDK (not the code under test), in the key's own algorithm. */
    private static String sign(SigningKey key, String signingInput) {
        switch (key.algorithm()) {
            case RS256:
                return B64.encodeToString(jdkSign("SHA256withRSA", FuzzKeys.RSA_PRIVATE, signingInput));
            case ES256:
                return B64.encodeToString(jdkSign("SHA256withECDSAinP1363Format", FuzzKeys.EC_PRIVATE, signingInput));
            default:
                return B64.encodeToString(hmac(FuzzKeys.HMAC_SECRET, signingInput));
        }
    }

    private static byte[] jdkSign(String algorithm, PrivateKey key, String input) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] secret, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate(String type) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance(type);
            if (type.equals("RSA")) {
                gen.initialize(2048);
            } else {
                gen.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> decode(String segment) {
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(segment), new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
