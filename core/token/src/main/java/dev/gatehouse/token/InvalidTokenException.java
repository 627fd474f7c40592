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

import java.util.Objects;

/**
 * An access token was refused. Every way a token can fail verification ends in this one type, so
 * that callers have exactly one thing to catch and map to {@code 401 invalid_token}
 * (RFC 6750 §3.1).
 *
 * <p>The {@link #reason()} is for logs and metrics, and coarse enough to name the failed check to
 * the client (the web layer's {@code error_description}); the {@linkplain #getMessage() message}
 * is for logs only. Neither ever contains token content.
 */
public final class InvalidTokenException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused. */
    public enum Reason {
        /** Not a compact JWS of three canonical base64url segments with JSON header and payload. */
        MALFORMED,
        /** Longer than the configured maximum; refused before any parsing. */
        OVERSIZED,
        /** The header's {@code typ} is none of {@link TokenSettings#acceptedTokenTypes()} ({@code at+jwt} by default). */
        WRONG_TYPE,
        /** No {@code kid}, or a {@code kid} that names no known key. */
        UNKNOWN_KEY,
        /** The header's {@code alg} is not the algorithm of the key its {@code kid} names, or is not accepted. */
        ALGORITHM_MISMATCH,
        /** The signature does not verify with the key. */
        BAD_SIGNATURE,
        /** A required claim is absent, null or of the wrong type. */
        MISSING_CLAIM,
        /** {@code iss} or {@code aud} has the wrong value. */
        WRONG_CLAIM,
        /** {@code exp} is in the past (beyond the leeway). */
        EXPIRED,
        /** {@code nbf} or {@code iat} is in the future (beyond the leeway). */
        NOT_YET_VALID,
        /** The token was revoked (logout, logout-all, or a revoked key). */
        REVOKED,
        /** The keys needed to verify could not be obtained (for example, a remote JWKS is down). */
        KEYS_UNAVAILABLE
    }

    private final Reason reason;
    private final String claim;

    public InvalidTokenException(Reason reason, String message) {
        this(reason, null, message);
    }

    /**
     * A refusal for one claim.
     *
     * @param claim the claim that failed ({@code iss}, {@code aud}, ...) for {@link Reason#WRONG_CLAIM}
     *              and {@link Reason#MISSING_CLAIM}, or {@code null}
     */
    public InvalidTokenException(Reason reason, String claim, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.claim = claim;
    }

    public InvalidTokenException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.claim = null;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * The registered name of the claim that failed ({@code iss}, {@code aud}, {@code sub}, ...), or
     * {@code null} when the failure is not about one claim.
     */
    public String claim() {
        return claim;
    }
}
