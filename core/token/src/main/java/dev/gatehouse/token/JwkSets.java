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

package dev.gatehouse.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.internal.Jwk;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/**
 * Reads and writes JSON Web Key Sets (RFC 7517 §5) of Gatehouse keys.
 *
 * <p>{@link #toPublicJson} is what a JWKS endpoint serves: {@code kty}, {@code kid},
 * {@code use: "sig"}, {@code alg} and the public members only; shared secrets are left out.
 * {@link #toPrivateJson} writes private members and secrets: its output is key material, to be
 * stored like a password.
 */
public final class JwkSets {
    /** The setting a JWK Set's errors name, unless a caller renames it. */
    public static final String SETTING = "jwkSet";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refuse absurd documents before doing any big-integer work on them. */
    private static final int MAX_KEYS = 100;

    private JwkSets() {
    }

    /** The public JWK Set of the keys a source publishes. */
    public static String toPublicJson(KeySource source) {
        return write(source.publishedKeys(), false);
    }

    /** The public JWK Set of these keys (secrets left out). */
    public static String toPublicJson(Collection<SigningKey> keys) {
        return write(keys, false);
    }

    /** A private JWK Set with every member needed to sign; handle the result as a secret. */
    public static String toPrivateJson(Collection<SigningKey> keys) {
        return write(keys, true);
    }

