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

package dev.gatehouse.web;

import java.util.Locale;

/** How a client carries its tokens ({@code Auth-Transport} request header of the HTTP contract). */
public enum Transport {
    /** {@code Authorization: Bearer} (RFC 6750 §2.1); tokens in the JSON body of login and refresh. */
    BEARER,
    /** HttpOnly cookies, with a double-submit CSRF token for state-changing requests. */
    COOKIE;

    /** The lower-case name used on the wire and in settings. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire or setting name, ignoring case; {@code null} when it is neither. */
    public static Transport fromWireName(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "bearer" -> BEARER;
            case "cookie" -> COOKIE;
            default -> null;
        };
    }
}
