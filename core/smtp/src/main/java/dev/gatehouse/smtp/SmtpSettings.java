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

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where and how {@link SmtpMailSender} delivers mail. Immutable; made by
 * {@link #builder(String, String)}. Every value is checked when it is set (or, where settings
 * depend on each other, by {@link Builder#build()}), and an {@link IllegalArgumentException}
 * names the setting at fault.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>host</td><td>required: the SMTP server's host name or IP address</td></tr>
 *   <tr><td>fromAddress</td><td>required: one address, optionally with a display name,
 *       e.g. {@code Example <no-reply@example.com>}; its domain ends every {@code Message-ID}</td></tr>
 *   <tr><td>security</td><td>{@link Security#STARTTLS} (required, never a fallback to plain text)</td></tr>
 *   <tr><td>port</td><td>587 for {@code STARTTLS}, 465 for {@code SMTPS}, 25 for {@code NONE}</td></tr>
 *   <tr><td>credentials</td><td>none (no {@code AUTH}); a user name and a password, both or neither</td></tr>
 *   <tr><td>connectTimeout</td><td>10 seconds</td></tr>
 *   <tr><td>readTimeout</td><td>20 seconds (each wait for a reply of the server)</td></tr>
 *   <tr><td>writeTimeout</td><td>20 seconds (each write to the server)</td></tr>
 *   <tr><td>sslSocketFactory / trustStore</td><td>none: the JVM's default trust (its {@code cacerts});
 *       one or the other for a private CA</td></tr>
 *   <tr><td>heloName</td><td>none: Jakarta Mail's default, the local host's name</td></tr>
 * </table>
 *
 * <p>With {@code STARTTLS} and {@code SMTPS} the server's certificate must be trusted and must name
 * the host (the server identity check is always on). {@link Security#NONE} sends everything,
 * credentials included, in plain text, and is therefore accepted only for a loopback host (a relay
 * on the same machine).
 */
public final class SmtpSettings {
    /** The default port with {@link Security#STARTTLS} (message submission, RFC 6409). */
    public static final int STARTTLS_PORT = 587;
    /** The default port with {@link Security#SMTPS} (submission over implicit TLS, RFC 8314). */
    public static final int SMTPS_PORT = 465;
    /** The default port with {@link Security#NONE}. */
    public static final int PLAIN_PORT = 25;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(20);

    /** How the connection to the server is protected. */
    public enum Security {
        /** A plain connection upgraded with {@code STARTTLS} before anything else is sent; a server that does not offer it is refused. */
        STARTTLS,
        /** TLS from the first byte (implicit TLS). */
        SMTPS,
        /** No TLS at all: only for a loopback host. */
        NONE
    }

    /** One DNS label: letters, digits and inner hyphens, 1 to 63 characters. */
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private final String host;
    private final int port;
    private final Security security;
    private final InternetAddress from;
    private final String fromDomain;
    private final String username;
    private final char[] password;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration writeTimeout;
    private final SSLSocketFactory sslSocketFactory;
    private final String heloName;

    private SmtpSettings(Builder b, int port) {
        this.host = b.host;
        this.port = port;
        this.security = b.security;
        this.from = b.from;
        this.fromDomain = b.fromDomain;
        this.username = b.username;
        this.password = b.password == null ? null : b.password.clone();
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.writeTimeout = b.writeTimeout;
        this.sslSocketFactory = b.sslSocketFactory;
        this.heloName = b.heloName;
    }

    /**
     * Settings for the server at {@code host}, sending as {@code fromAddress}.
     *
     * @param host        a host name or an IP address (IPv6 with or without brackets)
     * @param fromAddress one address, optionally with a display name ({@code Name <addr@example.com>})
     */
    public static Builder builder(String host, String fromAddress) {
        return new Builder(host, fromAddress);
    }

    /** The SMTP server's host name or IP address (IPv6 without brackets). */
    public String host() {
        return host;
    }

    /** The server's port: the one set, else the default of {@link #security()}. */
    public int port() {
        return port;
    }

    public Security security() {
        return security;
    }

    /** The {@code From} address (with its display name, if one was given). */
    public InternetAddress from() {
        return (InternetAddress) from.clone();
    }

    /** The domain of the from address: the right-hand side of every {@code Message-ID}. */
    public String fromDomain() {
        return fromDomain;
    }

    /** The user name to authenticate as; empty when the server is used without {@code AUTH}. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** Whether a user name and password are set. */
    public boolean hasCredentials() {
        return username != null;
    }

    /** A copy of the password, for the one place that hands it to Jakarta Mail; {@code null} without credentials. */
    char[] password() {
        return password == null ? null : password.clone();
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** The factory of TLS sockets, when trust other than the JVM's default was set ({@code sslSocketFactory} or {@code trustStore}). */
    public Optional<SSLSocketFactory> sslSocketFactory() {
        return Optional.ofNullable(sslSocketFactory);
    }

    /** The name sent in {@code EHLO}; empty for Jakarta Mail's default (the local host's name). */
    public Optional<String> heloName() {
        return Optional.ofNullable(heloName);
    }

    /** The settings without the password (whether one is set is shown). */
    @Override
    public String toString() {
        return "SmtpSettings{host=" + host + ", port=" + port + ", security=" + security + ", from=" + from.getAddress()
                + ", username=" + (username == null ? "(none)" : username) + ", password=" + (password == null ? "(none)" : "(set)")
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", writeTimeout=" + writeTimeout
                + ", customTrust=" + (sslSocketFactory != null) + ", heloName=" + (heloName == null ? "(default)" : heloName) + "}";
    }

    /**
     * Whether {@code host} is a loopback host: {@code localhost}, an address in {@code 127.0.0.0/8} or
     * {@code ::1}, or a name that resolves to loopback addresses only. A name that does not resolve
     * is not.
     */
    static boolean isLoopback(String host) {
        if ("localhost".equalsIgnoreCase(host) || "localhost.".equalsIgnoreCase(host)) {
            return true;
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    /** Whether {@code host} is a syntactically valid host name or IP address literal (IPv6 without brackets). */
    static boolean isValidHost(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        if (host.indexOf(':') >= 0) {
            return IPV6.matcher(host).matches() && isIpv6Literal(host);
        }
        if (IPV4.matcher(host).matches()) {
            return Arrays.stream(host.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty()) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Parses an IPv6 address literal: never a DNS look-up, since a text with a colon is no host name. */
    private static boolean isIpv6Literal(String literal) {
        try {
            return InetAddress.getByName(literal) instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Collects the settings; not thread-safe. */
    public static final class Builder {
        private final String host;
        private final InternetAddress from;
        private final String fromDomain;
        private Security security = Security.STARTTLS;
        private Integer port;
        private String username;
        private char[] password;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private SSLSocketFactory sslSocketFactory;
        private boolean trustStoreSet;
        private String heloName;

        private Builder(String host, String fromAddress) {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(fromAddress, "fromAddress");
            String h = host.strip();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            if (!isValidHost(h)) {
                throw new IllegalArgumentException("host must be a host name or an IP address, e.g. smtp.example.com");
            }
            this.host = h;
            this.from = parseFrom(fromAddress);
            String address = from.getAddress();
            this.fromDomain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        }

        /** The server's port (1 to 65535); without it, the default of the security chosen. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535");
            }
            this.port = port;
            return this;
        }

        /** How the connection is protected; {@link Security#STARTTLS} unless set. */
        public Builder security(Security security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * Authenticates as {@code username} with {@code password} ({@code AUTH}, after TLS is up).
         * The array is copied: the caller may clear its own.
         */
        public Builder credentials(String username, char[] password) {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            if (username.isBlank() || username.length() > 256 || username.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("username must be 1 to 256 printable characters");
            }
            if (password.length == 0 || password.length > 1024) {
                throw new IllegalArgumentException("password must be 1 to 1024 characters");
            }
            for (char c : password) {
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException("password must not contain line breaks or NUL");
                }
            }
            this.username = username;
            this.password = password.clone();
            return this;
        }

        /** As {@link #credentials(String, char[])}. */
        public Builder credentials(String username, String password) {
            Objects.requireNonNull(password, "password");
            return credentials(username, password.toCharArray());
        }

        /** How long connecting (TCP, and the TLS handshake of {@code SMTPS}) may take. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout(timeout, "connectTimeout");
            return this;
        }

        /** How long each wait for a reply of the server may take. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout(timeout, "readTimeout");
            return this;
        }

        /** How long each write to the server may take. */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = timeout(timeout, "writeTimeout");
            return this;
        }

        /**
         * The factory of the TLS sockets (both {@code SMTPS} and {@code STARTTLS}), for trust other
         * than the JVM's default. The server identity check still applies. Not with {@link #trustStore}.
         */
        public Builder sslSocketFactory(SSLSocketFactory factory) {
            Objects.requireNonNull(factory, "sslSocketFactory");
            if (trustStoreSet) {
                throw new IllegalArgumentException("sslSocketFactory and trustStore are exclusive: set one of them");
            }
            this.sslSocketFactory = factory;
            return this;
        }

        /**
         * Trusts the certificates of {@code trustStore} (for example, a private CA's) instead of the
         * JVM's default ones. The server identity check still applies. Not with {@link #sslSocketFactory}.
         */
        public Builder trustStore(KeyStore trustStore) {
            Objects.requireNonNull(trustStore, "trustStore");
            if (sslSocketFactory != null) {
                throw new IllegalArgumentException("sslSocketFactory and trustStore are exclusive: set one of them");
            }
            try {
                boolean anyCertificate = false;
                for (String alias : Collections.list(trustStore.aliases())) {
                    anyCertificate |= trustStore.getCertificate(alias) != null;
                }
                if (!anyCertificate) {
                    throw new IllegalArgumentException("trustStore holds no certificate");
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, tmf.getTrustManagers(), null);
                this.sslSocketFactory = context.getSocketFactory();
            } catch (KeyStoreException e) {
                throw new IllegalArgumentException("trustStore is not loaded", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("trustStore cannot be used: " + e.getMessage(), e);
            }
            this.trustStoreSet = true;
            return this;
        }

        /**
         * The name to greet the server with in {@code EHLO}: a host name, or an address literal
         * such as {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}.
         */
        public Builder heloName(String name) {
            Objects.requireNonNull(name, "heloName");
            boolean valid;
            if (name.startsWith("[") && name.endsWith("]")) {
                String inner = name.substring(1, name.length() - 1);
                if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
                    String v6 = inner.substring(5);
                    valid = v6.indexOf(':') >= 0 && isValidHost(v6);
                } else {
                    valid = IPV4.matcher(inner).matches() && isValidHost(inner);
                }
            } else {
                valid = name.indexOf(':') < 0 && !IPV4.matcher(name).matches() && isValidHost(name);
            }
            if (!valid) {
                throw new IllegalArgumentException("heloName must be a host name, or an address literal such as [192.0.2.1]");
            }
            this.heloName = name;
            return this;
        }

        /**
         * The settings.
         *
         * @throws IllegalArgumentException when {@code security} is {@code NONE} and the host is not a
         *                                  loopback host, or when TLS trust is set without TLS
         */
        public SmtpSettings build() {
            if (security == Security.NONE) {
                if (sslSocketFactory != null) {
                    throw new IllegalArgumentException("security NONE uses no TLS: sslSocketFactory/trustStore would be ignored");
                }
                if (!isLoopback(host)) {
                    throw new IllegalArgumentException("security NONE (plain text) is only allowed for a loopback host;"
                            + " host " + host + " is not one: use STARTTLS or SMTPS");
                }
            }
            int effectivePort = port != null ? port : switch (security) {
                case STARTTLS -> STARTTLS_PORT;
                case SMTPS -> SMTPS_PORT;
                case NONE -> PLAIN_PORT;
            };
            return new SmtpSettings(this, effectivePort);
        }

        private static InternetAddress parseFrom(String fromAddress) {
            if (fromAddress.indexOf('\r') >= 0 || fromAddress.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("fromAddress must be one line");
            }
            InternetAddress[] parsed;
            try {
                parsed = InternetAddress.parse(fromAddress, true);
            } catch (AddressException e) {
                throw new IllegalArgumentException("fromAddress is not a valid address, e.g. Example <no-reply@example.com>", e);
            }
            if (parsed.length != 1 || parsed[0].isGroup()) {
                throw new IllegalArgumentException("fromAddress must be exactly one address");
            }
            InternetAddress address = parsed[0];
            try {
                address.validate();
            } catch (AddressException e) {
                throw new IllegalArgumentException("fromAddress is not a valid address, e.g. Example <no-reply@example.com>", e);
            }
            String a = address.getAddress();
            int at = a.lastIndexOf('@');
            if (at <= 0 || at == a.length() - 1) {
                throw new IllegalArgumentException("fromAddress must be a full address with a domain, e.g. no-reply@example.com");
            }
            String domain = a.substring(at + 1);
            if (!(domain.startsWith("[") && domain.endsWith("]")) && (!isValidHost(domain) || domain.indexOf(':') >= 0)) {
                throw new IllegalArgumentException("fromAddress must have a valid domain, e.g. no-reply@example.com");
            }
            return address;
        }

        private static Duration timeout(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0 || d.toMillis() == 0) {
                throw new IllegalArgumentException(name + " must be between 1 millisecond and " + Integer.MAX_VALUE + " milliseconds");
            }
            return d;
        }
    }
}
