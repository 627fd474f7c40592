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

package dev.gatehouse.jdbc.keys;

import dev.gatehouse.auth.Emails;
import dev.gatehouse.auth.Roles;
import dev.gatehouse.auth.ValidationException;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The admin command line's {@code roles} command: {@code roles list <user>}, {@code roles grant
 * <user> <role>}, {@code roles revoke <user> <role>}, a user named by email (anything with an
 * {@code @}) or by id. A change goes through {@link UserRepository#changeRoles}, as
 * {@code AuthService.grantRole} does: in one transaction it stores the roles and starts the user's
 * next token generation, so every node refuses the user's earlier access tokens within its
 * revocation staleness, and the user's next refresh carries the new roles.
 */
final class RolesCommand {
    private RolesCommand() {
    }

    /** Runs {@code roles ...}; {@code arguments} are the words after {@code roles}. */
    static int run(DataSource dataSource, List<String> arguments, PrintStream out, Clock clock) {
        String verb = arguments.get(0);
        boolean change = verb.equals("grant") || verb.equals("revoke");
        if (!change && !verb.equals("list")) {
            throw new IllegalArgumentException("roles: unknown action '" + verb + "' (list, grant or revoke)");
        }
        if (arguments.size() != (change ? 3 : 2)) {
            throw new IllegalArgumentException(change ? "roles " + verb + " needs a user (email or id) and a role"
                    : "roles list needs a user (email or id)");
        }
        String role = change ? checked(arguments.get(2)) : null;
        UserRepository users = new JdbcStores(dataSource).users();
        User user = find(users, arguments.get(1))
                .orElseThrow(() -> new IllegalArgumentException("no such user: " + arguments.get(1)));
        if (!change) {
            out.println("User " + user.id() + " (" + user.email() + ") has the roles " + String.join(", ", user.roles()) + ".");
            return KeyAdmin.OK;
        }
        boolean grant = verb.equals("grant");
        AtomicReference<List<String>> before = new AtomicReference<>();
        User after = users.changeRoles(user.id(), roles -> {
            before.set(roles);
            return Roles.change(roles, role, grant);
        }, clock.instant()).orElseThrow(() -> new IllegalArgumentException("no such user: " + arguments.get(1)));
        if (after.roles().equals(before.get())) {
            out.println("User " + after.id() + " " + (grant ? "already has" : "does not have") + " the role " + role
                    + ": nothing changed.");
        } else {
            out.println((grant ? "Granted " : "Revoked ") + role + (grant ? " to" : " from") + " user " + after.id()
                    + " (" + after.email() + "): roles now " + String.join(", ", after.roles()) + ". The user's earlier"
                    + " access tokens are refused on every node within its revocation staleness; the next refresh"
                    + " carries the new roles.");
        }
        return KeyAdmin.OK;
    }

    private static Optional<User> find(UserRepository users, String who) {
        if (who.indexOf('@') >= 0) {
            String email = Emails.normalise(who);
            return Emails.problem(email).isPresent() ? Optional.empty() : users.findByEmail(email);
        }
        return who.length() > 36 ? Optional.empty() : users.findById(who);
    }

    private static String checked(String role) {
        try {
            return Roles.checked(role);
        } catch (ValidationException e) {
            throw new IllegalArgumentException("role " + e.errors().get(0).message());
        }
    }
}
