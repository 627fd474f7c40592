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

package dev.gatehouse.filter;

import dev.gatehouse.token.AccessTokenType;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.keys.FileKeySource;
import dev.gatehouse.token.keys.RemoteJwksKeySource;
import dev.gatehouse.filter.internal.StepUpRules;
import dev.gatehouse.web.Transport;
import dev.gatehouse.web.WebSettings;
import jakarta.servlet.FilterConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.gatehouse.filter.GatehouseFilter.ACCEPTED_TOKEN_TYPES_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ACCESS_COOKIE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ALGORITHMS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ALLOWED_ORIGINS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ALLOW_ANONYMOUS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.AUDIENCE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.CLOCK_LEEWAY_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.CONTAINER_SECURITY_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.CSRF_COOKIE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.CSRF_HEADER_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ERROR_DESCRIPTIONS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ISSUER_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.ISSUER_URI_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.JWKS_ALLOW_HTTP_LOOPBACK_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.JWKS_URL_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.KEYS_FILE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.KEYS_FILE_POLL_INTERVAL_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.MAX_TOKEN_SIZE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.PUBLIC_PATHS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.REALM_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.REQUIRE_HTTPS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.STEP_UP_PATHS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.TOKEN_TYPE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.TRANSPORTS_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.TRUSTED_PROXIES_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.VERIFIED_TOKEN_CACHE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.VERIFIED_TOKEN_CACHE_SIZE_PARAM;
import static dev.gatehouse.filter.GatehouseFilter.VERIFIER_ATTRIBUTE_PARAM;

/**
 * Reads the filter's {@code web.xml} init-params into a {@link GatehouseFilter.Builder}: every
 * value checked, unknown names refused, and every error naming the init-param the operator wrote
 * (never a builder method). Defaults are the {@code DEFAULT_*} constants of {@link GatehouseFilter}.
 */
final class InitParams {
    /** The init-params that feed the verifier: not allowed together with {@value GatehouseFilter#VERIFIER_ATTRIBUTE_PARAM}. */
    private static final List<String> TOKEN_PARAMS = List.of(ISSUER_PARAM, AUDIENCE_PARAM, KEYS_FILE_PARAM, KEYS_FILE_POLL_INTERVAL_PARAM, JWKS_URL_PARAM,
            ISSUER_URI_PARAM, JWKS_ALLOW_HTTP_LOOPBACK_PARAM, ALGORITHMS_PARAM, TOKEN_TYPE_PARAM, ACCEPTED_TOKEN_TYPES_PARAM,
            CLOCK_LEEWAY_PARAM, MAX_TOKEN_SIZE_PARAM, VERIFIED_TOKEN_CACHE_PARAM, VERIFIED_TOKEN_CACHE_SIZE_PARAM);
    private static final List<String> WEB_PARAMS = List.of(REALM_PARAM, TRANSPORTS_PARAM, ACCESS_COOKIE_PARAM,
            CSRF_COOKIE_PARAM, CSRF_HEADER_PARAM, ALLOWED_ORIGINS_PARAM, REQUIRE_HTTPS_PARAM, TRUSTED_PROXIES_PARAM,
            ERROR_DESCRIPTIONS_PARAM);
    private static final List<String> FILTER_PARAMS = List.of(PUBLIC_PATHS_PARAM, STEP_UP_PATHS_PARAM, ALLOW_ANONYMOUS_PARAM,
            CONTAINER_SECURITY_PARAM, VERIFIER_ATTRIBUTE_PARAM);
    private static final List<String> ALL_PARAMS;

    static {
        List<String> all = new ArrayList<>(TOKEN_PARAMS);
        all.addAll(WEB_PARAMS);
        all.addAll(FILTER_PARAMS);
        ALL_PARAMS = List.copyOf(all);
    }

