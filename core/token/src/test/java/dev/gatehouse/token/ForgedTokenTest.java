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

import dev.gatehouse.testing.Fixtures;

import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.testing.SelfSignedCertificate;
import dev.gatehouse.testing.TokenForge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.gatehouse.testing.Fixtures.EC;
import static dev.gatehouse.testing.Fixtures.EC_KID;
import static dev.gatehouse.testing.Fixtures.NOW;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.RSA_ATTACKER;
import static dev.gatehouse.testing.Fixtures.RSA_KID;
import static dev.gatehouse.testing.Fixtures.assertRefused;
import static dev.gatehouse.testing.Fixtures.rs256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hostile tokens: alg none, algorithm confusion, embedded and remote keys, kid tricks, psychic signatures. */
class ForgedTokenTest {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String ATTACKER_KID = "attacker-key";
    private static final String REMOTE = "http://127.0.0.1:1/";

    private static final AccessTokenVerifier VERIFIER = Fixtures.verifier();

    private static String validRs256() {
        return rs256().signRs256(RSA.getPrivate());
    }

    private static String signature(String token) {
        return token.substring(token.lastIndexOf('.') + 1);
    }

    // ---- 2. alg none, empty, truncated and foreign signatures -------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void algNoneWithEmptySignatureIsRefusedAsMalformed(String alg) {
        // Three non-empty segments are required before anything else is looked at.
        String token = Fixtures.forge(alg, RSA_KID).withSignature("");

