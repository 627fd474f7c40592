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

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.UserAuthentication;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a resource or an operation demands of the login behind an access token, beyond a valid
 * token: a second factor, a recent authentication, or both. A token that falls short is answered
 * with {@code 401} and an RFC 9470 step-up challenge ({@link #challenge}): the client logs the user
 * in again (with the second factor when asked) and retries with the new token.
 *
 * <p>Judged on the token's {@code amr} and {@code auth_time} alone (no database): a token without
 * them (issued outside a login, or by an earlier release) meets no requirement. A second factor is
 * {@code amr} containing {@value UserAuthentication#MULTIPLE_FACTORS}; the challenge names it as the
 * authentication context class {@value #MFA_ACR}. A maximum age is met while {@code auth_time} is
 * no older than it, compared to the second.
 *
 * <p>Immutable and thread-safe.
 */
public final class AuthenticationRequirement {
    /** The authentication context class a step-up challenge names for a second factor ({@code acr_values}). */
    public static final String MFA_ACR = "mfa";
    /** The RFC 9470 error code. */
    public static final String ERROR = "insufficient_user_authentication";

    private final boolean secondFactor;
    private final Duration maxAge;

    private AuthenticationRequirement(boolean secondFactor, Duration maxAge) {
        if (maxAge != null && (maxAge.isNegative() || maxAge.toSeconds() < 1)) {
            throw new IllegalArgumentException("a maximum authentication age is at least one second");
        }
        if (maxAge != null && maxAge.toNanosPart() != 0) {
            // auth_time and the challenge's max_age are whole seconds: a fraction would be dropped unseen
            throw new IllegalArgumentException("a maximum authentication age is a whole number of seconds");
        }
        this.secondFactor = secondFactor;
        this.maxAge = maxAge;
    }

    /** A login with a second factor (at any time). */
    public static AuthenticationRequirement secondFactor() {
        return new AuthenticationRequirement(true, null);
    }

    /**
     * A login (with any factors) no longer than {@code maxAge} ago.
     *
     * @throws IllegalArgumentException unless {@code maxAge} is a whole number of seconds, at least one
     */
    public static AuthenticationRequirement maxAge(Duration maxAge) {
        return new AuthenticationRequirement(false, Objects.requireNonNull(maxAge, "maxAge"));
    }

    /**
     * {@link #maxAge(Duration)} in seconds.
     *
     * @throws IllegalArgumentException if {@code seconds} is less than one
     */
    public static AuthenticationRequirement maxAgeSeconds(long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("a maximum authentication age is at least one second");
        }
        return new AuthenticationRequirement(false, Duration.ofSeconds(seconds));
    }

    /** This requirement and {@code other} together (the stricter maximum age). */
    public AuthenticationRequirement and(AuthenticationRequirement other) {
        Objects.requireNonNull(other, "other");
        Duration age = maxAge == null ? other.maxAge
                : other.maxAge == null ? maxAge : (maxAge.compareTo(other.maxAge) <= 0 ? maxAge : other.maxAge);
        return new AuthenticationRequirement(secondFactor || other.secondFactor, age);
    }

    public boolean requiresSecondFactor() {
        return secondFactor;
    }

    public Optional<Duration> maxAge() {
        return Optional.ofNullable(maxAge);
    }

    /**
     * Whether the login behind {@code principal} meets the requirement at {@code now}. The age is
     * counted in whole seconds ({@code now} truncated): a login exactly the maximum age ago meets
     * it, one a second older does not. An {@code auth_time} after {@code now} (clock skew) counts
     * as age zero.
     */
    public boolean isMetBy(AccessTokenPrincipal principal, Instant now) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(now, "now");
        Optional<UserAuthentication> authentication = principal.authentication();
        if (authentication.isEmpty()) {
            return false;
        }
        if (secondFactor && !authentication.get().includes(UserAuthentication.MULTIPLE_FACTORS)) {
            return false;
        }
        return maxAge == null || now.getEpochSecond() - authentication.get().time().getEpochSecond() <= maxAge.toSeconds();
    }

    /**
     * The {@code WWW-Authenticate} value of a refusal (RFC 9470 §3): {@code error},
     * {@code error_description}, and {@code acr_values} and/or {@code max_age} as required.
     */
    public String challenge(String realm) {
        return Challenge.insufficientUserAuthentication(realm, description(), secondFactor ? MFA_ACR : null,
                maxAge == null ? null : maxAge.toSeconds());
    }

    /** The {@code 401} body of a refusal. */
    public Problem problem() {
        return new Problem(401, "insufficient-user-authentication", "Stronger authentication required", description() + ".");
    }

    private String description() {
        if (secondFactor && maxAge != null) {
            return "A recent login with a second factor is required";
        }
        return secondFactor ? "A login with a second factor is required" : "A recent login is required";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthenticationRequirement other && secondFactor == other.secondFactor
                && Objects.equals(maxAge, other.maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secondFactor, maxAge);
    }

    @Override
    public String toString() {
        return "AuthenticationRequirement{secondFactor=" + secondFactor + ", maxAge=" + maxAge + "}";
    }
}
