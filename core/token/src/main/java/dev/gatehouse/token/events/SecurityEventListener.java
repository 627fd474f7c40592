package dev.gatehouse.token.events;


import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

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
     * The default: SLF4J under {@value #AUDIT_LOGGER}, each event at its
     * {@link #defaultLevel(SecurityEvent.Type) default level}.
     */
    static SecurityEventListener slf4j() {
        return slf4j(LoggerFactory.getLogger(AUDIT_LOGGER));
    }

    /** Like {@link #slf4j()}, to another logger. */
    static SecurityEventListener slf4j(Logger log) {
        Objects.requireNonNull(log, "log");
        return event -> {
            switch (defaultLevel(event.type())) {
                case WARN:
                    log.warn("{}", event);
                    break;
                case DEBUG:
                    log.debug("{}", event);
                    break;
                default:
                    log.info("{}", event);
            }
        };
    }

    /**
     * The level the default listener logs an event at: {@code WARN} for what may be an attack or
     * needs an operator's eye (failed logins, throttling and lockouts, refresh-token reuse, a
     * revoked or refused key), {@code DEBUG} for routine refreshes, {@code INFO} for the rest.
     */
    static Level defaultLevel(SecurityEvent.Type type) {
        switch (Objects.requireNonNull(type, "type")) {
            case LOGIN_FAILED:
            case ACCOUNT_THROTTLED:
            case CLIENT_THROTTLED:
            case REFRESH_REUSE_DETECTED:
            case KEY_REVOKED:
            case KEY_REFUSED:
                return Level.WARN;
            case REFRESHED:
                return Level.DEBUG;
            default:
                return Level.INFO;
        }
    }
}
