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

package dev.gatehouse.filter.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.UserAuthentication;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.testing.TokenForge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Keys and tokens for the filter tests: one trusted RSA key (the only key the filter knows), an
 * attacker's RSA key and EC key (never published), an issuer for valid tokens and a forge for
 * hostile ones. Keys are generated with {@link KeyPairGenerator}, once per test class.
 */
public final class TestTokens {
    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "gatehouse-test";
    public static final String KID = "test-rsa-1";

    private final KeyPair trusted;
    private final KeyPair attacker;
    private final KeyPair attackerEc;
    private final SigningKey signingKey;
    private final SigningKey attackerKey;
    private final AccessTokenIssuer issuer;

    private TestTokens() {
        try {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            trusted = rsa.generateKeyPair();
            attacker = rsa.generateKeyPair();
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            attackerEc = ec.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        signingKey = SigningKey.rsa(KID, (RSAPublicKey) trusted.getPublic(), (RSAPrivateKey) trusted.getPrivate());
        attackerKey = SigningKey.rsa("attacker-1", (RSAPublicKey) attacker.getPublic(), (RSAPrivateKey) attacker.getPrivate());
        issuer = new AccessTokenIssuer(TokenSettings.builder(ISSUER, AUDIENCE).build(), KeySet.of(signingKey));
        SecretLedger.recordKey(signingKey);
        SecretLedger.recordKey(attackerKey);
        SecretLedger.recordPrivateKey(attackerEc.getPrivate());
    }

    public static TestTokens generate() {
        return new TestTokens();
    }

    /** A valid access token issued by the real issuer. */
    public String token(String subject, String... roles) {
        String token = issuer.issue(subject, List.of(roles)).token();
        SecretLedger.record(token);
        return token;
    }

    /** A valid access token issued in a session whose login was {@code authentication} ({@code amr}, {@code auth_time}). */
    public String token(UserAuthentication authentication, String subject, String... roles) {
        String token = issuer.issue(subject, List.of(roles), UUID.randomUUID().toString(), 0, authentication).token();
        SecretLedger.record(token);
        return token;
    }

    /** Writes the public JWK Set of the trusted key (what the filter's keys-file points at). */
    public Path writePublicJwks(Path dir) {
        try {
            Path file = dir.resolve("jwks.json");
            Files.writeString(file, JwkSets.toPublicJson(KeySet.of(signingKey)), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A forge pre-filled with a valid header and claims for the trusted key, valid for five minutes. */
    public TokenForge forge() {
        long now = Instant.now().getEpochSecond();
        return TokenForge.accessToken("RS256", KID, ISSUER, AUDIENCE, "forged-user", now, now + 300);
    }

    public String signTrusted(TokenForge forge) {
        return forge.signRs256(trusted.getPrivate());
    }

    public String signAttacker(TokenForge forge) {
        return forge.signRs256(attacker.getPrivate());
    }

    public String signAttackerEc(TokenForge forge) {
        return forge.signEs256(attackerEc.getPrivate());
    }

    /** The trusted public key as PEM: what an algorithm-confusion attacker uses as an HMAC secret. */
    public String trustedPublicKeyPem() {
        return KeyFiles.publicKeyPem(signingKey);
    }

    /** The attacker's public key as a JWK (for the embedded {@code jwk} header attack). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> attackerPublicJwk() {
        try {
            Map<String, Object> set = new ObjectMapper().readValue(JwkSets.toPublicJson(List.of(attackerKey)), Map.class);
            return ((List<Map<String, Object>>) set.get("keys")).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String attackerKid() {
        return attackerKey.kid();
    }
}
