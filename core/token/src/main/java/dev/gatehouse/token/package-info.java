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

/**
 * Gatehouse core: settings, keys, issuing and verifying access tokens, and the pieces of HTTP
 * handling (token location, RFC 6750 challenges, RFC 9457 problems, CSRF) that the servlet and
 * JAX-RS adapters share. Depends on neither the servlet API nor JAX-RS.
 *
 * <p>Start with {@link dev.gatehouse.token.TokenSettings}, a {@link dev.gatehouse.token.KeySet},
 * then {@link dev.gatehouse.token.AccessTokenIssuer} and {@link dev.gatehouse.token.AccessTokenVerifier}.
 */
package dev.gatehouse.token;
