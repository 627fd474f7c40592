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

package dev.gatehouse.jdbc.keys;

import dev.gatehouse.testing.MutableClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.keys.KeyEncryption.UnreadableKeyException;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.gatehouse.jdbc.keys.KeyTestSupport.KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.OTHER_KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.T0;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.issue;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.rows;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.update;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Private keys at rest: encrypted under the key-encryption key, and a wrong key stops start-up. */
class ManagedKeyEncryptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(T0);
    private final List<ManagedKeySource> sources = new ArrayList<>();
    private Database db;

    @BeforeEach
    void openDatabase() {
        db = TestDatabases.h2();
        JdbcSchema.createIfAbsent(db.dataSource());
    }

    @AfterEach
    void close() {
        sources.forEach(ManagedKeySource::close);
        db.close();
    }

    private ManagedKeySource.Builder builder(SigningAlgorithm algorithm) {
        return ManagedKeySource.builder(db.dataSource()).algorithm(algorithm).refreshInterval(Duration.ZERO).clock(clock);
    }

    private ManagedKeySource start(ManagedKeySource.Builder builder) {
        ManagedKeySource source = builder.build();
        sources.add(source);
        source.start();
        return source;
    }

    /** Every encoding of the private key that could end up in a database row. */
    private static List<String> privateEncodings(SigningKey key) throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode jwk = JSON.readTree(JwkSets.toPrivateJson(List.of(key))).get("keys").get(0);
        for (String member : new String[] {"d", "p", "q", "dp", "dq", "qi", "k"}) {
            if (jwk.has(member)) {
                String b64url = jwk.get(member).asText();
                out.add(b64url);
                byte[] raw = Base64.getUrlDecoder().decode(b64url);
                out.add(Base64.getEncoder().withoutPadding().encodeToString(raw));
                out.add(HexFormat.of().formatHex(raw));
                out.add(HexFormat.of().withUpperCase().formatHex(raw));
            }
        }
        if (key.algorithm().isAsymmetric()) {
            String pem = KeyFiles.privateKeyPem(key);
            String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").strip();
            out.add(body.lines().findFirst().orElseThrow()); // a PEM line as written
            byte[] der = Base64.getMimeDecoder().decode(body);
            out.add(Base64.getEncoder().encodeToString(der)); // PKCS#8 DER, base64 on one line
            out.add(Base64.getUrlEncoder().withoutPadding().encodeToString(der));
            out.add(HexFormat.of().formatHex(der));
            out.add(HexFormat.of().withUpperCase().formatHex(der));
        }
        return out;
    }

    private String wholeTable() {
        StringBuilder all = new StringBuilder();
        for (Map<String, String> row : rows(db.dataSource())) {
            row.values().forEach(v -> all.append(v).append('\n'));
        }
        return all.toString();
    }

    @ParameterizedTest
    @EnumSource(SigningAlgorithm.class)
    void theStoredRowHoldsThePrivateKeyInNoEncoding(SigningAlgorithm algorithm) throws Exception {
        ManagedKeySource source = start(builder(algorithm).keyEncryptionKey(KEK));
        SigningKey key = source.signingKey();
        List<String> encodings = privateEncodings(key);
        assertThat(encodings).isNotEmpty();

        String table = wholeTable();
        assertThat(rows(db.dataSource()).get(0).get("private_key")).matches("v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]+");
        for (String encoding : encodings) {
            assertThat(table).doesNotContain(encoding);
            assertThat(table.toLowerCase(Locale.ROOT)).doesNotContain(encoding.toLowerCase(Locale.ROOT));
        }
        // and the key is usable: the encryption is not just a loss of the key
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(key.kid());
    }

    @Test
    void withUnencryptedStorageAllowedTheSameCheckFindsTheKey() throws Exception {
        // the check above can fail: here the private key is in the row, and it finds it
        ManagedKeySource source = start(builder(SigningAlgorithm.ES256).allowUnencryptedPrivateKeys(true));
        String table = wholeTable();
        assertThat(privateEncodings(source.signingKey())).anySatisfy(e -> assertThat(table).contains(e));
        assertThat(source.keys().get(0).storage()).isEqualTo(KeyStatus.Storage.UNENCRYPTED);
        assertThat(rows(db.dataSource()).get(0).get("private_key")).startsWith("plain:");
    }

    @Test
    void aWrongKeyEncryptionKeyStopsStartUpNamingTheSetting() {
        start(builder(SigningAlgorithm.ES256).keyEncryptionKey(KEK));

        assertThatThrownBy(() -> start(builder(SigningAlgorithm.ES256).keyEncryptionKey(OTHER_KEK)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("keyEncryptionKey");
                    assertThat(e.getMessage()).contains("keyEncryptionKey").contains("does not decrypt")
                            .doesNotContain(KEK).doesNotContain(OTHER_KEK);
                });
        // nothing was written by the node that failed
        assertThat(rows(db.dataSource())).hasSize(1);
    }

    @Test
    void encryptedKeysNeedTheKeyEncryptionKey() {
        start(builder(SigningAlgorithm.ES256).keyEncryptionKey(KEK));

        assertThatThrownBy(() -> start(builder(SigningAlgorithm.ES256).allowUnencryptedPrivateKeys(true)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("keyEncryptionKey");
                    assertThat(e.getMessage()).contains("no key-encryption key is set");
                });
    }

    @Test
    void aCiphertextMovedToAnotherKeysRowIsRefusedWhileTheOtherKeysKeepWorking() {
        ManagedKeySource source = start(builder(SigningAlgorithm.ES256).keyEncryptionKey(KEK));
        String active = source.signingKey().kid();
        String pending = source.rotateNow(false).kid();
        List<Map<String, String>> rows = rows(db.dataSource());
        // the pending key's row gets the active key's ciphertext (same KEK, other kid)
        update(db.dataSource(), "UPDATE gh_signing_keys SET private_key = ? WHERE kid = ?",
                rows.get(0).get("private_key"), pending);

        List<SecurityEvent> events = new ArrayList<>();
        ManagedKeySource[] restarted = new ManagedKeySource[1];
        String log = KeyTestSupport.stderrOf(() -> restarted[0] = start(builder(SigningAlgorithm.ES256).keyEncryptionKey(KEK)
                .securityEvents(events::add)));

        // the pending row does not decrypt under its own kid: refused, not fatal
        assertThat(log).contains("ERROR").contains("Signing key " + pending + " is REFUSED").contains("does not decrypt");
        assertThat(events).extracting(SecurityEvent::type, SecurityEvent::kid)
                .containsExactly(org.assertj.core.api.Assertions.tuple(SecurityEvent.Type.KEY_REFUSED, pending));
        assertThat(restarted[0].signingKey().kid()).isEqualTo(active);
        assertThat(restarted[0].publishedKeys()).extracting(SigningKey::kid).containsExactly(active);
        assertThat(restarted[0].verificationKey(pending)).isEmpty();
        assertThat(restarted[0].keys()).extracting(KeyStatus::kid, KeyStatus::state).containsExactly(
                org.assertj.core.api.Assertions.tuple(active, KeyStatus.State.ACTIVE),
                org.assertj.core.api.Assertions.tuple(pending, KeyStatus.State.REFUSED));
    }

    @Test
    void keysStoredUnencryptedAreRefusedOnceAKeyEncryptionKeyIsSetUntilAnOperatorAuthenticatesThem() {
        ManagedKeySource plain = start(builder(SigningAlgorithm.ES256).allowUnencryptedPrivateKeys(true));
        String kid = plain.signingKey().kid();
        String token = issue(clock, plain);

        // not adopted: the node does not start, names the key and the command, and writes nothing
        assertThatThrownBy(() -> start(builder(SigningAlgorithm.ES256).keyEncryptionKey(KEK)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("keyEncryptionKey");
                    assertThat(e.getMessage()).contains(kid).contains("no row MAC").contains("KeyAdmin authenticate");
                });
        assertThat(rows(db.dataSource())).singleElement().satisfies(row -> {
            assertThat(row.get("private_key")).startsWith("plain:");
            assertThat(row.get("row_mac")).isNull();
        });

        // the operator's explicit step: the key is encrypted and authenticated, and used as before
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int status = KeyAdmin.run(new String[] {"authenticate", "--confirm", kid}, Map.of("GATEHOUSE_JDBC_URL", db.jdbcUrl(),
                "GATEHOUSE_JDBC_USER", db.user(), "GATEHOUSE_KEY_ENCRYPTION_KEY", KEK),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), System.err, clock);
        assertThat(status).as(out.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(KeyAdmin.OK);

        ManagedKeySource encrypted = start(builder(SigningAlgorithm.ES256).keyEncryptionKey(KEK));
        assertThat(encrypted.signingKey().kid()).isEqualTo(kid);
        assertThat(rows(db.dataSource())).singleElement().satisfies(row -> {
            assertThat(row.get("private_key")).startsWith("v1:");
            assertThat(row.get("row_mac")).startsWith("v1:");
        });
        assertThat(verify(clock, encrypted, token).keyId()).isEqualTo(kid);
    }

    @Test
    void theKeyEncryptionKeyIsReadAsOpensslPrintsItAndMustBe32Bytes() {
        byte[] raw = KeyTestSupport.bytes(32, 9);
        String standard = Base64.getEncoder().encodeToString(raw);
        assertThat(KeyEncryption.decodeKek("k", standard + "\n")).isEqualTo(raw);
        assertThat(KeyEncryption.decodeKek("k", Base64.getUrlEncoder().withoutPadding().encodeToString(raw))).isEqualTo(raw);

        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> KeyEncryption.decodeKek("GATEHOUSE_KEY_ENCRYPTION_KEY", short16))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("GATEHOUSE_KEY_ENCRYPTION_KEY");
                    assertThat(e.problem()).contains("32 bytes").contains("not 16").doesNotContain(short16);
                });
        assertThatThrownBy(() -> KeyEncryption.decodeKek("k", "not base64!"))
                .isInstanceOf(ConfigurationException.class).hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> ManagedKeySource.builder(db.dataSource()).keyEncryptionKey("c2hvcnQ=").build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("keyEncryptionKey"));
    }

    @Test
    void sealingUsesAFreshIvAndAnyChangeToTheCiphertextIsDetected() {
        KeyEncryption encryption = KeyEncryption.aesGcm(KeyTestSupport.bytes(32, 3));
        SigningKey key = SigningKey.generate(SigningAlgorithm.ES256);
        String one = encryption.seal(key);
        String two = encryption.seal(key);
        assertThat(one).isNotEqualTo(two);
        assertThat(encryption.open(key.kid(), "ES256", one).kid()).isEqualTo(key.kid());

        String[] parts = one.split(":");
        byte[] sealed = Base64.getDecoder().decode(parts[2]);
        sealed[5] ^= 1;
        String tampered = parts[0] + ":" + parts[1] + ":" + Base64.getEncoder().encodeToString(sealed);
        assertThatThrownBy(() -> encryption.open(key.kid(), "ES256", tampered)).isInstanceOf(UnreadableKeyException.class);
        // the kid and alg are authenticated
        assertThatThrownBy(() -> encryption.open("other", "ES256", one)).isInstanceOf(UnreadableKeyException.class);
        assertThatThrownBy(() -> encryption.open(key.kid(), "RS256", one)).isInstanceOf(UnreadableKeyException.class);
        assertThatThrownBy(() -> KeyEncryption.aesGcm(KeyTestSupport.bytes(32, 4)).open(key.kid(), "ES256", one))
                .isInstanceOf(UnreadableKeyException.class).hasMessageContaining("does not decrypt");
    }
}
