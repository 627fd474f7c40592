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

package dev.gatehouse.smtp;

import dev.gatehouse.auth.mail.MailDeliveryException;
import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.mail.MailSender;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Delivers Gatehouse's mail to an SMTP server with Jakarta Mail (Eclipse Angus Mail), as
 * {@link SmtpSettings} say.
 *
 * <p><b>The message.</b> A MIME message {@code multipart/alternative}: a {@code text/plain} part, then
 * a {@code text/html} part, both UTF-8. Headers: {@code From} (the settings'), {@code To} (exactly
 * the message's recipient, nobody else), {@code Subject} (RFC 2047-encoded as UTF-8 when it is not
 * ASCII), {@code Date}, and {@code Message-ID: <messageId@domain>}, where {@code domain} is the
 * domain of the from address. The {@code Message-ID} is the same for every attempt at the same
 * {@link MailMessage}, so that a mail system that deduplicates by it shows a retried mail once.
 *
 * <p><b>Connections.</b> Each {@link #send} opens its own connection and closes it afterwards: no
 * connection is shared, so the sender is thread-safe without locking, a broken connection never
 * outlives the send that saw it, and each send is bounded by the settings' timeouts (connect, then
 * each read and write). The outbox sends a few mails at a time, so the cost of a connection per
 * mail does not matter.
 *
 * <p><b>Security.</b> With {@code STARTTLS} the connection is upgraded before authentication and
 * before any mail is sent, and a server that does not offer {@code STARTTLS} is refused (never a
 * silent fallback to plain text). With {@code STARTTLS} and {@code SMTPS} the server's certificate
 * must be trusted and must name the configured host. The session's properties come from the settings
 * only (never {@code System.getProperties()}), and it never prints a protocol trace.
 *
 * <p><b>Failures</b> are reported as {@link MailDeliveryException}. Permanent
 * ({@code permanent() == true}, retrying cannot help): the server refused the recipient with a
 * {@code 5xx} reply, or the recipient is not a valid address. Transient (everything else): the
 * server cannot be reached, refuses the connection or times out; a {@code 4xx} reply; TLS failures
 * (an untrusted certificate, a host name mismatch, no {@code STARTTLS}); a {@code 5xx} reply to the
 * sender or to the message itself; and failed authentication ({@code 535}), because a wrong or
 * expired password is fixed in the configuration and the mail should then go out. The outbox gives
 * up on any of them after {@code MailSettings.giveUpAfter()}. The exception's message names the
 * server and the failure (the SMTP reply code, never the server's reply text); it never holds a
 * body, the password or the recipient's address, and for a refused address no cause is attached
 * (Jakarta Mail's exceptions carry the address).
 *
 * <p>Logs at DEBUG only, naming the message id and the server, never a body, the recipient or the
 * password.
 */
public final class SmtpMailSender implements MailSender, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SmtpMailSender.class);
    /** RFC 5322 date-time, e.g. {@code Sun, 6 Dec 2026 19:30:00 +0000}. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    /** The left part of a Message-ID: RFC 5322 dot-atom-text. */
    private static final Pattern ID_LEFT = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final String UTF_8 = StandardCharsets.UTF_8.name();

    private final SmtpSettings settings;
    private final Session session;
    private final Clock clock;
    private final String server;
    private volatile boolean closed;

    /** A sender for the server of {@code settings}. */
    public SmtpMailSender(SmtpSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** As {@link #SmtpMailSender(SmtpSettings)}, with the clock that dates the messages. */
    public SmtpMailSender(SmtpSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.session = Session.getInstance(sessionProperties(settings));
        this.session.setDebug(false);
        this.server = settings.host() + ":" + settings.port();
    }

    /** The Jakarta Mail properties of the session: everything the settings say, nothing from system properties. */
    static Properties sessionProperties(SmtpSettings settings) {
        Properties p = new Properties();
        p.put("mail.transport.protocol", "smtp");
        p.put("mail.smtp.host", settings.host());
        p.put("mail.smtp.port", Integer.toString(settings.port()));
        p.put("mail.smtp.connectiontimeout", Long.toString(settings.connectTimeout().toMillis()));
        p.put("mail.smtp.timeout", Long.toString(settings.readTimeout().toMillis()));
        p.put("mail.smtp.writetimeout", Long.toString(settings.writeTimeout().toMillis()));
        p.put("mail.smtp.auth", Boolean.toString(settings.hasCredentials()));
        switch (settings.security()) {
            case STARTTLS -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.ssl.enable", "false");
            }
            case SMTPS -> {
                p.put("mail.smtp.ssl.enable", "true");
                p.put("mail.smtp.starttls.enable", "false");
            }
            case NONE -> {
                p.put("mail.smtp.ssl.enable", "false");
                p.put("mail.smtp.starttls.enable", "false");
            }
            default -> throw new IllegalStateException("unknown security " + settings.security());
        }
        // The identity check applies to every TLS connection (SMTPS and STARTTLS): the JDK's, during the
        // handshake, and ours after it, which holds also when a custom socket factory's trust manager skips the JDK's.
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        if (settings.security() != SmtpSettings.Security.NONE) {
            p.put("mail.smtp.ssl.hostnameverifier", new ServerIdentityVerifier());
        }
        settings.sslSocketFactory().ifPresent(f -> p.put("mail.smtp.ssl.socketFactory", f));
        // a connection the configured socket factory could not make is not tried again with another
        p.put("mail.smtp.socketFactory.fallback", "false");
        settings.heloName().ifPresent(name -> p.put("mail.smtp.localhost", name));
        p.put("mail.debug", "false");
        return p;
    }

    /**
     * Sends {@code message} over a connection of its own.
     *
     * @throws MailDeliveryException when the server did not accept it (see the class comment for which failures are permanent)
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public void send(MailMessage message) throws MailDeliveryException {
        Objects.requireNonNull(message, "message");
        if (closed) {
            throw new IllegalStateException("SmtpMailSender is closed");
        }
        String id = message.messageId();
        if (id.length() > 200 || !ID_LEFT.matcher(id).matches()) {
            throw new MailDeliveryException("Message " + abbreviate(id) + " has a messageId that cannot be a Message-ID", true);
        }
        InternetAddress to;
        try {
            to = new InternetAddress(message.to(), true);
            to.validate();
        } catch (AddressException e) {
            // no cause: it holds the address
            throw new MailDeliveryException("The recipient of message " + id + " is not a valid address", true);
        }
        MimeMessage mime;
        try {
            mime = compose(message, to);
        } catch (MessagingException e) {
            throw new MailDeliveryException("Message " + id + " could not be composed: " + e.getClass().getSimpleName(), true);
        }
        LOG.debug("Sending message {} to SMTP server {} ({})", id, server, settings.security());
        char[] password = settings.password();
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(settings.host(), settings.port(), settings.username().orElse(null),
                    password == null ? null : new String(password));
            transport.sendMessage(mime, new InternetAddress[] {to});
        } catch (MessagingException e) {
            MailDeliveryException failure = classify(id, e);
            LOG.debug("SMTP server {} did not accept message {} (permanent: {}): {}", server, id, failure.permanent(), failure.getMessage());
            throw failure;
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
        LOG.debug("SMTP server {} accepted message {}", server, id);
    }

    /** The MIME message of {@code message}. */
    MimeMessage compose(MailMessage message, InternetAddress to) throws MessagingException {
        MimeMessage mime = new FixedIdMessage(session, "<" + message.messageId() + "@" + settings.fromDomain() + ">");
        mime.setFrom(settings.from());
        mime.setRecipients(Message.RecipientType.TO, new InternetAddress[] {to});
        mime.setSubject(message.subject(), UTF_8);
        mime.setHeader("Date", DATE.format(ZonedDateTime.now(clock)));
        MimeBodyPart text = new MimeBodyPart();
        text.setText(message.text(), UTF_8, "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(message.html(), UTF_8, "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        mime.setContent(alternative);
        mime.saveChanges();
        return mime;
    }

    /** The delivery failure {@code e} means, its message naming the server and the kind of failure only. */
    private MailDeliveryException classify(String id, MessagingException e) {
        List<Throwable> chain = chain(e);
        String prefix = "SMTP server " + server + " ";
        String suffix = " (message " + id + ")";

        // Refused addresses: Jakarta Mail's exceptions carry them (in their messages too), so none is attached as the cause.
        List<SMTPAddressFailedException> refused = new ArrayList<>();
        for (Throwable t : chain) {
            if (t instanceof SMTPAddressFailedException a) {
                refused.add(a);
            }
        }
        if (!refused.isEmpty()) {
            // 552 to RCPT means "too many recipients", to be taken as 452 (RFC 5321, section 4.5.3.1.10)
            boolean permanent = refused.stream().allMatch(a -> a.getReturnCode() >= 500 && a.getReturnCode() < 600 && a.getReturnCode() != 552);
            int code = refused.get(0).getReturnCode();
            return new MailDeliveryException(prefix + (permanent ? "refused the recipient (" : "did not accept the recipient for now (")
                    + code + ")" + suffix, permanent);
        }
        for (Throwable t : chain) {
            if (t instanceof SMTPSenderFailedException s) {
                return new MailDeliveryException(prefix + "refused the sender address (" + s.getReturnCode() + ")" + suffix, false);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof SMTPSendFailedException s) {
                return new MailDeliveryException(prefix + "refused the message (" + s.getReturnCode() + ", " + verb(s.getCommand()) + ")"
                        + suffix, false);
            }
        }
        if (e instanceof SendFailedException) {
            // refused addresses without an SMTP reply code: the addresses are in it, so no cause
            return new MailDeliveryException(prefix + "did not accept the recipient" + suffix, false);
        }
        if (e instanceof AuthenticationFailedException) {
            return new MailDeliveryException(prefix + "rejected the credentials (authentication failed)" + suffix, false, e);
        }
        String text = e.getMessage() == null ? "" : e.getMessage();
        if (text.contains("STARTTLS")) {
            return new MailDeliveryException(prefix + "does not offer STARTTLS, which security STARTTLS requires" + suffix, false, e);
        }
        for (Throwable t : chain) {
            if (t instanceof ConnectException) {
                return new MailDeliveryException(prefix + "refused the connection" + suffix, false, e);
            }
            if (t instanceof UnknownHostException) {
                return new MailDeliveryException(prefix + "is unknown (its host name does not resolve)" + suffix, false, e);
            }
            if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
                return new MailDeliveryException(prefix + "did not answer in time (" + describe(t) + ")" + suffix, false, e);
            }
            if (t instanceof SSLException && isIdentityMismatch(t.getMessage())) {
                return new MailDeliveryException(prefix + "presented a certificate that does not name " + settings.host()
                        + " (server identity check)" + suffix, false, e);
            }
            if (t instanceof SSLException) {
                return new MailDeliveryException(prefix + "failed the TLS handshake (" + describe(t) + ")" + suffix, false, e);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof IOException) {
                return new MailDeliveryException(prefix + "could not be talked to (" + describe(t) + ")" + suffix, false, e);
            }
        }
        return new MailDeliveryException(prefix + "did not accept the message (" + e.getClass().getSimpleName() + ")" + suffix, false, e);
    }

    /** The verb of an SMTP command ({@code MAIL}, {@code DATA}), without its arguments (they may hold an address). */
    private static String verb(String command) {
        if (command == null || command.isBlank()) {
            return "unknown command";
        }
        String verb = command.strip().split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
        return ".".equals(verb) ? "end of DATA" : verb;
    }

    /** Whether a TLS failure is the server identity check's (the JDK's or {@link ServerIdentityVerifier}'s, through Jakarta Mail). */
    private static boolean isIdentityMismatch(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        return m.contains("server identity") || m.contains("subject alternative name") || m.contains("no name matching");
    }

    /** An I/O failure's class and message: these name hosts, ports, timeouts and certificates, never an address or a body. */
    private static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String line = message.lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
    }

    private static List<Throwable> chain(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            chain.add(t);
            if (t instanceof MessagingException m && m.getNextException() != null && m.getNextException() != m.getCause()) {
                chain.addAll(chain(m.getNextException()));
            }
        }
        return chain;
    }

    private static String abbreviate(String s) {
        String printable = s.codePoints().filter(c -> c > ' ' && c < 0x7F).limit(40)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.isEmpty() ? "(blank)" : printable;
    }

    /** Rejects further sends. Nothing else to release: no connection outlives a send. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SmtpMailSender{" + settings + "}";
    }

    /** A MIME message whose {@code Message-ID} is the one given, not one Jakarta Mail makes up on {@code saveChanges()}. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
