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

package dev.gatehouse.token.events;

import dev.gatehouse.testing.JulCapture;
import dev.gatehouse.testing.RecordingLogger;
import org.junit.jupiter.api.Test;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.gatehouse.token.events.SecurityEvent.Type.ACCOUNT_THROTTLED;
import static dev.gatehouse.token.events.SecurityEvent.Type.CLIENT_THROTTLED;
import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_REFUSED;
import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_RETIRED;
import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_REVOKED;
import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_ROTATED;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGGED_OUT;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGGED_OUT_EVERYWHERE;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGIN_FAILED;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGIN_SUCCEEDED;
import static dev.gatehouse.token.events.SecurityEvent.Type.REFRESHED;
import static dev.gatehouse.token.events.SecurityEvent.Type.REFRESH_REUSE_DETECTED;
import static dev.gatehouse.token.events.SecurityEvent.Type.REGISTERED;
import static dev.gatehouse.token.events.SecurityEvent.Type.ROLE_GRANTED;
import static dev.gatehouse.token.events.SecurityEvent.Type.ROLE_REVOKED;
import static dev.gatehouse.token.events.SecurityEvent.Type.USER_DELETED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The default listener logs each event at the level documented in docs/security.md, and only the event. */
class SecurityEventLevelsTest {
    /** The table of docs/security.md ("Audit events and secret hygiene"). */
    private static final Map<SecurityEvent.Type, Level> DOCUMENTED = new EnumMap<>(Map.ofEntries(
            Map.entry(REGISTERED, Level.INFO),
            Map.entry(LOGIN_SUCCEEDED, Level.INFO),
            Map.entry(LOGIN_FAILED, Level.WARNING),
            Map.entry(ACCOUNT_THROTTLED, Level.WARNING),
            Map.entry(CLIENT_THROTTLED, Level.WARNING),
            Map.entry(REFRESHED, Level.DEBUG),
            Map.entry(REFRESH_REUSE_DETECTED, Level.WARNING),
            Map.entry(LOGGED_OUT, Level.INFO),
            Map.entry(LOGGED_OUT_EVERYWHERE, Level.INFO),
            Map.entry(KEY_ROTATED, Level.INFO),
            Map.entry(KEY_RETIRED, Level.INFO),
            Map.entry(KEY_REVOKED, Level.WARNING),
            Map.entry(KEY_REFUSED, Level.WARNING),
            Map.entry(USER_DELETED, Level.INFO),
            Map.entry(ROLE_GRANTED, Level.INFO),
            Map.entry(ROLE_REVOKED, Level.INFO),
            Map.entry(SecurityEvent.Type.EMAIL_VERIFICATION_SENT, Level.INFO),
            Map.entry(SecurityEvent.Type.EMAIL_VERIFIED, Level.INFO),
            Map.entry(SecurityEvent.Type.REGISTRATION_OF_TAKEN_EMAIL, Level.INFO),
            Map.entry(SecurityEvent.Type.PASSWORD_RESET_REQUESTED, Level.INFO),
            Map.entry(SecurityEvent.Type.PASSWORD_RESET, Level.INFO),
            Map.entry(SecurityEvent.Type.PASSWORD_CHANGED, Level.INFO),
            Map.entry(SecurityEvent.Type.PASSWORD_CHANGE_FAILED, Level.WARNING),
            Map.entry(SecurityEvent.Type.ACCOUNT_TOKEN_REFUSED, Level.WARNING),
            Map.entry(SecurityEvent.Type.MAIL_THROTTLED, Level.WARNING),
            Map.entry(SecurityEvent.Type.MAIL_SENT, Level.DEBUG),
            Map.entry(SecurityEvent.Type.MAIL_DELIVERY_FAILED, Level.INFO),
            Map.entry(SecurityEvent.Type.MAIL_GIVEN_UP, Level.WARNING),
            Map.entry(SecurityEvent.Type.SESSIONS_ENDED, Level.INFO),
            Map.entry(SecurityEvent.Type.SECOND_FACTOR_REQUIRED, Level.INFO),
            Map.entry(SecurityEvent.Type.SECOND_FACTOR_FAILED, Level.WARNING),
            Map.entry(SecurityEvent.Type.SECOND_FACTOR_ENABLED, Level.INFO),
            Map.entry(SecurityEvent.Type.SECOND_FACTOR_DISABLED, Level.WARNING),
            Map.entry(SecurityEvent.Type.RECOVERY_CODE_USED, Level.WARNING),
            Map.entry(SecurityEvent.Type.RECOVERY_CODES_REGENERATED, Level.INFO)));

    @Test
    void everyEventIsLoggedAtItsDocumentedLevel() {
        assertThat(DOCUMENTED.keySet()).as("every event type has a documented level").containsExactlyInAnyOrder(
                SecurityEvent.Type.values());
        RecordingLogger log = new RecordingLogger();
        SecurityEventListener listener = SecurityEventListener.logging(log);
        Instant at = Instant.parse("2026-11-30T10:00:00Z");
        for (SecurityEvent.Type type : SecurityEvent.Type.values()) {
            SecurityEvent event = type.name().startsWith("KEY_")
                    ? SecurityEvent.ofKey(type, at, "kid-1", "why")
                    : SecurityEvent.ofAccount(type, at, "user-1", null, "why");
            listener.onEvent(event);
        }
        List<String> expected = new ArrayList<>();
        for (SecurityEvent.Type type : SecurityEvent.Type.values()) {
            expected.add(DOCUMENTED.get(type) + " " + type + (type.name().startsWith("KEY_") ? " kid=kid-1" : " user=user-1")
                    + " reason=why");
            assertThat(SecurityEventListener.defaultLevel(type)).as("%s", type).isEqualTo(DOCUMENTED.get(type));
        }
        assertThat(log.lines()).containsExactlyElementsOf(expected);
    }

    @Test
    void theDefaultListenerWritesToTheAuditLoggerOfTheJdkLoggingWhenNoOtherBackendIsInstalled() {
        SecurityEventListener listener = SecurityEventListener.logging();
        Instant at = Instant.parse("2026-11-30T10:00:00Z");

        try (JulCapture audit = JulCapture.of(SecurityEventListener.AUDIT_LOGGER);
             JulCapture other = JulCapture.of("dev.gatehouse.token")) {
            listener.onEvent(SecurityEvent.ofKey(KEY_REVOKED, at, "kid-1", "why"));
            listener.onEvent(SecurityEvent.ofAccount(LOGIN_SUCCEEDED, at, "user-1", null, null));
            listener.onEvent(SecurityEvent.ofAccount(REFRESHED, at, "user-1", null, null));

            // JUL's names for System.Logger's WARNING, INFO and DEBUG
            assertThat(audit.lines()).containsExactly("WARNING KEY_REVOKED kid=kid-1 reason=why",
                    "INFO LOGIN_SUCCEEDED user=user-1", "FINE REFRESHED user=user-1");
            assertThat(other.lines()).as("only the audit logger").isEmpty();
        }
    }

    @Test
    void onlyKeyEventsCarryAKid() {
        assertThatThrownBy(() -> SecurityEvent.ofKey(LOGIN_FAILED, Instant.EPOCH, "kid-1", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SecurityEvent.ofAccount(LOGGED_OUT, Instant.EPOCH, "u", null, null).kid()).isNull();
    }
}
