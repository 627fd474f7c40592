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

package dev.gatehouse.auth.mail;

/**
 * The mails Gatehouse sends. Each has its texts under its {@link #key()} in the resource bundle
 * {@value MailTemplates#BUNDLE} ({@code <key>.subject}, {@code <key>.intro}, …), and those with a
 * link carry its single-use token as the query parameter {@code token}.
 */
public enum MailKind {
    /** A link that proves the address (after registration, or on request). */
    VERIFY_EMAIL("verify-email", true),
    /** Someone tried to register with an address that has an account: no link that grants anything. */
    ALREADY_REGISTERED("already-registered", false),
    /** A link to choose a new password. */
    PASSWORD_RESET("password-reset", true),
    /** The password was changed or reset. */
    PASSWORD_CHANGED("password-changed", false),
    /** Logins to the account are being throttled after failed attempts. */
    ACCOUNT_THROTTLED("account-throttled", false),
    /** The account was deleted. */
    ACCOUNT_DELETED("account-deleted", false);

    private final String key;
    private final boolean hasLink;

    MailKind(String key, boolean hasLink) {
        this.key = key;
        this.hasLink = hasLink;
    }

    /** The prefix of the mail's keys in the resource bundle, and its name in logs and events. */
    public String key() {
        return key;
    }

    /** Whether the mail carries a single-use link. */
    public boolean hasLink() {
        return hasLink;
    }
}
