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
 * Second-factor building blocks, free of storage and HTTP: time-based one-time passwords
 * (RFC 6238, {@link dev.gatehouse.auth.mfa.Totp}), their enrolment as an {@code otpauth://} URI
 * ({@link dev.gatehouse.auth.mfa.OtpAuthUri}) drawn as an SVG QR code
 * ({@link dev.gatehouse.auth.mfa.QrSvg}), the sealing of TOTP secrets at rest
 * ({@link dev.gatehouse.auth.mfa.SecretSealer}) and single-use recovery codes
 * ({@link dev.gatehouse.auth.mfa.RecoveryCodes}).
 */
package dev.gatehouse.auth.mfa;
