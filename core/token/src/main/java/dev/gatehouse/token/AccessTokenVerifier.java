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

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.internal.RateLimitedLog;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies access tokens. Thread-safe; build one and share it.
 *
 * <p>A token is accepted only if all of these hold, checked in this order (cheapest first):
 * <ol>
 *   <li>at most {@link TokenSettings#maxTokenSize()} characters, three non-empty segments of
 *       canonical base64url (RFC 7515 §7.1: no padding, no spare bits), header and payload JSON;</li>
 *   <li>header {@code typ} is one of {@link TokenSettings#acceptedTokenTypes()} ({@code at+jwt}
 *       by default, RFC 9068 §2.1), no {@code crit} header, and a
 *       {@code kid} naming a key of the {@link KeySource};</li>
 *   <li>header {@code alg} equals that key's algorithm and is accepted by the settings: the
 *       algorithm is pinned to the key, never taken from the token;</li>
 *   <li>the signature verifies with that key;</li>
 *   <li>{@code iss} and {@code aud} match the settings; {@code sub}, {@code jti}, {@code iat},
 *       {@code exp} and {@code roles} are present and of the right type; {@code exp} is not past
 *       and {@code iat}/{@code nbf} not in the future, each beyond the leeway;</li>
 *   <li>the {@link RevocationCheck} does not revoke it.</li>
 * </ol>
 * The headers {@code jku}, {@code x5u}, {@code x5c} and {@code jwk} are never read: a token cannot
 * choose the key it is verified with.
 *
 * <p>Every failure, whatever its cause, is an {@link InvalidTokenException}; nothing else escapes
 * {@link #verify(String)}.
 *
 * <p><b>Verified-token cache.</b> Unless {@link TokenSettings#verifiedTokenCache()} is off, a
 * token that passed every check above is remembered, keyed by its exact string, with the
 * principal it gave. The same string later costs a lookup instead of parsing and a signature
 * check, but is served from the cache only while all of these still hold, and otherwise goes
 * through the full check again:
 * <ul>
 *   <li>the clock is inside the window the full check accepted, ending one second before
 *       {@code exp} (the leeway never extends a cached entry), and the entry is at most 15
 *       minutes old;</li>
 *   <li>the {@link KeySource} still returns the same key for the token's {@code kid} (a key
 *       removed from the set or revoked refuses its cached tokens at once);</li>
 * </ul>
 * and the {@link RevocationCheck} is asked on every hit, exactly as on a full check. A token that
 * failed is never remembered, so a failure is always decided afresh. The cache is bounded by
 * {@link TokenSettings#verifiedTokenCacheSize()}.
 *
 * <p><b>Log.</b> A token refused for its {@code iss} or {@code aud} is logged at WARNING with the
 * expected and the received value (sanitised: quoted, at most 100 characters, control and
 * non-ASCII characters escaped; never the token), and a key source that is not started (or is
 * closed) at WARNING too; each at most once a minute per verifier and kind, with the number of
 * lines held back. Every other refusal is logged by the caller, at DEBUG.
 */
public final class AccessTokenVerifier {
    private static final Logger LOG = System.getLogger(AccessTokenVerifier.class.getName());
    /** The longest received {@code iss} or {@code aud} a log line shows. */
    private static final int MAX_LOGGED_CLAIM = 100;
    private static final int MAX_KID_LENGTH = 128;
    private static final int MAX_CLAIM_LENGTH = 256;
    private static final int MAX_ROLES = 64;
    /** Bounds the per-key signature-check cache when a rotating or remote key source brings new keys. */
    private static final int MAX_CACHED_SIGNATURE_CHECKS = 64;

    private final TokenSettings settings;
    /** The accepted {@code typ}s, the issued one first (an array: no iterator on the hot path). */
    private final AccessTokenType[] acceptedTypes;
    private final KeySource keys;
    private final RevocationCheck revocation;
    private final Map<SigningKey, SignatureCheck> signatureChecks = new ConcurrentHashMap<>();
    /** {@code null} when the settings turn the cache off. */
    private final VerifiedTokenCache cache;
    private final RateLimitedLog warnings;

    public AccessTokenVerifier(TokenSettings settings, KeySource keys) {
        this(settings, keys, RevocationCheck.NONE);
    }

    /**
     * A verifier of these settings with these keys and this revocation check.
     *
     * @throws ConfigurationException naming {@code issuer} when the keys are bound to another issuer
     *                                ({@link KeySource#issuer()}) than the settings expect
     */
    public AccessTokenVerifier(TokenSettings settings, KeySource keys, RevocationCheck revocation) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.revocation = Objects.requireNonNull(revocation, "revocation");
        String keysIssuer = keys.issuer().orElse(null);
        if (keysIssuer != null && !keysIssuer.equals(settings.issuer())) {
            // A mix-up: another issuer's keys would verify tokens this service expects from its issuer.
            throw new ConfigurationException("issuer", "is '" + settings.issuer() + "', but the keys are those of the issuer '"
                    + keysIssuer + "'; they must be the same");
        }
        List<AccessTokenType> types = new ArrayList<>(settings.acceptedTokenTypes());
        types.remove(settings.tokenType());
        types.add(0, settings.tokenType());
        this.acceptedTypes = types.toArray(new AccessTokenType[0]);
        this.cache = settings.verifiedTokenCache()
                ? new VerifiedTokenCache(settings.verifiedTokenCacheSize())
                : null;
        this.warnings = new RateLimitedLog(LOG, RateLimitedLog.DEFAULT_INTERVAL, settings.clock());
    }

    public TokenSettings settings() {
        return settings;
    }

    /** The same verifier with another revocation check (neither the key cache nor the verified-token cache is shared). */
    public AccessTokenVerifier withRevocation(RevocationCheck check) {
        return new AccessTokenVerifier(settings, keys, check);
    }

    /**
     * Verifies a compact JWS access token.
     *
     * @return the principal the token speaks for
     * @throws InvalidTokenException for every kind of failure, with a {@link Reason}
     */
    public AccessTokenPrincipal verify(String token) {
        try {
            return doVerify(token);
        } catch (InvalidTokenException e) {
            throw e;
        } catch (RuntimeException e) {
            // Fail closed: whatever went wrong, the token is not accepted.
            throw new InvalidTokenException(Reason.MALFORMED, "The token could not be processed");
        }
    }

    /**
     * The principal of a token this verifier has accepted before, if its cache may serve it now:
     * the cache look-up of {@link #verify(String)} alone, for callers that want to know whether a
     * token would be answered from memory ({@link #verify(String)} itself looks there first). {@code null} means only that the full
     * check must decide (a miss, the cache off, a changed key); call {@link #verify(String)} then.
     *
     * @throws InvalidTokenException when the cached token has been revoked or its key withdrawn
     */
    public AccessTokenPrincipal cachedPrincipal(String token) {
        if (cache == null || token == null || token.isEmpty() || token.length() > settings.maxTokenSize()) {
            return null;
        }
        try {
            return fromCache(new VerifiedTokenCache.Key(token));
        } catch (InvalidTokenException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidTokenException(Reason.MALFORMED, "The token could not be processed");
        }
    }

    private AccessTokenPrincipal doVerify(String token) {
        if (token == null || token.isEmpty()) {
            throw new InvalidTokenException(Reason.MALFORMED, "No token");
        }
        if (token.length() > settings.maxTokenSize()) {
            throw new InvalidTokenException(Reason.OVERSIZED, "The token is longer than " + settings.maxTokenSize() + " characters");
        }
        if (cache == null) {
            return verifyFully(token, null);
        }
        VerifiedTokenCache.Key cacheKey = new VerifiedTokenCache.Key(token);
        AccessTokenPrincipal cached = fromCache(cacheKey);
        return cached != null ? cached : verifyFully(token, cacheKey);
    }

    /** The cached principal for this key if it may be served now, else {@code null} (the full check decides). */
    private AccessTokenPrincipal fromCache(VerifiedTokenCache.Key cacheKey) {
        VerifiedTokenCache.Entry hit = cache.find(cacheKey, settings.clock().millis());
        return hit == null ? null : serveCached(cacheKey, hit);
    }

    /**
     * Every check, from the token's text up (kept apart from the cache look-up so that the hit
     * path stays small enough for the JIT to inline whole).
     *
     * @param cacheKey where to remember the token once it passed, or {@code null} with the cache off
     */
    private AccessTokenPrincipal verifyFully(String token, VerifiedTokenCache.Key cacheKey) {
        // In steps of their own, small enough for the JIT to compile and inline each well.
        DecodedJWT jwt = decode(token);
        SigningKey key = keyOf(jwt);
        checkSignatureAndTimes(key, token, jwt);
        AccessTokenPrincipal principal = principalOf(jwt, key.kid());
        if (revocation.isRevoked(principal)) {
            throw new InvalidTokenException(Reason.REVOKED, "The token was revoked");
        }
        if (cacheKey != null) {
            // Every check passed: only now may the token be remembered.
            long notBefore = principal.issuedAt().toEpochMilli();
            Claim nbf = jwt.getClaim("nbf");
            if (!nbf.isMissing()) {
                notBefore = Math.max(notBefore, nbf.asInstant().toEpochMilli());
            }
            notBefore -= settings.clockLeeway().toSeconds() * 1000;
            cache.put(cacheKey, principal, key, notBefore, settings.clock().millis());
        }
        return principal;
    }

    /** Rule 1 and the JSON of header and payload. */
    private static DecodedJWT decode(String token) {
        // The two character-level checks look each character up in a 256-entry table, any
        // character from U+00FF up in its last entry (-1: not base64url), without a branch per
        // character in the first.
        checkCompactStructure(token);

        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new InvalidTokenException(Reason.MALFORMED, "The token's header or payload is not valid JSON");
        }

        int firstDot = token.indexOf('.');
        int secondDot = token.indexOf('.', firstDot + 1);
        if (!isSingleJsonObject(token, 0, firstDot) || !isSingleJsonObject(token, firstDot + 1, secondDot)) {
            // RFC 7519 §7.2 / RFC 8259: exactly one JSON object; Jackson alone would ignore "{...}{...}".
            throw new InvalidTokenException(Reason.MALFORMED, "The token's header or payload is not a single JSON object");
        }
        return jwt;
    }

    /** typ, crit, kid and the key it names, alg pinned to that key. */
    private SigningKey keyOf(DecodedJWT jwt) {
        if (!acceptedType(jwt.getType())) {
            throw new InvalidTokenException(Reason.WRONG_TYPE, "The token is not an access token (typ)");
        }
        if (!jwt.getHeaderClaim("crit").isMissing()) {
            // RFC 7515 §4.1.11: extensions we do not understand make the token invalid.
            throw new InvalidTokenException(Reason.MALFORMED, "The token has critical header extensions");
        }
        String kid = jwt.getHeaderClaim("kid").asString(); // RFC 7515 §4.1.4: a string; getKeyId() would turn 12345 into "12345"
        if (kid == null || kid.isEmpty() || kid.length() > MAX_KID_LENGTH) {
            throw new InvalidTokenException(Reason.UNKNOWN_KEY, "The token names no usable key id");
        }
        SigningKey key = keyNamed(kid)
                .orElseThrow(() -> new InvalidTokenException(Reason.UNKNOWN_KEY, "The token's key id is unknown"));
        String alg = jwt.getAlgorithm();
        if (!key.algorithm().name().equals(alg) || !settings.acceptedAlgorithms().contains(key.algorithm())) {
            throw new InvalidTokenException(Reason.ALGORITHM_MISMATCH, "The token's algorithm does not match its key");
        }

        return key;
    }

    /** Whether {@code typ} names an accepted type; the issued one is tried first, as nearly every token carries it. */
    private boolean acceptedType(String typ) {
        for (AccessTokenType type : acceptedTypes) {
            if (type.matches(typ)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The key source's key for {@code kid}. A key source used before {@code start()} (or after
     * {@code close()}) throws {@link IllegalStateException}: a mistake of the application, not of
     * the client, so it is logged at WARNING (rate-limited), and the token refused as
     * {@link Reason#KEYS_UNAVAILABLE}.
     */
    private Optional<SigningKey> keyNamed(String kid) {
        try {
            return keys.verificationKey(kid);
        } catch (IllegalStateException e) {
            warnings.log(Level.WARNING, "keys", () -> "Every token is refused: the key source is not running ("
                    + e.getMessage() + "). Call start() on " + keys.getClass().getSimpleName()
                    + " before the first request, and close() only after the last");
            throw new InvalidTokenException(Reason.KEYS_UNAVAILABLE, "The key source is not running", e);
        }
    }

    /**
     * The signature (with the key's own algorithm, the only one it is used for), then iss, aud,
     * exp, iat and nbf. The times are compared in whole seconds, as NumericDate claims are
     * written: {@code exp} refuses once the current second is past it by more than the leeway,
     * {@code iat} and {@code nbf} while they are more than the leeway ahead of it.
     */
    private void checkSignatureAndTimes(SigningKey key, String token, DecodedJWT jwt) {
        if (!signatureCheckFor(key).verify(token, jwt)) {
            throw new InvalidTokenException(Reason.BAD_SIGNATURE, "The token's signature is invalid");
        }
        // iss and aud from the parsed JSON itself: java-jwt's getters turn a number into a string
        // and an array's non-string members into strings or nulls, which must not pass.
        JsonNode issuer = rawClaim(jwt, "iss");
        if (issuer == null || !issuer.isTextual()) {
            warnWrongClaim("iss", "issuer", settings.issuer(), issuer);
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "iss", "The token's iss is missing or not a string");
        }
        if (!issuer.textValue().equals(settings.issuer())) {
            warnWrongClaim("iss", "issuer", settings.issuer(), issuer);
            throw new InvalidTokenException(Reason.WRONG_CLAIM, "iss", "The token's iss is not accepted");
        }
        JsonNode audience = rawClaim(jwt, "aud");
        if (audience == null) {
            warnWrongClaim("aud", "audience", settings.audience(), null);
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "aud", "The token lacks the claim aud");
        }
        if (!audienceContains(audience, settings.audience())) {
            warnWrongClaim("aud", "audience", settings.audience(), audience);
            throw new InvalidTokenException(Reason.WRONG_CLAIM, "aud", "The token's aud is not accepted");
        }
        long now = Math.floorDiv(settings.clock().millis(), 1000L);
        long leeway = settings.clockLeeway().toSeconds();
        Instant expires = jwt.getExpiresAtAsInstant();
        if (expires != null && now - leeway > expires.getEpochSecond()) {
            throw new InvalidTokenException(Reason.EXPIRED, "The token expired");
        }
        if (isAfter(jwt.getIssuedAtAsInstant(), now + leeway) || isAfter(jwt.getNotBeforeAsInstant(), now + leeway)) {
            throw new InvalidTokenException(Reason.NOT_YET_VALID, "The token is not valid yet");
        }
    }

    /**
     * The WARNING for a validly signed token of another issuer or audience: the newcomer's
     * {@code localhost} against {@code 127.0.0.1}. The received value comes from a signed token,
     * but is still written sanitised (see the class comment), and the token never.
     */
    private void warnWrongClaim(String claim, String what, String expected, JsonNode received) {
        warnings.log(Level.WARNING, claim, () -> "Access token refused: its " + claim + " (" + what + ") is "
                + (received == null ? "(none)" : RateLimitedLog.sanitize(received.isTextual() ? received.textValue()
                        : received.toString(), MAX_LOGGED_CLAIM))
                + ", expected " + RateLimitedLog.sanitize(expected, MAX_LOGGED_CLAIM)
                + ". Issuer and audience compare as exact strings (http://localhost:8080 is not http://127.0.0.1:8080)");
    }

    /** The claim's JSON value, or {@code null} when it is missing or JSON null. */
    private static JsonNode rawClaim(DecodedJWT jwt, String name) {
        Claim claim = jwt.getClaim(name);
        return claim.isMissing() || claim.isNull() ? null : claim.as(JsonNode.class);
    }

    /**
     * RFC 7519 §4.1.3: {@code aud} is one string, or an array of strings one of which is ours.
     * Anything else (a number, an object, an array with a non-string member) does not name us.
     */
    private static boolean audienceContains(JsonNode aud, String audience) {
        if (aud.isTextual()) {
            return aud.textValue().equals(audience);
        }
        if (!aud.isArray()) {
            return false;
        }
        boolean found = false;
        for (JsonNode member : aud) {
            if (!member.isTextual()) {
                return false;
            }
            found |= member.textValue().equals(audience);
        }
        return found;
    }

    private static boolean isAfter(Instant claim, long second) {
        return claim != null && claim.getEpochSecond() > second;
    }

    /** The claims every principal needs, each of its type. */
    private static AccessTokenPrincipal principalOf(DecodedJWT jwt, String kid) {
        AccessTokenPrincipal principal = new AccessTokenPrincipal(
                requireString(jwt, "sub"),
                requireRoles(jwt),
                requireInstant(jwt, "iat"),
                requireInstant(jwt, "exp"),
                requireString(jwt, "jti"),
                kid,
                authenticationOf(jwt));
        Claim nbf = jwt.getClaim("nbf");
        if (!nbf.isMissing() && nbf.asInstant() == null) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's nbf is not a number");
        }
        // iss needs nothing more: checkSignatureAndTimes required it to equal the configured issuer.
        return principal;
    }

    /**
     * The principal of a cached token if its key still verifies and it is not revoked;
     * {@code null} when the key changed (the full check then decides).
     */
    private AccessTokenPrincipal serveCached(VerifiedTokenCache.Key cacheKey, VerifiedTokenCache.Entry hit) {
        AccessTokenPrincipal principal = hit.principal;
        SigningKey current;
        try {
            current = keys.verificationKey(principal.keyId()).orElse(null);
        } catch (InvalidTokenException e) {
            cache.remove(cacheKey);
            throw e;
        }
        if (!hit.key.equals(current)) {
            cache.remove(cacheKey);
            return null;
        }
        if (revocation.isRevoked(principal)) {
            cache.remove(cacheKey);
            throw new InvalidTokenException(Reason.REVOKED, "The token was revoked");
        }
        return principal;
    }

    /** Entries in the verified-token cache (0 when it is off). For tests. */
    long cachedTokens() {
        return cache == null ? 0 : cache.size();
    }

    private SignatureCheck signatureCheckFor(SigningKey key) {
        SignatureCheck check = signatureChecks.get(key);
        if (check == null) {
            if (signatureChecks.size() >= MAX_CACHED_SIGNATURE_CHECKS) {
                signatureChecks.clear();
            }
            check = signatureChecks.computeIfAbsent(key, SignatureCheck::of);
        }
        return check;
    }

    /**
     * Three non-empty segments of canonical base64url. Refusing padding and non-zero spare bits
     * means one signed token has exactly one spelling, so nothing keyed on the string can be
     * bypassed by re-spelling it.
     */
    private static void checkCompactStructure(String token) {
        // First every byte against the alphabet (base64url or '.'), without a branch per byte:
        // any byte outside it has a negative entry and makes the OR negative.
        byte[] values = BASE64URL_OR_DOT;
        int all = 0;
        int n = token.length();
        for (int i = 0; i < n; i++) {
            all |= values[Math.min(token.charAt(i), 255)];
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (all < 0 || second < 0 || token.indexOf('.', second + 1) >= 0
                || !canonicalSegment(token, 0, first) || !canonicalSegment(token, first + 1, second)
                || !canonicalSegment(token, second + 1, token.length())) {
            throw new InvalidTokenException(Reason.MALFORMED, "The token is not a compact JWS");
        }
    }

    /** A non-empty segment whose last character leaves no spare bits set. */
    private static boolean canonicalSegment(String token, int start, int end) {
        return end > start && canonicalTail(token, start, end);
    }

    /**
     * Whether a base64url segment decodes to one JSON object followed only by white space. A
     * single pass over the decoded bytes, aware of strings and escapes; the JSON itself has
     * already been parsed by java-jwt, so this only has to find where the first value ends.
     * Working on the UTF-8 bytes is exact: every byte of a multi-byte sequence is 0x80 or above,
     * so none can be taken for a quote, a backslash, a bracket or white space.
     */
    static boolean isSingleJsonObject(String segment) {
        return isSingleJsonObject(segment, 0, segment.length());
    }

    /** {@link #isSingleJsonObject(String)} for the segment {@code [start, end)} of the token. */
    static boolean isSingleJsonObject(String token, int start, int end) {
        byte[] values = BASE64URL;
        // base64url decoded on the fly, without a copy: the check runs on every full verification
        int bits = 0;
        int pending = 0;
        // 0: white space before the object; 1: inside it; 2: white space after it
        int phase = 0;
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = start; i < end; i++) {
            int value = values[Math.min(token.charAt(i), 255)];
            if (value < 0) {
                return false;
            }
            bits = (bits << 6) | value;
            pending += 6;
            if (pending < 8) {
                continue;
            }
            pending -= 8;
            int c = (bits >>> pending) & 0xFF;
            bits &= (1 << pending) - 1;
            if (phase == 1) {
                if (escaped) {
                    escaped = false;
                } else if (inString) {
                    if (c == '\\') {
                        escaped = true;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    phase = 2;
                }
            } else if (!isJsonSpace((char) c)) {
                if (phase == 2 || c != '{') {
                    return false;
                }
                phase = 1;
                depth = 1;
            }
        }
        return phase == 2;
    }

    private static boolean isJsonSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean canonicalTail(String token, int start, int end) {
        int length = end - start;
        int last = BASE64URL[Math.min(token.charAt(end - 1), 255)];
        return switch (length % 4) {
            case 0 -> true;
            case 2 -> (last & 0x0F) == 0;
            case 3 -> (last & 0x03) == 0;
            default -> false;
        };
    }

    /** The 6-bit value of each base64url character (RFC 4648 §5), -1 for every other byte. */
    private static final byte[] BASE64URL = new byte[256];

    /** {@link #BASE64URL} with the segment separator {@code '.'} allowed too (value 64). */
    private static final byte[] BASE64URL_OR_DOT = new byte[256];

    static {
        java.util.Arrays.fill(BASE64URL, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            BASE64URL[alphabet.charAt(i)] = (byte) i;
        }
        System.arraycopy(BASE64URL, 0, BASE64URL_OR_DOT, 0, BASE64URL.length);
        BASE64URL_OR_DOT['.'] = 64;
    }

    private static String requireString(DecodedJWT jwt, String name) {
        String value = jwt.getClaim(name).asString();
        if (value == null || value.isBlank() || value.length() > MAX_CLAIM_LENGTH) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's " + name + " is missing or not a string");
        }
        return value;
    }

    private static Instant requireInstant(DecodedJWT jwt, String name) {
        Claim claim = jwt.getClaim(name);
        Instant value = claim.isMissing() || claim.isNull() ? null : claim.asInstant();
        if (value == null) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's " + name + " is missing or not a number");
        }
        return value;
    }

    /**
     * The token's {@code amr} and {@code auth_time}: both or neither (a token with one of them is
     * refused), {@code amr} an array of 1 to {@link UserAuthentication#MAX_METHODS} method names,
     * {@code auth_time} a number not after {@code iat}.
     */
    private static UserAuthentication authenticationOf(DecodedJWT jwt) {
        Claim amrClaim = jwt.getClaim(AccessTokenIssuer.AMR_CLAIM);
        Claim timeClaim = jwt.getClaim(AccessTokenIssuer.AUTH_TIME_CLAIM);
        boolean hasAmr = !amrClaim.isMissing() && !amrClaim.isNull();
        boolean hasTime = !timeClaim.isMissing() && !timeClaim.isNull();
        if (!hasAmr && !hasTime) {
            return null;
        }
        JsonNode amr = hasAmr ? amrClaim.as(JsonNode.class) : null;
        JsonNode time = hasTime ? timeClaim.as(JsonNode.class) : null;
        if (amr == null || !amr.isArray() || amr.isEmpty() || amr.size() > UserAuthentication.MAX_METHODS
                || time == null || !time.isIntegralNumber() || !time.canConvertToLong()) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's amr and auth_time are malformed");
        }
        List<String> methods = new ArrayList<>(amr.size());
        for (JsonNode method : amr) {
            String value = method.isTextual() ? method.textValue() : null;
            if (!UserAuthentication.isMethod(value) || methods.contains(value)) {
                throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's amr must hold distinct method names");
            }
            methods.add(value);
        }
        long seconds = time.longValue();
        Instant issuedAt = requireInstant(jwt, "iat");
        if (seconds < 0 || seconds > issuedAt.getEpochSecond()) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's auth_time is after its iat");
        }
        return new UserAuthentication(methods, Instant.ofEpochSecond(seconds));
    }

    private static List<String> requireRoles(DecodedJWT jwt) {
        Claim claim = jwt.getClaim(AccessTokenIssuer.ROLES_CLAIM);
        // The parsed JSON itself (java-jwt hands the node over as is): a JSON string is a role,
        // anything else (a number, a boolean, an object, null) refuses the token; nothing is coerced.
        JsonNode raw = claim.isMissing() || claim.isNull() ? null : claim.as(JsonNode.class);
        if (raw == null || !raw.isArray() || raw.size() > MAX_ROLES) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's roles are missing or not an array");
        }
        List<String> roles = new ArrayList<>(raw.size());
        for (JsonNode role : raw) {
            String value = role.isTextual() ? role.textValue() : null;
            if (value == null || value.isBlank() || value.length() > MAX_CLAIM_LENGTH) {
                throw new InvalidTokenException(Reason.MISSING_CLAIM, "The token's roles must be strings");
            }
            roles.add(value);
        }
        return roles;
    }

    @Override
    public String toString() {
        return "AccessTokenVerifier{issuer=" + settings.issuer() + ", audience=" + settings.audience()
                + ", algorithms=" + settings.acceptedAlgorithms() + "}";
    }
}
