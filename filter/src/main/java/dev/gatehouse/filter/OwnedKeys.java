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

package dev.gatehouse.filter;

/**
 * A key source the filter made from its init-params ({@code keys-file}, {@code jwks-url},
 * {@code issuer-uri}): built by {@link InitParams} without I/O, started by
 * {@link GatehouseFilter#init} once every init-param has been checked, closed by
 * {@link GatehouseFilter#destroy}.
 *
 * @param start loads the keys and starts the background work (polling the file, refreshing the JWK Set)
 * @param close stops the background work; idempotent
 */
record OwnedKeys(Runnable start, Runnable close) {
}
