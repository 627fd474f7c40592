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

package dev.gatehouse.web;

import dev.gatehouse.token.ConfigurationException;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How tokens travel over HTTP, and what the channel must be: shared by the servlet filter and the
 * JAX-RS feature, so that an application that uses both configures them once. Immutable and
 * thread-safe; made by {@link #builder()} (or {@link #defaults()}), which validates everything in
 * {@link Builder#build()} and names the offending setting in a {@link ConfigurationException}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>realm</td><td>{@value #DEFAULT_REALM}</td></tr>
 *   <tr><td>transports</td><td>bearer, cookie</td></tr>
 *   <tr><td>accessCookieName</td><td>{@value #DEFAULT_ACCESS_COOKIE}</td></tr>
 *   <tr><td>refreshCookieName</td><td>{@value #DEFAULT_REFRESH_COOKIE}</td></tr>
 *   <tr><td>csrfCookieName</td><td>{@value #DEFAULT_CSRF_COOKIE}</td></tr>
 *   <tr><td>csrfHeaderName</td><td>{@value #DEFAULT_CSRF_HEADER}</td></tr>
 *   <tr><td>requireHttps</td><td>{@code true}: credentials only over HTTPS or from loopback</td></tr>
 *   <tr><td>trustedProxies</td><td>none</td></tr>
 *   <tr><td>allowedOrigins</td><td>none besides the request's own</td></tr>
 *   <tr><td>errorDescriptions</td><td>{@code true}: a refused token's 401 names the failed check</td></tr>
 * </table>
 */
public final class WebSettings {
    public static final String DEFAULT_REALM = "gatehouse";
    public static final String DEFAULT_ACCESS_COOKIE = "__Host-access_token";
    public static final String DEFAULT_REFRESH_COOKIE = "__Secure-refresh_token";
    public static final String DEFAULT_CSRF_COOKIE = "__Host-csrf_token";
    public static final String DEFAULT_CSRF_HEADER = "X-CSRF-Token";

    // RFC 6265 token characters: what a cookie name may contain; an RFC 9110 token is the same set.
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    // Printable ASCII without the quote and backslash: safe inside an RFC 6750 quoted-string.
    private static final Pattern REALM = Pattern.compile("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");
    private static final WebSettings DEFAULTS = builder().build();

    private final String realm;
    private final Set<Transport> transports;
    private final String accessCookieName;
    private final String refreshCookieName;
    private final String csrfCookieName;
    private final String csrfHeaderName;
    private final TransportSecurity transportSecurity;
    private final Set<String> allowedOrigins;
    private final boolean errorDescriptions;

    private WebSettings(Builder b, TransportSecurity transportSecurity) {
        this.realm = b.realm;
        this.transports = Collections.unmodifiableSet(EnumSet.copyOf(b.transports));
        this.accessCookieName = b.accessCookieName;
        this.refreshCookieName = b.refreshCookieName;
        this.csrfCookieName = b.csrfCookieName;
        this.csrfHeaderName = b.csrfHeaderName;
        this.transportSecurity = transportSecurity;
        this.allowedOrigins = Collections.unmodifiableSet(new LinkedHashSet<>(b.allowedOrigins));
        this.errorDescriptions = b.errorDescriptions;
    }

    /** Every setting at its default. */
    public static WebSettings defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised from these settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.realm = realm;
        b.transports = EnumSet.copyOf(transports);
        b.accessCookieName = accessCookieName;
        b.refreshCookieName = refreshCookieName;
        b.csrfCookieName = csrfCookieName;
        b.csrfHeaderName = csrfHeaderName;
        b.requireHttps = transportSecurity.requiresHttps();
        b.trustedProxies = new LinkedHashSet<>(transportSecurity.trustedProxies());
        b.allowedOrigins = new LinkedHashSet<>(allowedOrigins);
        b.errorDescriptions = errorDescriptions;
        return b;
    }

    /** The {@code realm} of {@code WWW-Authenticate} challenges. */
    public String realm() {
        return realm;
    }

    /** The token transports enabled. */
    public Set<Transport> transports() {
        return transports;
    }

    public boolean allows(Transport transport) {
        return transports.contains(transport);
    }

    public String accessCookieName() {
        return accessCookieName;
    }

    public String refreshCookieName() {
        return refreshCookieName;
    }

    public String csrfCookieName() {
        return csrfCookieName;
    }

    public String csrfHeaderName() {
        return csrfHeaderName;
    }

    /** Whether credentials are refused over plain HTTP (loopback excepted). */
    public boolean requireHttps() {
        return transportSecurity.requiresHttps();
    }

    /** The peer addresses of the reverse proxies whose forwarding headers are believed. */
    public Set<String> trustedProxies() {
        return transportSecurity.trustedProxies();
    }

    /** Origins besides the request's own from which cookie-authenticated state changes are accepted. */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /**
     * Whether the {@code 401} for a refused token names the class of check that failed, in the
     * challenge's {@code error_description} and the problem's {@code detail}.
     */
    public boolean errorDescriptions() {
        return errorDescriptions;
    }

    /** The transport check these settings make (one instance: it warns once about a misconfigured proxy). */
    public TransportSecurity transportSecurity() {
        return transportSecurity;
    }

    @Override
    public String toString() {
        return "WebSettings{realm=" + realm + ", transports=" + transports + ", " + transportSecurity
                + ", allowedOrigins=" + allowedOrigins + ", errorDescriptions=" + errorDescriptions + "}";
    }

    /** Collects settings; not thread-safe. {@link #build()} validates and returns an immutable object. */
    public static final class Builder {
        private String realm = DEFAULT_REALM;
        private Set<Transport> transports = EnumSet.allOf(Transport.class);
        private String accessCookieName = DEFAULT_ACCESS_COOKIE;
        private String refreshCookieName = DEFAULT_REFRESH_COOKIE;
        private String csrfCookieName = DEFAULT_CSRF_COOKIE;
        private String csrfHeaderName = DEFAULT_CSRF_HEADER;
        private boolean requireHttps = true;
        private Set<String> trustedProxies = new LinkedHashSet<>();
        private Set<String> allowedOrigins = new LinkedHashSet<>();
        private boolean errorDescriptions = true;

        private Builder() {
        }

        /** The {@code realm} of {@code WWW-Authenticate} challenges; default {@code gatehouse}. */
        public Builder realm(String realm) {
            this.realm = realm;
            return this;
        }

        /** Which token transports are enabled; default both. */
        public Builder transports(Set<Transport> transports) {
            this.transports = transports == null || transports.isEmpty() ? null : EnumSet.copyOf(transports);
            return this;
        }

        public Builder accessCookieName(String name) {
            this.accessCookieName = name;
            return this;
        }

        public Builder refreshCookieName(String name) {
            this.refreshCookieName = name;
            return this;
        }

        public Builder csrfCookieName(String name) {
            this.csrfCookieName = name;
            return this;
        }

        public Builder csrfHeaderName(String name) {
            this.csrfHeaderName = name;
            return this;
        }

        /**
         * Whether tokens and passwords are refused over plain HTTP unless the client is on loopback
         * (see {@link TransportSecurity}); default {@code true}. {@code false} turns the check off.
         */
        public Builder requireHttps(boolean require) {
            this.requireHttps = require;
            return this;
        }

        /**
         * Exact peer addresses (IP literals, as the container reports them) of the reverse proxies
         * whose {@code X-Forwarded-*} and {@code Forwarded} headers are believed; default none.
         */
        public Builder trustedProxies(Set<String> proxies) {
            this.trustedProxies = proxies == null ? null : new LinkedHashSet<>(proxies);
            return this;
        }

        /**
         * Origins ({@code scheme://host[:port]}) besides the request's own from which cookie-
         * authenticated state changes are accepted (see {@link CsrfPolicy}); default none.
         */
        public Builder allowedOrigins(Set<String> origins) {
            this.allowedOrigins = origins == null ? null : new LinkedHashSet<>(origins);
            return this;
        }

        /**
         * Whether the {@code 401} for a refused token carries an RFC 6750 {@code error_description}
         * (and the same text as the problem's {@code detail}) naming the class of check that failed:
         * issuer, audience, expired, signature, revoked, malformed, ...; default {@code true}. The
         * texts are fixed and never contain token content. {@code false} gives every refused token
         * the same opaque answer.
         */
        public Builder errorDescriptions(boolean on) {
            this.errorDescriptions = on;
            return this;
        }

        /** Validates every setting and returns the immutable settings. */
        public WebSettings build() {
            if (realm == null || !REALM.matcher(realm).matches()) {
                throw new ConfigurationException("realm", "must be 1 to 100 printable ASCII characters without '\"' or '\\'");
            }
            if (transports == null) {
                throw new ConfigurationException("transports", "must enable at least one of bearer, cookie");
            }
            requireToken("accessCookieName", accessCookieName);
            requireToken("refreshCookieName", refreshCookieName);
            requireToken("csrfCookieName", csrfCookieName);
            requireToken("csrfHeaderName", csrfHeaderName);
            if (trustedProxies == null) {
                throw new ConfigurationException("trustedProxies", "must not be null");
            }
            if (allowedOrigins == null) {
                throw new ConfigurationException("allowedOrigins", "must not be null");
            }
            for (String origin : allowedOrigins) {
                if (CsrfPolicy.normaliseOrigin(origin) == null) {
                    throw new ConfigurationException("allowedOrigins", "'" + origin + "' is not an origin (scheme://host[:port])");
                }
            }
            return new WebSettings(this, new TransportSecurity(requireHttps, trustedProxies));
        }

        private static void requireToken(String setting, String value) {
            if (value == null || !TOKEN.matcher(value).matches()) {
                throw new ConfigurationException(setting, "'" + value + "' is not a valid name");
            }
        }
    }
}
