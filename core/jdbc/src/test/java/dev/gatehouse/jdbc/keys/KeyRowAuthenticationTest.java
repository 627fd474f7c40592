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

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.keys.KeyStatus.State;
import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.sql.DataSource;

import static dev.gatehouse.jdbc.keys.KeyTestSupport.KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.OTHER_KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.T0;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.database;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.ecPair;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.forgeEs256;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.issue;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.rows;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.stderrOf;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.tokenSettings;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.update;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Rows of {@code gh_signing_keys} are authenticated under the key-encryption key: what someone who
 * can write the table, but does not hold the KEK, can do to a running node and to a starting one.
 * On H2, PostgreSQL and MariaDB. ES256 keys (fast to make), a clock the test moves, no refresh
 * thread: a refresh is {@code refresh()}.
 */
class KeyRowAuthenticationTest {
    private static final Duration PERIOD = Duration.ofDays(30);
    private static final Duration LEAD = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private Database db;

    @AfterEach
    void close() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private DataSource open(String product) {
        db = database(product);
        closeLater.add(db);
        JdbcSchema.createIfAbsent(db.dataSource());
        return db.dataSource();
    }

    private ManagedKeySource.Builder builder(String kek) {
        return ManagedKeySource.builder(db.dataSource())
                .algorithm(SigningAlgorithm.ES256)
                .rotationPeriod(PERIOD)
                .publishLead(LEAD)
                .tokenLifetime(tokenSettings(clock))
                .refreshInterval(Duration.ZERO)
                .keyEncryptionKey(kek)
                .securityEvents(events::add)
                .clock(clock);
    }

    private ManagedKeySource start() {
        ManagedKeySource source = builder(KEK).build();
        closeLater.add(source);
        source.start();
        return source;
    }

    /** The public JWK of an attacker's P-256 key under {@code kid}, as the table stores public keys. */
    private static String publicJwk(String kid, KeyPair pair) {
        return ManagedKeySource.publicJwk(SigningKey.ec(kid, (ECPublicKey) pair.getPublic(), null));
    }

    /** The attacker's key with its private part, as a plain row stores it ({@code plain:<JWK Set>}). */
    private static String plainPrivate(String kid, KeyPair pair) {
        return KeyEncryption.PLAIN_PREFIX + JwkSets.toPrivateJson(List.of(
                SigningKey.ec(kid, (ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate())));
    }

    /** What someone with write access inserts: a row of their own, signing since an hour ago, of the next generation. */
    private void insertAttackerRow(String kid, KeyPair pair, String privateKey, String mac) {
        int next = rows(db.dataSource()).stream().mapToInt(r -> Integer.parseInt(r.get("generation"))).max().orElse(0) + 1;
        Instant past = clock.instant().minus(Duration.ofHours(1));
        assertThat(new KeyTable(db.dataSource(), Duration.ofSeconds(10)).insert(new KeyRow(kid, next, "ES256",
                publicJwk(kid, pair), privateKey, past, past, null, null, mac))).isTrue();
    }

    private Map<String, State> states(ManagedKeySource source) {
        return source.keys().stream().collect(Collectors.toMap(KeyStatus::kid, KeyStatus::state));
    }

    private void assertRefusedEverywhere(ManagedKeySource source, String kid, String token) {
        assertThat(source.publishedKeys()).extracting(SigningKey::kid).doesNotContain(kid);
        assertThat(source.verificationKey(kid)).isEmpty();
        assertThat(source.signingKey().kid()).isNotEqualTo(kid);
        assertThat(states(source)).containsEntry(kid, State.REFUSED);
        assertThatThrownBy(() -> verify(clock, source, token)).isInstanceOfSatisfying(InvalidTokenException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidTokenException.Reason.UNKNOWN_KEY));
    }

    private List<SecurityEvent> refusals() {
        return events.stream().filter(e -> e.type() == SecurityEvent.Type.KEY_REFUSED).collect(Collectors.toList());
    }

    // ---- rows added by someone without the KEK ----------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aRowInsertedWithTheAttackersOwnPublicKeyIsNeitherPublishedNorTrusted(String product) {
        open(product);
        ManagedKeySource node = start();
        String genuine = node.signingKey().kid();
        KeyPair attacker = ecPair();
        String kid = "attacker-" + UUID.randomUUID();
        // with no MAC, and with a made-up one
        insertAttackerRow(kid, attacker, null, null);
        String forgedMac = "v1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(KeyTestSupport.bytes(32, 7));
        String kid2 = kid + "-2";
        insertAttackerRow(kid2, attacker, null, forgedMac);

        String log = stderrOf(node::refresh);

