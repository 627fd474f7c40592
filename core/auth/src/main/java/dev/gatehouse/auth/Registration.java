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

import dev.gatehouse.auth.store.User;

import java.util.Optional;

/**
 * What a registration did. With {@link AuthSettings#requireVerifiedEmail()} the HTTP answer is the
 * same {@code 202} either way, so that it never tells whether an address has an account.
 *
 * @param user the new user, or empty when the address already had an account (its owner was told
 *             by mail; only when {@link AuthSettings#requireVerifiedEmail()} is on: otherwise a
 *             taken address is a {@link dev.gatehouse.auth.store.DuplicateEmailException})
 * @param verificationQueued whether a verification mail was queued for the new user
 */
public record Registration(Optional<User> user, boolean verificationQueued) {
}
