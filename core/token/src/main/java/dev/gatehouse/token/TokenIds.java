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

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * The {@code jti} of the access tokens Gatehouse issues, and what its own revocation check reads
 * back from it.
 *
 * <p>A {@code jti} only has to be unique (RFC 7519 §4.1.7); its content is the issuer's to choose.
 * Gatehouse puts the session (the refresh-token family of the login) and the user's token
 * generation in it, so that revoking a session or starting a new generation (logout everywhere,
 * a change of roles) refuses every access token concerned without a claim beyond the contract's
 * and without listing tokens: {@code base64url(0x01 ‖ session UUID (16 bytes) ‖ generation
 * (4 bytes, big-endian) ‖ 128 random bits)}, 50 characters. A token issued outside a session has
 * a plain {@code base64url(128 random bits)}, 22 characters.
 *
 * <p>Nothing here is trusted before the token's signature is: only the verifier's revocation
 * check reads it, after every other check passed. Any other spelling of a {@code jti} (another
 * issuer's, or one forged by a test with the server's own keys) simply has no session and
 * generation 0.
 */
public final class TokenIds {
    private static final byte VERSION = 1;
    private static final int RANDOM_BYTES = 16;
    private static final int SESSION_BYTES = 1 + 16 + 4 + RANDOM_BYTES;
    /** {@code SESSION_BYTES} in unpadded base64url. */
    private static final int SESSION_CHARS = (SESSION_BYTES * 8 + 5) / 6;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** What a {@code jti} says beyond being unique. */
    record Parts(String sessionId, int generation) {
        static final Parts NONE = new Parts(null, 0);
    }

    private TokenIds() {
    }

    /**
     * Whether {@code id} is a session id as Gatehouse makes them: a UUID in canonical lower-case
     * form. Anything else (another spelling of a UUID included) names no session.
     */
    public static boolean isSessionId(String id) {
        if (id == null || id.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** 128 random bits: unique without coordination between nodes. */
    static String random() {
        byte[] id = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(id);
        return ENCODER.encodeToString(id);
    }

    /**
     * A {@code jti} naming its session and generation.
     *
     * @param sessionId  a UUID in its canonical form (a refresh-token family id)
     * @param generation the user's token generation, not negative
     * @throws IllegalArgumentException when {@code sessionId} is not a UUID or the generation is negative
     */
    static String forSession(String sessionId, int generation) {
        UUID session = UUID.fromString(sessionId);
        if (!session.toString().equals(sessionId)) {
            throw new IllegalArgumentException("sessionId is not a UUID in canonical form");
        }
        if (generation < 0) {
            throw new IllegalArgumentException("generation must not be negative");
        }
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        ByteBuffer id = ByteBuffer.allocate(SESSION_BYTES)
                .put(VERSION)
                .putLong(session.getMostSignificantBits())
                .putLong(session.getLeastSignificantBits())
                .putInt(generation)
                .put(random);
        return ENCODER.encodeToString(id.array());
    }

    /** The session and generation a {@code jti} names; {@link Parts#NONE} for any other spelling. */
    static Parts parse(String jti) {
        if (jti == null || jti.length() != SESSION_CHARS) {
            return Parts.NONE;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(jti);
        } catch (IllegalArgumentException e) {
            return Parts.NONE;
        }
        if (bytes.length != SESSION_BYTES || bytes[0] != VERSION) {
            return Parts.NONE;
        }
        ByteBuffer id = ByteBuffer.wrap(bytes, 1, SESSION_BYTES - 1);
        UUID session = new UUID(id.getLong(), id.getLong());
        int generation = id.getInt();
        return generation < 0 ? Parts.NONE : new Parts(session.toString(), generation);
    }
}
