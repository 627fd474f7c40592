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

import dev.gatehouse.token.GatehouseException;

import java.util.Objects;

/**
 * The caller's access token is valid, but the login behind it does not meet an
 * {@link AuthenticationRequirement} (a second factor, a recent login): answered with {@code 401}
 * and the requirement's RFC 9470 step-up challenge.
 */
public final class InsufficientAuthenticationException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final transient AuthenticationRequirement requirement;

    public InsufficientAuthenticationException(AuthenticationRequirement requirement) {
        super("The login does not meet " + Objects.requireNonNull(requirement, "requirement"));
        this.requirement = requirement;
    }

    public AuthenticationRequirement requirement() {
        return requirement;
    }
}