        String token = forgeEs256(clock, kid, attacker);
        assertRefusedEverywhere(node, kid, token);
        assertRefusedEverywhere(node, kid2, forgeEs256(clock, kid2, attacker));
        assertThat(node.signingKey().kid()).isEqualTo(genuine);
        assertThat(log).contains("ERROR").contains("Signing key " + kid + " is REFUSED").contains("no row MAC")
                .contains("Signing key " + kid2 + " is REFUSED").contains("row MAC does not verify");
        assertThat(refusals()).extracting(SecurityEvent::kid, SecurityEvent::reason).containsExactlyInAnyOrder(
                tuple(kid, "not authenticated: no row MAC"), tuple(kid2, "not authenticated: the row MAC does not verify"));
        // logged once, not at every refresh
        assertThat(stderrOf(node::refresh)).doesNotContain(kid);
        assertThat(refusals()).hasSize(2);

        // a node starting now starts on the genuine key, and refuses the same rows
        ManagedKeySource other = start();
        assertThat(other.signingKey().kid()).isEqualTo(genuine);
        assertRefusedEverywhere(other, kid, token);

        // the attacker's rows hold generations 2 and 3: the next key takes 4, and the schedule goes on
        clock.set(T0.plus(PERIOD).minus(LEAD));
        node.refresh();
        assertThat(node.keys()).extracting(KeyStatus::generation, KeyStatus::state)
                .containsExactly(tuple(1, State.ACTIVE), tuple(2, State.REFUSED), tuple(3, State.REFUSED), tuple(4, State.PENDING));
        clock.set(T0.plus(PERIOD).plusSeconds(1));
        node.refresh();
        other.refresh();
        String next = node.signingKey().kid();
        assertThat(next).isNotEqualTo(genuine);
        assertThat(verify(clock, other, issue(clock, node)).keyId()).isEqualTo(next);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aRowInsertedWithAPlainPrivateKeyNeverSignsAndIsNeverAdopted(String product) {
        open(product);
        ManagedKeySource node = start();
        String genuine = node.signingKey().kid();
        KeyPair attacker = ecPair();
        String kid = "attacker-" + UUID.randomUUID();
        // the next generation, active since an hour ago: if it were trusted, it would sign now
        insertAttackerRow(kid, attacker, plainPrivate(kid, attacker), null);

        node.refresh();
        clock.advance(Duration.ofMinutes(10));
        node.refresh();

        assertThat(node.signingKey().kid()).isEqualTo(genuine);
        assertThat(verify(clock, node, issue(clock, node)).keyId()).isEqualTo(genuine);
        assertRefusedEverywhere(node, kid, forgeEs256(clock, kid, attacker));
        // left as it was: not encrypted, not authenticated, not retired
        assertThat(rows(db.dataSource())).filteredOn(r -> r.get("kid").equals(kid)).singleElement().satisfies(row -> {
            assertThat(row.get("private_key")).startsWith("plain:");
            assertThat(row.get("row_mac")).isNull();
            assertThat(row.get("retired_at")).isNull();
        });
        // and the genuine key was not retired by it
        assertThat(rows(db.dataSource()).get(0).get("retired_at")).isNull();
    }

    // ---- genuine rows altered -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aPublicKeyReplacedInTheActiveRowIsRefusedAndTheRunningNodeReplacesTheKey(String product) {
        open(product);
        ManagedKeySource node = start();
        String kid = node.signingKey().kid();
        String genuineToken = issue(clock, node);
        KeyPair attacker = ecPair();
        update(db.dataSource(), "UPDATE gh_signing_keys SET public_jwk = ? WHERE kid = ?", publicJwk(kid, attacker), kid);

        node.refresh();

