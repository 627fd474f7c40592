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

import dev.gatehouse.web.Problem;

import java.util.ArrayList;
import java.util.List;

/** The rules for role names, and changes to a role list: shared by {@link AuthService} and the admin command line. */
public final class Roles {
    /** The longest role name. */
    public static final int MAX_LENGTH = 64;

    private Roles() {
    }

    /**
     * The role name if it is one: 1 to {@value #MAX_LENGTH} printable characters, no white space
     * (roles are stored space-separated and compared exactly by {@code isUserInRole}).
     *
     * @throws ValidationException naming the field {@code role} otherwise
     */
    public static String checked(String role) {
        String problem = null;
        if (role == null || role.isEmpty()) {
            problem = "is required";
        } else if (role.length() > MAX_LENGTH) {
            problem = "must be at most " + MAX_LENGTH + " characters";
        } else if (role.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)
                || Character.getType(c) == Character.FORMAT || Character.isSpaceChar(c))) {
            problem = "must not contain white space or control characters";
        }
        if (problem != null) {
            throw new ValidationException(List.of(new Problem.FieldError("role", problem)));
        }
        return role;
    }

    /** {@code roles} with {@code role} added at the end (if missing) or removed. */
    public static List<String> change(List<String> roles, String role, boolean grant) {
        List<String> changed = new ArrayList<>(roles);
        if (grant) {
            if (!changed.contains(role)) {
                changed.add(role);
            }
        } else {
            changed.remove(role);
        }
        return List.copyOf(changed);
    }
}
