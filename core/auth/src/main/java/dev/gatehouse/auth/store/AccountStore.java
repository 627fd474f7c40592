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

package dev.gatehouse.auth.store;

import dev.gatehouse.auth.mail.MailMessage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The account lifecycle's writes, each one transaction with the mail it causes: a mail is queued
 * in the outbox ({@link OutboxStore}) by the same commit as the change, or not at all. Single-use
 * tokens (email verification, password reset) are stored as the SHA-256 of the token, never the
 * token. Every method throws {@link StoreUnavailableException} when the database fails, having
 * changed nothing.
 */
public interface AccountStore {
    /** What a single-use account token is for. */
    enum Purpose {
        VERIFY_EMAIL,
        PASSWORD_RESET
    }

    /**
     * A new user.
     *
     * @param language the language tag mails to the user are written in (from the registration's
     *                 {@code Accept-Language}), or {@code null}
     */
    record NewUser(String id, String email, String passwordHash, List<String> roles, Instant createdAt, String language) {
        public NewUser {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(email, "email");
            Objects.requireNonNull(passwordHash, "passwordHash");
            roles = List.copyOf(roles);
            Objects.requireNonNull(createdAt, "createdAt");
        }

        @Override
        public String toString() {
            return "NewUser{id=" + id + "}";
        }
    }

    /**
     * A single-use token to store.
     *
     * @param tokenHash the lower-case hex SHA-256 of the token (64 characters)
     */
    record AccountToken(String tokenHash, Purpose purpose, Instant createdAt, Instant expiresAt) {
        public AccountToken {
            Objects.requireNonNull(tokenHash, "tokenHash");
            Objects.requireNonNull(purpose, "purpose");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        @Override
        public String toString() {
            return "AccountToken{purpose=" + purpose + ", expiresAt=" + expiresAt + "}";
        }
    }

    /**
     * Stores a new user whose email is not verified, with its verification token (or none) and its
     * mail, in one transaction.
     *
     * @param verification the verification token, bound to the user and the address; or {@code null}
     * @throws DuplicateEmailException when the email exists: nothing was written
     */
    User register(NewUser user, AccountToken verification, List<MailMessage> mail);

    /**
     * Queues a mail on its own (a notice that causes no other change).
     *
     * @param dedupeKey when not {@code null}, the mail is queued only if no mail with this key was
     *                  queued before and is still kept (up to 64 characters)
     * @return whether it was queued
     */
    boolean queue(MailMessage mail, String dedupeKey, Instant at);

    /**
     * Stores a new single-use token of the user, bound to the user's current address, in place of
     * any other of the same purpose (at most one is live per account and purpose), and queues its
     * mail, in one transaction; the user's row is locked meanwhile, so concurrent requests leave
     * one token.
     *
     * @param mail rendered for the user as stored (the store gives it the user read under the lock)
     * @return the user, or empty (nothing written) when there is no such user, or {@code requireUnverified}
     *         and the user's email is verified
     */
    Optional<User> issueToken(String userId, AccountToken token, boolean requireUnverified, Function<User, MailMessage> mail);

    /**
     * Spends a live verification token: deleted, and the email it was sent to marked verified (if
     * it still is the user's email), in one transaction.
     *
     * @return the user afterwards, or empty (nothing written) for an unknown, spent or expired token
     */
    Optional<User> verifyEmail(String tokenHash, Instant at);

    /**
     * Spends a live reset token and, in the same transaction: stores the new password hash, marks
     * the email verified, starts the user's next token generation, revokes every refresh-token
     * family of the user, records the cut-off (as {@link UserRepository#revokeAllSessions}), deletes
     * the user's other single-use tokens and queues the notification.
     *
     * @return the user afterwards (of the new generation), or empty (nothing written) for an
     *         unknown, spent or expired token
     */
    Optional<User> resetPassword(String tokenHash, String newPasswordHash, Instant at, Function<User, MailMessage> notification);

    /**
     * Stores a new password hash if the stored one is still {@code expectedHash} (so that of two
     * concurrent changes one wins), revokes every refresh-token family of the user except
     * {@code keepFamilyId}, deletes the user's password-reset tokens and queues the notification,
     * in one transaction.
     *
     * @param keepFamilyId the caller's session, or {@code null} to keep none
     * @return the ids of the families revoked, or empty (nothing written) when the user is gone or
     *         the password changed meanwhile
     */
    Optional<List<String>> changePassword(String userId, String expectedHash, String newPasswordHash, String keepFamilyId,
                                          Instant at, MailMessage notification);

    /**
     * {@link UserRepository#deleteAndRevoke} with a notification queued in the same transaction.
     *
     * @param notification rendered for the user as read under the lock, before it is deleted
     * @return {@code false} (nothing written) when no such user
     */
    boolean deleteAndRevoke(String userId, Instant at, Function<User, MailMessage> notification);

    /** Deletes single-use tokens that expired before {@code before}; returns how many. */
    int purgeTokens(Instant before);
}
