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
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.InvalidTokenException;
import dev.gatehouse.token.InvalidTokenException.Reason;
import dev.gatehouse.token.JwkSets;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.jdbc.JdbcSchema;
import dev.gatehouse.jdbc.JdbcStores;
import dev.gatehouse.jdbc.keys.KeyStatus.State;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.gatehouse.jdbc.keys.KeyTestSupport.KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.OTHER_KEK;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.T0;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.issue;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.rows;
import static dev.gatehouse.jdbc.keys.KeyTestSupport.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command-line tool, run in-process against H2, next to an "application" node on the same database. */
class KeyAdminTest {
    private final MutableClock clock = new MutableClock(T0);
    private Database db;
    private ManagedKeySource app;
    private Map<String, String> env;
    /** Everything the tool printed in this test, to check that no key material ever appears. */
    private final StringBuilder printed = new StringBuilder();

    @BeforeEach
    void openDatabase() {
        use(TestDatabases.h2());
    }

    /** Points the tool and the application at this database (closing the one used before). */
    private void use(Database database) {
        if (db != null) {
            db.close();
        }
        db = database;
        JdbcSchema.createIfAbsent(db.dataSource());
        env = new HashMap<>();
        env.put("GATEHOUSE_JDBC_URL", db.jdbcUrl());
        env.put("GATEHOUSE_JDBC_USER", db.user());
        env.put("GATEHOUSE_JDBC_PASSWORD", db.password());
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", KEK);
    }

    @AfterEach
    void close() throws Exception {
        if (app != null) {
            // the private parts of every key the application could decrypt never appeared in the output
            String out = printed.toString();
            assertThat(out).doesNotContain("v1:").doesNotContain("plain:").doesNotContain(KEK);
            for (Map<String, String> row : rows(db.dataSource())) {
                if (row.get("row_mac") != null) {
                    assertThat(out).doesNotContain(row.get("row_mac").substring(3));
                }
            }
            for (Map<String, String> row : rows(db.dataSource())) {
                if (row.get("private_key") != null) {
                    assertThat(out).doesNotContain(row.get("private_key").substring(3, 40));
                }
            }
            for (KeyStatus s : app.keys()) {
                if (s.state() == State.ACTIVE) {
                    String d = new ObjectMapper().readTree(JwkSets.toPrivateJson(List.of(app.signingKey())))
                            .get("keys").get(0).get("d").asText();
                    assertThat(out).doesNotContain(d);
                }
            }
            app.close();
        }
        db.close();
    }

    private void startApp() {
        app = ManagedKeySource.builder(db.dataSource()).algorithm(SigningAlgorithm.ES256).keyEncryptionKey(KEK)
                .refreshInterval(Duration.ZERO).clock(clock).build();
        app.start();
    }

