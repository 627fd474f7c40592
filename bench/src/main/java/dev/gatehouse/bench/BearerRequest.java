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

package dev.gatehouse.bench;

import dev.gatehouse.web.RequestAuthenticator;

import java.util.List;

/** A {@code GET} carrying one bearer token, as a container adapter would present it. */
final class BearerRequest implements RequestAuthenticator.HttpRequestView {
    private final List<String> authorization;

    BearerRequest(String token) {
        this.authorization = List.of("Bearer " + token);
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public List<String> headers(String name) {
        return "Authorization".equalsIgnoreCase(name) ? authorization : List.of();
    }

    @Override
    public String ownOrigin() {
        return "https://api.example.com";
    }

    /** Over HTTPS, from a remote client: the transport check passes as it does in production. */
    @Override
    public boolean isSecure() {
        return true;
    }

    @Override
    public String peerAddress() {
        return "203.0.113.7";
    }
}
