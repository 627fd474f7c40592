package dev.gatehouse.core.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the {@link SecurityEvent}s of an {@link AuthService}, for audit logs, metrics or alerts.
 * Called on the thread that did the work; must be quick and must not throw (an exception is
 * logged and otherwise ignored: auditing never breaks a login).
 */
@FunctionalInterface
public interface SecurityEventListener {
    void onEvent(SecurityEvent event);

    /**
     * The default: SLF4J under {@value AuthService#AUDIT_LOGGER}; reuse detection at WARN,
     * failures and throttling at INFO, routine refreshes at DEBUG, the rest at INFO.
     */
    static SecurityEventListener slf4j() {
        Logger log = LoggerFactory.getLogger(AuthService.AUDIT_LOGGER);
        return event -> {
            switch (event.type()) {
                case REFRESH_REUSE_DETECTED:
                    log.warn("{}", event);
                    break;
                case REFRESHED:
                    log.debug("{}", event);
                    break;
                default:
                    log.info("{}", event);
            }
        };
    }
}