    /** The exit status, stdout and stderr of one run. */
    private Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = KeyAdmin.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), clock);
        Result result = new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        printed.append(result.out).append(result.err);
        return result;
    }

    private record Result(int status, String out, String err) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres", "mariadb"})
    void rolesAreGrantedAndRevokedByEmailOrIdAndEachChangeStartsANewTokenGeneration(String database) {
        use(switch (database) {
            case "postgres" -> TestDatabases.postgres();
            case "mariadb" -> TestDatabases.mariadb();
            default -> TestDatabases.h2();
        });
        JdbcStores stores = new JdbcStores(db.dataSource());
        String id = java.util.UUID.randomUUID().toString();
        stores.users().create(id, "ops@example.org", "$2a$12$x", List.of("user"), T0);

        Result granted = run("roles", "grant", "Ops@Example.ORG", "admin");
        assertThat(granted.status).as(granted.err).isEqualTo(KeyAdmin.OK);
        assertThat(granted.out).contains("Granted admin to user " + id, "roles now user, admin");
        assertThat(stores.users().findById(id)).hasValueSatisfying(u -> {
            assertThat(u.roles()).containsExactly("user", "admin");
            assertThat(u.tokenGeneration()).isEqualTo(1);
        });
        assertThat(stores.revocations().userGenerations(T0.minusSeconds(1))).containsEntry(id, 1);

        Result again = run("roles", "grant", id, "admin");
        assertThat(again.status).isEqualTo(KeyAdmin.OK);
        assertThat(again.out).contains("already has the role admin: nothing changed");
        assertThat(stores.users().findById(id)).map(u -> u.tokenGeneration()).contains(1);

        Result listed = run("roles", "list", id);
        assertThat(listed.out).contains("has the roles user, admin");

        Result revoked = run("roles", "revoke", "ops@example.org", "admin");
        assertThat(revoked.status).isEqualTo(KeyAdmin.OK);
        assertThat(revoked.out).contains("Revoked admin from user " + id, "roles now user.");
        assertThat(stores.users().findById(id)).hasValueSatisfying(u -> {
            assertThat(u.roles()).containsExactly("user");
            assertThat(u.tokenGeneration()).isEqualTo(2);
        });
    }

    @Test
    void rolesRefusesAnUnknownUserABadRoleAndAWrongShapeWithoutChangingAnything() {
        JdbcStores stores = new JdbcStores(db.dataSource());
        String id = java.util.UUID.randomUUID().toString();
        stores.users().create(id, "someone@example.org", "$2a$12$x", List.of("user"), T0);

        Result unknown = run("roles", "grant", "nobody@example.org", "admin");
        assertThat(unknown.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(unknown.err).contains("no such user: nobody@example.org");
        Result spaces = run("roles", "grant", id, "two words");
        assertThat(spaces.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(spaces.err).contains("role must not contain white space");
        Result verb = run("roles", "promote", id, "admin");
        assertThat(verb.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(verb.err).contains("unknown action 'promote'");
        Result noRole = run("roles", "grant", id);
        assertThat(noRole.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(noRole.err).contains("needs a user (email or id) and a role");
        assertThat(run("roles", "list").status).as("too few words").isEqualTo(KeyAdmin.USAGE);

        assertThat(stores.users().findById(id)).hasValueSatisfying(u -> {
            assertThat(u.roles()).containsExactly("user");
            assertThat(u.tokenGeneration()).isZero();
        });
    }

    @Test
    void listOnAnEmptyTableSaysSoAndCreatesNothing() {
        Result r = run("list");
        assertThat(r.status).isEqualTo(KeyAdmin.OK);
        assertThat(r.out).contains("No signing keys yet");
        assertThat(rows(db.dataSource())).isEmpty();
    }

    @Test
    void listShowsEachKeyAndWhatItIsDoing() {
        startApp();
        String active = app.signingKey().kid();
        KeyStatus pending = app.rotateNow(false);

        Result r = run("list");

        assertThat(r.status).isEqualTo(KeyAdmin.OK);
        assertThat(r.out).containsPattern("(?m)^\\s+1  " + active + "\\s+ES256\\s+active\\s+2026-11-23T10:00:00Z\\s+-\\s+-\\s+encrypted$");
        assertThat(r.out).containsPattern("(?m)^\\s+2  " + pending.kid() + "\\s+ES256\\s+pending\\s+2026-11-23T11:00:00Z");
    }

    @Test
    void rotateCreatesAKeyThatIsPublishedNowAndSignsAfterTheLead() {
        startApp();
        String before = app.signingKey().kid();

        Result r = run("rotate");

        assertThat(r.status).as(r.err).isEqualTo(KeyAdmin.OK);
        app.refresh();
        KeyStatus next = app.keys().get(1);
        assertThat(next.state()).isEqualTo(State.PENDING);
        assertThat(next.algorithm()).isEqualTo("ES256"); // the active key's algorithm, not the tool's default
        assertThat(r.out).contains(next.kid()).contains("signs from 2026-11-23T11:00:00Z");
        assertThat(app.signingKey().kid()).isEqualTo(before);
        assertThat(app.publishedKeys()).hasSize(2);
    }

    @Test
    void rotateNowMakesTheNewKeySignAtOnce() {
        startApp();
        String before = app.signingKey().kid();

        Result r = run("rotate", "--now");

        assertThat(r.status).as(r.err).isEqualTo(KeyAdmin.OK);
        assertThat(r.out).contains("signs from now");
        app.refresh();
        assertThat(app.signingKey().kid()).isNotEqualTo(before);
    }

    @Test
    void revokeRefusesTheKeysTokensAndAReplacementSigns() {
        startApp();
        String compromised = app.signingKey().kid();
        String token = issue(clock, app);

        Result r = run("revoke", compromised);

        assertThat(r.status).as(r.err).isEqualTo(KeyAdmin.OK);
        assertThat(r.out).contains("Key " + compromised + " is revoked");
        app.refresh();
        assertThatThrownBy(() -> verify(clock, app, token))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REVOKED));
        assertThat(app.signingKey().kid()).isNotEqualTo(compromised);
        assertThat(r.out).contains("Key " + app.signingKey().kid() + " (generation 2) signs now");
        assertThat(run("list").out).containsPattern("(?m)^\\s+1  " + compromised
                + "\\s+ES256\\s+revoked\\s+\\S+\\s+\\S+\\s+2026-11-23T10:00:00Z\\s+destroyed$");

        Result again = run("revoke", compromised);
        assertThat(again.status).isEqualTo(KeyAdmin.OK);
        assertThat(again.out).contains("already revoked");
    }

    @Test
    void revokingAnUnknownKeyFails() {
        startApp();
        Result r = run("revoke", "no-such-kid");
        assertThat(r.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(r.err).contains("no-such-kid");
        assertThat(rows(db.dataSource())).hasSize(1);
    }

    @Test
    void aWrongOrMissingKeyEncryptionKeyIsAUsageErrorNamingTheVariable() {
        startApp();
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", OTHER_KEK);
        Result wrong = run("rotate");
        assertThat(wrong.status).isEqualTo(KeyAdmin.USAGE);
        assertThat(wrong.err).contains("GATEHOUSE_KEY_ENCRYPTION_KEY").contains("does not decrypt").doesNotContain(OTHER_KEK);

        env.remove("GATEHOUSE_KEY_ENCRYPTION_KEY");
        Result missing = run("revoke", app.signingKey().kid());
        assertThat(missing.status).isEqualTo(KeyAdmin.USAGE);
        assertThat(missing.err).contains("GATEHOUSE_KEY_ENCRYPTION_KEY").contains("--allow-unencrypted");
        assertThat(rows(db.dataSource())).hasSize(1);
        assertThat(rows(db.dataSource()).get(0).get("revoked_at")).isNull();

        // list needs no KEK
        assertThat(run("list").status).isEqualTo(KeyAdmin.OK);
    }

    @Test
    void optionsWinOverTheEnvironment() {
        startApp();
        env.put("GATEHOUSE_JDBC_URL", "jdbc:h2:mem:wrong_" + db.name() + ";IFEXISTS=TRUE");
        Result r = run("list", "--jdbc-url", db.jdbcUrl());
        assertThat(r.status).as(r.err).isEqualTo(KeyAdmin.OK);
        assertThat(r.out).contains(app.signingKey().kid());
    }

    @Test
    void wrongUsageIsRefusedWithTheUsage() {
        assertThat(run().status).isEqualTo(KeyAdmin.USAGE);
        Result unknown = run("destroy");
        assertThat(unknown.status).isEqualTo(KeyAdmin.USAGE);
        assertThat(unknown.err).contains("unknown command").contains("Usage:");
        assertThat(run("revoke").status).isEqualTo(KeyAdmin.USAGE);
        assertThat(run("list", "--bogus").status).isEqualTo(KeyAdmin.USAGE);
        assertThat(run("list", "--now").status).isEqualTo(KeyAdmin.USAGE);
        assertThat(run("rotate", "--rotation-period", "monthly").err).contains("ISO-8601");

        env.remove("GATEHOUSE_JDBC_URL");
        Result noUrl = run("list");
        assertThat(noUrl.status).isEqualTo(KeyAdmin.USAGE);
        assertThat(noUrl.err).contains("GATEHOUSE_JDBC_URL");

        Result help = run("--help");
        assertThat(help.status).isEqualTo(KeyAdmin.OK);
        assertThat(help.out).contains("revoke <kid>").contains("authenticate --confirm [<kid>...]");
        assertThat(run("authenticate", "--now").status).isEqualTo(KeyAdmin.USAGE);
        assertThat(run("list", "--confirm").status).isEqualTo(KeyAdmin.USAGE);
    }

    @Test
    void anUnreachableDatabaseIsAFailureThatDoesNotQuoteTheDriver() {
        env.put("GATEHOUSE_JDBC_URL", "jdbc:h2:mem:absent_" + db.name() + ";IFEXISTS=TRUE");
        Result list = run("list");
        assertThat(list.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(list.err).contains("could not load the signing keys").contains("SQLState");
        Result rotate = run("rotate");
        assertThat(rotate.status).isEqualTo(KeyAdmin.FAILED);
    }

    // ---- authenticate: the upgrade of rows stored before key rows were authenticated ---------------

    /** Rows as an application stored them before rows were authenticated: unencrypted (no KEK), no MAC. */
    private ManagedKeySource legacyPlainNode() {
        ManagedKeySource node = ManagedKeySource.builder(db.dataSource()).algorithm(SigningAlgorithm.ES256)
                .allowUnencryptedPrivateKeys(true).refreshInterval(Duration.ZERO).clock(clock).build();
        node.start();
        return node;
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void authenticateListsTheRowsNodesRefuseWithTheirFingerprintAndChangesNothing(String product) {
        use(KeyTestSupport.database(product));
        startApp();
        String active = app.signingKey().kid();
        String pending = app.rotateNow(false).kid();
        // encrypted rows stored before rows were authenticated: no MAC
        KeyTestSupport.update(db.dataSource(), "UPDATE gh_signing_keys SET row_mac = NULL");
        List<Map<String, String>> before = rows(db.dataSource());

        Result r = run("authenticate");

        assertThat(r.status).as(r.err).isEqualTo(KeyAdmin.OK);
        // the RFC 7638 thumbprint of the public key, computed here independently (Gatehouse's kids are that thumbprint)
        assertThat(r.out).containsPattern("(?m)^\\s+1  " + active + "\\s+ES256\\s+" + thumbprint(before.get(0).get("public_jwk"))
                + "\\s+no row MAC$");
        assertThat(r.out).containsPattern("(?m)^\\s+2  " + pending + "\\s+ES256\\s+" + thumbprint(before.get(1).get("public_jwk"))
                + "\\s+no row MAC$");
        assertThat(r.out).contains("KeyAdmin authenticate --confirm");
        assertThat(rows(db.dataSource())).isEqualTo(before);
        // and list shows them as refused, with why
        Result list = run("list");
        assertThat(list.out).containsPattern("(?m)^\\s+1  " + active + "\\s+ES256\\s+refused\\s")
                .contains("key '" + pending + "' has no row MAC");
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL", "MariaDB"})
    void authenticateConfirmAuthenticatesLegacyRowsAndEncryptsPlainOnesSoThatNodesUseThemAgain(String product) {
        use(KeyTestSupport.database(product));
        ManagedKeySource legacy = legacyPlainNode();
        String kid = legacy.signingKey().kid();
        String token = issue(clock, legacy);
        legacy.close();
        assertThatThrownBy(this::startApp).isInstanceOf(ConfigurationException.class).hasMessageContaining("KeyAdmin authenticate");

        Result r = run("authenticate", "--confirm");

        assertThat(r.status).as(r.out + r.err).isEqualTo(KeyAdmin.OK);
        assertThat(r.out).contains("Key " + kid + " is authenticated, its private key encrypted");
        assertThat(rows(db.dataSource())).singleElement().satisfies(row -> {
            assertThat(row.get("private_key")).startsWith("v1:");
            assertThat(row.get("row_mac")).startsWith("v1:");
        });
        startApp();
        assertThat(app.signingKey().kid()).isEqualTo(kid);
        assertThat(verify(clock, app, token).keyId()).isEqualTo(kid);
        assertThat(app.keys()).extracting(KeyStatus::state).containsExactly(State.ACTIVE);
        // run again: nothing left to do
        Result again = run("authenticate", "--confirm");
        assertThat(again.status).isEqualTo(KeyAdmin.OK);
        assertThat(again.out).contains("nothing to do");
    }

    @Test
    void authenticateConfirmTouchesOnlyTheKeysNamed() {
        startApp();
        String active = app.signingKey().kid();
        String pending = app.rotateNow(false).kid();
        KeyTestSupport.update(db.dataSource(), "UPDATE gh_signing_keys SET row_mac = NULL");

        Result r = run("authenticate", "--confirm", pending);

        assertThat(r.status).as(r.err).isEqualTo(KeyAdmin.OK);
        assertThat(rows(db.dataSource())).extracting(row -> row.get("kid") + "=" + (row.get("row_mac") != null))
                .containsExactly(active + "=false", pending + "=true");
        assertThat(run("authenticate", "--confirm", "no-such-kid").status).isEqualTo(KeyAdmin.FAILED);
    }

    @Test
    void aRowWithAWrongMacIsNeverAuthenticatedEvenWhenNamed() {
        startApp();
        String kid = app.signingKey().kid();
        java.security.KeyPair attacker = KeyTestSupport.ecPair();
        String attackerKid = "attacker-kid";
        String jwk = ManagedKeySource.publicJwk(dev.gatehouse.token.SigningKey.ec(attackerKid,
                (java.security.interfaces.ECPublicKey) attacker.getPublic(), null));
        assertThat(new KeyTable(db.dataSource(), Duration.ofSeconds(10)).insert(new KeyRow(attackerKid, 2, "ES256", jwk, null,
                T0, T0, null, null, "v1:" + "A".repeat(43)))).isTrue();

        Result listed = run("authenticate");
        assertThat(listed.out).contains(attackerKid).contains("row MAC does not verify");

        Result r = run("authenticate", "--confirm", attackerKid);

        assertThat(r.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(r.out).contains("Key " + attackerKid + " NOT authenticated").contains("Revoke it");
        app.refresh();
        assertThat(app.keys()).extracting(KeyStatus::kid, KeyStatus::state)
                .containsExactly(org.assertj.core.api.Assertions.tuple(kid, State.ACTIVE),
                        org.assertj.core.api.Assertions.tuple(attackerKid, State.REFUSED));
        // the operator's way out: revoke it (the tool opens the table even with a refused row in it)
        assertThat(run("revoke", attackerKid).status).isEqualTo(KeyAdmin.OK);
        assertThat(rows(db.dataSource()).get(1).get("revoked_at")).isNotNull();
    }

    @Test
    void aPlainRowWhosePrivateKeyIsNotItsPublicKeysIsNotAuthenticated() {
        ManagedKeySource legacy = legacyPlainNode();
        String kid = legacy.signingKey().kid();
        legacy.close();
        java.security.KeyPair other = KeyTestSupport.ecPair();
        String otherPrivate = "plain:" + JwkSets.toPrivateJson(List.of(dev.gatehouse.token.SigningKey.ec(kid,
                (java.security.interfaces.ECPublicKey) other.getPublic(), (java.security.interfaces.ECPrivateKey) other.getPrivate())));
        KeyTestSupport.update(db.dataSource(), "UPDATE gh_signing_keys SET private_key = ? WHERE kid = ?", otherPrivate, kid);

        Result r = run("authenticate", "--confirm");

        assertThat(r.status).isEqualTo(KeyAdmin.FAILED);
        assertThat(r.out).contains("Key " + kid + " NOT authenticated").contains("does not belong to its public key");
        assertThat(rows(db.dataSource()).get(0).get("row_mac")).isNull();
        assertThat(rows(db.dataSource()).get(0).get("private_key")).startsWith("plain:");
    }

    @Test
    void authenticateNeedsTheKeyEncryptionKey() {
        startApp();
        env.remove("GATEHOUSE_KEY_ENCRYPTION_KEY");
        Result r = run("authenticate");
        assertThat(r.status).isEqualTo(KeyAdmin.USAGE);
        assertThat(r.err).contains("GATEHOUSE_KEY_ENCRYPTION_KEY").contains("required");
        // list without it says the rows were not checked
        assertThat(run("list").out).contains("Rows not checked");
    }

    /** The RFC 7638 thumbprint of a stored P-256 public JWK, from its x and y alone. */
    private static String thumbprint(String publicJwk) {
        try {
            com.fasterxml.jackson.databind.JsonNode jwk = new ObjectMapper().readTree(publicJwk);
            String canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + jwk.get("x").asText() + "\",\"y\":\""
                    + jwk.get("y").asText() + "\"}";
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.security.MessageDigest
                    .getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