        assertRefused(VERIFIER, token, Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void algNoneWithASignatureSegmentIsRefusedAsAlgorithmMismatch(String alg) {
        // The key named by kid is RS256; the header's alg must equal it.
        String token = Fixtures.forge(alg, RSA_KID).withSignature(signature(validRs256()));

        assertRefused(VERIFIER, token, Reason.ALGORITHM_MISMATCH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "NONE"})
    void algNoneWithoutKidIsRefused(String alg) {
        TokenForge forge = Fixtures.forge(alg, RSA_KID).header("kid", null);

        assertRefused(VERIFIER, forge.withSignature(""), Reason.MALFORMED);
        assertRefused(VERIFIER, forge.withSignature("AAAA"), Reason.UNKNOWN_KEY);
    }

    @Test
    void emptySignatureOnOtherwiseValidRs256TokenIsRefusedAsMalformed() {
        String valid = validRs256();
        String token = valid.substring(0, valid.lastIndexOf('.') + 1);

        assertRefused(VERIFIER, token, Reason.MALFORMED);
    }

    @Test
    void rs256SignatureTruncatedByOneCharacterIsRefusedAsMalformed() {
        // 256 signature bytes are 342 base64url characters; 341 is a length no base64 text can have (RFC 4648 §4).
        String valid = validRs256();
        assertThat(signature(valid)).hasSize(342);

        assertRefused(VERIFIER, valid.substring(0, valid.length() - 1), Reason.MALFORMED);
    }

    @Test
    void rs256SignatureShortenedByThreeBytesIsRefusedAsBadSignature() {
        // Canonical base64url of 253 bytes: structurally fine, so this reaches the signature check.
        String valid = validRs256();
        String sig = signature(valid);
        byte[] shorter = Arrays.copyOf(Base64.getUrlDecoder().decode(sig), 253);
        String token = valid.substring(0, valid.lastIndexOf('.') + 1) + B64URL.encodeToString(shorter);

        assertRefused(VERIFIER, token, Reason.BAD_SIGNATURE);
    }

    @Test
    void rs256SignatureFromAnotherRsaKeyWithTheSameKidIsRefusedAsBadSignature() {
        String token = rs256().signRs256(RSA_ATTACKER.getPrivate());

        assertRefused(VERIFIER, token, Reason.BAD_SIGNATURE);
    }

    @Test
    void validSignatureOfAnotherTokenIsRefusedAsBadSignature() {
        String other = rs256().claim("sub", "someone-else").signRs256(RSA.getPrivate());
        String token = rs256().withSignature(signature(other));

        assertRefused(VERIFIER, token, Reason.BAD_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rs256", "Rs256", "RS384", "RS512", "PS256", "ES256", "HS256", "RS256 ", ""})
    void algOtherThanTheKeysExactAlgorithmIsRefusedAsAlgorithmMismatch(String alg) {
        // RFC 7515 §4.1.1: alg is a case-sensitive string; the RSA key is RS256 and nothing else.
        String token = Fixtures.forge(alg, RSA_KID).signRs256(RSA.getPrivate());

        assertRefused(VERIFIER, token, Reason.ALGORITHM_MISMATCH);
    }

    @Test
    void missingAlgIsRefused() {
        String token = rs256().header("alg", null).signRs256(RSA.getPrivate());

        assertThatThrownBy(() -> VERIFIER.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn(Reason.ALGORITHM_MISMATCH, Reason.MALFORMED);
    }

    @Test
    void rs256TokenSignedWithTheRealKeyButNamingTheEcKeyIsRefusedAsAlgorithmMismatch() {
        String token = Fixtures.forge("RS256", EC_KID).signRs256(RSA.getPrivate());

        assertRefused(VERIFIER, token, Reason.ALGORITHM_MISMATCH);
    }

    // ---- 3. RS256 -> HS256 confusion ---------------------------------------------------------

    static Stream<Arguments> publicKeyMaterialAsHmacSecret() {
        String pem = KeyFiles.publicKeyPem(Fixtures.rsaKey());
        assertThat(pem).endsWith("-----END PUBLIC KEY-----\n");
        byte[] withNewline = pem.getBytes(StandardCharsets.US_ASCII);
        byte[] withoutNewline = pem.substring(0, pem.length() - 1).getBytes(StandardCharsets.US_ASCII);
        byte[] der = RSA.getPublic().getEncoded();
        byte[] jwks = JwkSets.toPublicJson(List.of(Fixtures.rsaKey())).getBytes(StandardCharsets.UTF_8);
        byte[] modulus = ((RSAPublicKey) RSA.getPublic()).getModulus().toByteArray();
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        secrets.put("PEM with trailing newline", withNewline);
        secrets.put("PEM without trailing newline", withoutNewline);
        secrets.put("DER SubjectPublicKeyInfo", der);
        secrets.put("published JWK Set text", jwks);
        secrets.put("modulus bytes", modulus);
        return Stream.of(false, true).flatMap(hs256Accepted -> secrets.entrySet().stream()
                .map(e -> Arguments.of(e.getKey(), e.getValue(), hs256Accepted)));
    }

    @ParameterizedTest(name = "{0}, HS256 accepted: {2}")
    @MethodSource("publicKeyMaterialAsHmacSecret")
    void rs256TokenReSignedAsHs256WithPublicKeyMaterialIsRefused(String what, byte[] secret, boolean hs256Accepted) {
        TokenSettings settings = hs256Accepted ? Fixtures.settingsWithHs256() : Fixtures.settings();
        AccessTokenVerifier verifier = new AccessTokenVerifier(settings, Fixtures.keys());
        String token = Fixtures.forge("HS256", RSA_KID).signHs256(secret);

        assertRefused(verifier, token, Reason.ALGORITHM_MISMATCH);
    }

    @Test
    void es256TokenReSignedAsHs256WithTheEcPublicKeyIsRefused() {
        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settingsWithHs256(), Fixtures.keys());
        String token = Fixtures.forge("HS256", EC_KID).signHs256(EC.getPublic().getEncoded());

        assertRefused(verifier, token, Reason.ALGORITHM_MISMATCH);
    }

    // ---- 4. embedded and remote keys ---------------------------------------------------------

    private static Map<String, Object> attackerJwk(String kid) {
        RSAPublicKey pub = (RSAPublicKey) RSA_ATTACKER.getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", kid);
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("n", unsignedB64(pub.getModulus()));
        jwk.put("e", unsignedB64(pub.getPublicExponent()));
        return jwk;
    }

    private static String unsignedB64(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return B64URL.encodeToString(bytes);
    }

    private static List<String> attackerX5c() {
        X509Certificate cert = SelfSignedCertificate.create(RSA_ATTACKER, "attacker", NOW.minusSeconds(3600), NOW.plusSeconds(86400));
        try {
            // RFC 7515 §4.1.6: base64 (not base64url) DER.
            return List.of(Base64.getEncoder().encodeToString(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void embeddedJwkWithTheAttackersKidIsRefusedAsUnknownKey() {
        String token = Fixtures.forge("RS256", ATTACKER_KID).header("jwk", attackerJwk(ATTACKER_KID))
                .signRs256(RSA_ATTACKER.getPrivate());

        assertRefused(VERIFIER, token, Reason.UNKNOWN_KEY);
    }

    @Test
    void embeddedJwkWithTheRealKidIsRefusedAsBadSignature() {
        String token = rs256().header("jwk", attackerJwk(RSA_KID)).signRs256(RSA_ATTACKER.getPrivate());

        assertRefused(VERIFIER, token, Reason.BAD_SIGNATURE);
    }

    static Stream<Arguments> remoteKeyHeaders() {
        return Stream.of(
                Arguments.of("jku", Map.of("jku", REMOTE)),
                Arguments.of("x5u", Map.of("x5u", REMOTE)),
                Arguments.of("x5c", Map.of("x5c", attackerX5c())),
                Arguments.of("jku+x5u+x5c", Map.of("jku", REMOTE, "x5u", REMOTE, "x5c", attackerX5c())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("remoteKeyHeaders")
    void remoteOrChainedAttackerKeyWithTheRealKidIsRefusedAsBadSignature(String what, Map<String, Object> headers) {
        TokenForge forge = rs256();
        headers.forEach(forge::header);

        assertRefused(VERIFIER, forge.signRs256(RSA_ATTACKER.getPrivate()), Reason.BAD_SIGNATURE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("remoteKeyHeaders")
    void remoteOrChainedAttackerKeyWithTheAttackersKidIsRefusedAsUnknownKey(String what, Map<String, Object> headers) {
        TokenForge forge = Fixtures.forge("RS256", ATTACKER_KID);
        headers.forEach(forge::header);

        assertRefused(VERIFIER, forge.signRs256(RSA_ATTACKER.getPrivate()), Reason.UNKNOWN_KEY);
    }

    @Test
    void x5cFixtureIsAGenuineCertificateOfTheAttackersKey() {
        X509Certificate cert = SelfSignedCertificate.create(RSA_ATTACKER, "attacker", NOW.minusSeconds(60), NOW.plusSeconds(60));

        assertThat(cert.getPublicKey()).isEqualTo(RSA_ATTACKER.getPublic());
    }

    @Test
    void validTokenThatAlsoCarriesJkuX5uX5cAndJwkHeadersIsVerifiedWithTheRealKey() {
        String token = rs256()
                .header("jku", REMOTE)
                .header("x5u", REMOTE)
                .header("x5c", attackerX5c())
                .header("jwk", attackerJwk(RSA_KID))
                .signRs256(RSA.getPrivate());

        AccessTokenPrincipal principal = VERIFIER.verify(token);

        assertThat(principal.subject()).isEqualTo(Fixtures.SUBJECT);
        assertThat(principal.keyId()).isEqualTo(RSA_KID);
    }

    @Test
    void jkuAndX5uAreNeverFetched() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                    } catch (SocketException closed) {
                        return;
                    } catch (IOException ignored) {
                        // keep accepting
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/jwks.json";

            String forged = Fixtures.forge("RS256", ATTACKER_KID).header("jku", url).header("x5u", url)
                    .signRs256(RSA_ATTACKER.getPrivate());
            String genuine = rs256().header("jku", url).header("x5u", url).signRs256(RSA.getPrivate());

            assertRefused(VERIFIER, forged, Reason.UNKNOWN_KEY);
            assertThat(VERIFIER.verify(genuine).subject()).isEqualTo(Fixtures.SUBJECT);
            Thread.sleep(Duration.ofMillis(100).toMillis());
            assertThat(connections).hasValue(0);
        }
    }

    // ---- 5. kid ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"unknown-kid", "../../etc/passwd", "' OR '1'='1", "rsa-1 ", "RSA-1", "rsa-1\u0000", ""})
    void kidNamingNoKnownKeyIsRefusedAsUnknownKey(String kid) {
        String token = Fixtures.forge("RS256", kid).signRs256(RSA.getPrivate());

        assertRefused(VERIFIER, token, Reason.UNKNOWN_KEY);
    }

    @Test
    void twoHundredCharacterKidIsRefusedAsUnknownKey() {
        String kid = "k".repeat(200);
        String token = Fixtures.forge("RS256", kid).signRs256(RSA.getPrivate());

        assertRefused(VERIFIER, token, Reason.UNKNOWN_KEY);
    }

    @Test
    void missingKidIsRefusedAsUnknownKey() {
        String token = rs256().header("kid", null).signRs256(RSA.getPrivate());

        assertRefused(VERIFIER, token, Reason.UNKNOWN_KEY);
    }

    @Test
    void kidAsJsonNullIsRefusedAsUnknownKey() {
        String token = rs256().headerNull("kid").signRs256(RSA.getPrivate());

        assertRefused(VERIFIER, token, Reason.UNKNOWN_KEY);
    }

    @Test
    void kidAsNumberIsRefusedEvenWhenItsDigitsSpellAKnownKid() {
        // RFC 7515 §4.1.4: kid is a string. A JSON number is not a key id, whatever its digits.
        SigningKey numericKid = SigningKey.rsa("12345", (RSAPublicKey) RSA.getPublic(), (RSAPrivateKey) RSA.getPrivate());
        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settings(), KeySet.of(numericKid));
        String asString = Fixtures.forge("RS256", "12345").signRs256(RSA.getPrivate());
        String asNumber = rs256().header("kid", 12345).signRs256(RSA.getPrivate());

        assertThat(verifier.verify(asString).keyId()).isEqualTo("12345");
        assertThatThrownBy(() -> verifier.verify(asNumber))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn(Reason.UNKNOWN_KEY, Reason.MALFORMED);
    }

    @Test
    void kidAsNumberIsRefused() {
        String token = rs256().header("kid", 1).signRs256(RSA.getPrivate());

        assertThatThrownBy(() -> VERIFIER.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn(Reason.UNKNOWN_KEY, Reason.MALFORMED);
    }

    @Test
    void kidAsArrayOrObjectHoldingTheRealKidIsRefused() {
        String asArray = rs256().header("kid", List.of(RSA_KID)).signRs256(RSA.getPrivate());
        String asObject = rs256().header("kid", Map.of("kid", RSA_KID)).signRs256(RSA.getPrivate());

        assertThatThrownBy(() -> VERIFIER.verify(asArray))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn(Reason.UNKNOWN_KEY, Reason.MALFORMED);
        assertThatThrownBy(() -> VERIFIER.verify(asObject))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn(Reason.UNKNOWN_KEY, Reason.MALFORMED);
    }

    // ---- 6. ES256 psychic signatures (CVE-2022-21449) ---------------------------------------

    private static byte[] fixed32(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }

    private static byte[] rs(BigInteger r, BigInteger s) {
        byte[] out = new byte[64];
        System.arraycopy(fixed32(r), 0, out, 0, 32);
        System.arraycopy(fixed32(s), 0, out, 32, 32);
        return out;
    }

    static Stream<Arguments> psychicSignatures() {
        BigInteger n = ((ECPublicKey) EC.getPublic()).getParams().getOrder();
        assertThat(n).isEqualTo(new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16));
        return Stream.of(
                Arguments.of("64 zero bytes", new byte[64]),
                Arguments.of("r = s = n", rs(n, n)),
                Arguments.of("r = 0, s = n", rs(BigInteger.ZERO, n)),
                Arguments.of("r = n, s = 0", rs(n, BigInteger.ZERO)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("psychicSignatures")
    void es256PsychicSignatureIsRefusedAsBadSignature(String what, byte[] signature) {
        String token = Fixtures.forge("ES256", EC_KID).withSignatureBytes(signature);

        assertRefused(VERIFIER, token, Reason.BAD_SIGNATURE);
    }

    @Test
    void es256SignatureInDerFormInsteadOfJoseFormIsRefused() throws GeneralSecurityException {
        // RFC 7518 §3.4: the JWS signature is R || S (64 bytes), not the ASN.1 DER the JDK produces by default.
        TokenForge forge = Fixtures.forge("ES256", EC_KID);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign((PrivateKey) EC.getPrivate());
        s.update(forge.signingInput().getBytes(StandardCharsets.US_ASCII));
        String token = forge.withSignatureBytes(s.sign());

        assertThatThrownBy(() -> VERIFIER.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .extracting("reason").isIn(Reason.BAD_SIGNATURE, Reason.MALFORMED);
    }

    @Test
    void es256TokenSignedByTheRealKeyVerifies() {
        String token = Fixtures.forge("ES256", EC_KID).signEs256(EC.getPrivate());

        assertThat(VERIFIER.verify(token).keyId()).isEqualTo(EC_KID);
    }

    @Test
    void es256TokenSignedByAnotherEcKeyWithTheSameKidIsRefusedAsBadSignature() {
        String token = Fixtures.forge("ES256", EC_KID).signEs256(Fixtures.EC_ATTACKER.getPrivate());

        assertRefused(VERIFIER, token, Reason.BAD_SIGNATURE);
    }
}