    /**
     * Settings whose names differ from the init-params that feed them: an error must name what the
     * operator wrote in web.xml ({@code clock-leeway}), not a builder method ({@code clockLeeway}).
     */
    private static final Map<String, String> INIT_PARAM_OF_SETTING = Map.ofEntries(
            Map.entry("acceptedAlgorithms", ALGORITHMS_PARAM),
            Map.entry("algorithm", ALGORITHMS_PARAM),
            Map.entry("keyFile", KEYS_FILE_PARAM),
            Map.entry("pollInterval", KEYS_FILE_POLL_INTERVAL_PARAM),
            Map.entry("jwkSet", KEYS_FILE_PARAM),
            Map.entry("clockLeeway", CLOCK_LEEWAY_PARAM),
            Map.entry("tokenType", TOKEN_TYPE_PARAM),
            Map.entry("acceptedTokenTypes", ACCEPTED_TOKEN_TYPES_PARAM),
            Map.entry("maxTokenSize", MAX_TOKEN_SIZE_PARAM),
            Map.entry("accessCookieName", ACCESS_COOKIE_PARAM),
            Map.entry("csrfCookieName", CSRF_COOKIE_PARAM),
            Map.entry("csrfHeaderName", CSRF_HEADER_PARAM),
            Map.entry("allowedOrigins", ALLOWED_ORIGINS_PARAM),
            Map.entry("trustedProxies", TRUSTED_PROXIES_PARAM),
            Map.entry("keys", KEYS_FILE_PARAM),
            Map.entry("jwksUrl", JWKS_URL_PARAM),
            Map.entry("issuerUri", ISSUER_URI_PARAM),
            Map.entry("verifiedTokenCacheSize", VERIFIED_TOKEN_CACHE_SIZE_PARAM));

    private final FilterConfig config;

    private InitParams(FilterConfig config) {
        this.config = config;
    }

    /**
     * The filter's settings from its init-params. A remote key source made from
     * {@value GatehouseFilter#JWKS_URL_PARAM} is built, not started (no thread, no request): the
     * filter starts it once everything is checked, and closes it.
     *
     * @throws ConfigurationException naming the init-param that is missing or wrong
     */
    static GatehouseFilter.Builder read(FilterConfig config) {
        try {
            return new InitParams(config).builder();
        } catch (ConfigurationException e) {
            throw named(e);
        }
    }

    /** The exception naming the init-param behind the setting it names (also for a key source's {@code start()}). */
    static ConfigurationException named(ConfigurationException e) {
        String param = INIT_PARAM_OF_SETTING.get(e.setting());
        return param == null ? e : new ConfigurationException(param, e.problem(), e);
    }

    private GatehouseFilter.Builder builder() {
        for (String name : Collections.list(config.getInitParameterNames())) {
            if (!ALL_PARAMS.contains(name)) {
                throw new ConfigurationException(name, "is not a Gatehouse filter init-param; known: " + ALL_PARAMS);
            }
        }
        WebSettings web = webSettings();
        AccessTokenVerifier verifier;
        RemoteJwksKeySource remote = null;
        FileKeySource files = null;
        String attribute = param(VERIFIER_ATTRIBUTE_PARAM, null);
        if (attribute != null) {
            for (String name : TOKEN_PARAMS) {
                if (config.getInitParameter(name) != null) {
                    throw new ConfigurationException(name, "must not be set together with " + VERIFIER_ATTRIBUTE_PARAM
                            + " (the verifier carries the token settings)");
                }
            }
            Object value = config.getServletContext().getAttribute(attribute);
            if (!(value instanceof AccessTokenVerifier shared)) {
                throw new ConfigurationException(VERIFIER_ATTRIBUTE_PARAM, "the servlet-context attribute '" + attribute
                        + "' holds no AccessTokenVerifier (set it in a ServletContextListener)");
            }
            verifier = shared;
        } else {
            TokenSettings settings = tokenSettings();
            String jwksUrl = nonEmpty(param(JWKS_URL_PARAM, null));
            String issuerUri = nonEmpty(param(ISSUER_URI_PARAM, null));
            if (jwksUrl != null || issuerUri != null) {
                remote = (issuerUri != null ? RemoteJwksKeySource.fromIssuer(issuerUri) : RemoteJwksKeySource.builder(jwksUrl))
                        .acceptedAlgorithms(settings.acceptedAlgorithms())
                        .allowHttpLoopback(bool(JWKS_ALLOW_HTTP_LOOPBACK_PARAM,
                                param(JWKS_ALLOW_HTTP_LOOPBACK_PARAM, GatehouseFilter.DEFAULT_JWKS_ALLOW_HTTP_LOOPBACK)))
                        .build();
                verifier = new AccessTokenVerifier(settings, remote);
            } else {
                files = FileKeySource.builder(Path.of(required(KEYS_FILE_PARAM)))
                        .settingName(KEYS_FILE_PARAM)
                        .verifyOnly()
                        .pollInterval(duration(KEYS_FILE_POLL_INTERVAL_PARAM,
                                param(KEYS_FILE_POLL_INTERVAL_PARAM, GatehouseFilter.DEFAULT_KEYS_FILE_POLL_INTERVAL)))
                        .build();
                verifier = new AccessTokenVerifier(settings, files);
            }
        }
        GatehouseFilter.Builder b = GatehouseFilter.builder(verifier).web(web);
        if (remote != null) {
            b.ownedKeys = new OwnedKeys(remote::start, remote::close);
        } else if (files != null) {
            FileKeySource source = files;
            Set<SigningAlgorithm> accepted = verifier.settings().acceptedAlgorithms();
            b.ownedKeys = new OwnedKeys(() -> {
                source.start();
                checkAlgorithms(source.keySet(), accepted, source);
            }, source::close);
        }
        b.publicPaths(list(param(PUBLIC_PATHS_PARAM, GatehouseFilter.DEFAULT_PUBLIC_PATHS)));
        b.parsedStepUps = StepUpRules.parse(STEP_UP_PATHS_PARAM, param(STEP_UP_PATHS_PARAM, GatehouseFilter.DEFAULT_STEP_UP_PATHS));
        b.allowAnonymous(bool(ALLOW_ANONYMOUS_PARAM, param(ALLOW_ANONYMOUS_PARAM, GatehouseFilter.DEFAULT_ALLOW_ANONYMOUS)));
        b.containerSecurity(bool(CONTAINER_SECURITY_PARAM,
                param(CONTAINER_SECURITY_PARAM, GatehouseFilter.DEFAULT_CONTAINER_SECURITY)));
        return b;
    }

