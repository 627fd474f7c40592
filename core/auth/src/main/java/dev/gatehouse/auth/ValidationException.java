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
import dev.gatehouse.web.Problem;

import java.util.List;

/** A request's fields are invalid: {@code 400} naming each field. Messages are fixed texts. */
public final class ValidationException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem.FieldError> errors;

    public ValidationException(List<Problem.FieldError> errors) {
        super("Invalid fields: " + errors.stream().map(Problem.FieldError::field).toList());
        this.errors = List.copyOf(errors);
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
