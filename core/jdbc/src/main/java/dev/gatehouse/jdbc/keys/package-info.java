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
 * Key sources beyond a fixed {@link dev.gatehouse.token.KeySet}: keys managed in the database and
 * rotated automatically ({@link dev.gatehouse.jdbc.keys.ManagedKeySource}), keys from a file that
 * is reloaded when it changes ({@link dev.gatehouse.token.keys.FileKeySource}), and keys fetched
 * from a remote JWKS for services that only verify ({@link dev.gatehouse.token.keys.RemoteJwksKeySource});
 * plus the operator's command-line tool {@link dev.gatehouse.jdbc.keys.KeyAdmin}. See
 * {@code docs/operations.md}.
 */
package dev.gatehouse.jdbc.keys;
