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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.InvalidTokenException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.gatehouse.testing.Fixtures.EC;
import static dev.gatehouse.testing.Fixtures.RSA;
import static dev.gatehouse.testing.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SigningKey, KeySet, JwkSets and KeyFiles. */
class KeysTest {
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "k", "oth");
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    // ---- key strength -------------------------------------------------------------------------

    @Test
    void rsaKeyOf1024BitsIsRefused() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(1024);
        KeyPair weak = gen.generateKeyPair();

        assertThatThrownBy(() -> SigningKey.rsa("weak", (RSAPublicKey) weak.getPublic(), (RSAPrivateKey) weak.getPrivate()))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("keys");
        assertThatThrownBy(() -> SigningKey.rsa("weak", (RSAPublicKey) weak.getPublic(), null))
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void ecKeyOnSecp384r1IsRefused() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPair p384 = gen.generateKeyPair();

        assertThatThrownBy(() -> SigningKey.ec("p384", (ECPublicKey) p384.getPublic(), (ECPrivateKey) p384.getPrivate()))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("keys");
    }

    @Test
    void rsaPrivateKeyOfAnotherPairIsRefused() {
        assertThatThrownBy(() -> SigningKey.rsa("mixed", (RSAPublicKey) RSA.getPublic(),
                (RSAPrivateKey) Fixtures.RSA_ATTACKER.getPrivate()))
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void hmacSecretOf31BytesIsRefusedAnd32Accepted() {
        // RFC 7518 §3.2: a key of the same size as the hash output (256 bits) or larger.
        assertThatThrownBy(() -> SigningKey.hmac("short", new byte[31]))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("keys");

        SigningKey ok = SigningKey.hmac("ok", new byte[32]);
        assertThat(ok.algorithm()).isEqualTo(SigningAlgorithm.HS256);
        assertThat(ok.canSign()).isTrue();
        assertThat(ok.isPublishable()).isFalse();
    }

    @Test
    void hmacSecretIsCopiedSoLaterChangesToTheArrayDoNotAffectTheKey() {
        byte[] secret = Fixtures.randomBytes(32);
        SigningKey key = SigningKey.hmac("copy", secret);
        String token = Fixtures.forge("HS256", "copy").signHs256(secret.clone());
        Arrays.fill(secret, (byte) 0);

        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settingsWithHs256(), KeySet.of(key));
        assertThat(verifier.verify(token).keyId()).isEqualTo("copy");
    }

    @Test
    void kidWithSpacesOrControlCharactersOrOver128CharactersIsRefused() {
        for (String kid : new String[] {"", "a b", "a\nb", "k".repeat(129), null}) {
            assertThatThrownBy(() -> SigningKey.hmac(kid, new byte[32])).as("kid %s", kid)
                    .isInstanceOf(ConfigurationException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void generatedKeysHaveTheRequestedAlgorithmAndCanSign(SigningAlgorithm alg) {
        SigningKey key = SigningKey.generate(alg);

        assertThat(key.algorithm()).isEqualTo(alg);
        assertThat(key.canSign()).isTrue();
        String token = new AccessTokenIssuer(Fixtures.settingsWithHs256(), KeySet.of(key)).issue("u", List.of()).token();
        assertThat(new AccessTokenVerifier(Fixtures.settingsWithHs256(), KeySet.of(key)).verify(token).keyId()).isEqualTo(key.kid());
    }

    @Test
    void generatedRsaKeyIdIsItsRfc7638Thumbprint() {
        SigningKey key = SigningKey.generate(SigningAlgorithm.RS256);

        assertThat(key.kid()).isEqualTo(rsaThumbprint((RSAPublicKey) key.publicKey()));
    }

    @Test
    void toStringNeverPrintsKeyMaterial() {
        SigningKey hmac = SigningKey.hmac("hs", Fixtures.HMAC_SECRET);

        assertThat(hmac.toString()).doesNotContain(B64URL.encodeToString(Fixtures.HMAC_SECRET))
                .doesNotContain(Base64.getEncoder().encodeToString(Fixtures.HMAC_SECRET));
        assertThat(Fixtures.rsaKey().toString()).doesNotContain(unsigned(((RSAPublicKey) RSA.getPublic()).getModulus()));
    }

    // ---- KeySet -------------------------------------------------------------------------------

    @Test
    void keySetRefusesDuplicateKids() {
        SigningKey a = SigningKey.hmac("same", Fixtures.randomBytes(32));
        SigningKey b = SigningKey.hmac("same", Fixtures.randomBytes(32));

        assertThatThrownBy(() -> KeySet.of(a, b)).isInstanceOf(ConfigurationException.class).extracting("setting").isEqualTo("keys");
        assertThatThrownBy(() -> KeySet.of(List.of(a, b), null)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void keySetRefusesAnActiveKeyWithoutPrivatePart() {
        SigningKey publicOnly = Fixtures.rsaKey().verifyOnly();

        assertThatThrownBy(() -> KeySet.of(publicOnly)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> KeySet.of(List.of(publicOnly), Fixtures.RSA_KID))
                .isInstanceOf(ConfigurationException.class).extracting("setting").isEqualTo("activeKeyId");
    }

    @Test
    void verifyOnlyKeySetDropsPrivateParts() {
        KeySet set = KeySet.verifyOnly(List.of(Fixtures.rsaKey(), Fixtures.ecKey()));

        assertThat(set.canSign()).isFalse();
        assertThat(set.keys()).noneMatch(SigningKey::canSign);
        assertThatThrownBy(set::signingKey).isInstanceOf(GatehouseException.class);
    }

    // ---- JwkSets.toPublicJson -----------------------------------------------------------------

    @Test
    void publicJwkSetHasNoPrivateMembersAndLeavesHs256KeysOut() throws Exception {
        KeySet set = Fixtures.keys();

        for (String text : List.of(JwkSets.toPublicJson(set), JwkSets.toPublicJson(set.keys()))) {
            JsonNode root = json().readTree(text);
            assertThat(fieldNames(root)).containsExactly("keys");
            JsonNode keys = root.get("keys");
            assertThat(keys).hasSize(2);
            Set<String> kids = new HashSet<>();
            for (JsonNode jwk : keys) {
                Set<String> names = fieldNames(jwk);
                assertThat(names).doesNotContainAnyElementsOf(PRIVATE_MEMBERS);
                assertThat(jwk.get("use").asText()).isEqualTo("sig");
                assertThat(jwk.get("kty").asText()).isNotEqualTo("oct");
                kids.add(jwk.get("kid").asText());
                if (jwk.get("kty").asText().equals("RSA")) {
                    assertThat(names).containsExactlyInAnyOrder("kty", "kid", "use", "alg", "n", "e");
                    assertThat(jwk.get("alg").asText()).isEqualTo("RS256");
                } else {
                    assertThat(names).containsExactlyInAnyOrder("kty", "kid", "use", "alg", "crv", "x", "y");
                    assertThat(jwk.get("kty").asText()).isEqualTo("EC");
                    assertThat(jwk.get("alg").asText()).isEqualTo("ES256");
                    assertThat(jwk.get("crv").asText()).isEqualTo("P-256");
                }
            }
            assertThat(kids).containsExactlyInAnyOrder(Fixtures.RSA_KID, Fixtures.EC_KID);
            assertThat(text).doesNotContain(B64URL.encodeToString(Fixtures.HMAC_SECRET)).doesNotContain(Fixtures.HMAC_KID);
        }
    }

    @Test
    void publicJwkMembersAreTheRfc7518EncodingOfTheKeys() throws Exception {
        JsonNode keys = json().readTree(JwkSets.toPublicJson(List.of(Fixtures.rsaKey(), Fixtures.ecKey()))).get("keys");
        RSAPublicKey rsa = (RSAPublicKey) RSA.getPublic();
        ECPublicKey ec = (ECPublicKey) EC.getPublic();

        // RFC 7518 §6.3.1: unsigned big-endian, minimal length; §6.2.1: coordinates of the full 32 bytes.
        assertThat(keys.get(0).get("n").asText()).isEqualTo(unsigned(rsa.getModulus()));
        assertThat(keys.get(0).get("e").asText()).isEqualTo("AQAB");
        assertThat(Base64.getUrlDecoder().decode(keys.get(1).get("x").asText())).hasSize(32);
        assertThat(Base64.getUrlDecoder().decode(keys.get(1).get("y").asText())).hasSize(32);
        assertThat(new BigInteger(1, Base64.getUrlDecoder().decode(keys.get(1).get("x").asText()))).isEqualTo(ec.getW().getAffineX());
        assertThat(new BigInteger(1, Base64.getUrlDecoder().decode(keys.get(1).get("y").asText()))).isEqualTo(ec.getW().getAffineY());
    }

    @Test
    void privateJwkSetOfAPublicOnlyKeyHasNoPrivateMembers() throws Exception {
        JsonNode keys = json().readTree(JwkSets.toPrivateJson(List.of(Fixtures.rsaKey().verifyOnly()))).get("keys");

        assertThat(fieldNames(keys.get(0))).doesNotContainAnyElementsOf(PRIVATE_MEMBERS);
    }

    // ---- round trip ---------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void privateJwkSetRoundTripSignsAndVerifiesBothWays(SigningAlgorithm alg) {
        KeySet original = KeySet.of(Fixtures.key(alg));
        List<SigningKey> parsed = JwkSets.parse(JwkSets.toPrivateJson(original.keys()));
        KeySet reparsed = KeySet.of(parsed, null);
        TokenSettings settings = Fixtures.settingsWithHs256();

        assertThat(parsed).singleElement().satisfies(k -> {
            assertThat(k.kid()).isEqualTo(Fixtures.key(alg).kid());
            assertThat(k.algorithm()).isEqualTo(alg);
            assertThat(k.canSign()).isTrue();
        });
        String byParsed = new AccessTokenIssuer(settings, reparsed).issue("u", List.of("r")).token();
        String byOriginal = new AccessTokenIssuer(settings, original).issue("u", List.of("r")).token();
        assertThat(new AccessTokenVerifier(settings, original).verify(byParsed).subject()).isEqualTo("u");
        assertThat(new AccessTokenVerifier(settings, reparsed).verify(byOriginal).subject()).isEqualTo("u");
    }

    @Test
    void publicJwkSetParsesIntoVerifyOnlyKeysThatVerifyTheOriginalsTokens() {
        List<SigningKey> parsed = JwkSets.parse(JwkSets.toPublicJson(Fixtures.keys()));
        AccessTokenVerifier verifier = new AccessTokenVerifier(Fixtures.settings(), KeySet.of(parsed, null));
        String token = new AccessTokenIssuer(Fixtures.settings(), KeySet.of(Fixtures.ecKey())).issue("u", List.of()).token();

        assertThat(parsed).noneMatch(SigningKey::canSign);
        assertThat(verifier.verify(token).keyId()).isEqualTo(Fixtures.EC_KID);
    }

    // ---- JwkSets.parse refusals -----------------------------------------------------------------

    private static ObjectNode publicJwk(SigningKey key) throws Exception {
        return (ObjectNode) json().readTree(JwkSets.toPublicJson(List.of(key))).get("keys").get(0);
    }

    private static String set(JsonNode... keys) {
        ObjectNode root = json().createObjectNode();
        root.putArray("keys").addAll(Arrays.asList(keys));
        return root.toString();
    }

    private static void assertJwkSetRefused(String json) {
        assertThatThrownBy(() -> JwkSets.parse(json))
                .isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo(JwkSets.SETTING);
    }

    @Test
    void jwkWithUseEncIsRefused() throws Exception {
        assertJwkSetRefused(set(publicJwk(Fixtures.rsaKey()).put("use", "enc")));
    }

    @Test
    void jwkWithAlgNotMatchingItsKtyIsRefused() throws Exception {
        assertJwkSetRefused(set(publicJwk(Fixtures.rsaKey()).put("alg", "ES256")));
        assertJwkSetRefused(set(publicJwk(Fixtures.rsaKey()).put("alg", "HS256")));
        assertJwkSetRefused(set(publicJwk(Fixtures.ecKey()).put("alg", "RS256")));
        assertJwkSetRefused(set(publicJwk(Fixtures.rsaKey()).put("alg", "none")));
        assertJwkSetRefused(set(json().createObjectNode().put("kty", "oct").put("kid", "s").put("alg", "RS256")
                .put("k", B64URL.encodeToString(Fixtures.HMAC_SECRET))));
    }

    @Test
    void jwkWithoutKidIsRefused() throws Exception {
        ObjectNode jwk = publicJwk(Fixtures.rsaKey());
        jwk.remove("kid");

        assertJwkSetRefused(set(jwk));
    }

    @Test
    void jwkSetWithDuplicateKidsIsRefusedByKeySet() throws Exception {
        ObjectNode a = publicJwk(Fixtures.rsaKey());
        ObjectNode b = publicJwk(Fixtures.ecKey()).put("kid", Fixtures.RSA_KID);

        List<SigningKey> parsed = JwkSets.parse(set(a, b));

        assertThatThrownBy(() -> KeySet.of(parsed, null)).isInstanceOf(ConfigurationException.class)
                .extracting("setting").isEqualTo("keys");
    }

    @Test
    void keyFileWithDuplicateKidsIsRefused(@TempDir Path dir) throws Exception {
        ObjectNode a = publicJwk(Fixtures.rsaKey());
        ObjectNode b = publicJwk(Fixtures.ecKey()).put("kid", Fixtures.RSA_KID);
        Path file = dir.resolve("keys.json");
        Files.writeString(file, set(a, b));

        assertThatThrownBy(() -> KeyFiles.load(file)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void ecJwkWithAPointNotOnTheCurveIsRefused() throws Exception {
        ObjectNode jwk = publicJwk(Fixtures.ecKey());
        BigInteger y = ((ECPublicKey) EC.getPublic()).getW().getAffineY();
        jwk.put("y", B64URL.encodeToString(fixed32(y.add(BigInteger.ONE))));

        assertJwkSetRefused(set(jwk));
    }

    @Test
    void ecJwkOnAnotherCurveOrWithShortCoordinatesIsRefused() throws Exception {
        assertJwkSetRefused(set(publicJwk(Fixtures.ecKey()).put("crv", "P-384")));
        assertJwkSetRefused(set(publicJwk(Fixtures.ecKey()).put("x", B64URL.encodeToString(new byte[31]))));
    }

    @Test
    void rsaJwkOf1024BitsIsRefused() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(1024);
        RSAPublicKey weak = (RSAPublicKey) gen.generateKeyPair().getPublic();
        ObjectNode jwk = json().createObjectNode().put("kty", "RSA").put("kid", "weak")
                .put("n", unsigned(weak.getModulus())).put("e", unsigned(weak.getPublicExponent()));

        assertJwkSetRefused(set(jwk));
    }

    @Test
    void jwkSetThatIsNotAJwkSetIsRefused() {
        assertJwkSetRefused("not json");
        assertJwkSetRefused("[]");
        assertJwkSetRefused("{}");
        assertJwkSetRefused("{\"keys\":{}}");
        assertJwkSetRefused("{\"keys\":[1]}");
        assertJwkSetRefused("{\"keys\":[{\"kty\":\"OKP\",\"kid\":\"ed\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}]}");
        assertJwkSetRefused("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r\",\"n\":\"AQAB==\",\"e\":\"AQAB\"}]}");
        assertJwkSetRefused("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"" + B64URL.encodeToString(new byte[31]) + "\"}]}");
    }

    @Test
    void jwkSetErrorsNeverEchoKeyMaterial() {
        String secret = B64URL.encodeToString(new byte[31]);

        assertThatThrownBy(() -> JwkSets.parse("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"" + secret + "\"}]}"))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
    }

    // ---- KeyFiles (PEM) ---------------------------------------------------------------------------

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Test
    void pemWithOnlyAnRsaPublicKeyGivesAVerifyOnlyKeyIdentifiedByItsThumbprint() {
        List<SigningKey> keys = KeyFiles.parse(pem("PUBLIC KEY", RSA.getPublic().getEncoded()));

        assertThat(keys).singleElement().satisfies(k -> {
            assertThat(k.algorithm()).isEqualTo(SigningAlgorithm.RS256);
            assertThat(k.canSign()).isFalse();
            assertThat(k.publicKey()).isEqualTo(RSA.getPublic());
            assertThat(k.kid()).isEqualTo(rsaThumbprint((RSAPublicKey) RSA.getPublic()));
        });
    }

    @Test
    void pemWithOnlyAnRsaPrivateKeyGivesASigningKeyWhosePublicHalfIsDerived() {
        List<SigningKey> keys = KeyFiles.parse(pem("PRIVATE KEY", RSA.getPrivate().getEncoded()));

        assertThat(keys).singleElement().satisfies(k -> {
            assertThat(k.canSign()).isTrue();
            assertThat(k.publicKey()).isEqualTo(RSA.getPublic());
            assertThat(k.kid()).isEqualTo(rsaThumbprint((RSAPublicKey) RSA.getPublic()));
        });
        String token = new AccessTokenIssuer(Fixtures.settings(), KeySet.of(keys, null)).issue("u", List.of()).token();
        SigningKey original = SigningKey.rsa(keys.get(0).kid(), (RSAPublicKey) RSA.getPublic(), null);
        assertThat(new AccessTokenVerifier(Fixtures.settings(), KeySet.of(List.of(original), null)).verify(token).subject()).isEqualTo("u");
    }

    @Test
    void pemWithAnRsaPrivateAndItsPublicKeyGivesOneKey() {
        String text = pem("PRIVATE KEY", RSA.getPrivate().getEncoded()) + pem("PUBLIC KEY", RSA.getPublic().getEncoded());

        assertThat(KeyFiles.parse(text)).singleElement().satisfies(k -> assertThat(k.canSign()).isTrue());
    }

    @Test
    void pemWithAnEcPrivateAndPublicKeyGivesOneEs256SigningKey() {
        String text = pem("PUBLIC KEY", Fixtures.EC_ATTACKER.getPublic().getEncoded())
                + pem("PRIVATE KEY", EC.getPrivate().getEncoded())
                + pem("PUBLIC KEY", EC.getPublic().getEncoded());

        List<SigningKey> keys = KeyFiles.parse(text);

        assertThat(keys).hasSize(2);
        SigningKey signer = keys.stream().filter(SigningKey::canSign).findFirst().orElseThrow();
        assertThat(signer.algorithm()).isEqualTo(SigningAlgorithm.ES256);
        assertThat(signer.publicKey()).isEqualTo(EC.getPublic());
        String token = new AccessTokenIssuer(Fixtures.settings(), KeySet.of(keys, signer.kid())).issue("u", List.of()).token();
        SigningKey verifyKey = SigningKey.ec(signer.kid(), (ECPublicKey) EC.getPublic(), null);
        assertThat(new AccessTokenVerifier(Fixtures.settings(), KeySet.of(List.of(verifyKey), null)).verify(token).subject()).isEqualTo("u");
    }

    @Test
    void pemWithAnEcPrivateKeyAloneIsRefused() {
        assertThatThrownBy(() -> KeyFiles.parse(pem("PRIVATE KEY", EC.getPrivate().getEncoded())))
                .isInstanceOf(ConfigurationException.class).extracting("setting").isEqualTo(KeyFiles.SETTING);
    }

    @Test
    void pemWithAnUnsupportedBlockOrNoKeyIsRefused() {
        for (String text : List.of(pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}), pem("CERTIFICATE", new byte[] {1}),
                pem("PUBLIC KEY", new byte[] {1, 2, 3}), "-----BEGIN nothing", "hello")) {
            assertThatThrownBy(() -> KeyFiles.parse(text)).as(text)
                    .isInstanceOf(ConfigurationException.class).extracting("setting").isEqualTo(KeyFiles.SETTING);
        }
    }

    @Test
    void keyFilesPublicKeyPemRoundTrips() {
        String text = KeyFiles.publicKeyPem(Fixtures.rsaKey());

        assertThat(text).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(KeyFiles.parse(text)).singleElement().satisfies(k -> assertThat(k.publicKey()).isEqualTo(RSA.getPublic()));
        assertThatThrownBy(() -> KeyFiles.publicKeyPem(Fixtures.hmacKey())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyFileLoadsFromDiskAndNamesTheSettingWhenMissing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, pem("PRIVATE KEY", RSA.getPrivate().getEncoded()), StandardCharsets.US_ASCII);

        KeySet set = KeyFiles.load(file);

        assertThat(set.canSign()).isTrue();
        assertThatThrownBy(() -> KeyFiles.load(dir.resolve("absent.pem")))
                .isInstanceOf(ConfigurationException.class).extracting("setting").isEqualTo(KeyFiles.SETTING);
    }

    @Test
    void keysFromAJwkFileVerifyTokens(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, JwkSets.toPrivateJson(List.of(Fixtures.ecKey(), Fixtures.rsaKey())));

        KeySet loaded = KeyFiles.load(file, Fixtures.RSA_KID);
        String token = new AccessTokenIssuer(Fixtures.settings(), loaded).issue("u", List.of()).token();

        assertThat(Fixtures.verifier().verify(token).keyId()).isEqualTo(Fixtures.RSA_KID);
        assertRefusedUnknownWith(loaded);
    }

    private static void assertRefusedUnknownWith(KeySet loaded) {
        AccessTokenVerifier v = new AccessTokenVerifier(Fixtures.settings(), loaded);
        Fixtures.assertRefused(v, Fixtures.forge("RS256", "nope").signRs256(RSA.getPrivate()), Reason.UNKNOWN_KEY);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return B64URL.encodeToString(bytes);
    }

    private static byte[] fixed32(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }

    /** RFC 7638 §3.2: SHA-256 over {"e","kty","n"} in lexicographic order, no white space. */
    private static String rsaThumbprint(RSAPublicKey key) {
        String canonical = "{\"e\":\"" + unsigned(key.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\"" + unsigned(key.getModulus()) + "\"}";
        try {
            return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
