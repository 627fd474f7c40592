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

package dev.gatehouse.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.Json;
import dev.gatehouse.jaxrs.support.Sql;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static dev.gatehouse.jaxrs.support.Problems.assertEmailTaken;
import static dev.gatehouse.jaxrs.support.Problems.assertInvalidCredentials;
import static dev.gatehouse.jaxrs.support.Problems.assertValidation;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Account rules over real HTTP: one account per email however it is spelled, what an email may
 * be, the password policy (NIST SP 800-63B), and passwords that bcrypt alone would confuse.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountRulesTest {
    private static final String PASSWORD = "correct horse battery staple";

    private final TestDatabases.Database db = TestDatabases.h2();
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = TestServer.start(db.dataSource());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
        db.close();
    }

    private Client client() {
        return new Client(server.base);
    }

    private Reply register(String email, String password) {
        return client().postJson("auth/register", Json.credentials(email, password));
    }

    private Reply login(String email, String password) {
        return client().postJson("auth/login", Json.credentials(email, password));
    }

    private void registered(String email, String password) {
        Reply r = register(email, password);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    }

    private void loggedIn(String email, String password) {
        Reply r = login(email, password);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.json().get("access_token").asText()).isNotEmpty();
    }

    /** A local part made of the letters that fold in surprising ways (k, s, i) and a unique tail. */
    private static String local() {
        return "kissing-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10).replaceAll("[0-9]", "k");
    }

    private static String fullWidth(String ascii) {
        StringBuilder b = new StringBuilder();
        for (char c : ascii.toCharArray()) {
            b.append(c > 0x20 && c < 0x7f ? (char) (c - 0x21 + 0xFF01) : c);
        }
        return b.toString();
    }

    // ---- one account per email ----

    @Test
    void duplicatesInAnySpellingAre409WithTheSameProblem() {
        String local = local();
        String email = local + "@example.org";
        registered(email, PASSWORD);

        List<String> spellings = List.of(
                email,
                email.toUpperCase(Locale.ROOT),
                local + "@EXAMPLE.org",
                "  " + email + "  ",
                "\t" + email + "\n",
                fullWidth(email.toUpperCase(Locale.ROOT)),
                fullWidth(email),
                email.replace('k', '\u212A'),          // KELVIN SIGN
                email.replace('s', '\u017F'),          // LATIN SMALL LETTER LONG S
                email.replace('i', '\u0131'),          // LATIN SMALL LETTER DOTLESS I
                "\u212A" + email.substring(1).replace('s', '\u017F').replace('i', '\u0131').toUpperCase(Locale.ROOT));
        List<String> bodies = new ArrayList<>();
        for (String spelling : spellings) {
            Reply r = register(spelling, "another long password 2");
            assertEmailTaken(r);
            bodies.add(r.body());
        }
        assertThat(bodies).as("the same body whatever the spelling").containsOnly(bodies.get(0));
        assertThat(Sql.count(db.dataSource(), "SELECT COUNT(*) FROM gh_users WHERE email = ?", email)).isEqualTo(1);
    }

    @Test
    void theOtherSpellingsLogInToTheSameAccount() {
        String local = local();
        String email = local + "@example.org";
        registered(email, PASSWORD);
        for (String spelling : List.of(" " + email.toUpperCase(Locale.ROOT) + " ", fullWidth(email), email.replace('k', '\u212A'),
                email.replace('s', '\u017F'), email.replace('i', '\u0131'))) {
            loggedIn(spelling, PASSWORD);
        }
    }

    @Test
    void registrationInAnExoticSpellingStoresTheNormalisedEmail() {
        String local = local();
        String exotic = "  " + fullWidth(local.toUpperCase(Locale.ROOT)).replace(fullWidth("K"), "\u212A") + "@Example.ORG ";
        Reply r = register(exotic, PASSWORD);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("email").asText()).isEqualTo(local + "@example.org");
        assertEmailTaken(register(local + "@example.org", PASSWORD));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "no-at.example.org",
            "two@at@example.org",
            "trailing-nul@example.org\u0000",
            "nul\u0000inside@example.org",
            "space inside@example.org",
            "tab\tinside@example.org",
            "spaces@exa mple.org",
            "@example.org",
            "nobody@",
            "nodomain@localhost",
            "dots..in@example.org",
            ".lead@example.org",
            "quote\"@example.org",
            "angle<@example.org",
            "zero\u200Bwidth@example.org",
            "label@-example.org",
            "label@example..org",
            "",
            "   "})
    void invalidEmailIs400NamingEmail(String email) {
        JsonNode problem = assertValidation(register(email, PASSWORD), "email");
        assertThat(problem.toString()).doesNotContain(email.isBlank() ? "\u0000" : email);
    }

    @Test
    void overlongEmailIs400() {
        String longest = "a".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".org";
        assertThat(longest).hasSize(254);
        registered(longest, PASSWORD);
        String email = "e".repeat(64) + "@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(58) + ".org";
        assertThat(email).hasSize(255);
        assertValidation(register(email, PASSWORD), "email");
        assertValidation(register("a".repeat(65) + "@example.org", PASSWORD), "email");
    }

    @Test
    void invalidEmailAndInvalidPasswordAreReportedTogether() {
        assertValidation(register("no-at", "short"), "email", "password");
    }

    // ---- password policy ----

    /** A password of exactly {@code n} code points, not on any list. */
    private static String password(int n) {
        StringBuilder b = new StringBuilder();
        while (b.length() < n) {
            b.append(UUID.randomUUID().toString().replace("-", ""));
        }
        return b.substring(0, n);
    }

    private static String newEmail() {
        return "policy-" + UUID.randomUUID() + "@example.org";
    }

    @Test
    void passwordLengthIsTwelveToOneHundredTwentyEightCharacters() {
        assertValidation(register(newEmail(), password(11)), "password");
        assertValidation(register(newEmail(), password(1)), "password");
        assertValidation(register(newEmail(), password(129)), "password");
        assertValidation(register(newEmail(), password(1000)), "password");
        for (int n : new int[] {12, 128}) {
            String email = newEmail();
            String pw = password(n);
            registered(email, pw);
            loggedIn(email, pw);
        }
    }

    @Test
    void lengthIsCountedInCharactersNotBytesNorUtf16Units() {
        // 11 dragons: 22 UTF-16 units and 44 bytes, but 11 characters
        assertValidation(register(newEmail(), "\uD83D\uDC09".repeat(11)), "password");
        String twelve = "\uD83D\uDC09".repeat(12);
        String email = newEmail();
        registered(email, twelve);
        loggedIn(email, twelve);
        // 128 two-byte characters = 256 bytes: allowed
        String email2 = newEmail();
        String wide = "\u00e9\u00df\u00f8\u00e5".repeat(32);
        registered(email2, wide);
        loggedIn(email2, wide);
        assertValidation(register(newEmail(), wide + "\u00e9"), "password");
    }

    @Test
    void commonPasswordsFromTheBundledListAreRefusedWhateverTheCase() throws IOException {
        List<String> longCommon = new ArrayList<>();
        try (InputStream in = dev.gatehouse.auth.PasswordPolicy.class.getResourceAsStream("common-passwords.txt")) {
            assertThat(in).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String p = line.strip();
                if (!p.startsWith("#") && p.length() >= 12 && p.length() <= 128 && p.chars().noneMatch(Character::isISOControl)) {
                    longCommon.add(p);
                }
            }
        }
        assertThat(longCommon).hasSizeGreaterThan(5);
        List<String> samples = List.of(longCommon.get(0), longCommon.get(longCommon.size() / 2), longCommon.get(longCommon.size() - 1),
                longCommon.get(1).toUpperCase(Locale.ROOT), "1qaz2wsx3edc", "LeaveMeAlone");
        for (String p : samples) {
            assertValidation(register(newEmail(), p), "password");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0007", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u009f"})
    void controlCharactersInAPasswordAre400(String control) {
        assertValidation(register(newEmail(), "long enough " + control + " password"), "password");
        assertValidation(register(newEmail(), control + "long enough password"), "password");
        assertValidation(register(newEmail(), "long enough password" + control), "password");
    }

    @Test
    void loneSurrogateInAPasswordIs400() {
        // JSON can carry an unpaired surrogate escape; it is not a character
        Reply r = client().postJson("auth/register", "{\"email\":\"" + newEmail() + "\",\"password\":\"long enough \\ud800 password\"}");
        assertValidation(r, "password");
    }

    @ParameterizedTest
    @ValueSource(strings = {"пароль-сложный-🐉-2026", "密码很长很长很长很长的密码", "كلمة سر طويلة جدا", "  spaces are fine  ", "emoji only 🐉🐉🐉🐉🐉🐉"})
    void anyUnicodeIsAccepted(String password) {
        String email = newEmail();
        registered(email, password);
        loggedIn(email, password);
        assertInvalidCredentials(login(email, password.strip() + "x"));
    }

    // ---- passwords bcrypt alone would confuse ----

    @Test
    void passwordsSharingTheirFirst72BytesAreDifferentPasswords() {
        String email = newEmail();
        String p = "A".repeat(72) + "x";
        registered(email, p);
        assertInvalidCredentials(login(email, "A".repeat(72) + "y"));
        assertInvalidCredentials(login(email, "A".repeat(72)));
        assertInvalidCredentials(login(email, "A".repeat(72) + "xx"));
        loggedIn(email, p);
    }

    @Test
    void multibytePasswordsSharingTheirFirst72BytesAreDifferentPasswords() {
        String shared = "\u00e9".repeat(30) + "0123456789AB"; // 60 + 12 = 72 bytes
        assertThat(shared.getBytes(StandardCharsets.UTF_8)).hasSize(72);
        String email = newEmail();
        registered(email, shared + "x");
        assertInvalidCredentials(login(email, shared + "y"));
        assertInvalidCredentials(login(email, shared));
        loggedIn(email, shared + "x");

        // a multibyte character straddling byte 72
        String straddle = "\u00e9".repeat(35) + "Z" + "\u20ac"; // 70 + 1 + 3 bytes
        String email2 = newEmail();
        registered(email2, straddle);
        assertInvalidCredentials(login(email2, "\u00e9".repeat(35) + "Z" + "\u20ad"));
        loggedIn(email2, straddle);
    }

    @Test
    void passwordIsComparedInNormalisationFormKc() {
        String email = newEmail();
        String composed = "caf\u00e9 au lait tr\u00e8s chaud";
        registered(email, composed);
        loggedIn(email, "cafe\u0301 au lait tre\u0300s chaud");
        assertInvalidCredentials(login(email, "cafe au lait tres chaud"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000junk", "\u0000", "\u0000" + PASSWORD})
    void correctPasswordFollowedByNulAndMoreIsRefused(String tail) {
        String email = newEmail();
        registered(email, PASSWORD);
        assertInvalidCredentials(login(email, PASSWORD + tail));
        loggedIn(email, PASSWORD);
    }

    @Test
    void loginDoesNotApplyThePolicyButNeverLetsAWrongPasswordIn() {
        // an account's password is checked, not re-validated: a short or odd password is a plain 401
        String email = newEmail();
        registered(email, PASSWORD);
        for (String p : List.of("x", "\u0007", "A".repeat(1000), PASSWORD.toUpperCase(Locale.ROOT), PASSWORD + " ")) {
            assertInvalidCredentials(login(email, p));
            loggedIn(email, PASSWORD); // resets the account's failure count
        }
    }
}
