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
import dev.gatehouse.testing.JulCapture;
import dev.gatehouse.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.gatehouse.testing.Fixtures.AUDIENCE;
import static dev.gatehouse.testing.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A token of another issuer or audience (the newcomer's {@code localhost} against
 * {@code 127.0.0.1}) is refused naming the claim, and logged at WARNING with the expected and the
 * received value: sanitised, never the token, at most once a minute per claim.
 */
class IssuerAudienceWarningTest {
    private static final String LOGGER = AccessTokenVerifier.class.getName();

    private final MutableClock clock = new MutableClock(Fixtures.NOW);
    private final AccessTokenVerifier verifier = new AccessTokenVerifier(
            TokenSettings.builder(ISSUER, AUDIENCE).clock(clock).build(), Fixtures.keys());

    private static String signed(String claim, Object value) {
        return Fixtures.rs256().claim(claim, value).signRs256(Fixtures.RSA.getPrivate());
    }

    @Test
    void aWrongIssuerIsRefusedNamingIssAndLoggedWithBothValues() {
        String token = signed("iss", "http://localhost:8080");
        try (JulCapture log = JulCapture.of(LOGGER)) {
            assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.WRONG_CLAIM);
                assertThat(e.claim()).isEqualTo("iss");
            });

            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARNING Access token refused: its iss (issuer) is \"http://localhost:8080\", expected \""
                            + ISSUER + "\"")
                    .doesNotContain(token));
        }
    }

    @Test
    void aWrongAudienceIsRefusedNamingAudAndLoggedWithBothValues() {
        String token = signed("aud", List.of("other-api", "third"));
        try (JulCapture log = JulCapture.of(LOGGER)) {
            assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(InvalidTokenException.class,
                    e -> assertThat(e.claim()).isEqualTo("aud"));

            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARNING Access token refused: its aud (audience) is \"[\\\"other-api\\\",\\\"third\\\"]\", expected \""
                            + AUDIENCE + "\"")
                    .doesNotContain(token));
        }
    }

    @Test
    void theReceivedValueIsCappedAndItsControlCharactersEscaped() {
        String hostile = "http://evil.example\r\nINFO forged log line " + "x".repeat(300);
        try (JulCapture log = JulCapture.of(LOGGER)) {
            assertThatThrownBy(() -> verifier.verify(signed("iss", hostile))).isInstanceOf(InvalidTokenException.class);

            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .contains("\"http://evil.example\\u000d\\u000aINFO forged log line x")
                    .contains("... (" + hostile.length() + " characters)")
                    .doesNotContain("\n", "\r", "x".repeat(101)));
        }
    }

    @Test
    void atMostOneLinePerClaimPerMinuteWithTheCountHeldBack() {
        try (JulCapture log = JulCapture.of(LOGGER)) {
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(() -> verifier.verify(signed("iss", "http://127.0.0.1:8080"))).isInstanceOf(InvalidTokenException.class);
            }
            assertThatThrownBy(() -> verifier.verify(signed("aud", "other-api"))).isInstanceOf(InvalidTokenException.class);
            clock.advance(Duration.ofMinutes(1));
            // still valid: the fixture's tokens live five minutes
            assertThatThrownBy(() -> verifier.verify(signed("iss", "http://127.0.0.1:8080"))).isInstanceOf(InvalidTokenException.class);

            assertThat(log.lines()).hasSize(3);
            assertThat(log.lines().get(0)).contains("its iss (issuer)");
            assertThat(log.lines().get(1)).contains("its aud (audience)");
            assertThat(log.lines().get(2)).contains("its iss (issuer)")
                    .endsWith("(3 more like this since the last such line were not logged)");
        }
    }

    @Test
    void otherRefusalsAreNotLoggedAtWarning() {
        try (JulCapture log = JulCapture.of(LOGGER)) {
            assertThatThrownBy(() -> verifier.verify(Fixtures.rs256().signRs256(Fixtures.RSA_ATTACKER.getPrivate())))
                    .isInstanceOf(InvalidTokenException.class);
            assertThatThrownBy(() -> verifier.verify("not-a-token")).isInstanceOf(InvalidTokenException.class);

            assertThat(log.lines()).isEmpty();
        }
    }
}
