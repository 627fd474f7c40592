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

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Consumer;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Seals open only under the same key and context, and every failure looks the same. */
class SecretSealerTest {
    private static final byte[] MASTER = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] OTHER = HexFormat.of().parseHex("f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f");
    private static final byte[] SECRET = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
    private static final String USER = "user-7f3c2a";
    private static final String FAILURE = "sealed secret could not be opened";

    private final SecretSealer sealer = new SecretSealer(MASTER);

    @Test
    void aSealOpensUnderTheSameKeyAndContext() {
        String sealed = sealer.seal(SECRET, USER);

        assertThat(sealed).startsWith("v1:").matches("v1:[A-Za-z0-9_-]+");
        // 12 bytes of IV, 20 of ciphertext, 16 of tag: 48 bytes, 64 base64 characters
        assertThat(sealed).hasSize(3 + 64);
        assertThat(sealer.open(sealed, USER)).isEqualTo(SECRET);
        assertThat(new SecretSealer(MASTER.clone()).open(sealed, USER)).as("another instance, same key").isEqualTo(SECRET);
        assertThat(sealer.open(sealer.seal(new byte[0], ""), "")).isEmpty();
    }

    @Test
    void everySealHasItsOwnIv() {
        String one = sealer.seal(SECRET, USER);
        String two = sealer.seal(SECRET, USER);

        assertThat(one).isNotEqualTo(two);
        assertThat(one.substring(3, 19)).as("the IVs").isNotEqualTo(two.substring(3, 19));
    }

    @Test
    void theFormatIsAesGcmUnderTheDocumentedKeyWithTheContextAsAad() throws Exception {
        String sealed = sealer.seal(SECRET, USER);
        byte[] bytes = Base64.getUrlDecoder().decode(sealed.substring(3));
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(MASTER, "HmacSHA256"));
        byte[] aesKey = hmac.doFinal("dev.gatehouse totp secret key v1".getBytes(StandardCharsets.US_ASCII));

        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new GCMParameterSpec(128, Arrays.copyOf(bytes, 12)));
        cipher.updateAAD(USER.getBytes(StandardCharsets.UTF_8));

        assertThat(cipher.doFinal(bytes, 12, bytes.length - 12)).isEqualTo(SECRET);
    }

    @Test
    void theWrongContextOrKeyDoesNotOpenIt() {
        String sealed = sealer.seal(SECRET, USER);

        assertRefused(sealed, s -> sealer.open(s, "user-7f3c2b"));
        assertRefused(sealed, s -> sealer.open(s, ""));
        assertRefused(sealed, s -> new SecretSealer(OTHER).open(s, USER));
    }

    @Test
    void everyFlippedBitIsNoticed() {
        byte[] bytes = Base64.getUrlDecoder().decode(sealer.seal(SECRET, USER).substring(3));
        for (int i = 0; i < bytes.length; i++) {
            byte[] tampered = bytes.clone();
            tampered[i] ^= 0x01;
            assertRefused("v1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(tampered), s -> sealer.open(s, USER));
        }
    }

    @Test
    void damagedOrForeignSealsAreRefusedAlike() {
        String sealed = sealer.seal(SECRET, USER);
        String body = sealed.substring(3);
        byte[] bytes = Base64.getUrlDecoder().decode(body);
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();

        for (String bad : new String[] {
            sealed.substring(0, sealed.length() - 1),
            sealed.substring(0, sealed.length() - 4),
            "v1:" + encoder.encodeToString(Arrays.copyOf(bytes, bytes.length - 1)),
            "v1:" + encoder.encodeToString(Arrays.copyOf(bytes, 27)),
            "v1:" + encoder.encodeToString(Arrays.copyOf(bytes, 12)),
            "v1:",
            "",
            "v2:" + body,
            "V1:" + body,
            body,
            "v1:" + body + "=",
            "v1:" + Base64.getUrlEncoder().encodeToString(bytes) + "==",
            "v1:" + Base64.getEncoder().withoutPadding().encodeToString(bytes).replace('-', '+').replace('_', '/') + "+/",
            "v1:" + body.substring(0, 10) + "!" + body.substring(11),
            "v1:" + body.substring(0, 10) + " " + body.substring(10),
            sealed + "\n",
        }) {
            assertRefused(bad, s -> sealer.open(s, USER));
        }
    }

    @Test
    void masterKeysShorterThan32BytesAreRefusedAndTheKeyIsCopied() {
        assertThatThrownBy(() -> new SecretSealer(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        byte[] key = MASTER.clone();
        SecretSealer copied = new SecretSealer(key);
        String sealed = copied.seal(SECRET, USER);
        Arrays.fill(key, (byte) 0);

        assertThat(copied.open(sealed, USER)).isEqualTo(SECRET);
    }

    @Test
    void derivedKeysAreHmacsOfTheirLabelsButNeverTheSealingKey() throws Exception {
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(MASTER, "HmacSHA256"));
        byte[] expected = hmac.doFinal("recovery".getBytes(StandardCharsets.UTF_8));

        assertThat(sealer.derive("recovery")).hasSize(32).isEqualTo(expected);
        assertThat(sealer.derive("recovery v2")).isNotEqualTo(expected);
        assertThat(new SecretSealer(OTHER).derive("recovery")).isNotEqualTo(expected);
        assertThatThrownBy(() -> sealer.derive("dev.gatehouse totp secret key v1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sealer.derive(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsNoKeyMaterial() {
        String text = sealer.toString();

        assertThat(text).doesNotContain(HexFormat.of().formatHex(MASTER).substring(0, 8))
            .doesNotContain(Base64.getEncoder().encodeToString(MASTER).substring(0, 8))
            .doesNotContain(Arrays.toString(MASTER).substring(0, 8));
    }

    private static void assertRefused(String sealed, Consumer<String> open) {
        assertThatThrownBy(() -> open.accept(sealed)).as(sealed)
            .isExactlyInstanceOf(IllegalStateException.class)
            .hasMessage(FAILURE)
            .hasNoCause();
    }
}
