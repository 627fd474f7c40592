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

package dev.gatehouse.auth.mfa;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The {@code otpauth://} URI an authenticator app scans to enrol a TOTP secret, in the Key Uri
 * Format of Google Authenticator (which other apps follow), for the parameters of {@link Totp}:
 *
 * <pre>{@code otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30}</pre>
 *
 * <p>Issuer and account name are percent-encoded as UTF-8: every character but the RFC 3986
 * unreserved ones ({@code A-Z a-z 0-9 - . _ ~}) becomes {@code %XX}, so a space is {@code %20}
 * (never {@code +}, which apps would show as a plus) and {@code @} is {@code %40}. The colon that
 * separates them stays literal; neither may contain one, as an app could not tell where the
 * issuer ends. The secret is base32 without padding. Stateless and thread-safe.
 *
 * <p>The URI holds the secret in clear: show it (or its QR code, {@link QrSvg}) only to the account
 * enrolling, over HTTPS, with {@code Cache-Control: no-store}, and never log it.
 */
public final class OtpAuthUri {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private OtpAuthUri() {
    }

    /**
     * The enrolment URI of a TOTP secret.
     *
     * @param issuer the service, shown by the app above the code (for example {@code "Example Co"})
     * @param accountName the account, shown by the app below the issuer (for example an email)
     * @param secret the shared secret, at least {@value Totp#MIN_SECRET_BYTES} bytes
     * @return the URI, ASCII only
     * @throws IllegalArgumentException if issuer or account name is blank or contains a colon, or
     *     the secret is too short
     */
    public static String totp(String issuer, String accountName, byte[] secret) {
        checkLabelPart(issuer, "issuer");
        checkLabelPart(accountName, "account name");
        Objects.requireNonNull(secret, "secret");
        if (secret.length < Totp.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("A TOTP secret has at least " + Totp.MIN_SECRET_BYTES + " bytes");
        }
        String encodedIssuer = percentEncode(issuer);
        return "otpauth://totp/" + encodedIssuer + ':' + percentEncode(accountName)
            + "?secret=" + Base32.encode(secret)
            + "&issuer=" + encodedIssuer
            + "&algorithm=SHA1&digits=" + Totp.DIGITS
            + "&period=" + Totp.PERIOD.toSeconds();
    }

    private static void checkLabelPart(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException("The " + what + " of an otpauth URI must not be blank");
        }
        if (value.indexOf(':') >= 0) {
            throw new IllegalArgumentException("The " + what + " of an otpauth URI must not contain ':'");
        }
    }

    private static String percentEncode(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (isUnreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0x0f]);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
