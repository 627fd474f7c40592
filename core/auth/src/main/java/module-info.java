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
 * Gatehouse's onboarding service: registration, login, refresh-token rotation, logout, roles,
 * password hashing and policy, throttling and the revocation cache, over the store contracts of
 * {@code dev.gatehouse.auth.store}; and the second-factor primitives of {@code dev.gatehouse.auth.mfa}
 * (TOTP, enrolment QR codes, sealed secrets, recovery codes).
 */
module dev.gatehouse.auth {
    requires transitive dev.gatehouse.token;
    requires transitive dev.gatehouse.web;
    requires com.github.benmanes.caffeine;
    requires com.google.zxing;
    requires jbcrypt;
    requires org.slf4j;

    exports dev.gatehouse.auth;
    exports dev.gatehouse.auth.store;
    exports dev.gatehouse.auth.mail;
    exports dev.gatehouse.auth.mfa;
}
