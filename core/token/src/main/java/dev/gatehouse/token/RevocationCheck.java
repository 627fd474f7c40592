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

package dev.gatehouse.token;

/**
 * Tells the verifier whether an otherwise valid token has been revoked (logout by {@code jti},
 * logout-all by subject and issue time). Called on every verification, so implementations must
 * answer from memory (a cache that refreshes itself), never with a per-request database query.
 * Thread-safe.
 */
@FunctionalInterface
public interface RevocationCheck {
    /** Revokes nothing. */
    RevocationCheck NONE = principal -> false;

    /** Whether the token this principal came from must be refused. */
    boolean isRevoked(AccessTokenPrincipal principal);
}
