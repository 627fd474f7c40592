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

package dev.gatehouse.token.keys;

import dev.gatehouse.testing.MutableClock;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.gatehouse.testing.KeyRoundTrip;

import static dev.gatehouse.testing.KeyRoundTrip.T0;
import static dev.gatehouse.testing.KeyRoundTrip.issue;
import static dev.gatehouse.testing.KeyRoundTrip.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys from a file that operators manage: the active marker, reloading on change, broken files. */
class FileKeySourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SigningKey OLD = SigningKey.generate(SigningAlgorithm.ES256);
    private static final SigningKey CURRENT = SigningKey.generate(SigningAlgorithm.ES256);
    private static final SigningKey NEXT = SigningKey.generate(SigningAlgorithm.ES256);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final List<FileKeySource> sources = new ArrayList<>();
    private Path file;
    private Instant modified = Instant.parse("2026-01-01T00:00:00Z");

    @AfterEach
    void close() {
        sources.forEach(FileKeySource::close);
    }

    private FileKeySource start(FileKeySource.Builder builder) {
        FileKeySource source = builder.build();
        sources.add(source);
        source.start();
        return source;
    }

    private FileKeySource.Builder builder() {
        return FileKeySource.builder(file).settingName("GATEHOUSE_KEYS_FILE").pollInterval(Duration.ZERO);
    }

    /** A private JWK Set of the keys, marking {@code active} (if not null) with "gatehouse_active": true. */
    private static String jwks(SigningKey active, SigningKey... keys) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(JwkSets.toPrivateJson(List.of(keys)));
        root.get("keys").forEach(jwk -> {
            if (active != null && jwk.get("kid").asText().equals(active.kid())) {
                ((ObjectNode) jwk).put(FileKeySource.ACTIVE_MEMBER, true);
            }
        });
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** Writes the file with a modification time one minute later than the last write. */
    private void write(String text) throws IOException {
        if (file == null) {
            file = dir.resolve("keys.json");
        }
        Files.writeString(file, text);
        modified = modified.plusSeconds(60);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    private static List<String> kids(List<SigningKey> keys) {
        return keys.stream().map(SigningKey::kid).collect(Collectors.toList());
    }

    @Test
    void aVerifyOnlySourceDropsPrivatePartsAndAcceptsSeveralUnmarkedPrivateKeys() throws IOException {
        write(jwks(null, OLD, CURRENT));

        FileKeySource source = start(builder().verifyOnly());

        assertThat(source.keySet().canSign()).isFalse();
        assertThat(source.publishedKeys()).allSatisfy(key -> assertThat(key.canSign()).as(key.kid()).isFalse());
        assertThat(kids(source.publishedKeys())).containsExactlyInAnyOrder(OLD.kid(), CURRENT.kid());
        assertThat(source.verificationKey(CURRENT.kid())).get().satisfies(key -> assertThat(key.canSign()).isFalse());
        assertThatThrownBy(source::signingKey).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_KEYS_FILE");
        assertThatThrownBy(() -> start(builder())).as("without verifyOnly, two unmarked private keys are refused")
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("mark the one that signs");
    }

    @Test
    void theKeyMarkedActiveSignsAndEveryKeyVerifiesAndIsPublished() throws IOException {
        write(jwks(CURRENT, OLD, CURRENT, NEXT));
        FileKeySource source = start(builder());

        assertThat(source.signingKey().kid()).isEqualTo(CURRENT.kid());
        assertThat(kids(source.publishedKeys())).containsExactly(OLD.kid(), CURRENT.kid(), NEXT.kid());
        assertThat(source.verificationKey(NEXT.kid())).isPresent();
        assertThat(JwkSets.toPublicJson(source)).doesNotContain(FileKeySource.ACTIVE_MEMBER).doesNotContain("\"d\"");
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(CURRENT.kid());
    }

    @Test
    void theActiveKidSettingWinsOverTheMarker() throws IOException {
        write(jwks(CURRENT, OLD, CURRENT));
        assertThat(start(builder().activeKid(OLD.kid())).signingKey().kid()).isEqualTo(OLD.kid());
        assertThatThrownBy(() -> start(builder().activeKid("missing")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("activeKid"));
    }

    @Test
    void aFileWithSeveralPrivateKeysMustSayWhichSigns() throws IOException {
        write(jwks(null, OLD, CURRENT));
        assertThatThrownBy(() -> start(builder()))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.setting()).isEqualTo("GATEHOUSE_KEYS_FILE");
                    assertThat(e.problem()).contains(FileKeySource.ACTIVE_MEMBER).contains("activeKid");
                });

        write(jwks(null, CURRENT));
        assertThat(start(builder()).signingKey().kid()).isEqualTo(CURRENT.kid());
    }

    @Test
    void twoMarkedKeysOrAMarkerThatIsNotABooleanAreRefused() throws IOException {
        String two = jwks(OLD, OLD, CURRENT).replace("\"kid\" : \"" + CURRENT.kid() + "\"",
                "\"kid\" : \"" + CURRENT.kid() + "\", \"" + FileKeySource.ACTIVE_MEMBER + "\" : true");
        write(two);
        assertThatThrownBy(() -> start(builder())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("more than one key");

        write(jwks(null, CURRENT).replace("\"kid\"", "\"" + FileKeySource.ACTIVE_MEMBER + "\" : \"yes\", \"kid\""));
        assertThatThrownBy(() -> start(builder())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("true or false");
    }

    @Test
    void aChangedFileIsReloaded() throws IOException {
        write(jwks(CURRENT, OLD, CURRENT));
        FileKeySource source = start(builder());
        String oldToken;
        {
            FileKeySource oldSigner = start(builder().activeKid(OLD.kid()));
            oldToken = issue(clock, oldSigner);
        }
        String currentToken = issue(clock, source);
        assertThat(source.reloadIfChanged()).isFalse();

        // the operator's rotation: NEXT signs, OLD is gone, CURRENT still verifies
        write(jwks(NEXT, CURRENT, NEXT));
        assertThat(source.reloadIfChanged()).isTrue();

        assertThat(source.signingKey().kid()).isEqualTo(NEXT.kid());
        assertThat(kids(source.publishedKeys())).containsExactly(CURRENT.kid(), NEXT.kid());
        assertThat(verify(clock, source, currentToken).keyId()).isEqualTo(CURRENT.kid());
        assertThatThrownBy(() -> verify(clock, source, oldToken))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
        assertThat(source.reloadIfChanged()).isFalse();
    }

    @Test
    void aBrokenNewFileKeepsTheKeysReadLast() throws IOException {
        write(jwks(CURRENT, OLD, CURRENT));
        FileKeySource source = start(builder());
        String token = issue(clock, source);

        for (String broken : new String[] {
                "{ \"keys\": [ {\"kty\": \"EC\", ",                              // half-written
                jwks(null, OLD, CURRENT),                                        // no longer says which key signs
                jwks(CURRENT, OLD, CURRENT).replaceFirst("\"d\" : \"[^\"]+\"", "\"d\" : 5"), // a damaged key
                "",
        }) {
            write(broken);
            assertThat(source.reloadIfChanged()).as(broken).isFalse();
            assertThat(source.signingKey().kid()).isEqualTo(CURRENT.kid());
            assertThat(verify(clock, source, token).keyId()).isEqualTo(CURRENT.kid());
        }
        Files.delete(file);
        assertThat(source.reloadIfChanged()).isFalse();
        assertThat(source.signingKey().kid()).isEqualTo(CURRENT.kid());

        // fixed: read again
        write(jwks(NEXT, CURRENT, NEXT));
        assertThat(source.reloadIfChanged()).isTrue();
        assertThat(source.signingKey().kid()).isEqualTo(NEXT.kid());
    }

    @Test
    void errorsAboutABrokenFileDoNotQuoteKeyMaterial() throws IOException {
        String text = jwks(CURRENT, CURRENT);
        String d = JSON.readTree(text).get("keys").get(0).get("d").asText();
        // a private scalar that is not on the curve's order: the key is refused
        write(text.replace("\"x\" : \"", "\"x\" : \"AA"));
        assertThatThrownBy(() -> start(builder())).isInstanceOf(ConfigurationException.class)
                .hasMessageNotContaining(d).hasMessageContaining("GATEHOUSE_KEYS_FILE");
    }

    @Test
    void pemFilesWorkWithTheActiveKidSetting() throws IOException {
        SigningKey rsa = SigningKey.generate(SigningAlgorithm.RS256);
        write(KeyFiles.privateKeyPem(rsa) + KeyFiles.publicKeyPem(CURRENT));
        FileKeySource source = start(builder().activeKid(rsa.kid()));

        assertThat(source.signingKey().kid()).isEqualTo(rsa.kid());
        assertThat(kids(source.publishedKeys())).containsExactlyInAnyOrder(rsa.kid(), CURRENT.kid());
        assertThat(verify(clock, source, issue(clock, source)).keyId()).isEqualTo(rsa.kid());
    }

    @Test
    void aFileOfPublicKeysMakesAVerifyOnlySource() throws IOException {
        write(JwkSets.toPublicJson(List.of(OLD, CURRENT)));
        FileKeySource source = start(builder());

        assertThatThrownBy(source::signingKey).isInstanceOf(GatehouseException.class);
        assertThat(source.verificationKey(CURRENT.kid())).isPresent();
    }

    @Test
    void aMissingFileStopsStartUpNamingTheSetting() {
        file = dir.resolve("absent.json");
        assertThatThrownBy(() -> start(builder()))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("GATEHOUSE_KEYS_FILE"));
    }

    @Test
    void thePollingThreadPicksUpAChange() throws IOException {
        write(jwks(CURRENT, CURRENT));
        FileKeySource source = start(FileKeySource.builder(file).settingName("GATEHOUSE_KEYS_FILE").pollInterval(Duration.ofMillis(20)));

        write(jwks(NEXT, CURRENT, NEXT));

        KeyRoundTrip.await("the new key signs", () -> source.signingKey().kid().equals(NEXT.kid()));
        assertThat(source.verificationKey(CURRENT.kid())).isPresent();
    }
}
