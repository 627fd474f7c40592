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

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.Emails;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The demo's {@code GATEHOUSE_ADMIN_EMAILS}: a demo-only convenience, so that one command gives an
 * administrator. When an account is registered with one of these emails, the role {@code admin}
 * is granted to it through {@link AuthService#grantRole}, the same API an operator uses.
 *
 * <p>Not for production: it trusts whoever registers an address first with the role, without
 * any proof that they own the address. The library itself never grants a role at registration;
 * in production, grant roles with the admin command line ({@code roles grant}) or
 * {@link AuthService#grantRole}.
 */
final class DemoAdmins {
    private static final Logger LOG = LoggerFactory.getLogger(DemoAdmins.class);

    private DemoAdmins() {
    }

    /** A listener that passes every event on, and grants {@code admin} to a new account with one of {@code emails}. */
    static SecurityEventListener grantOnRegistration(SecurityEventListener next, Set<String> emails, Holder holder) {
        Set<String> normalised = emails.stream().map(Emails::normalise).collect(Collectors.toUnmodifiableSet());
        return event -> {
            next.onEvent(event);
            if (normalised.isEmpty() || event.type() != SecurityEvent.Type.REGISTERED || event.userId() == null) {
                return;
            }
            AuthService service = holder.service;
            if (service == null) {
                return;
            }
            service.findUser(event.userId())
                    .filter(user -> normalised.contains(user.email()))
                    .ifPresent(user -> {
                        service.grantRole(user.id(), "admin");
                        LOG.warn("Granted the role admin to the new account {}: its email is in GATEHOUSE_ADMIN_EMAILS"
                                + " (a demo-only convenience)", user.id());
                    });
        };
    }

    /** The service, set once it exists (the listener is made before it). */
    static final class Holder {
        volatile AuthService service;
    }
}
