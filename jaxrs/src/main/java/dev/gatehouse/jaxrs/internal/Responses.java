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
import dev.gatehouse.web.Problem;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Builds the problem responses of the HTTP contract. */
public final class Responses {
    public static final MediaType PROBLEM = MediaType.valueOf(Problem.MEDIA_TYPE + ";charset=UTF-8");
    public static final MediaType JSON = MediaType.valueOf("application/json;charset=UTF-8");

    private Responses() {
    }

    /** A problem response with {@code Cache-Control: no-store}. */
    public static Response.ResponseBuilder problem(Problem problem) {
        return Response.status(problem.status())
                .type(PROBLEM)
                .header("Cache-Control", "no-store")
                .entity(problem.toJson());
    }

    /** A problem response with an RFC 6750 challenge. */
    public static Response problem(Problem problem, String challenge) {
        Response.ResponseBuilder b = problem(problem);
        if (challenge != null) {
            b.header(Challenge.HEADER, challenge);
        }
        return b.build();
    }

    /** {@code 503} with {@code Retry-After}. */
    public static Response unavailable(String detail, long retryAfterSeconds) {
        return problem(new Problem(503, "unavailable", "Service unavailable", detail))
                .header("Retry-After", String.valueOf(retryAfterSeconds)).build();
    }
}
