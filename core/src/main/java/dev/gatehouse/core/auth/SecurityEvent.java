package dev.gatehouse.core.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * Something security-relevant that happened in the onboarding flow. Immutable. It never holds a
 * password, a token, a refresh token or key material — only ids and fixed reason words — so every
 * part of it is safe to log.
 */
public final class SecurityEvent {
    /** What happened. */
    public enum Type {
        REGISTERED,
        LOGIN_SUCCEEDED,
        /** Unknown email or wrong password; {@link #reason()} says which (kept server-side, never sent). */
        LOGIN_FAILED,
        /** An attempt on an account that is blocked after too many failures. */
        ACCOUNT_THROTTLED,
        /** An attempt from a client address over its limit. */
        CLIENT_THROTTLED,
        REFRESHED,
        /** A spent refresh token came back after the grace period: the whole family was revoked. */
        REFRESH_REUSE_DETECTED,
        LOGGED_OUT,
        LOGGED_OUT_EVERYWHERE,
        /** The account was deleted: its refresh tokens are gone and its access tokens refused. */
        USER_DELETED
    }

    private final Type type;
    private final Instant at;
    private final String userId;
    private final String account;
    private final String reason;

    SecurityEvent(Type type, Instant at, String userId, String account, String reason) {
        this.type = Objects.requireNonNull(type, "type");
        this.at = Objects.requireNonNull(at, "at");
        this.userId = userId;
        this.account = account;
        this.reason = reason;
    }

    public Type type() {
        return type;
    }

    public Instant at() {
        return at;
    }

    /** The user's id when known, else {@code null}. */
    public String userId() {
        return userId;
    }

    /**
     * A short, stable pseudonym of the account attempted (a prefix of the SHA-256 of the
     * normalised email) for events where the user may not exist; {@code null} otherwise.
     */
    public String account() {
        return account;
    }

    /** A fixed word or phrase qualifying the event, or {@code null}. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return type + (userId == null ? "" : " user=" + userId) + (account == null ? "" : " account=" + account)
                + (reason == null ? "" : " reason=" + reason);
    }
}
