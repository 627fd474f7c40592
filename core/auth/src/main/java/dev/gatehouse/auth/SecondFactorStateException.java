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

package dev.gatehouse.auth;

import dev.gatehouse.token.GatehouseException;

import java.util.Objects;

/** A second-factor operation that the account's state does not allow ({@code 409}). */
public final class SecondFactorStateException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    /** What is in the way. */
    public enum Reason {
        /** An authenticator is enrolled already: remove it before enrolling another. */
        ALREADY_ENABLED,
        /** No authenticator is enrolled. */
        NOT_ENABLED,
        /** No enrolment is waiting for its first code (none was begun, or another replaced it). */
        NOT_PENDING
    }

    private final Reason reason;

    public SecondFactorStateException(Reason reason) {
        super("Second factor: " + Objects.requireNonNull(reason, "reason"));
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
