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

package dev.gatehouse.demo;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;
import dev.gatehouse.auth.store.User;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code GET /api/me} shows of a user besides the token's claims (the email), kept per node
 * for {@link #TTL} so that the route does not read the database on every request.
 *
 * <p>Why serving it from memory is safe: an email never changes once registered (there is no
 * route that changes it), the roles shown come from the verified token and not from here, and
 * only the user's own token reaches their entry. A deleted account's entry is dropped at once on
 * the node that deleted it ({@link #evictOnDeletion}); on other nodes the account's tokens are
 * refused by the generation cut-off the deletion writes, within the revocation staleness, and the
 * entry expires unread. Bounded to {@link #MAX_ENTRIES}. Thread-safe.
 */
public final class Profiles {
    /** How long an entry is served after it was read from the database. */
    static final Duration TTL = Duration.ofSeconds(60);
    static final int MAX_ENTRIES = 10_000;

    private final AuthService service;
    private final Cache<String, String> emails = Caffeine.newBuilder()
            .maximumSize(MAX_ENTRIES)
            .expireAfterWrite(TTL)
            .executor(Runnable::run)
            .build();

    Profiles(AuthService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /** The email of the user with this id, from memory or the database; empty for an unknown user. */
    public Optional<String> email(String userId) {
        String email = emails.getIfPresent(userId);
        if (email != null) {
            return Optional.of(email);
        }
        Optional<String> found = service.findUser(userId).map(User::email);
        found.ifPresent(e -> emails.put(userId, e));
        return found;
    }

    /** Forgets a user (their account was deleted). */
    void evict(String userId) {
        emails.invalidate(userId);
    }

    /** Entries held now (for tests). */
    long size() {
        emails.cleanUp();
        return emails.estimatedSize();
    }

    /** A listener that passes every event on and drops a deleted user's entry. */
    static SecurityEventListener evictOnDeletion(SecurityEventListener next, Holder holder) {
        return event -> {
            if (event.type() == SecurityEvent.Type.USER_DELETED && event.userId() != null) {
                Profiles profiles = holder.profiles;
                if (profiles != null) {
                    profiles.evict(event.userId());
                }
            }
            next.onEvent(event);
        };
    }

    /** The profiles, set once the service they read through exists (the listener is made before it). */
    static final class Holder {
        volatile Profiles profiles;
    }
}
