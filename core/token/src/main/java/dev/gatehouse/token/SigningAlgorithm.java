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
