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

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The demo's {@code GATEHOUSE_ADMIN_EMAILS}: a demo-only convenience, so that one command gives an
 * administrator. The role {@code admin} is granted, through {@link AuthService#grantRole} (the
 * same API an operator uses), to the account of one of these emails once it has shown that it
 * owns the address:
 * <ul>
 *   <li>with {@code GATEHOUSE_REQUIRE_VERIFIED_EMAIL=true} (the default), when the address is
 *       verified: on {@link SecurityEvent.Type#EMAIL_VERIFIED} (the link of the verification mail),
 *       and on {@link SecurityEvent.Type#PASSWORD_RESET} (the link of a reset mail, which marks the
 *       address verified too). Registering the address alone grants nothing;</li>
 *   <li>with {@code GATEHOUSE_REQUIRE_VERIFIED_EMAIL=false}, on {@link SecurityEvent.Type#REGISTERED},
 *       as soon as the account exists: whoever registers the address first gets the role.</li>
 * </ul>
 * The grant starts a new token generation, so the access token that the verification's login
 * issued in the same moment is refused; the session's refresh token still works and its next
 * access token carries {@code admin} (the page refreshes once when that happens).
 *
 * <p>Not for production: the library itself never grants a role at registration or verification;
 * in production, grant roles with the admin command line ({@code roles grant}) or
 * {@link AuthService#grantRole}.
 */
final class DemoAdmins {
    private static final Logger LOG = LoggerFactory.getLogger(DemoAdmins.class);

    private DemoAdmins() {
    }

    /**
     * A listener that passes every event on, and grants {@code admin} to the account of one of
     * {@code emails} when it is verified ({@code requireVerifiedEmail}) or registered (otherwise).
     */
    static SecurityEventListener grantToVerifiedAdmins(SecurityEventListener next, Set<String> emails, boolean requireVerifiedEmail,
                                                      Holder holder) {
        Set<String> normalised = emails.stream().map(Emails::normalise).collect(Collectors.toUnmodifiableSet());
        Set<SecurityEvent.Type> grantOn = requireVerifiedEmail
                ? EnumSet.of(SecurityEvent.Type.EMAIL_VERIFIED, SecurityEvent.Type.PASSWORD_RESET)
                : EnumSet.of(SecurityEvent.Type.REGISTERED);
        return event -> {
            next.onEvent(event);
            if (normalised.isEmpty() || !grantOn.contains(event.type()) || event.userId() == null) {
                return;
            }
            AuthService service = holder.service;
            if (service == null) {
                return;
            }
            service.findUser(event.userId())
                    .filter(user -> normalised.contains(user.email()))
                    .filter(user -> !user.roles().contains("admin"))
                    .ifPresent(user -> {
                        service.grantRole(user.id(), "admin");
                        LOG.warn("Granted the role admin to the account {}: its email is in GATEHOUSE_ADMIN_EMAILS and {}"
                                + " (a demo-only convenience)", user.id(), requireVerifiedEmail ? "it is verified" : "it was registered");
                    });
        };
    }

    /** The service, set once it exists (the listener is made before it). */
    static final class Holder {
        volatile AuthService service;
    }
}
