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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238) with the parameters every authenticator app uses by
 * default: HMAC-SHA1, {@value #DIGITS} digits, a step of {@link #PERIOD} counted from the Unix
 * epoch. A code is the HOTP value (RFC 4226) of the step number.
 *
 * <p>{@link #verify} accepts a code for the current step or up to {@code window} steps either side
 * (clock drift and typing time), but only for steps after the last one the account used, so that a
 * code is spent once: the caller stores the step returned and passes it back next time (RFC 6238
 * §5.2). Secrets shorter than {@value #MIN_SECRET_BYTES} bytes are refused (RFC 4226 §4, R6);
 * {@link #newSecret} makes secrets of {@value #SECRET_BYTES} bytes, the size of an HMAC-SHA1 output.
 *
 * <p>All methods are static, stateless and thread-safe.
 */
public final class Totp {
    /** The number of digits of a code. */
    public static final int DIGITS = 6;
    /** The length of a time step. */
    public static final Duration PERIOD = Duration.ofSeconds(30);
    /** The size of a secret made by {@link #newSecret()}, in bytes (160 bits). */
    public static final int SECRET_BYTES = 20;
    /** The smallest secret accepted, in bytes (128 bits, RFC 4226 §4). */
    public static final int MIN_SECRET_BYTES = 16;
    /** The widest {@code window} {@link #verify} accepts: ten steps, five minutes either side. */
    public static final int MAX_WINDOW = 10;

    private static final long PERIOD_SECONDS = PERIOD.toSeconds();
    private static final int MODULUS = 1_000_000;
    private static final String HMAC = "HmacSHA1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Totp() {
    }

    /**
     * The number of the time step an instant falls in, {@code floor(epochSeconds / 30)}.
     *
     * @param time the instant
     * @return its step, negative before 1970
     */
    public static long step(Instant time) {
        return Math.floorDiv(time.getEpochSecond(), PERIOD_SECONDS);
    }

    /**
     * The code of one step (or the HOTP value of one counter): HMAC-SHA1 of the step as an 8-byte
     * big-endian number, dynamically truncated to 31 bits, modulo 10<sup>6</sup>, with leading
     * zeros.
     *
     * @param secret the shared secret, at least {@value #MIN_SECRET_BYTES} bytes
     * @param step the step (or HOTP counter), not negative
     * @return {@value #DIGITS} ASCII digits
     * @throws IllegalArgumentException if the secret is too short or the step negative
     */
    public static String code(byte[] secret, long step) {
        checkSecret(secret);
        if (step < 0) {
            throw new IllegalArgumentException("A TOTP step is not negative");
        }
        return code(mac(secret), step);
    }

    /**
     * Checks a code typed by the user: the earliest step {@code s} with
     * {@code step(now) - window <= s <= step(now) + window} and {@code s > lastUsedStep} whose code
     * is the one given.
     *
     * <p>Spaces in {@code code} are ignored (apps show {@code "123 456"}); anything else than
     * exactly {@value #DIGITS} ASCII digits then matches nothing. Every step of the window is
     * computed and compared in constant time, whether or not an earlier one matched and whether or
     * not it is eligible, so the time taken does not tell which step matched.
     *
     * @param secret the shared secret, at least {@value #MIN_SECRET_BYTES} bytes
     * @param code the code as typed; null matches nothing
     * @param now the current time
     * @param window how many steps either side of the current one are accepted, 0 to
     *     {@value #MAX_WINDOW} (1 is usual)
     * @param lastUsedStep the step of the last code this secret accepted, so that it and earlier
     *     steps are refused; {@code Long.MIN_VALUE} (or any negative value) if none
     * @return the step matched, to be stored as the next {@code lastUsedStep}; empty if none
     * @throws IllegalArgumentException if the secret is too short or the window out of range
     */
    public static OptionalLong verify(byte[] secret, String code, Instant now, int window, long lastUsedStep) {
        checkSecret(secret);
        Objects.requireNonNull(now, "now");
        if (window < 0 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("A TOTP window is from 0 to " + MAX_WINDOW + " steps");
        }
        byte[] given = normalise(code);
        if (given == null) {
            return OptionalLong.empty();
        }
        Mac mac = mac(secret);
        long current = step(now);
        long matched = -1;
        for (long s = current - window; s <= current + window; s++) {
            if (s < 0) {
                continue;
            }
            boolean equal = MessageDigest.isEqual(code(mac, s).getBytes(StandardCharsets.US_ASCII), given);
            if (equal && s > lastUsedStep && matched < 0) {
                matched = s;
            }
        }
        return matched < 0 ? OptionalLong.empty() : OptionalLong.of(matched);
    }

    /**
     * A new random secret of {@value #SECRET_BYTES} bytes from {@link SecureRandom}.
     *
     * @return the secret, to be sealed before it is stored ({@link SecretSealer})
     */
    public static byte[] newSecret() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    /** The code without spaces as ASCII bytes, or null if it is not exactly six ASCII digits. */
    private static byte[] normalise(String code) {
        if (code == null || code.length() > 4 * DIGITS) {
            return null;
        }
        byte[] digits = new byte[DIGITS];
        int n = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == ' ') {
                continue;
            }
            if (c < '0' || c > '9' || n == DIGITS) {
                return null;
            }
            digits[n++] = (byte) c;
        }
        return n == DIGITS ? digits : null;
    }

    private static String code(Mac mac, long step) {
        byte[] hash = mac.doFinal(ByteBuffer.allocate(Long.BYTES).putLong(step).array());
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24)
            | ((hash[offset + 1] & 0xff) << 16)
            | ((hash[offset + 2] & 0xff) << 8)
            | (hash[offset + 3] & 0xff);
        // Integer.toString writes ASCII digits whatever the default locale (String.format would not)
        String digits = Integer.toString(binary % MODULUS);
        return "0".repeat(DIGITS - digits.length()) + digits;
    }

    private static Mac mac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK cannot compute HMAC-SHA1", e);
        }
    }

    private static void checkSecret(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("A TOTP secret has at least " + MIN_SECRET_BYTES + " bytes");
        }
    }
}
