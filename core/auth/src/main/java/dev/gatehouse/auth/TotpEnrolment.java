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

import java.util.Objects;

/**
 * A pending TOTP enrolment as shown to its user once: the {@code otpauth://} URI (which holds the
 * secret) and the same as a QR code. Confirmed by a first valid code. {@link #toString()} shows neither.
 *
 * @param otpauthUri the key URI an authenticator app takes
 * @param qrSvg      the URI as a QR code, a standalone SVG document
 */
public record TotpEnrolment(String otpauthUri, String qrSvg) {
    public TotpEnrolment {
        Objects.requireNonNull(otpauthUri, "otpauthUri");
        Objects.requireNonNull(qrSvg, "qrSvg");
    }

    @Override
    public String toString() {
        return "TotpEnrolment{...}";
    }
}