    private WebSettings webSettings() {
        Set<Transport> transports = EnumSet.noneOf(Transport.class);
        for (String name : list(param(TRANSPORTS_PARAM, GatehouseFilter.DEFAULT_TRANSPORTS))) {
            Transport t = Transport.fromWireName(name);
            if (t == null) {
                throw new ConfigurationException(TRANSPORTS_PARAM, "'" + name + "' is not one of bearer, cookie");
            }
            transports.add(t);
        }
        // each value is checked by WebSettings (TransportSecurity, CsrfPolicy); read() names the init-param
        Set<String> proxies = new LinkedHashSet<>(list(param(TRUSTED_PROXIES_PARAM, GatehouseFilter.DEFAULT_TRUSTED_PROXIES)));
        return WebSettings.builder()
                .realm(param(REALM_PARAM, GatehouseFilter.DEFAULT_REALM))
                .transports(transports)
                .accessCookieName(param(ACCESS_COOKIE_PARAM, GatehouseFilter.DEFAULT_ACCESS_COOKIE))
                .csrfCookieName(param(CSRF_COOKIE_PARAM, GatehouseFilter.DEFAULT_CSRF_COOKIE))
                .csrfHeaderName(param(CSRF_HEADER_PARAM, GatehouseFilter.DEFAULT_CSRF_HEADER))
                .allowedOrigins(new LinkedHashSet<>(list(param(ALLOWED_ORIGINS_PARAM, GatehouseFilter.DEFAULT_ALLOWED_ORIGINS))))
                .requireHttps(bool(REQUIRE_HTTPS_PARAM, param(REQUIRE_HTTPS_PARAM, GatehouseFilter.DEFAULT_REQUIRE_HTTPS)))
                .trustedProxies(proxies)
                .errorDescriptions(bool(ERROR_DESCRIPTIONS_PARAM,
                        param(ERROR_DESCRIPTIONS_PARAM, GatehouseFilter.DEFAULT_ERROR_DESCRIPTIONS)))
                .build();
    }

