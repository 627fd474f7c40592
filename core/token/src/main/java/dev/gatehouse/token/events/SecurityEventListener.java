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

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * Receives {@link SecurityEvent}s — of an {@code AuthService} and of the key sources
 * ({@code ManagedKeySource}, {@link dev.gatehouse.token.keys.FileKeySource})
 * — for audit logs, metrics or alerts. Called on the thread that did the work; must be quick and
 * must not throw (an exception is logged and otherwise ignored: auditing never breaks a login or
 * a key rotation).
 */
@FunctionalInterface
public interface SecurityEventListener {
    /** The logger the default listener writes to: route it to its own file to get an audit log. */
    String AUDIT_LOGGER = "dev.gatehouse.audit";

    void onEvent(SecurityEvent event);

    /**
     * The default: logs each event, as its {@link SecurityEvent#toString() one-line form}, to the
     * JDK's {@link System.Logger} named {@value #AUDIT_LOGGER} at its
     * {@link #defaultLevel(SecurityEvent.Type) default level}. Without further set-up that is
     * {@code java.util.logging}, so the container's logging (Tomcat's JULI, for one) receives it;
     * docs/operations.md, "Logging", says how to route it to SLF4J or Log4j instead.
     */
    static SecurityEventListener logging() {
        return logging(System.getLogger(AUDIT_LOGGER));
    }

    /** Like {@link #logging()}, to another logger. */
    static SecurityEventListener logging(Logger log) {
        Objects.requireNonNull(log, "log");
        return event -> {
            Level level = defaultLevel(event.type());
            if (log.isLoggable(level)) {
                log.log(level, event.toString());
            }
        };
    }

    /**
     * The level the default listener logs an event at: {@code WARNING} for what may be an attack
     * or needs an operator's eye (failed logins and password changes, throttling and lockouts,
     * refused account tokens, refresh-token reuse, a revoked or refused key, a mail given up, a refused
     * second-factor code, a second factor removed, a recovery code used),
     * {@code DEBUG} for routine refreshes and deliveries, {@code INFO} for the rest.
     */
    static Level defaultLevel(SecurityEvent.Type type) {
        switch (Objects.requireNonNull(type, "type")) {
            case LOGIN_FAILED:
            case ACCOUNT_THROTTLED:
            case CLIENT_THROTTLED:
            case REFRESH_REUSE_DETECTED:
            case KEY_REVOKED:
            case KEY_REFUSED:
            case PASSWORD_CHANGE_FAILED:
            case ACCOUNT_TOKEN_REFUSED:
            case MAIL_THROTTLED:
            case MAIL_GIVEN_UP:
            case SECOND_FACTOR_FAILED:
            case SECOND_FACTOR_DISABLED:
            case RECOVERY_CODE_USED:
                return Level.WARNING;
            case REFRESHED:
            case MAIL_SENT:
                return Level.DEBUG;
            default:
                return Level.INFO;
        }
    }
}
