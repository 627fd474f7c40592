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

package dev.gatehouse.demo.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Key pairs for the attack suite: the deployment's own keys (an RS256 key that signs and an ES256
 * key that only verifies, written as a private JWK Set for {@code GATEHOUSE_KEYS_FILE}, so that the
 * tests can sign tokens the server trusts), and an attacker's keys the server has never seen.
 */
final class AttackKeys {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    final KeyPair rsa;
    final KeyPair ec;
    final String rsaKid;
    final String ecKid;

    private AttackKeys(KeyPair rsa, KeyPair ec, String rsaKid, String ecKid) {
        this.rsa = rsa;
        this.ec = ec;
        this.rsaKid = rsaKid;
        this.ecKid = ecKid;
    }

    /** Fresh RSA 2048 and P-256 pairs with these key ids. */
    static AttackKeys generate(String rsaKid, String ecKid) {
        return new AttackKeys(rsaPair(), ecPair(), rsaKid, ecKid);
    }

    static KeyPair rsaPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ecPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the private JWK Set: both keys verify and are published, the RSA key signs (the
     * {@code gatehouse_active} marker of {@code FileKeySource}).
     */
    Path writeKeysFile(Path file) {
        SigningKey signer = SigningKey.rsa(rsaKid, (RSAPublicKey) rsa.getPublic(), (RSAPrivateKey) rsa.getPrivate());
        SigningKey verifier = SigningKey.ec(ecKid, (ECPublicKey) ec.getPublic(), (ECPrivateKey) ec.getPrivate());
        try {
            ObjectNode set = (ObjectNode) JSON.readTree(JwkSets.toPrivateJson(List.of(signer, verifier)));
            set.withArray("keys").forEach(k -> {
                if (k.path("kid").asText().equals(rsaKid)) {
                    ((ObjectNode) k).put("gatehouse_active", true);
                }
            });
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, JSON.writeValueAsString(set), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public JWK of an RSA key, as an attacker would embed it ({@code kty}, {@code n}, {@code e}). */
    static Map<String, Object> publicJwk(RSAPublicKey key, String kid) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        if (kid != null) {
            jwk.put("kid", kid);
        }
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("n", unsigned(key.getModulus()));
        jwk.put("e", unsigned(key.getPublicExponent()));
        return jwk;
    }

    static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return B64URL.encodeToString(bytes);
    }
}
