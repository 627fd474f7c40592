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

import java.util.List;
import java.util.Optional;

/**
 * Where the issuer gets its signing key and the verifier its verification keys. Implementations
 * are thread-safe. A fixed {@link KeySet} is the simplest; rotating and remote sources implement
 * the same interface.
 *
 * <p>A source that loads its keys (from a database, a file, a URL) does so in a {@code start()}
 * of its own, never when it is built, and keeps them fresh until its {@code close()}. Whoever
 * builds such a source starts it before anything uses it and closes it after the last user is
 * closed: a service given a key source neither starts nor closes it, since others (a servlet
 * filter's verifier) may share it. Before {@code start()} its methods throw
 * {@link IllegalStateException}, which a verifier turns into a refused token.
 */
public interface KeySource {
    /**
     * The key new access tokens are signed with.
     *
     * @throws GatehouseException when this source can only verify
     */
    SigningKey signingKey();

    /**
     * The key with this {@code kid}, if it may verify tokens now.
     *
     * @throws InvalidTokenException with {@link InvalidTokenException.Reason#KEYS_UNAVAILABLE} when
     *                               the keys cannot be obtained at all
     */
    Optional<SigningKey> verificationKey(String kid);

    /** The keys to publish in the JWK Set (public halves only; secrets are never published). */
    List<SigningKey> publishedKeys();

    /**
     * The issuer whose tokens these keys verify, when the source is bound to one (a
     * {@code RemoteJwksKeySource} built with {@code fromIssuer}); empty by default. An
     * {@link AccessTokenVerifier} refuses settings that expect another issuer.
     */
    default Optional<String> issuer() {
        return Optional.empty();
    }
}
