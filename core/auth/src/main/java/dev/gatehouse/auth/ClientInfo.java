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

/**
 * What is known of the client making a request: its address (for throttling, and coarsely for the
 * list of sessions) and its {@code User-Agent} (shown in that list). Either may be {@code null}.
 *
 * @param address   the client's address (the peer, or what a trusted proxy names), or {@code null}
 * @param userAgent the {@code User-Agent} header as sent, or {@code null}
 */
public record ClientInfo(String address, String userAgent) {
    /** A client of which nothing is known. */
    public static final ClientInfo UNKNOWN = new ClientInfo(null, null);

    /** A client known by its address only. */
    public static ClientInfo of(String address) {
        return new ClientInfo(address, null);
    }
}