    private static String write(Collection<SigningKey> keys, boolean includePrivate) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("keys");
        for (SigningKey key : keys) {
            if (!includePrivate && !key.isPublishable()) {
                continue;
            }
            ObjectNode jwk = array.addObject();
            switch (key.algorithm()) {
                case RS256 -> {
                    RSAPublicKey pub = (RSAPublicKey) key.publicKey();
                    jwk.put("kty", "RSA");
                    putCommon(jwk, key);
                    jwk.put("n", Jwk.unsigned(pub.getModulus()));
                    jwk.put("e", Jwk.unsigned(pub.getPublicExponent()));
                    if (includePrivate && key.privateKey() instanceof RSAPrivateCrtKey priv) {
                        jwk.put("d", Jwk.unsigned(priv.getPrivateExponent()));
                        jwk.put("p", Jwk.unsigned(priv.getPrimeP()));
                        jwk.put("q", Jwk.unsigned(priv.getPrimeQ()));
                        jwk.put("dp", Jwk.unsigned(priv.getPrimeExponentP()));
                        jwk.put("dq", Jwk.unsigned(priv.getPrimeExponentQ()));
                        jwk.put("qi", Jwk.unsigned(priv.getCrtCoefficient()));
                    } else if (includePrivate && key.privateKey() != null) {
                        throw new GatehouseException("RSA key '" + key.kid() + "' has no CRT parameters and cannot be exported");
                    }
                }
                case ES256 -> {
                    ECPublicKey pub = (ECPublicKey) key.publicKey();
                    jwk.put("kty", "EC");
                    putCommon(jwk, key);
                    jwk.put("crv", "P-256");
                    jwk.put("x", Jwk.unsigned(pub.getW().getAffineX(), 32));
                    jwk.put("y", Jwk.unsigned(pub.getW().getAffineY(), 32));
                    if (includePrivate && key.privateKey() != null) {
                        jwk.put("d", Jwk.unsigned(((ECPrivateKey) key.privateKey()).getS(), 32));
                    }
                }
                default -> { // HS256
                    jwk.put("kty", "oct");
                    putCommon(jwk, key);
                    jwk.put("k", Jwk.encode(key.secret()));
                }
            }
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new GatehouseException("Could not write a JWK Set", e);
        }
    }

    private static void putCommon(ObjectNode jwk, SigningKey key) {
        jwk.put("kid", key.kid());
        jwk.put("use", "sig");
        jwk.put("alg", key.algorithm().name());
    }

    /**
     * Parses a JWK Set. Keys with {@code use} other than {@code sig}, or with an {@code alg} other
     * than RS256/ES256/HS256, are refused rather than skipped, so that a typo cannot silently drop
     * a key. Every key needs a {@code kid}.
     *
     * @throws ConfigurationException naming the setting {@value #SETTING} for any problem
     *                                ({@link ConfigurationException#forSetting} renames it)
     */
    public static List<SigningKey> parse(String json) {
        return parse(SETTING, json);
    }

    /** {@link #parse(String)} with errors naming {@code setting}. */
    static List<SigningKey> parse(String setting, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException(setting, "is not valid JSON (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject() || !root.path("keys").isArray()) {
            throw new ConfigurationException(setting, "is not a JWK Set: no \"keys\" array");
        }
        if (root.get("keys").size() > MAX_KEYS) {
            throw new ConfigurationException(setting, "has more than " + MAX_KEYS + " keys");
        }
        List<SigningKey> keys = new ArrayList<>();
        Iterator<JsonNode> it = root.get("keys").elements();
        int index = 0;
        while (it.hasNext()) {
            JsonNode jwk = it.next();
            try {
                keys.add(parseKey(jwk));
            } catch (ConfigurationException e) {
                throw new ConfigurationException(setting, "key #" + index + ": " + e.problem(), e);
            } catch (RuntimeException | GeneralSecurityException e) {
                throw new ConfigurationException(setting, "key #" + index + " is not a valid JWK (" + e.getClass().getSimpleName() + ")");
            }
            index++;
        }
        return keys;
    }

    private static SigningKey parseKey(JsonNode jwk) throws GeneralSecurityException {
        if (!jwk.isObject()) {
            throw new IllegalArgumentException("not an object");
        }
        String kty = text(jwk, "kty");
        String kid = text(jwk, "kid");
        if (kid == null) {
            throw new ConfigurationException("kid", "every key needs a \"kid\"");
        }
        String use = text(jwk, "use");
        if (use != null && !use.equals("sig")) {
            throw new ConfigurationException("use", "key '" + kid + "' has use '" + use + "'; only 'sig' is supported");
        }
        String alg = text(jwk, "alg");
        if (kty == null) {
            throw new ConfigurationException("kty", "key '" + kid + "' has no \"kty\"");
        }
        switch (kty) {
            case "RSA" -> {
                requireAlg(kid, alg, SigningAlgorithm.RS256);
                BigInteger n = Jwk.decodeUnsigned("n", text(jwk, "n"));
                BigInteger e = Jwk.decodeUnsigned("e", text(jwk, "e"));
                KeyFactory factory = KeyFactory.getInstance("RSA");
                RSAPublicKey pub = (RSAPublicKey) factory.generatePublic(new RSAPublicKeySpec(n, e));
                RSAPrivateKey priv = null;
                if (jwk.has("d")) {
                    priv = (RSAPrivateKey) factory.generatePrivate(new RSAPrivateCrtKeySpec(n, e,
                            Jwk.decodeUnsigned("d", text(jwk, "d")), Jwk.decodeUnsigned("p", text(jwk, "p")),
                            Jwk.decodeUnsigned("q", text(jwk, "q")), Jwk.decodeUnsigned("dp", text(jwk, "dp")),
                            Jwk.decodeUnsigned("dq", text(jwk, "dq")), Jwk.decodeUnsigned("qi", text(jwk, "qi"))));
                }
                return SigningKey.rsa(kid, pub, priv);
            }
            case "EC" -> {
                requireAlg(kid, alg, SigningAlgorithm.ES256);
                if (!"P-256".equals(text(jwk, "crv"))) {
                    throw new ConfigurationException("crv", "key '" + kid + "' is not on P-256");
                }
                byte[] x = Jwk.decode("x", text(jwk, "x"));
                byte[] y = Jwk.decode("y", text(jwk, "y"));
                if (x.length != 32 || y.length != 32) {
                    throw new ConfigurationException("x", "key '" + kid + "' has coordinates of the wrong length");
                }
                KeyFactory factory = KeyFactory.getInstance("EC");
                ECPublicKey pub = (ECPublicKey) factory.generatePublic(new ECPublicKeySpec(
                        new ECPoint(new BigInteger(1, x), new BigInteger(1, y)), Jwk.p256Params()));
                ECPrivateKey priv = null;
                if (jwk.has("d")) {
                    priv = (ECPrivateKey) factory.generatePrivate(new ECPrivateKeySpec(
                            Jwk.decodeUnsigned("d", text(jwk, "d")), Jwk.p256Params()));
                }
                return SigningKey.ec(kid, pub, priv);
            }
            case "oct" -> {
                requireAlg(kid, alg, SigningAlgorithm.HS256);
                return SigningKey.hmac(kid, Jwk.decode("k", text(jwk, "k")));
            }
            default -> throw new ConfigurationException("kty", "key '" + kid + "' has unsupported kty '" + kty + "'");
        }
    }

    private static void requireAlg(String kid, String alg, SigningAlgorithm expected) {
        if (alg != null && !alg.equals(expected.name())) {
            throw new ConfigurationException("alg", "key '" + kid + "' declares alg '" + alg + "'; Gatehouse uses "
                    + expected + " for this key type");
        }
    }

    private static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("member '" + member + "' is not a string");
        }
        return value.asText();
    }
}
