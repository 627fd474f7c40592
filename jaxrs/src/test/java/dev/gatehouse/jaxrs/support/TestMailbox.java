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


package dev.gatehouse.jaxrs.support;

import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.mail.MailSender;
import dev.gatehouse.testing.SecretLedger;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mail server in memory: every message the dispatcher hands over is accepted and kept, in the
 * order delivered. Tests wait for mail to an address and take the single-use token out of its
 * link. Thread-safe (the dispatcher delivers on its own thread).
 *
 * <p>The token of every link delivered is recorded in the {@link SecretLedger}, so the run's log
 * scan fails if one is ever logged.
 */
public final class TestMailbox implements MailSender {
    /** The query parameter of a link's token; a token is base64url. */
    private static final Pattern TOKEN = Pattern.compile("[?&]token=([A-Za-z0-9_-]+)");
    private static final Pattern LINK = Pattern.compile("https?://[^\\s\"'<>]+");
    /** How long {@link #await} waits by default: the dispatcher is woken at once, this is for slow machines. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);

    private final List<MailMessage> delivered = new ArrayList<>();

    @Override
    public synchronized void send(MailMessage message) {
        tokenOf(message).ifPresent(SecretLedger::record);
        delivered.add(message);
        notifyAll();
    }

    /** Every message delivered so far, in order. */
    public synchronized List<MailMessage> all() {
        return List.copyOf(delivered);
    }

    /** The messages delivered to {@code address} so far, in order. */
    public synchronized List<MailMessage> to(String address) {
        return delivered.stream().filter(m -> m.to().equals(address)).toList();
    }

    /**
     * Waits up to {@link #DEFAULT_WAIT} until at least {@code count} messages went to
     * {@code address}, and returns the {@code count}-th (1-based).
     *
     * @throws AssertionError when they did not come in time
     */
    public MailMessage await(String address, int count) {
        return awaitMatching(address, count, m -> true, DEFAULT_WAIT);
    }

    /** {@link #await(String, int)} of messages that carry a link with a token to {@code path} ({@code /verify-email}, ...). */
    public MailMessage awaitLink(String address, String path, int count) {
        return awaitMatching(address, count, m -> linkPath(m).filter(path::equals).isPresent() && tokenOf(m).isPresent(),
                DEFAULT_WAIT);
    }

    /** Waits until {@code count} messages to {@code address} match {@code filter}; returns the last of them. */
    public MailMessage awaitMatching(String address, int count, Predicate<MailMessage> filter, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
            while (true) {
                List<MailMessage> found = delivered.stream().filter(m -> m.to().equals(address)).filter(filter).toList();
                if (found.size() >= count) {
                    return found.get(count - 1);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Expected " + count + " matching mails to " + address + " within " + wait + ", got "
                            + found.size() + " (all to that address: " + to(address) + ")");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** The token of the link in the message's text body, if it has one. */
    public static Optional<String> tokenOf(MailMessage message) {
        Matcher m = TOKEN.matcher(message.text());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The token of the link in the message's text body; fails when there is none. */
    public static String token(MailMessage message) {
        return tokenOf(message).orElseThrow(() -> new AssertionError("No token link in " + message));
    }

    /** The path of the first link (with a query) in the text body, such as {@code /verify-email}. */
    public static Optional<String> linkPath(MailMessage message) {
        Matcher m = LINK.matcher(message.text());
        while (m.find()) {
            try {
                URI uri = URI.create(m.group());
                if (uri.getRawQuery() != null) {
                    return Optional.ofNullable(uri.getRawPath());
                }
            } catch (IllegalArgumentException notAUri) {
                // a link-like piece of text: look further
            }
        }
        return Optional.empty();
    }
}
