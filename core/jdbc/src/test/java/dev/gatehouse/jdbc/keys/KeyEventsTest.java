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

import dev.gatehouse.token.keys.FileKeySource;

import dev.gatehouse.testing.MutableClock;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jdbc.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_RETIRED;
import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_REVOKED;
import static dev.gatehouse.token.events.SecurityEvent.Type.KEY_ROTATED;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.T0;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.tokenSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Key rotation, retirement and revocation reach the security-event listener given to the key
 * source, with the key's id and never its material.
 */
class KeyEventsTest {
    private static final Duration PERIOD = Duration.ofDays(30);
    private static final Duration LEAD = Duration.ofHours(1);

    private final MutableClock clock = new MutableClock(T0);
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    @Test
    void managedKeysReportEveryRotationRetirementAndRevocation() throws Exception {
        TestDatabases.Database db = TestDatabases.h2();
        closeLater.add(db);
        JdbcSchema.createIfAbsent(db.dataSource());
        ManagedKeySource source = ManagedKeySource.builder(db.dataSource()).algorithm(SigningAlgorithm.ES256)
                .rotationPeriod(PERIOD).publishLead(LEAD).tokenLifetime(tokenSettings(clock)).refreshInterval(Duration.ZERO)
                .keyEncryptionKey(KEK).clock(clock).securityEvents(events::add).build();
        closeLater.add(source);
        source.start();
        List<String> privateJwks = new ArrayList<>();
        String first = source.signingKey().kid();
        privateJwks.add(JwkSets.toPrivateJson(List.of(source.signingKey())));

        clock.set(T0.plus(PERIOD).minus(LEAD));          // the second key is due: created, published
        source.refresh();
        String second = source.keys().get(1).kid();
        clock.set(T0.plus(PERIOD).plusSeconds(1));       // it signs: the first one retires
        source.refresh();
        privateJwks.add(JwkSets.toPrivateJson(List.of(source.signingKey())));
        String third = source.rotateNow(false).kid();    // an operator's rotation
        source.revoke(second);                           // the active key leaks: the pending one takes over

        assertThat(events).extracting(SecurityEvent::type, SecurityEvent::kid).containsExactly(
                tuple(KEY_ROTATED, first),
                tuple(KEY_ROTATED, second),
                tuple(KEY_RETIRED, first),
                tuple(KEY_ROTATED, third),
                tuple(KEY_REVOKED, second),
                tuple(KEY_ROTATED, third));
        assertThat(events.get(0).reason()).startsWith("first key");
        assertThat(events.get(1).reason()).startsWith("scheduled").contains("signs from " + T0.plus(PERIOD));
        assertThat(events.get(3).reason()).startsWith("requested");
        assertThat(events.get(5).reason()).contains("takes over now");
        assertThat(source.signingKey().kid()).isEqualTo(third);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.userId()).isNull();
            assertThat(e.toString()).contains("kid=" + e.kid());
        });
        assertNoKeyMaterial(privateJwks);
    }

    @Test
    void aKeyFileReloadReportsTheNewSignerAndTheKeysThatLeft() throws Exception {
        SigningKey old = SigningKey.generate(SigningAlgorithm.ES256);
        SigningKey next = SigningKey.generate(SigningAlgorithm.ES256);
        List<String> privateJwks = List.of(JwkSets.toPrivateJson(List.of(old)), JwkSets.toPrivateJson(List.of(next)));
        privateJwks.forEach(SecretLedger::record);
        Path file = dir.resolve("keys.json");
        Files.writeString(file, JwkSets.toPrivateJson(List.of(old)));
        FileKeySource source = FileKeySource.builder(file).settingName("GATEHOUSE_KEYS_FILE").pollInterval(Duration.ZERO)
                .securityEvents(events::add).build();
        closeLater.add(source);
        source.start();
        assertThat(events).isEmpty();                   // loading at start is not a change

        Files.writeString(file, JwkSets.toPrivateJson(List.of(old, next)).replace("\"kid\":\"" + next.kid() + "\"",
                "\"kid\":\"" + next.kid() + "\",\"" + FileKeySource.ACTIVE_MEMBER + "\":true"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        assertThat(source.reloadIfChanged()).isTrue();
        assertThat(source.signingKey().kid()).isEqualTo(next.kid());
        Files.writeString(file, JwkSets.toPrivateJson(List.of(next)));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:01:00Z")));
        assertThat(source.reloadIfChanged()).isTrue();

        assertThat(events).extracting(SecurityEvent::type, SecurityEvent::kid).containsExactly(
                tuple(KEY_ROTATED, next.kid()),
                tuple(KEY_RETIRED, old.kid()),
                tuple(KEY_RETIRED, old.kid()));
        assertThat(events.get(0).reason()).contains("instead of " + old.kid());
        assertThat(events.get(1).reason()).contains("still verifies");
        assertThat(events.get(2).reason()).contains("removed from GATEHOUSE_KEYS_FILE");
        assertNoKeyMaterial(privateJwks);
    }

    /** No event carries a private member ("d", "p", "q", "k" …) of any of the keys. */
    private void assertNoKeyMaterial(List<String> privateJwks) throws Exception {
        List<String> secrets = new ArrayList<>();
        for (String json : privateJwks) {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("keys").forEach(jwk ->
                    jwk.fields().forEachRemaining(member -> {
                        if (List.of("d", "p", "q", "dp", "dq", "qi", "k").contains(member.getKey())) {
                            secrets.add(member.getValue().asText());
                        }
                    }));
        }
        assertThat(secrets).isNotEmpty();
        for (SecurityEvent event : events) {
            for (String secret : secrets) {
                assertThat(event.toString()).doesNotContain(secret);
            }
        }
    }
}
