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


package dev.gatehouse.demo.support;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Locale;

/**
 * TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) written for the tests from the RFCs
 * alone, with its own base32 (RFC 4648) decoding of the {@code secret} of an {@code otpauth://}
 * URI: it shares no code with the product, so a test that logs in with its codes checks the
 * product against the standard and not against itself.
 *
 * <p>It also plays a careful user of one account ({@link #nextCode()}): the product accepts a
 * code of one time step either side of the current one, each step once, and no step earlier than
 * the last one accepted, so codes are handed out in step order. Not thread-safe.
 */
public final class IndependentTotp {
    /** The seconds of one time step. */
    public static final long PERIOD = 30;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private final byte[] secret;
    /** The last step {@link #nextCode()} handed out. */
    private long lastStep = -1;

    private IndependentTotp(byte[] secret) {
        this.secret = secret.clone();
    }

    /** The authenticator of a shared secret. */
    public static IndependentTotp of(byte[] secret) {
        return new IndependentTotp(secret);
    }

    /** The authenticator an app would make of {@code otpauth://totp/...?secret=<base32>&...}. */
    public static IndependentTotp fromUri(String otpauthUri) {
        return of(base32Decode(secretParameter(otpauthUri)));
    }

    /** The base32 {@code secret} query parameter of an {@code otpauth://} URI. */
    public static String secretParameter(String otpauthUri) {
        URI uri = URI.create(otpauthUri);
        if (!"otpauth".equals(uri.getScheme()) || !"totp".equals(uri.getHost())) {
            throw new IllegalArgumentException("not an otpauth://totp/ URI: " + otpauthUri);
        }
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("secret")) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException("no secret in " + otpauthUri);
    }

    /** RFC 4648 base32, upper or lower case, padding optional. */
    public static byte[] base32Decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.toUpperCase(Locale.ROOT).toCharArray()) {
            if (c == '=') {
                break;
            }
            int value = BASE32.indexOf(c);
            if (value < 0) {
                throw new IllegalArgumentException("not base32: " + c);
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    /** The time step of an instant. */
    public static long step(Instant time) {
        return Math.floorDiv(time.getEpochSecond(), PERIOD);
    }

    /**
     * The code of the next step not handed out yet: the previous step while at least 15 seconds of
     * its acceptance are left, else the current or the next one; when the next unused step is two
     * ahead, waits until it is one ahead. Each code returned stays acceptable for 15 seconds or more.
     */
    public String nextCode() {
        while (true) {
            long seconds = Instant.now().getEpochSecond();
            long now = Math.floorDiv(seconds, PERIOD);
            long earliest = seconds % PERIOD < 15 ? now - 1 : now;
            long step = Math.max(lastStep + 1, earliest);
            if (step <= now + 1) {
                lastStep = step;
                return code(step);
            }
            long waitMillis = (step - 1) * PERIOD * 1000 - System.currentTimeMillis() + 200;
            try {
                Thread.sleep(Math.max(50, waitMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Six digits that are the code of no step from three before now to three after. */
    public String wrongCode() {
        long now = step(Instant.now());
        java.util.List<String> near = new java.util.ArrayList<>();
        for (long s = now - 3; s <= now + 3; s++) {
            near.add(code(s));
        }
        for (int candidate = 123456; ; candidate = (candidate + 111111) % 1000000) {
            String code = String.format(Locale.ROOT, "%06d", candidate);
            if (!near.contains(code)) {
                return code;
            }
        }
    }

    /** The six digits of a time step. */
    public String code(long step) {
        return code(step, 6);
    }

    /** The code of a time step with {@code digits} digits (RFC 4226 section 5.3, dynamic truncation). */
    public String code(long step, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                    | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            int modulus = 1;
            for (int i = 0; i < digits; i++) {
                modulus *= 10;
            }
            String value = Integer.toString(binary % modulus);
            return "0".repeat(digits - value.length()) + value;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
