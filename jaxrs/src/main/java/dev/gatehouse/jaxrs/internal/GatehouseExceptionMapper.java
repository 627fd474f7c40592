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

package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.web.Challenge;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.web.InsufficientAuthenticationException;
import dev.gatehouse.web.Problem;
import dev.gatehouse.auth.InvalidAccountTokenException;
import dev.gatehouse.auth.InvalidCredentialsException;
import dev.gatehouse.auth.OverloadedException;
import dev.gatehouse.auth.SecondFactorStateException;
import dev.gatehouse.auth.ThrottledException;
import dev.gatehouse.auth.ValidationException;
import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.store.StoreUnavailableException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps Gatehouse's own exceptions (and only those: the host application's exceptions are left to
 * it) to the problem responses of the HTTP contract. Never a stack trace, never a 500 for bad input.
 */
public final class GatehouseExceptionMapper implements ExceptionMapper<GatehouseException> {
    private static final Logger LOG = LoggerFactory.getLogger(GatehouseExceptionMapper.class);
    /** Seconds a client should wait after a 503. */
    static final long RETRY_AFTER_UNAVAILABLE = 5;
    static final String INVALID_LINK_TITLE = "Invalid or expired link";
    static final String INVALID_LINK_DETAIL = "The link is invalid, has expired or was used already. Ask for a new one.";

    private final String realm;

    public GatehouseExceptionMapper(String realm) {
        this.realm = realm;
    }

    @Override
    public Response toResponse(GatehouseException e) {
        if (e instanceof ProblemException p) {
            return Responses.problem(p.problem(), p.challenge());
        }
        if (e instanceof ValidationException invalid) {
            return Responses.problem(new Problem(400, "validation", "Invalid request fields",
                    "One or more fields are invalid.", invalid.errors())).build();
        }
        if (e instanceof DuplicateEmailException) {
            return Responses.problem(new Problem(409, "email-taken", "Email already registered",
                    "An account with this email already exists.")).build();
        }
        if (e instanceof SecondFactorStateException state) {
            return Responses.problem(secondFactorState(state.reason())).build();
        }
        if (e instanceof InvalidAccountTokenException) {
            // one answer for an unknown, spent, expired or malformed link token: none is told apart
            return Responses.problem(new Problem(400, "invalid-token", INVALID_LINK_TITLE, INVALID_LINK_DETAIL)).build();
        }
        if (e instanceof InsufficientAuthenticationException insufficient) {
            return Responses.problem(insufficient.requirement().problem(), insufficient.requirement().challenge(realm));
        }
        if (e instanceof InvalidCredentialsException) {
            return Responses.problem(new Problem(401, "invalid-credentials", "Invalid credentials",
                    "The credentials are invalid or have expired."), Challenge.invalidToken(realm));
        }
        if (e instanceof ThrottledException throttled) {
            return Responses.problem(new Problem(429, "throttled", "Too many attempts", "Try again later."))
                    .header("Retry-After", String.valueOf(throttled.retryAfterSeconds())).build();
        }
        if (e instanceof OverloadedException) {
            return Responses.unavailable("The server is busy; try again shortly.", RETRY_AFTER_UNAVAILABLE);
        }
        if (e instanceof StoreUnavailableException) {
            LOG.warn("Store unavailable: {}", e.getMessage());
            return Responses.unavailable("The service is temporarily unavailable; try again shortly.", RETRY_AFTER_UNAVAILABLE);
        }
        LOG.error("Unexpected Gatehouse failure ({}): {}", e.getClass().getName(), e.getMessage());
        return Responses.unavailable("The service is temporarily unavailable; try again shortly.", RETRY_AFTER_UNAVAILABLE);
    }

    private static Problem secondFactorState(SecondFactorStateException.Reason reason) {
        return switch (reason) {
            case ALREADY_ENABLED -> new Problem(409, "mfa-already-enabled", "Second factor already enabled",
                    "An authenticator is enrolled already; remove it before enrolling another.");
            case NOT_ENABLED -> new Problem(409, "mfa-not-enabled", "Second factor not enabled", "No authenticator is enrolled.");
            case NOT_PENDING -> new Problem(409, "mfa-not-pending", "No enrolment pending",
                    "No enrolment is waiting for its first code; begin one first.");
        };
    }
}