    private TokenSettings tokenSettings() {
        String keysFile = nonEmpty(param(KEYS_FILE_PARAM, null));
        String jwksUrl = nonEmpty(param(JWKS_URL_PARAM, null));
        String issuerUri = nonEmpty(param(ISSUER_URI_PARAM, null));
        String issuer;
        if (issuerUri != null) {
            for (String other : List.of(JWKS_URL_PARAM, KEYS_FILE_PARAM)) {
                if (nonEmpty(param(other, null)) != null) {
                    throw new ConfigurationException(ISSUER_URI_PARAM, "must not be set together with " + other
                            + " (" + ISSUER_URI_PARAM + " finds the keys itself; use one of them)");
                }
            }
            issuer = nonEmpty(param(ISSUER_PARAM, null));
            if (issuer == null) {
                issuer = issuerUri;
            } else if (!issuer.equals(issuerUri)) {
                throw new ConfigurationException(ISSUER_PARAM, "is '" + issuer + "' but " + ISSUER_URI_PARAM + " is '" + issuerUri
                        + "'; tokens must come from the issuer whose keys verify them: leave " + ISSUER_PARAM + " out, or make them equal");
            }
            jwksUrl = issuerUri;
        } else {
            issuer = required(ISSUER_PARAM);
        }
        String audience = required(AUDIENCE_PARAM);
        if (keysFile != null && jwksUrl != null) {
            throw new ConfigurationException(JWKS_URL_PARAM, "must not be set together with " + KEYS_FILE_PARAM + " (use one of them)");
        }
        if (keysFile == null && jwksUrl == null) {
            throw new ConfigurationException(KEYS_FILE_PARAM, "is required (or set " + JWKS_URL_PARAM + ", " + ISSUER_URI_PARAM
                    + ", or " + VERIFIER_ATTRIBUTE_PARAM + ")");
        }
        if (jwksUrl == null && nonEmpty(param(JWKS_ALLOW_HTTP_LOOPBACK_PARAM, null)) != null) {
            throw new ConfigurationException(JWKS_ALLOW_HTTP_LOOPBACK_PARAM, "applies only together with " + JWKS_URL_PARAM
                    + " or " + ISSUER_URI_PARAM);
        }
        Set<SigningAlgorithm> algorithms = EnumSet.noneOf(SigningAlgorithm.class);
        for (String name : list(param(ALGORITHMS_PARAM, GatehouseFilter.DEFAULT_ALGORITHMS))) {
            algorithms.add(SigningAlgorithm.parse(name));
        }
        Set<AccessTokenType> acceptedTypes = EnumSet.noneOf(AccessTokenType.class);
        for (String name : list(param(ACCEPTED_TOKEN_TYPES_PARAM, GatehouseFilter.DEFAULT_ACCEPTED_TOKEN_TYPES))) {
            try {
                acceptedTypes.add(AccessTokenType.parse(name));
            } catch (ConfigurationException e) {
                throw e.forSetting(ACCEPTED_TOKEN_TYPES_PARAM);
            }
        }
        return TokenSettings.builder(issuer, audience)
                .acceptedAlgorithms(algorithms.isEmpty() ? null : algorithms)
                .tokenType(AccessTokenType.parse(param(TOKEN_TYPE_PARAM, GatehouseFilter.DEFAULT_TOKEN_TYPE)))
                .acceptedTokenTypes(acceptedTypes)
                .clockLeeway(duration(CLOCK_LEEWAY_PARAM, param(CLOCK_LEEWAY_PARAM, GatehouseFilter.DEFAULT_CLOCK_LEEWAY)))
                .maxTokenSize(integer(MAX_TOKEN_SIZE_PARAM, param(MAX_TOKEN_SIZE_PARAM, GatehouseFilter.DEFAULT_MAX_TOKEN_SIZE)))
                .verifiedTokenCache(bool(VERIFIED_TOKEN_CACHE_PARAM,
                        param(VERIFIED_TOKEN_CACHE_PARAM, GatehouseFilter.DEFAULT_VERIFIED_TOKEN_CACHE)))
                .verifiedTokenCacheSize(integer(VERIFIED_TOKEN_CACHE_SIZE_PARAM,
                        param(VERIFIED_TOKEN_CACHE_SIZE_PARAM, GatehouseFilter.DEFAULT_VERIFIED_TOKEN_CACHE_SIZE)))
                .build();
    }

    /**
     * Refuses a {@value GatehouseFilter#KEYS_FILE_PARAM} holding a key of an algorithm the settings do
     * not accept (it could never verify a token, and is most likely a mistake); closes the source first.
     */
    private static void checkAlgorithms(KeySet keys, Set<SigningAlgorithm> accepted, FileKeySource source) {
        for (var key : keys.keys()) {
            if (!accepted.contains(key.algorithm())) {
                source.close();
                throw new ConfigurationException(ALGORITHMS_PARAM, "key '" + key.kid() + "' in " + KEYS_FILE_PARAM + " is "
                        + key.algorithm() + ", which is not listed");
            }
        }
    }

    private String param(String name, String defaultValue) {
        String value = config.getInitParameter(name);
        return value == null ? defaultValue : value.strip();
    }

    private String required(String name) {
        String value = param(name, null);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException(name, "is required (or set " + VERIFIER_ATTRIBUTE_PARAM + ")");
        }
        return value;
    }

    private static String nonEmpty(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static boolean bool(String name, String value) {
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw new ConfigurationException(name, "must be true or false, not '" + value + "'");
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "'" + value + "' is not a whole number");
        }
    }

    private static Duration duration(String name, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(name, "'" + value + "' is not an ISO-8601 duration such as PT30S");
        }
    }
}
