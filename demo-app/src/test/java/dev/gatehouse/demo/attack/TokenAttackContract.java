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

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.testing.LoopbackJwksServer;
import dev.gatehouse.testing.SelfSignedCertificate;
import dev.gatehouse.testing.TokenForge;
import dev.gatehouse.demo.support.Poll;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token side of the attack suite: hostile access and refresh tokens thrown at a running demo
 * over real HTTP, in both transports ({@code Authorization: Bearer} and the
 * {@code __Host-access_token} cookie with a matching CSRF header), each on two protected reads
 * ({@code GET /api/me}, {@code GET /api/claims}) and one authenticated write
 * ({@code POST /auth/logout-all}). Every forged variant is its own case, and must get exactly what
 * docs/http-api.md prescribes: {@code 401} with {@value #INVALID_TOKEN} and an {@code error_description} naming the failed check, or {@code 400} with
 * {@value #INVALID_REQUEST} when the text cannot even be a bearer credential. After every case the
 * server must still answer {@code /api/ping} and still accept the victim's genuine token (a forged
 * token that got through {@code logout-all} would have revoked it).
 *
 * <p>A subclass starts the demo on a fresh database with: bcrypt cost {@value #BCRYPT_COST}, the
 * reuse grace {@code PT1S} ({@link #REUSE_GRACE}), and {@link #KEYS} written by
 * {@link AttackKeys#writeKeysFile} as its key file, so that the lifecycle cases can sign tokens the
 * server trusts (an outside attacker cannot; they test the claim checks behind the signature). The
 * tests make about sixteen credential attempts, within the demo's thirty a minute per client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TokenAttackContract {
    public static final int BCRYPT_COST = 4;
    public static final Duration REUSE_GRACE = Duration.ofSeconds(1);
    public static final int CLIENT_ATTEMPTS_PER_MINUTE = 1000;
    /** AuthSettings' default revocation staleness (docs/configuration.md), which the demo keeps. */
    static final Duration REVOCATION_STALENESS = Duration.ofSeconds(5);
    static final String INVALID_TOKEN = "Bearer realm=\"gatehouse\", error=\"invalid_token\"";
    /** The error_description values of a refused access token (docs/http-api.md). */
    static final List<String> DESCRIPTIONS = List.of("The token's issuer is not accepted", "The token's audience is not accepted",
            "The token has expired", "The token is not valid yet", "The token's signature is invalid", "The token has been revoked",
            "The token is malformed", "The token could not be verified");
    static final String INVALID_REQUEST = "Bearer realm=\"gatehouse\", error=\"invalid_request\"";
    static final String ACCESS_COOKIE = "__Host-access_token";
    static final String REFRESH_COOKIE = "__Secure-refresh_token";
    static final String CSRF_COOKIE = "__Host-csrf_token";
    static final String AUDIENCE = "gatehouse-demo";
    private static final String PASSWORD = "plum-Kettle-4-orbit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** The deployment's keys (see the class comment); key ids unique per run. */
    protected static final AttackKeys KEYS = AttackKeys.generate("attack-rs-" + UUID.randomUUID(), "attack-es-" + UUID.randomUUID());
    /** Keys the server has never seen. */
    private static final KeyPair ATTACKER_RSA = AttackKeys.rsaPair();
    private static final KeyPair ATTACKER_EC = AttackKeys.ecPair();

    private final Map<String, Object> victimClaims = new LinkedHashMap<>();
    private Session victim;
    private String victimId;
    private JsonNode jwks;
    private LoopbackJwksServer attackerJwks;

    /**
     * Starts the deployment on a fresh database with the settings of the class comment, and
     * {@link #KEYS} written as its key file.
     */
    protected abstract void startServer() throws Exception;

    /** Stops what {@link #startServer()} started (called even when it failed half-way). */
    protected abstract void stopServer() throws Exception;

    /** The running demo's base URI, ending with {@code /}. */
    protected abstract URI base();

    /** The {@code iss} the deployment puts in its tokens. */
    protected abstract String issuer();

    /**
     * Grants ({@code true}) or takes away a role from the account with this email, the way an
     * operator does: in process through {@code AuthService}, or with the admin command line against
     * the deployment's database.
     */
    protected abstract void changeRole(String email, String role, boolean grant) throws Exception;

    /** Tokens of one login. {@code client} holds the cookies when the login was by cookie. */
    record Session(String access, String refresh, WebClient client) {
    }

    // ---- set-up, health ---------------------------------------------------------------------------

    @BeforeAll
    void startAndRegisterTheVictim() throws Exception {
        startServer();
        String email = uniqueEmail("victim");
        victimEmail = email;
        victimId = register(email);
        victim = loginBearer(email);
        JsonNode claims = payload(victim.access());
        assertThat(claims.path("iss").asText()).as("the deployment's issuer").isEqualTo(issuer());
        assertThat(header(victim.access()).path("kid").asText()).as("the key file's RSA key signs").isEqualTo(KEYS.rsaKid);
        victimClaims.putAll(JSON.convertValue(claims, new TypeReference<Map<String, Object>>() { }));

        Reply keys = client().get(".well-known/jwks.json");
        assertThat(keys.status()).as("%s", keys).isEqualTo(200);
        jwks = keys.json();
        assertThat(jwks.path("keys").findValuesAsText("kid")).containsExactlyInAnyOrder(KEYS.rsaKid, KEYS.ecKid);

        attackerJwks = LoopbackJwksServer.start();
        attackerJwks.serve("{\"keys\":[" + JSON.writeValueAsString(
                AttackKeys.publicJwk((RSAPublicKey) ATTACKER_RSA.getPublic(), KEYS.rsaKid)) + "]}");
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (attackerJwks != null) {
            attackerJwks.close();
        }
        stopServer();
    }

    /** After every case: the server answers, and the victim's genuine token still works everywhere. */
    @AfterEach
    void serverIsStillHealthy() {
        Reply ping = client().get("api/ping");
        assertThat(ping.status()).as("%s", ping).isEqualTo(200);
        assertThat(ping.json().path("status").asText()).isEqualTo("ok");
        Reply me = client().get("api/me", "Authorization", "Bearer " + victim.access());
        assertThat(me.status()).as("the victim's genuine token: %s", me).isEqualTo(200);
        assertThat(me.json().path("sub").asText()).isEqualTo(victimId);
        Reply claims = client().get("api/claims", "Authorization", "Bearer " + victim.access());
        assertThat(claims.status()).as("%s", claims).isEqualTo(200);
        assertThat(attackerJwks.requests()).as("requests the server made to the attacker's jku/x5u listener").isZero();
    }

    @Test
    void aTokenSignedWithTheDeploymentsOwnKeysIsAccepted() {
        // The positive control of the lifecycle and psychic-signature cases: the forge itself is right.
        long now = Instant.now().getEpochSecond();
        String rs = realClaims(now).header("kid", KEYS.rsaKid).signRs256(KEYS.rsa.getPrivate());
        String es = realClaims(now).header("alg", "ES256").header("kid", KEYS.ecKid).signEs256(KEYS.ec.getPrivate());
        for (String token : List.of(rs, es)) {
            for (String route : List.of("api/me", "api/claims")) {
                Reply bearer = client().get(route, "Authorization", "Bearer " + token);
                assertThat(bearer.status()).as("%s", bearer).isEqualTo(200);
                assertThat(bearer.json().path("sub").asText()).isEqualTo(victimId);
                Reply cookie = cookieClient(token).get(route);
                assertThat(cookie.status()).as("%s", cookie).isEqualTo(200);
            }
        }
    }

    // ---- forged tokens ------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("algNone")
    void algNoneIsRefused(String token) {
        assertRefusedEverywhere(token);
    }

    Stream<Named<String>> algNone() {
        List<Named<String>> cases = new ArrayList<>();
        for (String alg : List.of("none", "None", "NONE", "nOnE")) {
            TokenForge forge = victimForge().header("alg", alg);
            cases.add(Named.of("alg " + alg + ", empty signature", forge.withSignature("")));
            cases.add(Named.of("alg " + alg + ", no signature segment", forge.signingInput()));
            cases.add(Named.of("alg " + alg + ", admin role, empty signature",
                    victimForge().header("alg", alg).claim("roles", List.of("user", "admin")).withSignature("")));
            cases.add(Named.of("alg " + alg + ", no kid, empty signature", victimForge().header("alg", alg).header("kid", null).withSignature("")));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("damagedSignatures")
    void damagedSignaturesAreRefused(String token) {
        assertRefusedEverywhere(token);
    }

    Stream<Named<String>> damagedSignatures() {
        String[] parts = victim.access().split("\\.");
        String input = parts[0] + "." + parts[1];
        String sig = parts[2];
        byte[] raw = Base64.getUrlDecoder().decode(sig);
        byte[] flipped = raw.clone();
        flipped[raw.length / 2] ^= 0x01;
        return Stream.of(
                Named.of("signature stripped (trailing dot kept)", input + "."),
                Named.of("signature stripped (two segments)", input),
                Named.of("signature truncated by 4 characters", input + "." + sig.substring(0, sig.length() - 4)),
                Named.of("signature truncated to half", input + "." + B64URL.encodeToString(java.util.Arrays.copyOf(raw, raw.length / 2))),
                Named.of("signature of one byte", input + "." + B64URL.encodeToString(new byte[] {raw[0]})),
                Named.of("signature of zero bytes of full length", input + "." + B64URL.encodeToString(new byte[raw.length])),
                Named.of("signature with one bit flipped", input + "." + B64URL.encodeToString(flipped)),
                Named.of("signature doubled", input + "." + sig + sig),
                Named.of("signature moved to a fourth segment", input + ".." + sig));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("weakHmacSecrets")
    void hs256WithGuessableSecretsIsRefused(String token) {
        assertRefusedEverywhere(token);
    }

    Stream<Named<String>> weakHmacSecrets() {
        List<Named<String>> cases = new ArrayList<>();
        // HMAC pads a key with zero bytes to the block size: a single zero byte is the empty key.
        cases.add(Named.of("HS256, blank key", victimForge().header("alg", "HS256").signHs256(new byte[1])));
        cases.add(Named.of("HS256, blank key, no kid", victimForge().header("alg", "HS256").header("kid", null).signHs256(new byte[1])));
        List<String> secrets = List.of("secret", "password", "123456", "changeit", "changeme", "key", "jwt", "gatehouse",
                "gatehouse-demo", AUDIENCE, issuer(), issuer() + "/", KEYS.rsaKid, "your-256-bit-secret", "secretkey",
                "admin", "test", "default", "HS256", "null");
        for (String secret : secrets) {
            cases.add(Named.of("HS256, secret '" + secret + "'",
                    victimForge().header("alg", "HS256").signHs256(secret.getBytes(StandardCharsets.UTF_8))));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("keyConfusion")
    void publicKeyAsHmacSecretIsRefused(String token) {
        assertRefusedEverywhere(token);
    }

    /** RS256/ES256 → HS256: the published public key, in every form an HMAC library might take, as the secret. */
    Stream<Named<String>> keyConfusion() {
        List<Named<String>> cases = new ArrayList<>();
        for (JsonNode jwk : jwks.path("keys")) {
            String kid = jwk.path("kid").asText();
            String kty = jwk.path("kty").asText();
            PublicKey key = publicKey(jwk);
            byte[] der = key.getEncoded();
            String pem = pem(der);
            Map<String, byte[]> forms = new LinkedHashMap<>();
            forms.put("PEM", bytes(pem));
            forms.put("PEM without trailing newline", bytes(pem.strip()));
            forms.put("PEM with CRLF", bytes(pem.replace("\n", "\r\n")));
            forms.put("DER", der);
            forms.put("JWK JSON as published", bytes(jwk.toString()));
            forms.put("JWK Set JSON", bytes(jwks.toString()));
            forms.put("base64 of the DER", bytes(Base64.getEncoder().encodeToString(der)));
            if (kty.equals("RSA")) {
                forms.put("modulus bytes", Base64.getUrlDecoder().decode(jwk.path("n").asText()));
            } else {
                forms.put("uncompressed point", point((ECPublicKey) key));
            }
            for (Map.Entry<String, byte[]> form : forms.entrySet()) {
                cases.add(Named.of(kty + " key " + "→ HS256, secret = " + form.getKey(),
                        victimForge().header("alg", "HS256").header("kid", kid).signHs256(form.getValue())));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("attackerChosenKeys")
    void keysNamedByTheTokenAreIgnored(String token) {
        assertRefusedEverywhere(token);
    }

    /** {@code jwk}, {@code jku}, {@code x5u}, {@code x5c}: the token names its own (the attacker's) key. */
    Stream<Named<String>> attackerChosenKeys() throws Exception {
        RSAPublicKey attacker = (RSAPublicKey) ATTACKER_RSA.getPublic();
        String attackerKid = "attacker-" + UUID.randomUUID();
        String cert = Base64.getEncoder().encodeToString(SelfSignedCertificate.create(ATTACKER_RSA, "gatehouse",
                Instant.now().minusSeconds(3600), Instant.now().plusSeconds(86400)).getEncoded());
        List<Named<String>> cases = new ArrayList<>();
        Map<String, String> kids = new LinkedHashMap<>();
        kids.put("the server's kid", KEYS.rsaKid);
        kids.put("the attacker's kid", attackerKid);
        kids.put("no kid", null);
        for (Map.Entry<String, String> kid : kids.entrySet()) {
            cases.add(Named.of("embedded jwk, " + kid.getKey(), victimForge().header("kid", kid.getValue())
                    .header("jwk", AttackKeys.publicJwk(attacker, kid.getValue())).signRs256(ATTACKER_RSA.getPrivate())));
            cases.add(Named.of("jku to a loopback listener, " + kid.getKey(), victimForge().header("kid", kid.getValue())
                    .header("jku", attackerJwks.url()).signRs256(ATTACKER_RSA.getPrivate())));
            cases.add(Named.of("x5u to a loopback listener, " + kid.getKey(), victimForge().header("kid", kid.getValue())
                    .header("x5u", attackerJwks.url()).signRs256(ATTACKER_RSA.getPrivate())));
            cases.add(Named.of("x5c with the attacker's certificate, " + kid.getKey(), victimForge().header("kid", kid.getValue())
                    .header("x5c", List.of(cert)).signRs256(ATTACKER_RSA.getPrivate())));
        }
        cases.add(Named.of("jku + jwk + x5c + x5u together, ES256 attacker key", victimForge().header("alg", "ES256")
                .header("kid", KEYS.ecKid).header("jku", attackerJwks.url()).header("x5u", attackerJwks.url())
                .header("x5c", List.of(cert)).header("jwk", AttackKeys.publicJwk(attacker, null))
                .signEs256(ATTACKER_EC.getPrivate())));
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("kidInjection")
    void kidInjectionIsRefused(String token) {
        assertRefusedEverywhere(token);
    }

    Stream<Named<String>> kidInjection() {
        Map<String, Object> kids = new LinkedHashMap<>();
        kids.put("path traversal ../../dev/null", "../../dev/null");
        kids.put("path traversal ../../../../../../../../dev/null", "../../../../../../../../dev/null");
        kids.put("absolute path /dev/null", "/dev/null");
        kids.put("absolute path /etc/passwd", "/etc/passwd");
        kids.put("traversal to /etc/passwd", "../../../../../../etc/passwd");
        kids.put("file URL", "file:///dev/null");
        kids.put("SQL ' OR '1'='1", "' OR '1'='1");
        kids.put("SQL \"; DROP TABLE gh_users; --", "\"; DROP TABLE gh_users; --");
        kids.put("SQL '; DROP TABLE gh_users; --", "'; DROP TABLE gh_users; --");
        kids.put("SQL UNION", "x' UNION SELECT 'secret' --");
        kids.put("shell $(id)", "$(id)");
        kids.put("shell `id`", "`id`");
        kids.put("shell |id", "|id");
        kids.put("shell ; id", "; id");
        kids.put("empty", "");
        kids.put("blank", " ");
        kids.put("NUL after the real kid", KEYS.rsaKid + "\u0000");
        kids.put("real kid with trailing space", KEYS.rsaKid + " ");
        kids.put("real kid upper-cased", KEYS.rsaKid.toUpperCase(Locale.ROOT));
        kids.put("very long (2000 characters)", "k".repeat(2000));
        kids.put("number", 12345);
        kids.put("true", Boolean.TRUE);
        kids.put("array with the real kid", List.of(KEYS.rsaKid));
        kids.put("object with the real kid", Map.of("kid", KEYS.rsaKid));
        List<Named<String>> cases = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        for (Map.Entry<String, Object> kid : kids.entrySet()) {
            cases.add(Named.of("kid " + kid.getKey() + ", HS256 with a blank key",
                    victimForge().header("alg", "HS256").header("kid", kid.getValue()).signHs256(new byte[1])));
            cases.add(Named.of("kid " + kid.getKey() + ", RS256 by the attacker",
                    victimForge().header("kid", kid.getValue()).signRs256(ATTACKER_RSA.getPrivate())));
            cases.add(Named.of("kid " + kid.getKey() + ", RS256 by the server's own key",
                    realClaims(now).header("kid", kid.getValue()).signRs256(KEYS.rsa.getPrivate())));
        }
        cases.add(Named.of("kid JSON null, RS256 by the server's own key",
                realClaims(now).headerNull("kid").signRs256(KEYS.rsa.getPrivate())));
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("psychicSignatures")
    void psychicEcdsaSignaturesAreRefused(String token) {
        assertRefusedEverywhere(token);
    }

    /** CVE-2022-21449: an ECDSA signature (r, s) = (0, 0) that a broken verifier accepts for any message. */
    Stream<Named<String>> psychicSignatures() {
        BigInteger order = ((ECPublicKey) KEYS.ec.getPublic()).getParams().getOrder();
        byte[] n = fixed(order, 32);
        byte[] nn = new byte[64];
        System.arraycopy(n, 0, nn, 0, 32);
        System.arraycopy(n, 0, nn, 32, 32);
        TokenForge es = victimForge().header("alg", "ES256").header("kid", KEYS.ecKid);
        return Stream.of(
                Named.of("ES256, r = s = 0, raw (64 zero bytes)", es.withSignatureBytes(new byte[64])),
                Named.of("ES256, r = s = 0, DER", es.withSignatureBytes(new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00})),
                Named.of("ES256, r = s = 0, admin role, raw", victimForge().header("alg", "ES256").header("kid", KEYS.ecKid)
                        .claim("roles", List.of("user", "admin")).withSignatureBytes(new byte[64])),
                Named.of("ES256, r = s = n (the curve order), raw", es.withSignatureBytes(nn)),
                Named.of("ES256, empty signature", es.withSignature("")),
                Named.of("ES256, r = s = 0 under the RSA kid", victimForge().header("alg", "ES256").header("kid", KEYS.rsaKid)
                        .withSignatureBytes(new byte[64])));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("tamperedClaims")
    void claimsChangedUnderTheOriginalSignatureAreRefused(String token) {
        assertRefusedEverywhere(token);
    }

    Stream<Named<String>> tamperedClaims() {
        String signature = victim.access().split("\\.")[2];
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("sub → another user", Map.of("sub", UUID.randomUUID().toString()));
        changes.put("roles → admin", Map.of("roles", List.of("user", "admin")));
        changes.put("roles → [admin] only", Map.of("roles", List.of("admin")));
        changes.put("exp → one day later", Map.of("exp", ((Number) victimClaims.get("exp")).longValue() + 86400));
        changes.put("aud → another audience", Map.of("aud", "other-app"));
        changes.put("iss → another issuer", Map.of("iss", "https://evil.example"));
        changes.put("jti → another id", Map.of("jti", UUID.randomUUID().toString()));
        changes.put("an extra admin claim", Map.of("admin", true));
        List<Named<String>> cases = new ArrayList<>();
        for (Map.Entry<String, Object> change : changes.entrySet()) {
            TokenForge forge = victimForge();
            @SuppressWarnings("unchecked")
            Map<String, Object> values = (Map<String, Object>) change.getValue();
            values.forEach(forge::claim);
            cases.add(Named.of(change.getKey() + ", original signature", forge.withSignature(signature)));
        }
        // the same claims re-encoded with white space: the bytes differ, the JSON does not
        cases.add(Named.of("payload re-serialised with spaces, original signature",
                victimForge().rawPayload(prettyPayload()).withSignature(signature)));
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("oddClaimValues")
    void claimsOfTheWrongTypeAreRefused(String token) {
        assertRefusedEverywhere(token);
    }

    /**
     * Each required claim set to null, true, false, 0, "x", [] and {}: re-signed by the attacker,
     * kept under the original signature, and (where the value is of the wrong type, or names the
     * wrong issuer or audience) re-signed with the server's own key, which an attacker cannot do
     * but which reaches the claim checks behind the signature.
     */
    Stream<Named<String>> oddClaimValues() {
        String signature = victim.access().split("\\.")[2];
        long now = Instant.now().getEpochSecond();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("null", null);
        values.put("true", Boolean.TRUE);
        values.put("false", Boolean.FALSE);
        values.put("0", 0);
        values.put("\"x\"", "x");
        values.put("[]", List.of());
        values.put("{}", Map.of());
        // Well-typed values a real signature legitimately makes valid (any string is a valid sub or jti,
        // an iat of 0 is in the past, a user may have no roles): not attacks once the key is the server's.
        Set<String> wellTyped = Set.of("sub=\"x\"", "jti=\"x\"", "iat=0", "roles=[]");
        List<Named<String>> cases = new ArrayList<>();
        for (String claim : List.of("iss", "aud", "sub", "iat", "exp", "jti", "roles")) {
            for (Map.Entry<String, Object> value : values.entrySet()) {
                String name = claim + "=" + value.getKey();
                cases.add(Named.of(name + ", signed by the attacker", set(victimForge(), claim, value.getValue())
                        .signRs256(ATTACKER_RSA.getPrivate())));
                cases.add(Named.of(name + ", original signature", set(victimForge(), claim, value.getValue()).withSignature(signature)));
                if (!wellTyped.contains(name)) {
                    cases.add(Named.of(name + ", signed by the server's key", set(realClaims(now), claim, value.getValue())
                            .signRs256(KEYS.rsa.getPrivate())));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("lifecycle")
    void tokensOutsideTheirLifetimeOrForAnotherAudienceAreRefused(String token) {
        assertRefusedEverywhere(token);
    }

    /** Signed with the server's real key: only the claims are wrong. Leeway is 30 s (docs/http-api.md). */
    Stream<Named<String>> lifecycle() {
        long now = Instant.now().getEpochSecond();
        java.util.function.Function<TokenForge, String> sign = f -> f.signRs256(KEYS.rsa.getPrivate());
        return Stream.of(
                Named.of("expired 2 minutes ago", sign.apply(realClaims(now).claim("iat", now - 420).claim("exp", now - 120))),
                Named.of("expired 33 s ago (just beyond the 30 s leeway)", sign.apply(realClaims(now).claim("iat", now - 331).claim("exp", now - 33))),
                Named.of("iat 2 minutes in the future", sign.apply(realClaims(now).claim("iat", now + 120).claim("exp", now + 420))),
                Named.of("nbf 2 minutes in the future", sign.apply(realClaims(now).claim("nbf", now + 120))),
                Named.of("nbf a day in the future", sign.apply(realClaims(now).claim("nbf", now + 86400))),
                Named.of("exp missing", sign.apply(realClaims(now).claim("exp", null))),
                Named.of("iat missing", sign.apply(realClaims(now).claim("iat", null))),
                Named.of("iss missing", sign.apply(realClaims(now).claim("iss", null))),
                Named.of("iss of another issuer", sign.apply(realClaims(now).claim("iss", "https://evil.example"))),
                Named.of("iss with a trailing slash", sign.apply(realClaims(now).claim("iss", issuer() + "/"))),
                Named.of("aud missing", sign.apply(realClaims(now).claim("aud", null))),
                Named.of("aud of another audience", sign.apply(realClaims(now).claim("aud", "other-app"))),
                Named.of("aud in another case", sign.apply(realClaims(now).claim("aud", AUDIENCE.toUpperCase(Locale.ROOT)))),
                Named.of("sub missing", sign.apply(realClaims(now).claim("sub", null))),
                Named.of("jti missing", sign.apply(realClaims(now).claim("jti", null))),
                Named.of("roles missing", sign.apply(realClaims(now).claim("roles", null))),
                Named.of("roles a string", sign.apply(realClaims(now).claim("roles", "admin"))),
                Named.of("typ missing", sign.apply(realClaims(now).header("typ", null))),
                Named.of("typ JWT (an ID token or other JWT)", sign.apply(realClaims(now).header("typ", "JWT"))),
                Named.of("crit header", sign.apply(realClaims(now).header("crit", List.of("exp")))),
                Named.of("alg RS256 under the EC kid", realClaims(now).header("kid", KEYS.ecKid).signRs256(KEYS.rsa.getPrivate())),
                Named.of("alg ES256 under the RSA kid", realClaims(now).header("alg", "ES256").header("kid", KEYS.rsaKid)
                        .signEs256(KEYS.ec.getPrivate())),
                Named.of("two JSON objects in the payload", realClaims(now).rawPayload(realPayloadJson(now) + "{}").signRs256(KEYS.rsa.getPrivate())));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("respelledTokens")
    void otherSpellingsOfRevokedAndValidTokensAreRefused(String token) {
        assertRefusedEverywhere(token);
    }

    /**
     * Non-canonical spellings of a token revoked by logout (a revocation keyed on the text must
     * not be bypassed) and of the victim's valid token (core's AccessTokenVerifier accepts exactly
     * one spelling, RFC 7515 §7.1: no padding, no spare bits).
     */
    Stream<Named<String>> respelledTokens() {
        Session revoked = loginBearer(victimEmail());
        Reply out = client().post("auth/logout", null, null, "Authorization", "Bearer " + revoked.access());
        assertThat(out.status()).as("%s", out).isEqualTo(204);
        assertRefusedEverywhere(revoked.access());
        List<Named<String>> cases = new ArrayList<>();
        Spellings.of(revoked.access()).forEach((name, token) -> cases.add(Named.of("revoked by logout, " + name, token)));
        Spellings.of(victim.access()).forEach((name, token) -> cases.add(Named.of("valid, " + name, token)));
        return cases.stream();
    }

    // ---- refresh tokens and the token lifecycle --------------------------------------------------------

    @Test
    void aRefreshTokenIsNotAnAccessToken() {
        // the victim's live refresh token, presented where an access token goes, in both transports
        assertRefusedEverywhere(victim.refresh());
        Spellings.of(victim.refresh()).values().forEach(this::assertRefusedEverywhere);
    }

    @Test
    void anAccessTokenIsNotARefreshToken() {
        assertRefreshRefused(victim.access());
        Reply logout = client().postJson("auth/logout", "{\"refresh_token\":\"" + victim.access() + "\"}");
        assertThat(logout.status()).as("logout with an access token as the refresh token: %s", logout).isEqualTo(401);
    }

    @Test
    void afterLogoutEverySpellingOfBothTokensIsRefused() {
        Session bearer = loginBearer(victimEmail());
        Reply out = client().post("auth/logout", null, null, "Authorization", "Bearer " + bearer.access());
        assertThat(out.status()).as("%s", out).isEqualTo(204);
        assertDead(bearer);

        Session cookie = loginCookie(victimEmail());
        Reply cookieOut = cookie.client().post("auth/logout", null, null, "X-CSRF-Token", cookie.client().cookie(CSRF_COOKIE));
        assertThat(cookieOut.status()).as("%s", cookieOut).isEqualTo(204);
        assertThat(cookieOut.setCookie(ACCESS_COOKIE).attribute("Max-Age")).hasValue("0");
        assertDead(cookie);
    }

    @Test
    void afterLogoutAllEverySpellingOfEveryLoginIsRefused() {
        String email = uniqueEmail("everywhere");
        register(email);
        Session first = loginBearer(email);
        Session second = loginBearer(email);
        Session browser = loginCookie(email);
        Reply out = client().post("auth/logout-all", null, null, "Authorization", "Bearer " + first.access());
        assertThat(out.status()).as("%s", out).isEqualTo(204);
        for (Session s : List.of(first, second, browser)) {
            assertDead(s);
        }
    }

    @Test
    void refreshReuseAfterTheGracePeriodRevokesTheFamilyAndItsLiveAccessToken() throws Exception {
        Session login = loginBearer(victimEmail());
        Session rotated = refreshBearer(login.refresh());
        assertThat(client().get("api/me", "Authorization", "Bearer " + rotated.access()).status()).isEqualTo(200);
        Thread.sleep(REUSE_GRACE.toMillis() + 300);

        Reply reuse = refreshReply(login.refresh());
        assertThat(reuse.status()).as("the spent token after the grace period: %s", reuse).isEqualTo(401);
        assertRefusedEverywhere(rotated.access());
        assertRefusedEverywhere(login.access());
        assertRefreshRefused(rotated.refresh());
    }

    @Test
    void twentyParallelRefreshesOfOneTokenNeverFailAndReuseAfterGraceKillsThemAll() throws Exception {
        Session login = loginBearer(victimEmail());
        int racers = 20;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Reply> replies = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Callable<Reply> race = () -> {
                    start.await();
                    return refreshReply(login.refresh());
                };
                futures.add(pool.submit(race));
            }
            start.countDown();
            for (Future<Reply> f : futures) {
                replies.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        List<Session> winners = new ArrayList<>();
        for (Reply r : replies) {
            assertThat(r.status()).as("a racing refresh gets a pair or 401, never an error: %s", r).isIn(200, 401);
            if (r.status() == 200) {
                winners.add(new Session(r.json().path("access_token").asText(), r.json().path("refresh_token").asText(), null));
            }
        }
        assertThat(winners).as("at least the first use wins").isNotEmpty();
        // Within the grace period every use gets the one successor of the first use, with an access
        // token of its own: a login never forks. A use that reaches the server after the grace (a
        // slow machine) is reuse and revokes the whole family. Either way the family is in one
        // state: all of its pairs work, or none does.
        boolean familyRevoked = winners.size() < racers;
        Set<String> refreshTokens = new HashSet<>();
        Set<String> accessTokens = new HashSet<>();
        for (Session w : winners) {
            refreshTokens.add(w.refresh());
            accessTokens.add(w.access());
            Reply me = client().get("api/me", "Authorization", "Bearer " + w.access());
            assertThat(me.status()).as("family revoked by a late racer: %s; %s", familyRevoked, me).isEqualTo(familyRevoked ? 401 : 200);
            if (!familyRevoked) {
                assertThat(me.json().path("sub").asText()).isEqualTo(victimId);
            }
        }
        assertThat(refreshTokens).as("one live refresh token per login, whoever won").hasSize(1).doesNotContain(login.refresh());
        assertThat(accessTokens).as("an access token of its own for each").hasSize(winners.size());

        Thread.sleep(REUSE_GRACE.toMillis() + 300);
        assertThat(refreshReply(login.refresh()).status()).as("reuse after the grace period").isEqualTo(401);
        for (Session w : winners) {
            assertThat(client().get("api/me", "Authorization", "Bearer " + w.access()).status())
                    .as("no pair of the family survives").isEqualTo(401);
            assertThat(refreshReply(w.refresh()).status()).isEqualTo(401);
        }
    }

    @Test
    void aReplayWithinTheGraceGetsTheSameSuccessorAndOnceThatIsSpentItIsReuse() {
        Session login = loginBearer(victimEmail());
        Session first = refreshBearer(login.refresh());
        // a second tab, or a retry after a lost answer, inside the grace period
        Session again = refreshBearer(login.refresh());
        assertThat(again.refresh()).as("the same successor, not a fork").isEqualTo(first.refresh());
        assertThat(again.access()).as("a fresh access token").isNotEqualTo(first.access());
        for (Session s : List.of(first, again)) {
            assertThat(client().get("api/me", "Authorization", "Bearer " + s.access()).status()).isEqualTo(200);
        }
        // the successor is spent: the spent parent is now reuse, even inside the grace period
        Session next = refreshBearer(first.refresh());
        Reply replay = refreshReply(login.refresh());
        assertThat(replay.status()).as("the parent after its successor was spent: %s", replay).isEqualTo(401);
        assertDead(next);
        assertRefusedEverywhere(first.access());
        assertRefusedEverywhere(again.access());

        // by cookie: two tabs sharing nothing but the stolen/copied refresh cookie get the same one too
        Session browser = loginCookie(victimEmail());
        String parent = browser.client().cookie(REFRESH_COOKIE);
        Reply tabA = refreshByCookie(parent);
        Reply tabB = refreshByCookie(parent);
        assertThat(tabA.status()).as("%s", tabA).isEqualTo(200);
        assertThat(tabB.status()).as("%s", tabB).isEqualTo(200);
        assertThat(tabB.setCookie(REFRESH_COOKIE).value).as("one successor by cookie too")
                .isEqualTo(tabA.setCookie(REFRESH_COOKIE).value).isNotEqualTo(parent);
    }

    @Test
    void aLoggedOutTokenStaysRefusedThroughTheClockLeewayAfterItsExp() throws Exception {
        // A token of the deployment whose exp has just passed: the verifier still accepts it for the
        // clock leeway (30 s), so its revocation must outlive its exp by that much.
        long now = Instant.now().getEpochSecond();
        String token = TokenForge.accessToken("RS256", KEYS.rsaKid, issuer(), AUDIENCE, victimId, now - 300, now - 2)
                .claim("jti", "leeway-" + UUID.randomUUID()).signRs256(KEYS.rsa.getPrivate());
        assertThat(client().get("api/claims", "Authorization", "Bearer " + token).status())
                .as("accepted within the leeway before the logout").isEqualTo(200);

        Reply out = client().post("auth/logout", null, null, "Authorization", "Bearer " + token);
        assertThat(out.status()).as("%s", out).isEqualTo(204);
        assertRefusedEverywhere(token);
        // past the next refresh of the revocation snapshot (the staleness), and still inside the leeway
        Thread.sleep(REVOCATION_STALENESS.toMillis() + 1500);
        assertThat(Instant.now().getEpochSecond()).as("still inside the leeway").isLessThan(now - 2 + 30);
        assertRefusedEverywhere(token);
    }

    @Test
    void loggingInRightAfterLogoutEverywhereWorksAndNothingIssuedBeforeItSurvives() throws Exception {
        String email = uniqueEmail("again");
        register(email);
        List<Session> before = new ArrayList<>();
        Session fresh = null;
        // several rounds, so that some login falls in the same second as the logout-all before it
        for (int round = 0; round < 3; round++) {
            Session a = loginBearer(email);
            Session b = loginCookie(email);
            Reply all = client().post("auth/logout-all", null, null, "Authorization", "Bearer " + a.access());
            assertThat(all.status()).as("%s", all).isEqualTo(204);
            before.add(a);
            before.add(b);
            if (fresh != null) {
                before.add(fresh);
            }
            fresh = loginBearer(email);
            Reply me = client().get("api/me", "Authorization", "Bearer " + fresh.access());
            assertThat(me.status()).as("a login right after logout-all, round %d: %s", round, me).isEqualTo(200);
            Session refreshed = refreshBearer(fresh.refresh());
            fresh = refreshed;
        }
        for (Session s : before) {
            assertDead(s);
        }
        // past the staleness, the new login still works (its generation is the current one everywhere)
        Thread.sleep(REVOCATION_STALENESS.toMillis() + 1000);
        Reply me = client().get("api/me", "Authorization", "Bearer " + fresh.access());
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(refreshReply(fresh.refresh()).status()).isEqualTo(200);
    }

    @Test
    void registrationNeverGrantsARoleAndAChangeOfRolesReachesTheLiveTokensOfBothTransports() throws Exception {
        // whoever registers first with an address that looks privileged gets the role user, nothing else
        String email = "admin-" + UUID.randomUUID() + "@attack.test";
        register(email);
        Session bearer = loginBearer(email);
        Session browser = loginCookie(email);
        assertThat(payload(bearer.access()).path("roles").toString()).isEqualTo("[\"user\"]");
        assertThat(client().get("api/admin", "Authorization", "Bearer " + bearer.access()).status()).isEqualTo(403);

        changeRole(email, "admin", true);
        // the tokens issued before the change are refused within the revocation staleness, in both transports
        Poll.until(REVOCATION_STALENESS.plusSeconds(2), () -> client().get("api/me", "Authorization", "Bearer " + bearer.access()),
                r -> r.status() == 401);
        assertRefusedEverywhere(bearer.access());
        assertRefusedEverywhere(browser.access());
        // the sessions stay, and the next refresh carries the role
        Session adminBearer = refreshBearer(bearer.refresh());
        assertThat(client().get("api/admin", "Authorization", "Bearer " + adminBearer.access()).status()).isEqualTo(200);
        Reply cookieRefresh = browser.client().post("auth/refresh", null, null, "Auth-Transport", "cookie",
                "X-CSRF-Token", browser.client().cookie(CSRF_COOKIE));
        assertThat(cookieRefresh.status()).as("%s", cookieRefresh).isEqualTo(200);
        assertThat(browser.client().get("api/admin").status()).isEqualTo(200);

        changeRole(email, "admin", false);
        Poll.until(REVOCATION_STALENESS.plusSeconds(2), () -> client().get("api/admin", "Authorization", "Bearer " + adminBearer.access()),
                r -> r.status() == 401);
        assertRefusedEverywhere(adminBearer.access());
        assertThat(browser.client().get("api/admin").status()).as("the admin cookie is refused too").isEqualTo(401);
        Session demoted = refreshBearer(adminBearer.refresh());
        assertThat(client().get("api/admin", "Authorization", "Bearer " + demoted.access()).status()).isEqualTo(403);
        assertThat(client().get("api/me", "Authorization", "Bearer " + demoted.access()).status()).isEqualTo(200);
    }

    @Test
    void aDeletedUsersTokensDieWithTheAccountAndTheEmailCanBeRegisteredAgain() {
        String email = uniqueEmail("deleted");
        String id = register(email);
        Session bearer = loginBearer(email);
        Session browser = loginCookie(email);
        String cookieAccess = browser.client().cookie(ACCESS_COOKIE);
        String cookieRefresh = browser.client().cookie(REFRESH_COOKIE);

        Reply other = client().delete("auth/users/" + victimId, "Authorization", "Bearer " + bearer.access());
        assertThat(other.status()).as("another user's id: %s", other).isEqualTo(404);
        Reply noCsrf = browser.client().delete("auth/users/" + id);
        assertThat(noCsrf.status()).as("cookie transport without X-CSRF-Token: %s", noCsrf).isEqualTo(403);
        assertThat(client().get("api/me", "Authorization", "Bearer " + bearer.access()).status()).isEqualTo(200);

        Reply deleted = browser.client().delete("auth/users/" + id, "X-CSRF-Token", browser.client().cookie(CSRF_COOKIE));
        assertThat(deleted.status()).as("%s", deleted).isEqualTo(204);
        for (String cookie : List.of(ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE)) {
            assertThat(deleted.setCookie(cookie)).as(cookie).isNotNull();
            assertThat(deleted.setCookie(cookie).attribute("Max-Age")).as(cookie).hasValue("0");
        }

        // refused on every node within the revocation staleness (one node here: at once)
        Reply me = Poll.until(REVOCATION_STALENESS.plusSeconds(1), () -> client().get("api/claims",
                "Authorization", "Bearer " + bearer.access()), r -> r.status() == 401);
        assertThat(me.status()).as("%s", me).isEqualTo(401);
        assertDead(bearer);
        assertDead(new Session(cookieAccess, cookieRefresh, null));

        String again = register(email);
        assertThat(again).isNotEqualTo(id);
        Session fresh = loginBearer(email);
        Reply newMe = client().get("api/me", "Authorization", "Bearer " + fresh.access());
        assertThat(newMe.status()).as("%s", newMe).isEqualTo(200);
        assertThat(newMe.json().path("sub").asText()).isEqualTo(again);
        assertRefusedEverywhere(bearer.access());
    }

    // ---- assertions ---------------------------------------------------------------------------------

    /**
     * The token is refused in both transports on two reads and one write, with exactly the answer
     * of docs/http-api.md; a text that cannot be a bearer credential gets 400 in the header transport.
     */
    void assertRefusedEverywhere(String token) {
        Set<String> descriptions = new HashSet<>();
        for (String transport : List.of("bearer", "cookie")) {
            for (String route : List.of("GET api/me", "GET api/claims", "POST auth/logout-all")) {
                Reply r = send(route, transport, token);
                boolean malformed = transport.equals("bearer") && !Spellings.isB64Token(token);
                String what = transport + " " + route + ": " + r;
                assertThat(r.status()).as(what).isEqualTo(malformed ? 400 : 401);
                if (malformed) {
                    assertThat(r.header("WWW-Authenticate")).as(what).isEqualTo(INVALID_REQUEST);
                } else {
                    // one of the fixed descriptions of docs/http-api.md, the same on every route and
                    // transport, and the problem's detail
                    String description = r.json().path("detail").asText();
                    assertThat(description).as(what).isIn(DESCRIPTIONS);
                    assertThat(r.header("WWW-Authenticate")).as(what)
                            .isEqualTo(INVALID_TOKEN + ", error_description=\"" + description + "\"");
                    descriptions.add(description);
                    assertThat(descriptions).as(what).hasSize(1);
                }
                assertThat(r.contentType()).as(what).startsWith("application/problem+json");
                assertThat(r.json().path("status").asInt()).as(what).isEqualTo(r.status());
                assertThat(r.body()).as(what).doesNotContain("Exception", "at dev.", victimId);
            }
        }
    }

    /** Both tokens of a session, in every spelling, in both transports. */
    void assertDead(Session s) {
        assertRefusedEverywhere(s.access());
        Spellings.of(s.access()).values().forEach(this::assertRefusedEverywhere);
        assertRefreshRefused(s.refresh());
        Spellings.of(s.refresh()).values().forEach(this::assertRefreshRefused);
    }

    /** A refresh with this token, as a body and as the refresh cookie (with a matching CSRF pair), gets 401. */
    void assertRefreshRefused(String token) {
        Reply body = refreshReply(token);
        assertThat(body.status()).as("refresh by body: %s", body).isEqualTo(401);
        assertThat(body.contentType()).startsWith("application/problem+json");
        assertThat(body.body()).doesNotContain("access_token");
        String csrf = "csrf-" + UUID.randomUUID();
        WebClient jar = new WebClient(base()).withCookie(REFRESH_COOKIE, token, base().getRawPath() + "auth")
                .withCookie(CSRF_COOKIE, csrf, "/");
        Reply cookie = jar.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
        assertThat(cookie.status()).as("refresh by cookie: %s", cookie).isEqualTo(401);
        assertThat(cookie.setCookie(ACCESS_COOKIE)).as("no access cookie is set").isNull();
    }

    private Reply send(String route, String transport, String token) {
        String[] parts = route.split(" ");
        boolean write = parts[0].equals("POST");
        if (transport.equals("bearer")) {
            WebClient c = client();
            return write ? c.post(parts[1], null, null, "Authorization", "Bearer " + token)
                    : c.get(parts[1], "Authorization", "Bearer " + token);
        }
        WebClient c = cookieClient(token);
        // a write by cookie carries a matching CSRF pair, so only the token can be the reason for a refusal
        return write ? c.post(parts[1], null, null, "X-CSRF-Token", c.cookie(CSRF_COOKIE)) : c.get(parts[1]);
    }

    private WebClient cookieClient(String token) {
        return new WebClient(base()).withCookie(ACCESS_COOKIE, token, "/").withCookie(CSRF_COOKIE, "csrf-" + UUID.randomUUID(), "/");
    }

    // ---- accounts and sessions ------------------------------------------------------------------------

    WebClient client() {
        return new WebClient(base());
    }

    private String victimEmail;

    private String victimEmail() {
        return victimEmail;
    }

    private static String uniqueEmail(String who) {
        return who + "-" + UUID.randomUUID() + "@attack.test";
    }

    private String register(String email) {
        Reply r = client().postJson("auth/register", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json().path("id").asText();
    }

    private Session loginBearer(String email) {
        Reply r = client().postJson("auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}",
                "Auth-Transport", "bearer");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return new Session(r.json().path("access_token").asText(), r.json().path("refresh_token").asText(), null);
    }

    private Session loginCookie(String email) {
        WebClient browser = client();
        Reply r = browser.postJson("auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}",
                "Auth-Transport", "cookie");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return new Session(browser.cookie(ACCESS_COOKIE), browser.cookie(REFRESH_COOKIE), browser);
    }

    private Reply refreshReply(String refreshToken) {
        return client().postJson("auth/refresh", "{\"refresh_token\":\"" + refreshToken + "\"}", "Auth-Transport", "bearer");
    }

    /** A refresh by the refresh cookie alone (a fresh jar holding it, with a matching CSRF pair). */
    private Reply refreshByCookie(String refreshToken) {
        String csrf = "csrf-" + UUID.randomUUID();
        WebClient jar = new WebClient(base()).withCookie(REFRESH_COOKIE, refreshToken, base().getRawPath() + "auth")
                .withCookie(CSRF_COOKIE, csrf, "/");
        return jar.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
    }

    private Session refreshBearer(String refreshToken) {
        Reply r = refreshReply(refreshToken);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return new Session(r.json().path("access_token").asText(), r.json().path("refresh_token").asText(), null);
    }

    // ---- forging ----------------------------------------------------------------------------------------

    /** The victim's genuine header and claims, ready to be changed and signed by someone else. */
    private TokenForge victimForge() {
        TokenForge f = TokenForge.empty().header("alg", "RS256").header("typ", "at+jwt").header("kid", KEYS.rsaKid);
        victimClaims.forEach(f::claim);
        return f;
    }

    /** Fresh, correct claims for the victim (a new jti), for signing with the server's own keys. */
    private TokenForge realClaims(long now) {
        return TokenForge.accessToken("RS256", KEYS.rsaKid, issuer(), AUDIENCE, victimId, now, now + 300)
                .claim("jti", UUID.randomUUID().toString());
    }

    private String realPayloadJson(long now) {
        return new String(Base64.getUrlDecoder().decode(realClaims(now).signingInput().split("\\.")[1]), StandardCharsets.UTF_8);
    }

    private String prettyPayload() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(victimClaims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TokenForge set(TokenForge forge, String claim, Object value) {
        return value == null ? forge.claimNull(claim) : forge.claim(claim, value);
    }

    static JsonNode header(String token) {
        return decode(token.split("\\.")[0]);
    }

    static JsonNode payload(String token) {
        return decode(token.split("\\.")[1]);
    }

    private static JsonNode decode(String segment) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(segment));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PublicKey publicKey(JsonNode jwk) {
        try {
            if (jwk.path("kty").asText().equals("RSA")) {
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                        new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("n").asText())),
                        new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("e").asText()))));
            }
            ECPoint w = new ECPoint(new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("x").asText())),
                    new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path("y").asText())));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ((ECPublicKey) ATTACKER_EC.getPublic()).getParams()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    private static byte[] point(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 0x04;
        System.arraycopy(fixed(key.getW().getAffineX(), 32), 0, out, 1, 32);
        System.arraycopy(fixed(key.getW().getAffineY(), 32), 0, out, 33, 32);
        return out;
    }

    private static byte[] fixed(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
        return out;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
