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

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Looks for secrets in text files, line by line, in every spelling a log line could carry them:
 * as is, base64url and base64, URL-encoded, JSON-escaped and XML-escaped; and for a JWT, also its
 * payload and signature segments on their own (the header is the same for every token of a key,
 * so it is not a secret). Spellings shorter than {@value SecretLedger#MIN_LENGTH} characters, and
 * JWT segments of at most {@value #MIN_SEGMENT} characters, are not looked for.
 */
public final class SecretScanner {
    /** JWT segments this long or shorter are not looked for on their own. */
    static final int MIN_SEGMENT = 16;
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final int PREFIX = SecretLedger.MIN_LENGTH;

    /** One secret found: where, in which spelling, and the secret masked. */
    public record Finding(Path file, int line, String spelling, String masked) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + spelling + " of " + masked;
        }
    }

    /** Spellings by their first {@value SecretLedger#MIN_LENGTH} characters, for a quick look-up at each position. */
    private final Map<String, List<Spelling>> byPrefix = new HashMap<>();
    private int spellings;

    private record Spelling(String text, String kind, String masked) {
    }

    public SecretScanner(Collection<String> secrets) {
        for (String secret : secrets) {
            spellingsOf(secret).forEach((text, kind) -> {
                if (text.length() >= PREFIX) {
                    byPrefix.computeIfAbsent(text.substring(0, PREFIX), k -> new ArrayList<>())
                            .add(new Spelling(text, kind, mask(secret)));
                    spellings++;
                }
            });
        }
    }

    /** How many spellings are looked for. */
    public int spellings() {
        return spellings;
    }

    /** Each spelling of {@code secret} with its kind. */
    static Map<String, String> spellingsOf(String secret) {
        Map<String, String> out = new LinkedHashMap<>();
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        out.putIfAbsent(secret, "the secret");
        out.putIfAbsent(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), "base64url");
        out.putIfAbsent(Base64.getEncoder().withoutPadding().encodeToString(bytes), "base64");
        out.putIfAbsent(URLEncoder.encode(secret, StandardCharsets.UTF_8), "URL-encoded");
        out.putIfAbsent(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"), "URL-encoded");
        out.putIfAbsent(jsonEscaped(secret), "JSON-escaped");
        out.putIfAbsent(secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&apos;"), "XML-escaped");
        out.putIfAbsent(secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;"), "HTML-escaped");
        if (JWT.matcher(secret).matches()) {
            String[] parts = secret.split("\\.", -1);
            if (parts[1].length() > MIN_SEGMENT) {
                out.putIfAbsent(parts[1], "JWT payload segment");
            }
            if (parts[2].length() > MIN_SEGMENT) {
                out.putIfAbsent(parts[2], "JWT signature segment");
            }
        }
        return out;
    }

    private static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '/' -> b.append('/');
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The secret as a report may show it: its first three characters and its length. */
    static String mask(String secret) {
        return "'" + secret.substring(0, Math.min(3, secret.length())) + "…' (" + secret.length() + " characters)";
    }

    /** Every finding in the file (read as UTF-8, malformed bytes replaced). */
    public List<Finding> scan(Path file) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        int lineNumber = 1;
        for (int i = 0; i + PREFIX <= text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                lineNumber++;
                continue;
            }
            List<Spelling> candidates = byPrefix.get(text.substring(i, i + PREFIX));
            if (candidates == null) {
                continue;
            }
            for (Spelling s : candidates) {
                if (text.startsWith(s.text(), i)) {
                    findings.add(new Finding(file, lineNumber, s.kind(), s.masked()));
                }
            }
        }
        return findings;
    }
}
