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

/**
 * Gatehouse's token layer: signing keys and where they come from (files, a remote JWK Set), issuing
 * and verifying access tokens, the verified-token cache, and the security events that key sources
 * and the onboarding service report. Everything a service that only verifies tokens needs, on
 * java-jwt and Jackson alone: it logs through {@link java.lang.System.Logger}.
 */
module dev.gatehouse.token {
    requires transitive com.auth0.jwt;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports dev.gatehouse.token;
    exports dev.gatehouse.token.events;
    exports dev.gatehouse.token.keys;
    // JWK encoding helpers for the key table's command line, and the lifecycle state the services
    // share: not API
    exports dev.gatehouse.token.internal to dev.gatehouse.auth, dev.gatehouse.jdbc;
}