        String forged = forgeEs256(clock, kid, attacker);
        assertThat(node.publishedKeys()).extracting(SigningKey::kid).doesNotContain(kid);
        assertThat(node.verificationKey(kid)).isEmpty();
        assertThatThrownBy(() -> verify(clock, node, forged)).isInstanceOf(InvalidTokenException.class);
        // tokens of the genuine key are refused too: the row no longer says which key that is
        assertThatThrownBy(() -> verify(clock, node, genuineToken)).isInstanceOf(InvalidTokenException.class);
        // as after a revocation, a new key signs at once
        String replacement = node.signingKey().kid();
        assertThat(replacement).isNotEqualTo(kid);
        assertThat(verify(clock, node, issue(clock, node)).keyId()).isEqualTo(replacement);
        assertThat(refusals()).extracting(SecurityEvent::kid).containsExactly(kid);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void swappedRowsAreRefused(String product) {
        open(product);
        ManagedKeySource node = start();
        String active = node.signingKey().kid();
        String pending = node.rotateNow(false).kid();
        List<Map<String, String>> rows = rows(db.dataSource());

        // the public keys of the two rows swapped: neither key is published, nor verifies, any more
        update(db.dataSource(), "UPDATE gh_signing_keys SET public_jwk = ? WHERE kid = ?", rows.get(1).get("public_jwk"), active);
        update(db.dataSource(), "UPDATE gh_signing_keys SET public_jwk = ? WHERE kid = ?", rows.get(0).get("public_jwk"), pending);
        node.refresh();
        assertThat(node.publishedKeys()).extracting(SigningKey::kid).doesNotContain(active, pending);
        assertThat(node.verificationKey(active)).isEmpty();
        assertThat(node.verificationKey(pending)).isEmpty();
        assertThat(authentic()).containsEntry(active, false).containsEntry(pending, false);
        restore(rows);
        assertThat(authentic()).containsEntry(active, true).containsEntry(pending, true);

        // the MACs swapped
        update(db.dataSource(), "UPDATE gh_signing_keys SET row_mac = ? WHERE kid = ?", rows.get(1).get("row_mac"), active);
        update(db.dataSource(), "UPDATE gh_signing_keys SET row_mac = ? WHERE kid = ?", rows.get(0).get("row_mac"), pending);
        assertThat(authentic()).containsEntry(active, false).containsEntry(pending, false);
        restore(rows);

        // the generations swapped (which key signs first), through a free number for the unique index
        update(db.dataSource(), "UPDATE gh_signing_keys SET generation = 99 WHERE kid = ?", active);
        update(db.dataSource(), "UPDATE gh_signing_keys SET generation = 1 WHERE kid = ?", pending);
        update(db.dataSource(), "UPDATE gh_signing_keys SET generation = 2 WHERE kid = ?", active);
        assertThat(authentic()).containsEntry(active, false).containsEntry(pending, false);
    }

    /** For each row, whether its identity is authenticated under {@link KeyTestSupport#KEK}. */
    private Map<String, Boolean> authentic() {
        KeyRowCheck check = KeyRowCheck.of(Base64.getDecoder().decode(KEK));
        return new KeyTable(db.dataSource(), Duration.ofSeconds(10)).load().stream()
                .collect(Collectors.toMap(KeyRow::kid, row -> check.authenticity(row) == null));
    }

