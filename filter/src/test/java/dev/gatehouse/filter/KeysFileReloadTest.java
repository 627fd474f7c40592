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

package dev.gatehouse.filter;

import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The filter's {@code keys-file} is read again when it changes, as the library's
 * {@code FileKeySource} does: an issuer's new key is accepted without a restart, a key taken out
 * of the file is refused (also for a token the verified-token cache already holds), and
 * {@code keys-file-poll-interval=PT0S} reads the file once.
 */
class KeysFileReloadTest {
    private static final String ISSUER = "https://issuer.test";
    private static final String AUDIENCE = "reload-test";

    private final SigningKey first = SigningKey.generate(SigningAlgorithm.RS256);
    private final SigningKey second = SigningKey.generate(SigningAlgorithm.RS256);
    private Path dir;
    private Path keysFile;
    private OwnedKeys owned;

    @BeforeEach
    void writeTheFirstKey() throws IOException {
        dir = Files.createTempDirectory("gatehouse-keys-file-");
        keysFile = dir.resolve("jwks.json");
        publish(first);
    }

    @AfterEach
    void stop() throws IOException {
        if (owned != null) {
            owned.close().run();
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Test
    void aChangedFileIsReadAgainAndAKeyItNoLongerHoldsIsRefused() throws Exception {
        AccessTokenVerifier verifier = startFilterKeys("PT0.1S");
        String before = token(first);
        assertThat(verifier.verify(before).subject()).isEqualTo("alice");
        String after = token(second);
        assertThatThrownBy(() -> verifier.verify(after)).isInstanceOf(InvalidTokenException.class);

        publish(second);

        assertThat(awaitAccepted(verifier, after, Duration.ofSeconds(10))).as("the new key, within the poll interval").isTrue();
        assertThatThrownBy(() -> verifier.verify(before)).as("a token of the key taken out of the file, though cached")
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aPollIntervalOfZeroReadsTheFileOnce() throws Exception {
        AccessTokenVerifier verifier = startFilterKeys("PT0S");
        String after = token(second);

        publish(second);
        Thread.sleep(500);

        assertThatThrownBy(() -> verifier.verify(after)).isInstanceOf(InvalidTokenException.class);
        assertThat(verifier.verify(token(first)).subject()).isEqualTo("alice");
    }

    @Test
    void aBrokenNewFileKeepsTheKeysReadLast() throws Exception {
        AccessTokenVerifier verifier = startFilterKeys("PT0.1S");

        replace("{\"keys\": [");
        Thread.sleep(500);

        assertThat(verifier.verify(token(first)).subject()).isEqualTo("alice");
    }

    private AccessTokenVerifier startFilterKeys(String pollInterval) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GatehouseFilter.ISSUER_PARAM, ISSUER);
        params.put(GatehouseFilter.AUDIENCE_PARAM, AUDIENCE);
        params.put(GatehouseFilter.KEYS_FILE_PARAM, keysFile.toString());
        params.put(GatehouseFilter.KEYS_FILE_POLL_INTERVAL_PARAM, pollInterval);
        GatehouseFilter.Builder b = InitParams.read(config(params));
        owned = b.ownedKeys;
        assertThat(owned).as("the filter owns the key source it made from keys-file").isNotNull();
        owned.start().run();
        return b.verifier();
    }

    private static boolean awaitAccepted(AccessTokenVerifier verifier, String token, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                verifier.verify(token);
                return true;
            } catch (InvalidTokenException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private static String token(SigningKey key) {
        return new AccessTokenIssuer(TokenSettings.builder(ISSUER, AUDIENCE).build(), KeySet.of(key))
                .issue("alice", List.of("user")).token();
    }

    private void publish(SigningKey key) throws IOException {
        replace(JwkSets.toPublicJson(List.of(key)));
    }

    /** Writes beside the file and moves it into place, as a deployment tool does. */
    private void replace(String content) throws IOException {
        Path next = dir.resolve("jwks.json.next");
        Files.writeString(next, content, StandardCharsets.UTF_8);
        Files.move(next, keysFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static FilterConfig config(Map<String, String> params) {
        ServletContext context = (ServletContext) Proxy.newProxyInstance(KeysFileReloadTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, args) -> null);
        return (FilterConfig) Proxy.newProxyInstance(KeysFileReloadTest.class.getClassLoader(), new Class<?>[] {FilterConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getInitParameter" -> params.get((String) args[0]);
                    case "getInitParameterNames" -> Collections.enumeration(params.keySet());
                    case "getServletContext" -> context;
                    case "getFilterName" -> "reload-test";
                    default -> null;
                });
    }
}
