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

/**
 * A bounded pool (password hashing, or the store pool of refresh and logout) is full:
 * {@code 503} with {@code Retry-After}, rather than letting a flood of requests take every
 * request thread.
 */
public final class OverloadedException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public OverloadedException() {
        super("Password hashing is saturated");
    }

    /** Saturation of something else than password hashing, named in {@code message}. */
    public OverloadedException(String message) {
        super(message);
    }
}
