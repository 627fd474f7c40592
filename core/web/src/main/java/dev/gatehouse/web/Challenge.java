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



/**
 * {@code WWW-Authenticate} values for the {@code Bearer} scheme (RFC 6750 §3), written in one place
 * for every adapter. The realm is validated by {@link WebSettings} (no quote or backslash),
 * and descriptions are fixed texts, so nothing a client sent ever reaches the header.
 */
public final class Challenge {
    /** The header name. */
    public static final String HEADER = "WWW-Authenticate";

    private Challenge() {
    }

    /** No credentials were sent: a bare challenge without an error code (RFC 6750 §3.1). */
    public static String bare(String realm) {
        return "Bearer realm=\"" + realm + "\"";
    }

    /** The token was expired, revoked, malformed or invalid for another reason: {@code 401}. */
    public static String invalidToken(String realm) {
        return "Bearer realm=\"" + realm + "\", error=\"invalid_token\"";
    }

    /** The request was malformed (bad header, two tokens): {@code 400}. */
    public static String invalidRequest(String realm) {
        return "Bearer realm=\"" + realm + "\", error=\"invalid_request\"";
    }
}
