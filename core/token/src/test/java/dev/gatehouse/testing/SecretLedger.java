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

package dev.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The secrets a test run used — passwords sent, access and refresh tokens received or forged,
 * private keys, key-encryption keys — so that {@link LogScanCheck} can look for them in everything
 * the run logged. Test support code records at its few central places (HTTP clients, token and
 * key fixtures), not every test.
 *
 * <p>Each JVM appends to {@code <dir>/<pid>.txt}, one secret per line as base64url (so that a
 * secret with line breaks stays one line), where {@code <dir>} is the system property
 * {@value #DIR_PROPERTY} (set by the build to {@code target/secrets-used}), else
 * {@code target/secrets-used} of the working directory. The ledger is never scanned itself.
 *
 * <p>Secrets shorter than {@value #MIN_LENGTH} characters are not recorded: a test's
 * {@code "x"} or {@code "short"} password cannot be told apart from ordinary text. Tests that want
 * their passwords checked use longer ones (they all do).
 */
public final class SecretLedger {
    /** The system property naming the ledger directory. */
    public static final String DIR_PROPERTY = "gatehouse.test.secrets-dir";
    /** Shorter secrets are not recorded. */
    public static final int MIN_LENGTH = 8;

    private static final Set<String> RECORDED = ConcurrentHashMap.newKeySet();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The JWK members that are key material (RFC 7518 section 6). */
    private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "k");

    private SecretLedger() {
    }

    /** Records a secret (ignored when {@code null} or shorter than {@value #MIN_LENGTH} characters). */
    public static void record(String secret) {
        if (secret == null || secret.length() < MIN_LENGTH || !RECORDED.add(secret)) {
            return;
        }
        Path dir = directory();
        String line = Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8)) + "\n";
        synchronized (SecretLedger.class) {
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(ProcessHandle.current().pid() + ".txt"), line, StandardCharsets.US_ASCII,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not record a secret in " + dir, e);
            }
        }
    }

    /** Records raw secret bytes (an HMAC secret, a key-encryption key) in base64url and base64. */
    public static void record(byte[] secret) {
        if (secret != null) {
            record(Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            record(Base64.getEncoder().encodeToString(secret));
        }
    }

    /**
     * Records the private part of a key as it would leak: each private member of its JWK, and its
     * PKCS#8 PEM body (whole and line by line). A verify-only key records nothing.
     */
    public static void recordKey(SigningKey key) {
        if (key == null || !key.canSign()) {
            return;
        }
        try {
            JsonNode jwk = JSON.readTree(JwkSets.toPrivateJson(List.of(key))).get("keys").get(0);
            for (String member : PRIVATE_MEMBERS) {
                if (jwk.hasNonNull(member)) {
                    record(jwk.get(member).asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (key.algorithm() != SigningAlgorithm.HS256) {
            String body = KeyFiles.privateKeyPem(key).replaceAll("-----[A-Z ]+-----", "").strip();
            record(body.replace("\n", ""));
            body.lines().forEach(SecretLedger::record);
        }
    }

    /** Records a private key's PKCS#8 encoding: whole in base64, and each 64-character line of its PEM. */
    public static void recordPrivateKey(PrivateKey key) {
        String body = Base64.getEncoder().encodeToString(key.getEncoded());
        record(body);
        for (int i = 0; i < body.length(); i += 64) {
            record(body.substring(i, Math.min(body.length(), i + 64)));
        }
    }

    /** The body members that carry a credential, in requests (JSON or form) and responses (JSON). */
    private static final List<String> CREDENTIAL_MEMBERS = List.of("password", "refresh_token", "access_token", "token",
            "new_password", "current_password");

    /**
     * Records the credentials of an HTTP exchange: the {@code Authorization} value (the token
     * after {@code Bearer}), every {@code Cookie} and {@code Set-Cookie} value, and the
     * {@code password}, {@code refresh_token} and {@code access_token} members of a JSON
     * response body. For test HTTP clients, at their one sending place (with {@link #recordBody}
     * for the request body, which a built request no longer shows).
     *
     * @param response the response, or {@code null} before it came
     */
    public static void recordExchange(HttpRequest request, HttpResponse<String> response) {
        for (String value : request.headers().allValues("Authorization")) {
            record(value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : value);
        }
        for (String cookies : request.headers().allValues("Cookie")) {
            for (String pair : cookies.split(";")) {
                record(pair.substring(pair.indexOf('=') + 1).strip());
            }
        }
        if (response != null) {
            for (String setCookie : response.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                record(pair.substring(pair.indexOf('=') + 1).strip());
            }
            if (response.body() != null && response.body().strip().startsWith("{")) {
                recordBody(response.body());
            }
        }
    }

    /**
     * Records the {@code password}, {@code refresh_token} and {@code access_token} members of a
     * JSON or form body ({@code null}, empty or malformed bodies record nothing).
     */
    public static void recordBody(String body) {
        if (body == null || body.isBlank()) {
            return;
        }
        String text = body.strip();
        if (text.startsWith("{")) {
            try {
                JsonNode json = JSON.readTree(text);
                for (String member : CREDENTIAL_MEMBERS) {
                    if (json.path(member).isTextual()) {
                        record(json.get(member).asText());
                    }
                }
            } catch (IOException notJson) {
                // malformed JSON sent on purpose: no members to record
            }
        } else if (text.contains("=")) {
            for (String pair : text.split("&")) {
                int eq = pair.indexOf('=');
                try {
                    if (eq > 0 && CREDENTIAL_MEMBERS.contains(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8))) {
                        record(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                } catch (IllegalArgumentException notForm) {
                    // a malformed body sent on purpose: nothing to record
                }
            }
        }
    }

    /** The ledger directory of this JVM. */
    public static Path directory() {
        return Path.of(System.getProperty(DIR_PROPERTY, "target/secrets-used"));
    }

    /** Every secret recorded in {@code dir} by any JVM, in order, without repeats. */
    public static List<String> load(Path dir) throws IOException {
        Set<String> secrets = new LinkedHashSet<>();
        if (!Files.isDirectory(dir)) {
            return new ArrayList<>();
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        for (Path file : files) {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (!line.isBlank()) {
                    secrets.add(new String(Base64.getUrlDecoder().decode(line.strip()), StandardCharsets.UTF_8));
                }
            }
        }
        return new ArrayList<>(secrets);
    }
}
