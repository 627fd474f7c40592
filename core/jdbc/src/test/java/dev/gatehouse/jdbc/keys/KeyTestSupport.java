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

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.testing.KeyRoundTrip;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import dev.gatehouse.testing.TokenForge;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/** Token settings, issuing and verifying through a key source, and reading gh_signing_keys rows. */
final class KeyTestSupport {
    static final Instant T0 = KeyRoundTrip.T0;
    static final String ISSUER = KeyRoundTrip.ISSUER;
    static final String AUDIENCE = KeyRoundTrip.AUDIENCE;
    /** 32 bytes, base64: what `openssl rand -base64 32` prints. */
    static final String KEK = Base64.getEncoder().encodeToString(bytes(32, 1));
    static final String OTHER_KEK = Base64.getEncoder().encodeToString(bytes(32, 2));

    static {
        SecretLedger.record(bytes(32, 1));
        SecretLedger.record(bytes(32, 2));
    }

    private KeyTestSupport() {
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    static TokenSettings tokenSettings(Clock clock) {
        return KeyRoundTrip.tokenSettings(clock);
    }

    static String issue(Clock clock, KeySource keys) {
        return KeyRoundTrip.issue(clock, keys);
    }

    static AccessTokenPrincipal verify(Clock clock, KeySource keys, String token) {
        return KeyRoundTrip.verify(clock, keys, token);
    }

    /** Every column of every row of gh_signing_keys, as text, by generation. */
    static List<Map<String, String>> rows(DataSource dataSource) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM gh_signing_keys ORDER BY generation");
             ResultSet rs = ps.executeQuery()) {
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static int update(DataSource dataSource, String sql, String... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh database of this product: "H2", "PostgreSQL" or "MariaDB". */
    static Database database(String product) {
        return TestDatabases.of(product);
    }

    /** A fresh P-256 key pair, made with the JDK alone (an attacker's key). */
    static KeyPair ecPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            return gen.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ES256 access token for this issuer and audience, valid now, signed with {@code pair} under {@code kid}. */
    static String forgeEs256(Clock clock, String kid, KeyPair pair) {
        long now = clock.instant().getEpochSecond();
        String token = TokenForge.accessToken("ES256", kid, ISSUER, AUDIENCE, "user-1", now, now + 300)
                .signEs256(pair.getPrivate());
        SecretLedger.record(token);
        return token;
    }

    /** What {@code action} wrote to {@code System.err} (where slf4j-simple logs), also passed through. */
    static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    /** Waits for a background thread's effect, failing after a deadline (not for time-driven logic: that uses clocks). */
    static void await(String what, BooleanSupplier condition) {
        KeyRoundTrip.await(what, condition);
    }
}
