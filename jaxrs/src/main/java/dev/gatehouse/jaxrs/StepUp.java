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

package dev.gatehouse.jaxrs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The resource method (or every method of the resource class) needs a caller whose login meets a
 * step-up requirement: a second factor ({@link #secondFactor()}), a recent login
 * ({@link #maxAgeSeconds()}), or both. Judged on the access token's {@code amr} and
 * {@code auth_time} alone, against the clock of the verifier's {@code TokenSettings}; a token
 * without these claims meets no requirement.
 *
 * <pre>{@code
 * @POST @Path("/email")
 * @RolesAllowed("user")
 * @StepUp(secondFactor = true, maxAgeSeconds = 600)
 * public Response changeEmail(...) { ... }
 * }</pre>
 *
 * <ul>
 *   <li>no valid token → {@code 401} as for {@link Authenticated} (a bare challenge, or
 *       {@code error="invalid_token"});</li>
 *   <li>a role required by {@code @RolesAllowed} (or {@code @DenyAll}) is checked first: a caller
 *       without it gets {@code 403}, never a step-up prompt, since logging in again would not
 *       help;</li>
 *   <li>a valid token whose login falls short → {@code 401} with the RFC 9470 challenge
 *       {@code Bearer realm="...", error="insufficient_user_authentication", error_description="...",
 *       acr_values="mfa", max_age="600"} (each of the last two only when required) and the problem
 *       type {@code urn:gatehouse:problem:insufficient-user-authentication}. The client logs the user
 *       in again (with the second factor when {@code acr_values="mfa"}) and retries.</li>
 * </ul>
 *
 * <p>{@code @StepUp} implies {@link Authenticated}; it needs nothing else. An annotation on the
 * method replaces one on its class (they are not combined), as with {@code @RolesAllowed}. At least
 * one of the two elements must be set, and {@link #maxAgeSeconds()} must be {@code -1} or positive:
 * a misconfigured annotation makes the application fail to start.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface StepUp {
    /** No age limit (the default of {@link #maxAgeSeconds()}). */
    long NO_MAX_AGE = -1;

    /** Whether the login must have used a second factor (the token's {@code amr} contains {@code mfa}). */
    boolean secondFactor() default false;

    /**
     * The longest time, in seconds, since the user last authenticated (the token's
     * {@code auth_time}); a login exactly this long ago still passes. {@value #NO_MAX_AGE}: no limit.
     */
    long maxAgeSeconds() default NO_MAX_AGE;
}
