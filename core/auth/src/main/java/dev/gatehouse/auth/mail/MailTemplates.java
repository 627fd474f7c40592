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

import java.util.Locale;
import java.util.Objects;

/**
 * Renders the mails of {@link MailKind} in the user's language, as plain text and HTML, from the
 * texts of the resource bundle {@value #BUNDLE}. Thread-safe.
 */
public final class MailTemplates {
    /** The base name of the bundle that holds the mails' texts. */
    public static final String BUNDLE = "dev.gatehouse.auth.mail.messages";

    private final MailSettings settings;

    public MailTemplates(MailSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The language of {@link MailSettings#languages()} that best matches a stored language tag
     * (an {@code Accept-Language} header's first choice, or {@code null}): the first of them when none matches.
     */
    public Locale language(String languageTag) {
        return settings.languages().get(0);
    }

    /**
     * Renders one mail.
     *
     * @param messageId the message's id (see {@link MailMessage#messageId()})
     * @param to        the recipient
     * @param language  one of {@link MailSettings#languages()} (see {@link #language(String)})
     * @param token     the single-use token of the link, for a kind that {@linkplain MailKind#hasLink() has one}; else {@code null}
     */
    public MailMessage render(MailKind kind, String messageId, String to, Locale language, String token) {
        throw new UnsupportedOperationException("TODO");
    }
}
