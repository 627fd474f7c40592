package dev.gatehouse.token;

import java.util.Locale;

/** The JWS algorithms Gatehouse signs and verifies with (RFC 7518 §3.1). */
public enum SigningAlgorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256; keys of at least 2048 bits. The default. */
    RS256,
    /** ECDSA on P-256 with SHA-256. Smaller tokens, cheaper signing, costlier verification. */
    ES256,
    /** HMAC with SHA-256; a shared secret of at least 256 bits. For single-service setups only. */
    HS256;

    /**
     * Parses an algorithm name as written in a setting. The comparison is exact apart from case
     * (a JOSE {@code alg} header, by contrast, is compared exactly by the verifier).
     *
     * @throws ConfigurationException naming the setting {@code algorithm} when the name is not
     *                                supported ({@link ConfigurationException#forSetting} renames it)
     */
    public static SigningAlgorithm parse(String value) {
        if (value != null) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // fall through to the error naming the setting
            }
        }
        throw new ConfigurationException("algorithm", "'" + value + "' is not one of RS256, ES256, HS256");
    }

    /** Whether the algorithm uses a public/private key pair (as opposed to a shared secret). */
    public boolean isAsymmetric() {
        return this != HS256;
    }
}
