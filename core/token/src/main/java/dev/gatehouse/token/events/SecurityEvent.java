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


import java.time.Instant;
import java.util.Objects;

/**
 * Something security-relevant that happened: in the onboarding flow ({@code AuthService}) or to the
 * signing keys ({@code ManagedKeySource},
 * {@link dev.gatehouse.token.keys.FileKeySource}). Immutable. It never holds a password, a token, a
 * refresh token or key material — only ids, key ids and fixed reason words — so every part of it is
 * safe to log.
 */
public final class SecurityEvent {
    /** What happened. */
    public enum Type {
        REGISTERED,
        LOGIN_SUCCEEDED,
        /** Unknown email or wrong password; {@link #reason()} says which (kept server-side, never sent). */
        LOGIN_FAILED,
        /**
         * A login refused, before its password was checked, because the account has had too many
         * failed logins: from this client network ({@link #reason()} {@code this-client}) or from
         * all clients together ({@code all-clients}). Temporary: the limits refill with time (see
         * {@code AuthSettings}'s throttle settings). There is no other lockout.
         */
        ACCOUNT_THROTTLED,
        /** An attempt from a client address over its limit. */
        CLIENT_THROTTLED,
        REFRESHED,
        /** A spent refresh token came back after the grace period: the whole family was revoked. */
        REFRESH_REUSE_DETECTED,
        LOGGED_OUT,
        LOGGED_OUT_EVERYWHERE,
        /**
         * A new signing key {@link #kid()} was created, or brought forward, to sign next (or now);
         * {@link #reason()} says why (scheduled, requested, forced, replacing a revoked key) and
         * from when it signs.
         */
        KEY_ROTATED,
        /** The signing key {@link #kid()} stopped signing because another key took over, or left the key file. */
        KEY_RETIRED,
        /** The signing key {@link #kid()} was revoked: it neither signs nor verifies any more. */
        KEY_REVOKED,
        /**
         * A stored signing key {@link #kid()} is refused: it is not authenticated under the
         * key-encryption key, or cannot be read; it neither signs, nor verifies, nor is published.
         * {@link #reason()} says what is wrong. Someone may have written to the key table.
         */
        KEY_REFUSED,
        /** The account was deleted: its refresh tokens are gone and its access tokens refused. */
        USER_DELETED,
        /** A verification link was queued for the user's address ({@link #reason()}: {@code registration} or {@code resend}). */
        EMAIL_VERIFICATION_SENT,
        /** The user proved their address with a verification link. */
        EMAIL_VERIFIED,
        /** Someone registered with an address that has an account; its owner is told by mail. */
        REGISTRATION_OF_TAKEN_EMAIL,
        /** A password-reset link was queued for the user. */
        PASSWORD_RESET_REQUESTED,
        /** The user set a new password with a reset link; every session of theirs was ended. */
        PASSWORD_RESET,
        /** The user changed their password; every other session of theirs was ended. */
        PASSWORD_CHANGED,
        /** A password change was refused: the current password given was wrong. */
        PASSWORD_CHANGE_FAILED,
        /**
         * A verification or reset token was refused (unknown, used or expired: the three are not told
         * apart); {@link #reason()} names the purpose.
         */
        ACCOUNT_TOKEN_REFUSED,
        /** A mail was not queued because the account asked for too many ({@link #reason()} names the mail). */
        MAIL_THROTTLED,
        /** The mail server accepted a mail ({@link #reason()}: the mail's kind and message id). */
        MAIL_SENT,
        /** A delivery failed and will be retried ({@link #reason()}: the message id and the failure). */
        MAIL_DELIVERY_FAILED,
        /** A mail was given up after retrying for the configured time ({@link #reason()}: the message id). */
        MAIL_GIVEN_UP,
        /** The role {@link #reason()} was granted to the user; the user's earlier access tokens are refused. */
        ROLE_GRANTED,
        /** The role {@link #reason()} was taken from the user; the user's earlier access tokens are refused. */
        ROLE_REVOKED,
        /** The user ended sessions from the list of their sessions ({@link #reason()}: one, or how many others). */
        SESSIONS_ENDED,
        /** A password was right and the login waits for the second factor. */
        SECOND_FACTOR_REQUIRED,
        /** A second-factor code was refused ({@link #reason()}: wrong, replayed, or the challenge was unusable). */
        SECOND_FACTOR_FAILED,
        /** The user enrolled a TOTP authenticator (its first code confirmed it). */
        SECOND_FACTOR_ENABLED,
        /** The user removed their TOTP authenticator and recovery codes. */
        SECOND_FACTOR_DISABLED,
        /** A recovery code completed a login ({@link #reason()}: how many are left). */
        RECOVERY_CODE_USED,
        /** The user replaced their recovery codes; the old ones are refused. */
        RECOVERY_CODES_REGENERATED
    }

    private final Type type;
    private final Instant at;
    private final String userId;
    private final String account;
    private final String reason;
    private final String kid;

    private SecurityEvent(Type type, Instant at, String userId, String account, String reason) {
        this(type, at, userId, account, reason, null);
    }

    /**
     * An event about an account, for the onboarding flow: the user's id when known, the account's
     * pseudonym where the user may not exist, and a fixed reason word or phrase.
     *
     * @throws IllegalArgumentException for a type that is about a key
     */
    public static SecurityEvent ofAccount(Type type, Instant at, String userId, String account, String reason) {
        if (type == Type.KEY_ROTATED || type == Type.KEY_RETIRED || type == Type.KEY_REVOKED || type == Type.KEY_REFUSED) {
            throw new IllegalArgumentException(type + " is an event about a key");
        }
        return new SecurityEvent(type, at, userId, account, reason);
    }

    private SecurityEvent(Type type, Instant at, String userId, String account, String reason, String kid) {
        this.type = Objects.requireNonNull(type, "type");
        this.at = Objects.requireNonNull(at, "at");
        this.userId = userId;
        this.account = account;
        this.reason = reason;
        this.kid = kid;
    }

    /**
     * An event about the signing key {@code kid} (its id, never the key), for the key sources.
     *
     * @throws IllegalArgumentException for a type that is not about a key
     */
    public static SecurityEvent ofKey(Type type, Instant at, String kid, String reason) {
        if (type != Type.KEY_ROTATED && type != Type.KEY_RETIRED && type != Type.KEY_REVOKED && type != Type.KEY_REFUSED) {
            throw new IllegalArgumentException(type + " is not an event about a key");
        }
        return new SecurityEvent(type, at, null, null, reason, Objects.requireNonNull(kid, "kid"));
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
     * A short pseudonym of the account attempted (12 hex characters of an HMAC-SHA256 of the
     * normalised email, keyed from the pepper, so that it cannot be reversed from a list of
     * emails) for events where the user may not exist; {@code null} otherwise. Stable across
     * nodes and restarts when a pepper is set; without one, only within one process.
     */
    public String account() {
        return account;
    }

    /** A fixed word or phrase qualifying the event, or {@code null}. */
    public String reason() {
        return reason;
    }

    /** The id ({@code kid}) of the signing key the event is about, or {@code null} for other events. */
    public String kid() {
        return kid;
    }

    @Override
    public String toString() {
        return type + (userId == null ? "" : " user=" + userId) + (account == null ? "" : " account=" + account)
                + (kid == null ? "" : " kid=" + kid) + (reason == null ? "" : " reason=" + reason);
    }
}
