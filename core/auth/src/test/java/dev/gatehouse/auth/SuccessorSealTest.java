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

package dev.gatehouse.auth;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** A successor sealed under its spent parent: only that parent opens it, and nothing else does. */
class SuccessorSealTest {
    private static final String PARENT = "pQ3x-Vb7tU9nR2mK8aZ1cD4eF6gH0jL5oP7sW9yX2qA";
    private static final String PARENT_HASH = AuthService.sha256Hex(PARENT);
    private static final String SUCCESSOR = "Zk2mN8pQ4rS6tU0vW1xY3zA5bC7dE9fG1hJ3kL5mN7o";

    @Test
    void theSpentTokenOpensTheSealOfItsSuccessor() {
        String seal = SuccessorSeal.seal(PARENT, PARENT_HASH, SUCCESSOR);

        assertThat(seal).hasSize(95).matches("[A-Za-z0-9_-]+").doesNotContain(SUCCESSOR);
        assertThat(SuccessorSeal.open(PARENT, PARENT_HASH, seal)).contains(SUCCESSOR);
        assertThat(SuccessorSeal.seal(PARENT, PARENT_HASH, SUCCESSOR)).as("a fresh IV each time").isNotEqualTo(seal);
    }

    @Test
    void anotherTokenTheStoredHashOrAnotherRowCannotOpenIt() {
        String seal = SuccessorSeal.seal(PARENT, PARENT_HASH, SUCCESSOR);
        String other = "A" + PARENT.substring(1);

        assertThat(SuccessorSeal.open(other, PARENT_HASH, seal)).as("another token").isEmpty();
        assertThat(SuccessorSeal.open(PARENT_HASH, PARENT_HASH, seal)).as("the hash the database holds").isEmpty();
        assertThat(SuccessorSeal.open(PARENT, AuthService.sha256Hex(other), seal)).as("copied onto another row").isEmpty();
    }

    @Test
    void aDamagedSealOpensToNothing() {
        String seal = SuccessorSeal.seal(PARENT, PARENT_HASH, SUCCESSOR);
        byte[] bytes = Base64.getUrlDecoder().decode(seal);
        bytes[bytes.length / 2] ^= 1;
        String flipped = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

        assertThat(SuccessorSeal.open(PARENT, PARENT_HASH, flipped)).isEmpty();
        assertThat(SuccessorSeal.open(PARENT, PARENT_HASH, seal.substring(0, 20))).isEmpty();
        assertThat(SuccessorSeal.open(PARENT, PARENT_HASH, "not base64 at all!")).isEmpty();
        assertThat(SuccessorSeal.open(PARENT, PARENT_HASH, "")).isEmpty();
    }
}
