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

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code jti} of issued tokens: what it says of the session and generation, and what any other spelling says (nothing). */
class TokenIdsTest {
    private static final String SESSION = "3f2b8c1e-7d4a-4e5f-9a0b-1c2d3e4f5a6b";

    @Test
    void aSessionTokenIdNamesItsSessionAndGenerationAndIsUnique() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String jti = TokenIds.forSession(SESSION, 7);
            assertThat(jti).hasSize(50).matches("[A-Za-z0-9_-]+");
            assertThat(TokenIds.parse(jti)).isEqualTo(new TokenIds.Parts(SESSION, 7));
            ids.add(jti);
        }
        assertThat(ids).as("128 random bits in each").hasSize(1000);
        assertThat(TokenIds.parse(TokenIds.forSession(SESSION, 0)).generation()).isZero();
        assertThat(TokenIds.parse(TokenIds.forSession(SESSION, Integer.MAX_VALUE)).generation()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void theLayoutIsVersionSessionGenerationRandom() {
        // written down independently of TokenIds: version 1, the UUID's 16 bytes, the generation big-endian, 16 bytes
        UUID session = UUID.fromString(SESSION);
        byte[] bytes = ByteBuffer.allocate(37).put((byte) 1).putLong(session.getMostSignificantBits())
                .putLong(session.getLeastSignificantBits()).putInt(258).put(new byte[16]).array();
        String jti = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

        assertThat(TokenIds.parse(jti)).isEqualTo(new TokenIds.Parts(SESSION, 258));
        assertThat(TokenIds.parse(TokenIds.forSession(SESSION, 258)).sessionId()).isEqualTo(SESSION);
    }

    @Test
    void everyOtherSpellingNamesNoSessionAndGenerationZero() {
        UUID session = UUID.fromString(SESSION);
        byte[] otherVersion = ByteBuffer.allocate(37).put((byte) 2).putLong(session.getMostSignificantBits())
                .putLong(session.getLeastSignificantBits()).putInt(1).put(new byte[16]).array();
        byte[] negative = ByteBuffer.allocate(37).put((byte) 1).putLong(1).putLong(2).putInt(-1).put(new byte[16]).array();
        for (String jti : List.of(TokenIds.random(), "", "jti-user-1", UUID.randomUUID().toString(), "x".repeat(50),
                "!".repeat(50), Base64.getUrlEncoder().withoutPadding().encodeToString(otherVersion),
                Base64.getUrlEncoder().withoutPadding().encodeToString(negative),
                Base64.getUrlEncoder().encodeToString(new byte[37]))) {
            assertThat(TokenIds.parse(jti)).as(jti).isEqualTo(TokenIds.Parts.NONE);
        }
        assertThat(TokenIds.parse(null)).isEqualTo(TokenIds.Parts.NONE);
        assertThat(TokenIds.random()).hasSize(22);
    }

    @Test
    void aSessionMustBeACanonicalUuidAndTheGenerationNotNegative() {
        assertThatThrownBy(() -> TokenIds.forSession("not-a-uuid", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenIds.forSession(SESSION.toUpperCase(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenIds.forSession(SESSION, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thePrincipalReadsSessionAndGenerationFromItsJti() {
        AccessTokenPrincipal inSession = new AccessTokenPrincipal("u", List.of("user"), Instant.EPOCH, Instant.EPOCH.plusSeconds(60),
                TokenIds.forSession(SESSION, 3), "k");
        AccessTokenPrincipal outside = new AccessTokenPrincipal("u", List.of("user"), Instant.EPOCH, Instant.EPOCH.plusSeconds(60),
                "jti-1", "k");

        assertThat(inSession.sessionId()).isEqualTo(SESSION);
        assertThat(inSession.tokenGeneration()).isEqualTo(3);
        assertThat(outside.sessionId()).isNull();
        assertThat(outside.tokenGeneration()).isZero();
    }
}
