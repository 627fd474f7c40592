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

package dev.gatehouse.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.demo.support.Browser;
import dev.gatehouse.demo.support.Page;
import dev.gatehouse.demo.support.IndependentTotp;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second factor and sessions through the page in a real headless Chromium, against the
 * standalone demo: register, verify, log in with the password; the protected area ({@code GET
 * /api/secure}) asks for a second factor; enrol an authenticator (the QR code, the key for manual
 * entry), confirm it with a code, see the ten recovery codes once; the protected area now asks to
 * log in again (step-up), which takes the password and a code; log in with a recovery code, which
 * works once only; the sessions panel lists another device, whose session ends from the page
 * (its refresh token is then refused), and "end all other sessions"; new recovery codes; and,
 * once the login is older than {@code GATEHOUSE_RECENT_AUTHENTICATION} (one minute here, which the
 * test waits out), turning the second factor off asks to log in again, after which it works.
 *
 * <p>The codes come from the tests' own TOTP (RFC 6238, HMAC-SHA-1) and base32 (RFC 4648)
 * implementation, {@link IndependentTotp}, from the {@code otpauth://} URI the page shows: never
 * from Gatehouse's. A code of a step is accepted once per user, so each login uses a step after
 * the last one used.
 *
 * <p>Screenshots (1000x800) go to {@code target/screenshots/mfa-*.png} and, with the system
 * property {@value AccountLifecyclePageIT#SCREENSHOT_DIR_PROPERTY}, to that folder too
 * (docs/demo.md shows them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MfaAndSessionsPageIT {
    private static final String PASSWORD = "copper-Fjord-8-lantern";
    private static final String OTHER_DEVICE = "GatehouseTest/1.0 (second device)";
    private static final Duration UI = Duration.ofSeconds(15);
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 800;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private DemoMain.Running demo;
    private ChromeDriver browser;
    private Page page;
    /** The last TOTP step whose code was used: a step's code is accepted once. */

    @BeforeAll
    void start() throws Exception {
        SecretLedger.record(PASSWORD);
        byte[] mfaKey = new byte[32];
        new SecureRandom().nextBytes(mfaKey);
        SecretLedger.record(mfaKey);
        demo = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("db/gatehouse").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_MFA_KEY", Base64.getEncoder().encodeToString(mfaKey),
                "GATEHOUSE_MFA_ISSUER", "Gatehouse demo",
                // the shortest: the test waits it out to see the page's step-up for a login no longer recent
                "GATEHOUSE_RECENT_AUTHENTICATION", "PT1M",
                "GATEHOUSE_BCRYPT_COST", "4",
                "GATEHOUSE_TEST_MODE", "true"), name -> null, name -> null));
        browser = Browser.start(dir.resolve("chromium-profile"));
        page = new Page(browser, UI, Duration.ofMillis(200));
        page.viewport(WIDTH, HEIGHT);
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (demo != null) {
                demo.stop();
            }
        }
    }

    @Test
    void enrolLogInWithCodesAndManageSessions() throws Exception {
        String email = "grace.hopper@example.com";
        browser.get(demo.url);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));

        // register, verify from the demo mailbox, then log in with the password
        page.type("register-email", email);
        page.type("register-password", PASSWORD);
        page.click("register-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("register-message"), "Check your email"));
        awaitMailLink("verify-email?token=");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        page.click("logout-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        logInWithPassword(email);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-status"), "Off"));
        assertThat(page.displayed("mfa-setup-button")).isTrue();
        assertThat(page.displayed("mfa-disable-button")).isFalse();

        // without a second factor, the protected area says how to get in
        page.click("secure-button");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("secure-message"), "Set up two-factor"));
        assertThat(page.displayed("secure-result")).isFalse();
        assertThat(page.displayed("signed-in")).isTrue();

        // enrol: the QR code (an inline SVG), the key for manual entry and the otpauth URI
        page.click("mfa-setup-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-enrol")));
        assertThat(browser.findElements(By.cssSelector("#mfa-qr > svg"))).hasSize(1);
        assertThat(browser.findElements(By.cssSelector("#mfa-qr script"))).isEmpty();
        String uri = browser.findElement(By.id("mfa-uri")).getDomProperty("href");
        Map<String, String> parameters = otpauth(uri);
        String secret = parameters.get("secret");
        SecretLedger.record(secret);
        assertThat(parameters.getOrDefault("algorithm", "SHA1")).isEqualToIgnoringCase("SHA1");
        assertThat(parameters.getOrDefault("digits", "6")).isEqualTo("6");
        assertThat(parameters.getOrDefault("period", "30")).isEqualTo("30");
        assertThat(parameters.get("issuer")).isEqualTo("Gatehouse demo");
        assertThat(page.text("mfa-secret").replace(" ", "")).isEqualTo(secret);
        byte[] key = IndependentTotp.base32Decode(secret);
        IndependentTotp totp = IndependentTotp.of(key);
        assertThat(key.length).as("an RFC 6238 SHA-1 secret of at least 128 bits").isGreaterThanOrEqualTo(16);
        page.scrollTo("mfa-panel");
        screenshot("mfa-1-enrol");

        // a wrong code is refused, the right one turns it on and shows ten recovery codes once
        page.type("mfa-confirm-code", totp.wrongCode());
        page.click("mfa-confirm-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-confirm-message"), "did not work"));
        page.type("mfa-confirm-code", totp.nextCode());
        page.click("mfa-confirm-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-codes")));
        List<String> recoveryCodes = new ArrayList<>();
        for (WebElement item : browser.findElements(By.cssSelector("#mfa-codes-list li"))) {
            recoveryCodes.add(item.getText().strip());
        }
        recoveryCodes.forEach(SecretLedger::record);
        assertThat(recoveryCodes).hasSize(10).doesNotHaveDuplicates().allSatisfy(c -> assertThat(c).isNotBlank());
        assertThat(page.text("mfa-codes")).contains("Save these recovery codes now").contains("only this once");
        assertThat(page.displayed("mfa-enrol")).isFalse();
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-status"), "On"));
        assertThat(page.text("mfa-status")).contains("10 recovery codes left");
        page.scrollTo("mfa-panel");
        screenshot("mfa-2-recovery-codes");
        page.click("mfa-codes-done");
        page.await().until(ExpectedConditions.invisibilityOfElementLocated(By.id("mfa-codes")));
        assertThat(browser.findElements(By.cssSelector("#mfa-codes-list li"))).as("shown once").isEmpty();
        assertThat(page.displayed("mfa-regenerate-button")).isTrue();
        assertThat(page.displayed("mfa-disable-button")).isTrue();

        // step-up: this login had no second factor, so the protected area asks to log in again
        page.click("secure-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        assertThat(page.text("status")).contains("For your security, log in again to continue");
        assertThat(browser.findElement(By.id("login-email")).getDomProperty("value")).isEqualTo(email);
        page.type("login-password", PASSWORD);
        page.click("login-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-form")));
        assertThat(page.displayed("signed-out")).isFalse();
        assertThat(browser.executeScript("return localStorage.length + sessionStorage.length;")).as("mfa_token in memory only")
                .isEqualTo(0L);
        screenshot("mfa-3-code-step");
        page.type("mfa-code", totp.nextCode());
        page.click("mfa-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        assertThat(page.text("status")).contains("You can continue");
        // the session that fell short ended with the new login: this one alone is listed
        page.await().until(d -> d.findElements(By.cssSelector("#sessions-list li")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("#sessions-list li.current")).getText()).contains("two factors");
        page.click("secure-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("secure-result")));
        JsonNode secure = JSON.readTree(page.text("secure-result"));
        assertThat(secure.path("amr").toString()).contains("\"mfa\"").contains("\"otp\"");
        assertThat(secure.path("subject").asText()).isEqualTo(page.text("me-id"));
        assertThat(secure.path("auth_time").asLong()).isPositive();

        // a recovery code logs in once
        page.click("logout-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        logInWithPassword(email);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-form")));
        page.type("mfa-code", recoveryCodes.get(0));
        page.click("mfa-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-status"), "9 recovery codes left"));
        page.click("logout-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        logInWithPassword(email);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-form")));
        page.type("mfa-code", recoveryCodes.get(0));
        page.click("mfa-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-message"), "did not work"));
        assertThat(page.displayed("signed-in")).isFalse();
        assertThat(page.displayed("mfa-form")).isTrue();
        page.type("mfa-code", recoveryCodes.get(1));
        page.click("mfa-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        Instant loggedIn = Instant.now();

        // another device logs in (plain HTTP, its own User-Agent): the panel lists it, and ends it
        WebClient other = new WebClient(URI.create(demo.url));
        String otherRefresh = logInElsewhere(other, email, recoveryCodes.get(2));
        page.click("sessions-refresh");
        By otherItem = By.xpath("//ul[@id='sessions-list']/li[not(contains(@class,'current'))][contains(., 'GatehouseTest')]");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(otherItem));
        assertThat(browser.findElements(By.cssSelector("#sessions-list li"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#sessions-list li.current"))).hasSize(1);
        assertThat(browser.findElement(By.cssSelector("#sessions-list li.current")).getText()).contains("This device")
                .contains("Chrome");
        assertThat(browser.findElements(By.cssSelector("#sessions-list li.current .session-end"))).as("no End for this one").isEmpty();
        String otherId = browser.findElement(otherItem).getDomAttribute("data-id");
        assertThat(otherId).isNotBlank();
        page.scrollTo("sessions-panel");
        screenshot("mfa-4-sessions");

        WebElement end = browser.findElement(otherItem).findElement(By.cssSelector(".session-end"));
        browser.executeScript("arguments[0].scrollIntoView({block: 'center'});", end);
        end.click();
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sessions-message"), "Session ended"));
        page.await().until(d -> d.findElements(By.cssSelector("#sessions-list li[data-id='" + otherId + "']")).isEmpty());
        WebClient.Reply refused = other.postJson("auth/refresh", "{\"refresh_token\":\"" + otherRefresh + "\"}");
        assertThat(refused.status()).as("the ended session's refresh token").isEqualTo(401);

        // and "end all other sessions"
        String third = logInElsewhere(new WebClient(URI.create(demo.url)), email, recoveryCodes.get(3));
        page.click("sessions-refresh");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(otherItem));
        page.click("sessions-revoke-others");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("sessions-message"), "Ended 1 other session"));
        page.await().until(ExpectedConditions.invisibilityOfElementLocated(otherItem));
        assertThat(browser.findElements(By.cssSelector("#sessions-list li"))).hasSize(1);
        assertThat(other.postJson("auth/refresh", "{\"refresh_token\":\"" + third + "\"}").status()).isEqualTo(401);
        assertThat(page.displayed("signed-in")).as("this session stays").isTrue();
        page.click("secure-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("secure-result")));

        // new recovery codes (a recent login: this one is): ten others, the old ones spent
        page.click("mfa-regenerate-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-codes")));
        List<String> regenerated = new ArrayList<>();
        for (WebElement item : browser.findElements(By.cssSelector("#mfa-codes-list li"))) {
            regenerated.add(item.getText().strip());
        }
        regenerated.forEach(SecretLedger::record);
        assertThat(regenerated).hasSize(10).doesNotContainAnyElementsOf(recoveryCodes);
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-status"), "10 recovery codes left"));
        page.click("mfa-codes-done");

        // once the login is older than GATEHOUSE_RECENT_AUTHENTICATION, turning it off asks to log in again; then it works
        Duration left = Duration.between(Instant.now(), loggedIn.plusSeconds(62));
        if (!left.isNegative()) {
            Thread.sleep(left.toMillis());
        }
        page.click("mfa-disable-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
        assertThat(page.text("status")).contains("For your security, log in again to continue");
        logInWithPassword(email);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mfa-form")));
        page.type("mfa-code", totp.nextCode());
        page.click("mfa-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        assertThat(page.text("status")).contains("You can continue");
        assertThat(page.text("mfa-status")).startsWith("On");
        page.click("mfa-disable-button");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("mfa-status"), "Off"));
        assertThat(page.displayed("mfa-setup-button")).isTrue();
        page.await().until(d -> d.findElements(By.cssSelector("#sessions-list li")).size() == 1);

        // the password alone logs in again
        page.click("logout-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        logInWithPassword(email);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
    }

    // ---- the other device ----

    /** A two-step login over plain HTTP with another User-Agent and a recovery code; its refresh token. */
    private static String logInElsewhere(WebClient client, String email, String recoveryCode) throws Exception {
        WebClient.Reply first = client.postJson("auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}",
                "User-Agent", OTHER_DEVICE);
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        assertThat(first.json().path("mfa_required").asBoolean()).isTrue();
        assertThat(first.json().has("access_token")).isFalse();
        assertThat(first.setCookies()).isEmpty();
        String mfaToken = first.json().path("mfa_token").asText();
        SecretLedger.record(mfaToken);
        WebClient.Reply second = client.postJson("auth/login/mfa", JSON.writeValueAsString(
                Map.of("mfa_token", mfaToken, "code", recoveryCode)), "User-Agent", OTHER_DEVICE);
        assertThat(second.status()).as("%s", second).isEqualTo(200);
        String refresh = second.json().path("refresh_token").asText();
        assertThat(refresh).isNotBlank();
        return refresh;
    }

    /** The query parameters of an {@code otpauth://totp/...} URI. */
    private static Map<String, String> otpauth(String uri) {
        assertThat(uri).startsWith("otpauth://totp/");
        Map<String, String> parameters = new HashMap<>();
        String query = uri.substring(uri.indexOf('?') + 1);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            parameters.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return parameters;
    }

    // ---- page helpers ----

    private void logInWithPassword(String email) {
        page.type("login-email", email);
        page.type("login-password", PASSWORD);
        page.click("login-submit");
    }

    /** Waits for the mailbox's link containing {@code part} (refreshing the panel) and clicks it. */
    private void awaitMailLink(String part) {
        By links = By.cssSelector("#mailbox-list a[href*='" + part + "']");
        page.await().ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> found = d.findElements(links);
            if (found.isEmpty()) {
                page.click("mailbox-refresh");
                return false;
            }
            SecretLedger.record(URI.create(found.get(0).getDomProperty("href")).getRawQuery());
            found.get(0).click();
            return true;
        });
    }

    private void screenshot(String name) throws Exception {
        byte[] png = page.screenshot(name, WIDTH, HEIGHT);
        String extra = System.getProperty(AccountLifecyclePageIT.SCREENSHOT_DIR_PROPERTY);
        if (extra != null && !extra.isBlank()) {
            Path folder = Files.createDirectories(Path.of(extra));
            Files.write(folder.resolve(name + ".png"), png);
        }
    }
}
