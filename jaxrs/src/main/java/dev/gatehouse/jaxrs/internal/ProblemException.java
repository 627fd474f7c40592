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

import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.web.Problem;

/** A request that ends in a problem response, thrown from inside the resources. */
public final class ProblemException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final String challenge;

    public ProblemException(Problem problem) {
        this(problem, null);
    }

    public ProblemException(Problem problem, String challenge) {
        super(problem.title());
        this.problem = problem;
        this.challenge = challenge;
    }

    public Problem problem() {
        return problem;
    }

    public String challenge() {
        return challenge;
    }
}
