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

import dev.gatehouse.web.TransportSecurity;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Settings of the mail Gatehouse sends: where its links point, its languages, and how the outbox is
 * delivered. Immutable; made by {@link #builder(URI)}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>linkBase</td><td>required: the public base URL of the application, e.g. {@code https://app.example.com};
 *       {@code http} only to a loopback host</td></tr>
 *   <tr><td>verifyEmailPath</td><td>{@value #DEFAULT_VERIFY_EMAIL_PATH}</td></tr>
 *   <tr><td>passwordResetPath</td><td>{@value #DEFAULT_PASSWORD_RESET_PATH}</td></tr>
 *   <tr><td>productName</td><td>{@value #DEFAULT_PRODUCT_NAME}</td></tr>
 *   <tr><td>languages</td><td>{@code en}, {@code de} (the first is the fallback)</td></tr>
 *   <tr><td>pollInterval</td><td>5 seconds</td></tr>
 *   <tr><td>batchSize</td><td>20</td></tr>
 *   <tr><td>claimLease</td><td>2 minutes</td></tr>
 *   <tr><td>firstRetryDelay</td><td>5 seconds, doubling per attempt</td></tr>
 *   <tr><td>maxRetryDelay</td><td>10 minutes</td></tr>
 *   <tr><td>giveUpAfter</td><td>3 days</td></tr>
 *   <tr><td>keepSent</td><td>1 day</td></tr>
 * </table>
 */
public final class MailSettings {
    public static final String DEFAULT_VERIFY_EMAIL_PATH = "/verify-email";
    public static final String DEFAULT_PASSWORD_RESET_PATH = "/reset-password";
    public static final String DEFAULT_PRODUCT_NAME = "Gatehouse";

    private final URI linkBase;
    private final String verifyEmailPath;
    private final String passwordResetPath;
    private final String productName;
    private final List<Locale> languages;
    private final Duration pollInterval;
    private final int batchSize;
    private final Duration claimLease;
    private final Duration firstRetryDelay;
    private final Duration maxRetryDelay;
    private final Duration giveUpAfter;
    private final Duration keepSent;

    private MailSettings(Builder b) {
        this.linkBase = b.linkBase;
        this.verifyEmailPath = b.verifyEmailPath;
        this.passwordResetPath = b.passwordResetPath;
        this.productName = b.productName;
        this.languages = b.languages;
        this.pollInterval = b.pollInterval;
        this.batchSize = b.batchSize;
        this.claimLease = b.claimLease;
        this.firstRetryDelay = b.firstRetryDelay;
        this.maxRetryDelay = b.maxRetryDelay;
        this.giveUpAfter = b.giveUpAfter;
        this.keepSent = b.keepSent;
    }

    /**
     * Settings whose links start with {@code linkBase}.
     *
     * @param linkBase an absolute {@code https} URL (or {@code http} to a loopback host), without query or fragment
     */
    public static Builder builder(URI linkBase) {
        return new Builder(linkBase);
    }

    /** The public base URL of links in mail. */
    public URI linkBase() {
        return linkBase;
    }

    /** The path (below {@link #linkBase()}) of the page that completes an email verification. */
    public String verifyEmailPath() {
        return verifyEmailPath;
    }

    /** The path (below {@link #linkBase()}) of the page that sets a new password. */
    public String passwordResetPath() {
        return passwordResetPath;
    }

    /** The name mails give the application (subject lines, greetings). */
    public String productName() {
        return productName;
    }

    /** The languages mails are written in; the first is used when the user's is not among them. */
    public List<Locale> languages() {
        return languages;
    }

    /** How often each node looks for mail that is due (another node's, or a retry); queued mail wakes it at once. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** The most messages one node claims at a time. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * How long a claim on a message lasts: no other node sends it meanwhile. Longer than one
     * delivery can take (the sender's connect, read and write timeouts together); when a node dies
     * holding a claim, the message is sent by another once the lease has passed.
     */
    public Duration claimLease() {
        return claimLease;
    }

    /** The wait before the first retry; each further retry waits twice as long, up to {@link #maxRetryDelay()}. */
    public Duration firstRetryDelay() {
        return firstRetryDelay;
    }

    public Duration maxRetryDelay() {
        return maxRetryDelay;
    }

    /** How long a message is retried before it is kept as failed (logged, never sent). */
    public Duration giveUpAfter() {
        return giveUpAfter;
    }

    /** How long a sent message's record (its id and times, never its bodies) is kept. */
    public Duration keepSent() {
        return keepSent;
    }

    /** The link of a mail of {@code kind} carrying {@code token}. */
    public URI link(MailKind kind, String token) {
        String path = switch (kind) {
            case VERIFY_EMAIL -> verifyEmailPath;
            case PASSWORD_RESET -> passwordResetPath;
            default -> throw new IllegalArgumentException(kind + " carries no link");
        };
        String base = linkBase.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        // the token is base64url: nothing in it needs escaping in a query
        return URI.create(base + path + "?token=" + token);
    }

    /** Collects the settings; not thread-safe. */
    public static final class Builder {
        private final URI linkBase;
        private String verifyEmailPath = DEFAULT_VERIFY_EMAIL_PATH;
        private String passwordResetPath = DEFAULT_PASSWORD_RESET_PATH;
        private String productName = DEFAULT_PRODUCT_NAME;
        private List<Locale> languages = List.of(Locale.ENGLISH, Locale.GERMAN);
        private Duration pollInterval = Duration.ofSeconds(5);
        private int batchSize = 20;
        private Duration claimLease = Duration.ofMinutes(2);
        private Duration firstRetryDelay = Duration.ofSeconds(5);
        private Duration maxRetryDelay = Duration.ofMinutes(10);
        private Duration giveUpAfter = Duration.ofDays(3);
        private Duration keepSent = Duration.ofDays(1);

        private Builder(URI linkBase) {
            Objects.requireNonNull(linkBase, "linkBase");
            if (!linkBase.isAbsolute() || linkBase.getHost() == null
                    || !("https".equals(linkBase.getScheme()) || "http".equals(linkBase.getScheme()))) {
                throw new IllegalArgumentException("linkBase must be an absolute http(s) URL, e.g. https://app.example.com");
            }
            if (linkBase.getRawQuery() != null || linkBase.getRawFragment() != null || linkBase.getRawUserInfo() != null) {
                throw new IllegalArgumentException("linkBase must have no query, fragment or user info");
            }
            if ("http".equals(linkBase.getScheme()) && !isLoopback(linkBase.getHost())) {
                // a link carries a single-use credential: over plain HTTP only to this machine
                throw new IllegalArgumentException("linkBase must be https (http only to a loopback host such as localhost or 127.0.0.1)");
            }
            this.linkBase = linkBase;
        }

        public Builder verifyEmailPath(String path) {
            this.verifyEmailPath = path(path, "verifyEmailPath");
            return this;
        }

        public Builder passwordResetPath(String path) {
            this.passwordResetPath = path(path, "passwordResetPath");
            return this;
        }

        public Builder productName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("productName must be 1 to 100 printable characters");
            }
            this.productName = name;
            return this;
        }

        /** The languages to write mail in, the fallback first; each needs its bundle ({@code messages_<lang>.properties}). */
        public Builder languages(List<Locale> languages) {
            if (languages.isEmpty()) {
                throw new IllegalArgumentException("languages must not be empty");
            }
            this.languages = List.copyOf(languages);
            return this;
        }

        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        public Builder batchSize(int size) {
            if (size < 1 || size > 1000) {
                throw new IllegalArgumentException("batchSize must be between 1 and 1000");
            }
            this.batchSize = size;
            return this;
        }

        public Builder claimLease(Duration lease) {
            this.claimLease = positive(lease, "claimLease");
            return this;
        }

        public Builder firstRetryDelay(Duration delay) {
            this.firstRetryDelay = positive(delay, "firstRetryDelay");
            return this;
        }

        public Builder maxRetryDelay(Duration delay) {
            this.maxRetryDelay = positive(delay, "maxRetryDelay");
            return this;
        }

        public Builder giveUpAfter(Duration age) {
            this.giveUpAfter = positive(age, "giveUpAfter");
            return this;
        }

        public Builder keepSent(Duration age) {
            this.keepSent = positive(age, "keepSent");
            return this;
        }

        public MailSettings build() {
            if (maxRetryDelay.compareTo(firstRetryDelay) < 0) {
                throw new IllegalArgumentException("maxRetryDelay must not be shorter than firstRetryDelay");
            }
            return new MailSettings(this);
        }

        /** {@code localhost} (or a name below it), or a loopback IP literal, brackets and all: never a DNS look-up. */
        private static boolean isLoopback(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            return h.equals("localhost") || h.endsWith(".localhost") || TransportSecurity.isLoopback(h);
        }

        private static String path(String path, String name) {
            Objects.requireNonNull(path, name);
            if (!path.startsWith("/") || path.contains("?") || path.contains("#") || path.chars().anyMatch(c -> c <= ' ')) {
                throw new IllegalArgumentException(name + " must start with '/' and hold no query, fragment or space");
            }
            return path;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