    private void restore(List<Map<String, String>> rows) {
        for (Map<String, String> row : rows) {
            update(db.dataSource(), "UPDATE gh_signing_keys SET public_jwk = ?, row_mac = ? WHERE kid = ?",
                    row.get("public_jwk"), row.get("row_mac"), row.get("kid"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aRowWhoseMacWasRemovedIsRefused(String product) {
        open(product);
        ManagedKeySource node = start();
        String pending = node.rotateNow(false).kid();
        assertThat(node.publishedKeys()).extracting(SigningKey::kid).contains(pending);

        update(db.dataSource(), "UPDATE gh_signing_keys SET row_mac = NULL WHERE kid = ?", pending);
        node.refresh();

        assertThat(node.publishedKeys()).extracting(SigningKey::kid).doesNotContain(pending);
        assertThat(states(node)).containsEntry(pending, State.REFUSED);
        assertThat(refusals()).extracting(SecurityEvent::kid, SecurityEvent::reason)
                .containsExactly(tuple(pending, "not authenticated: no row MAC"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aRevocationCannotBeUndoneByClearingRevokedAt(String product) {
        open(product);
        ManagedKeySource node = start();
        String first = node.signingKey().kid();
        String token = issue(clock, node);
        node.revoke(first);
        assertThat(rows(db.dataSource()).get(0).get("row_mac")).startsWith("v1:"); // re-authenticated as revoked
        ManagedKeySource restarted = start();
        assertThat(states(restarted)).containsEntry(first, State.REVOKED);

        update(db.dataSource(), "UPDATE gh_signing_keys SET revoked_at = NULL WHERE kid = ?", first);
        node.refresh();

        assertThat(states(node)).containsEntry(first, State.REFUSED);
        assertThat(node.verificationKey(first)).isEmpty();
        assertThatThrownBy(() -> verify(clock, node, token)).isInstanceOf(InvalidTokenException.class);
        assertThat(node.signingKey().kid()).isNotEqualTo(first);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void lifecycleColumnsNodesUpdateStayOutsideTheMac(String product) {
        open(product);
        ManagedKeySource node = start();
        String pending = node.rotateNow(false).kid();
        // what nodes write without a new MAC: an earlier activation, a retirement, a deleted private part
        node.rotateNow(true);
        clock.advance(Duration.ofMinutes(1));
        node.refresh();
        assertThat(node.signingKey().kid()).isEqualTo(pending);
        clock.advance(Duration.ofMinutes(10));
        node.refresh();
        assertThat(rows(db.dataSource()).get(0)).satisfies(row -> {
            assertThat(row.get("retired_at")).isNotNull();
            assertThat(row.get("private_key")).isNull();
        });
        assertThat(authentic()).doesNotContainValue(false);
        assertThat(states(start())).containsEntry(pending, State.ACTIVE).doesNotContainValue(State.REFUSED);
        assertThat(refusals()).isEmpty();
    }

    // ---- private parts that are not the row's key ---------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aPrivatePartSealedUnderTheKekForTheKidButOfAnotherKeyIsRefused(String product) {
        open(product);
        ManagedKeySource node = start();
        String pending = node.rotateNow(false).kid();
        KeyEncryption encryption = KeyEncryption.aesGcm(Base64.getDecoder().decode(KEK));
        // a key pair that is not the row's, under the row's kid: decrypts (same kid and alg), does not pair
        KeyPair other = ecPair();
        String sealed = encryption.seal(SigningKey.ec(pending, (ECPublicKey) other.getPublic(), (ECPrivateKey) other.getPrivate()));
        update(db.dataSource(), "UPDATE gh_signing_keys SET private_key = ? WHERE kid = ?", sealed, pending);

        ManagedKeySource restarted = start();

        assertThat(states(restarted)).containsEntry(pending, State.REFUSED);
        assertThat(restarted.publishedKeys()).extracting(SigningKey::kid).doesNotContain(pending);
        assertThat(refusals()).extracting(SecurityEvent::kid, SecurityEvent::reason)
                .containsExactly(tuple(pending, "private key does not belong to the public key"));
    }

    @Test
    void aPrivateScalarThatDoesNotMatchThePublicPointStoredBesideItDoesNotPair() {
        KeyPair genuine = ecPair();
        KeyPair other = ecPair();
        SigningKey publicKey = SigningKey.ec("k", (ECPublicKey) genuine.getPublic(), null);
        // the same public parameters, another private scalar: equal as public keys, but it signs for another key
        SigningKey mismatched = SigningKey.ec("k", (ECPublicKey) genuine.getPublic(), (ECPrivateKey) other.getPrivate());
        SigningKey matching = SigningKey.ec("k", (ECPublicKey) genuine.getPublic(), (ECPrivateKey) genuine.getPrivate());

        assertThat(mismatched.verifyOnly()).isEqualTo(publicKey);
        assertThat(KeyRowCheck.pairs(mismatched, publicKey)).isFalse();
        assertThat(KeyRowCheck.pairs(matching, publicKey)).isTrue();
        assertThat(KeyRowCheck.pairs(matching, SigningKey.ec("k", (ECPublicKey) other.getPublic(), null))).isFalse();
        assertThat(KeyRowCheck.pairs(SigningKey.generate(SigningAlgorithm.RS256), SigningKey.generate(SigningAlgorithm.RS256)
                .verifyOnly())).isFalse();
    }

    // ---- starting -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aWrongKeyEncryptionKeyAuthenticatesNothingAndStopsStartUp(String product) {
        open(product);
        start().rotateNow(false);
        List<Map<String, String>> before = rows(db.dataSource());

        ManagedKeySource otherKek = builder(OTHER_KEK).build();
        assertThatThrownBy(otherKek::start).isInstanceOfSatisfying(ConfigurationException.class, e -> {
            assertThat(e.setting()).isEqualTo("keyEncryptionKey");
            assertThat(e.getMessage()).contains("does not decrypt or authenticate").contains("row MAC does not verify")
                    .doesNotContain(KEK).doesNotContain(OTHER_KEK);
        });
        assertThat(rows(db.dataSource())).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void aNodeWithNoTrustedSigningKeyLeftDoesNotStartAndNamesTheCommand(String product) {
        open(product);
        String kid = start().signingKey().kid();
        // as a table written before rows were authenticated: no MACs
        update(db.dataSource(), "UPDATE gh_signing_keys SET row_mac = NULL");
        List<Map<String, String>> before = rows(db.dataSource());

        ManagedKeySource refusing = builder(KEK).build();
        assertThatThrownBy(refusing::start)
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("keyEncryptionKey");
                    assertThat(e.getMessage()).contains(kid).contains("has no row MAC").contains("KeyAdmin authenticate")
                            .contains("KeyAdmin revoke");
                });
        assertThat(rows(db.dataSource())).isEqualTo(before);

        // revoking the row (an operator's other way out, as KeyAdmin opens the table) lets a node start on a new key
        ManagedKeySource operator = ManagedKeySource.builder(db.dataSource()).keyEncryptionKey(KEK).clock(clock)
                .refreshInterval(Duration.ZERO).algorithm(SigningAlgorithm.ES256).housekeeping(false).build();
        closeLater.add(operator);
        operator.start();
        operator.revoke(kid);
        ManagedKeySource node = start();
        assertThat(node.signingKey().kid()).isNotEqualTo(kid);
    }

    @Test
    void revokedRowsThatAreNotAuthenticatedNeverStopAStart() {
        // the procedure for a lost KEK: every key revoked in SQL, then a new KEK
        open("H2");
        start().rotateNow(false);
        update(db.dataSource(), "UPDATE gh_signing_keys SET revoked_at = CURRENT_TIMESTAMP, private_key = NULL"
                + " WHERE revoked_at IS NULL");
        ManagedKeySource node = ManagedKeySource.builder(db.dataSource()).algorithm(SigningAlgorithm.ES256)
                .refreshInterval(Duration.ZERO).keyEncryptionKey(OTHER_KEK).securityEvents(events::add).clock(clock).build();
        closeLater.add(node);
        node.start();

        assertThat(node.signingKey()).isNotNull();
        assertThat(node.keys()).extracting(KeyStatus::state).containsExactly(State.REFUSED, State.REFUSED, State.ACTIVE);
        assertThat(refusals()).isEmpty();
    }

    // ---- the MAC itself ---------------------------------------------------------------------------

    @Test
    void theMacCoversIdentityAndRevocationAndNotTheTimesNodesUpdate() {
        KeyRowMac mac = KeyRowMac.fromKek(Base64.getDecoder().decode(KEK));
        Instant t = Instant.parse("2026-11-23T10:00:00.123456789Z");
        KeyRow row = new KeyRow("kid-1", 3, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t, t, null, null, null);
        KeyRow signed = row.withMac(mac.mac(row));
        assertThat(signed.mac()).matches("v1:[A-Za-z0-9_-]{43}");
        assertThat(mac.verifies(signed)).isTrue();
        assertThat(mac.verifies(row)).isFalse();

        // each field that decides trust breaks it
        assertThat(mac.verifies(new KeyRow("kid-2", 3, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t, t, null, null, signed.mac()))).isFalse();
        assertThat(mac.verifies(new KeyRow("kid-1", 4, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t, t, null, null, signed.mac()))).isFalse();
        assertThat(mac.verifies(new KeyRow("kid-1", 3, "RS256", "{\"kty\":\"EC\"}", "v1:abc", t, t, null, null, signed.mac()))).isFalse();
        assertThat(mac.verifies(new KeyRow("kid-1", 3, "ES256", "{\"kty\":\"EC\" }", "v1:abc", t, t, null, null, signed.mac()))).isFalse();
        assertThat(mac.verifies(new KeyRow("kid-1", 3, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t.plusNanos(1000), t, null, null,
                signed.mac()))).isFalse();
        assertThat(mac.verifies(signed.asRevoked(t, signed.mac()))).isFalse();
        // fields are length-prefixed: moving a character from one field to the next is a different row
        KeyRow shifted = new KeyRow("kid-13", 3, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t, t, null, null, null);
        assertThat(mac.mac(shifted)).isNotEqualTo(mac.mac(new KeyRow("kid-1", 33, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t, t,
                null, null, null)));

        // what nodes change without re-MACing does not; nor does precision below what the table keeps
        assertThat(mac.verifies(new KeyRow("kid-1", 3, "ES256", "{\"kty\":\"EC\"}", null, t, t.minusSeconds(60),
                t.plusSeconds(1), null, signed.mac()))).isTrue();
        assertThat(mac.verifies(new KeyRow("kid-1", 3, "ES256", "{\"kty\":\"EC\"}", "v1:abc", t.plusNanos(1), t, null, null,
                signed.mac()))).isTrue();
        KeyRow revoked = signed.asRevoked(t, null);
        assertThat(mac.verifies(revoked.withMac(mac.mac(revoked)))).isTrue();

        // another KEK, a malformed or truncated MAC
        assertThat(KeyRowMac.fromKek(Base64.getDecoder().decode(OTHER_KEK)).verifies(signed)).isFalse();
        assertThat(mac.verifies(signed.withMac("v1:not base64!"))).isFalse();
        assertThat(mac.verifies(signed.withMac(signed.mac().substring(0, 20)))).isFalse();
        assertThat(mac.verifies(signed.withMac("v2:" + signed.mac().substring(3)))).isFalse();
    }
}
