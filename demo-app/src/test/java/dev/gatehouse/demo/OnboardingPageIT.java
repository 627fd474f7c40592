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

import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.demo.support.Browser;
import dev.gatehouse.demo.support.Page;
import dev.gatehouse.demo.support.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The onboarding page in a real headless Chromium, against the standalone demo started
 * in-process with a 12-second access-token lifetime (the page renews the tokens about a third of
 * the lifetime before they expire): register, log in, automatic renewal without a visible logout,
 * log out, and the error messages. The page uses the cookie transport, so its scripts must never
 * see the access or refresh token.
 *
 * <p>Saves a screenshot of the signed-in page (1280x800) to {@code target/screenshots/} and, when
 * the system property {@value #SCREENSHOT_PROPERTY} names a file (for example
 * {@code -Dgatehouse.screenshot=docs/images/onboarding.png} from the repository root, made absolute),
 * there too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnboardingPageIT {
    static final String SCREENSHOT_PROPERTY = "gatehouse.screenshot";
    private static final String PASSWORD = "plum-Kettle-4-orbit";
    private static final Duration UI = Duration.ofSeconds(10);
    private static final Duration ACCESS_TTL = Duration.ofSeconds(12);

    @TempDir
    static Path dir;
    private DemoMain.Running demo;
    private ChromeDriver browser;
    private Page page;

    @BeforeAll
    void start() throws Exception {
        SecretLedger.record(PASSWORD);
        demo = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("db/gatehouse").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", "4",
                "GATEHOUSE_TEST_MODE", "true",
                "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false",
                "GATEHOUSE_ACCESS_TOKEN_TTL", ACCESS_TTL.toString()), name -> null, name -> null));
        browser = Browser.start(dir.resolve("chromium-profile"));
        page = new Page(browser, UI, Duration.ofMillis(100));
        page.viewport(1280, 800);
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

    @BeforeEach
    void freshPage() {
        browser.get(demo.url);
        browser.manage().deleteAllCookies();
        browser.get(demo.url);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        assertThat(page.displayed("signed-in")).isFalse();
    }

    @Test
    void aNewUserRegistersLogsInStaysSignedInAcrossRenewalsAndLogsOut() throws Exception {
        String email = "ada.lovelace@example.com";

        // register
        page.type("register-email", email);
        page.type("register-password", PASSWORD);
        page.click("register-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("register-message"), "Account created for " + email));
        assertThat(page.text("register-password-error")).isEmpty();
        assertThat(browser.findElement(By.id("login-email")).getDomProperty("value")).as("login email filled in").isEqualTo(email);

        // log in: the page shows who we are
        page.type("login-password", PASSWORD);
        page.click("login-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("me-email"), email));
        assertThat(page.displayed("signed-out")).isFalse();
        assertThat(page.text("me-roles")).isEqualTo("user");
        assertThat(page.text("me-id")).matches("[0-9a-f-]{36}");
        assertThat(page.text("refresh-count")).isEqualTo("0");
        assertScriptsSeeOnlyTheCsrfCookie();
        page.await().until(d -> page.text("expires-in").matches("\\d+"));
        screenshot();

        // the access token is renewed before it expires, without the page ever showing a logout
        String firstAccess = accessCookie();
        assertThat(firstAccess).as("the access cookie (HttpOnly: WebDriver sees it, scripts do not)").isNotNull();
        long deadline = System.nanoTime() + ACCESS_TTL.multipliedBy(2).toNanos();
        int refreshes = 0;
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            assertThat(page.displayed("signed-in")).as("still signed in after %s", seen).isTrue();
            assertThat(page.displayed("signed-out")).as("no logout after %s", seen).isFalse();
            assertThat(page.text("me-email")).isEqualTo(email);
            refreshes = Integer.parseInt(page.text("refresh-count"));
            seen.add(page.text("expires-in") + "s/" + refreshes);
            if (refreshes >= 1) {
                break;
            }
            Thread.sleep(250);
        }
        assertThat(refreshes).as("renewals within %s (expires-in/renewals seen: %s)", ACCESS_TTL.multipliedBy(2), seen)
                .isGreaterThanOrEqualTo(1);
        assertThat(accessCookie()).as("a new access token after the renewal").isNotNull().isNotEqualTo(firstAccess);
        assertThat(page.fetchStatus("api/me")).as("the renewed session works").isEqualTo(200);
        assertScriptsSeeOnlyTheCsrfCookie();

        // log out: the page shows the forms again, and the session is over on the server too
        String lastAccess = accessCookie();
        page.click("logout-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        assertThat(page.displayed("signed-in")).isFalse();
        assertThat(page.text("status")).isEqualTo("Logged out.");
        assertThat(page.text("register-message")).as("the registration's message does not outlive the session").isEmpty();
        assertThat(page.text("login-message")).isEmpty();
        assertThat(page.fetchStatus("api/me")).as("/api/me with the page's cookies after logout").isEqualTo(401);
        assertThat(accessCookie()).as("the access cookie is cleared").isNull();
        WebClient replay = new WebClient(URI.create(demo.url)).withCookie(DemoContract.ACCESS_COOKIE, lastAccess, "/");
        assertThat(replay.get("api/me").status()).as("the last access token, replayed after logout").isEqualTo(401);
        assertThat(page.documentCookie()).doesNotContain(DemoContract.ACCESS_COOKIE, DemoContract.REFRESH_COOKIE);
    }

    @Test
    void aWrongPasswordShowsTheLoginMessage() {
        String email = "grace.hopper@example.com";
        WebClient http = new WebClient(URI.create(demo.url));
        assertThat(http.postJson("auth/register", DemoContract.credentials(email, PASSWORD)).status()).isEqualTo(201);

        page.type("login-email", email);
        page.type("login-password", PASSWORD + "-typo");
        page.click("login-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-message"), "Wrong email or password."));
        assertThat(page.displayed("signed-in")).isFalse();
        assertThat(page.displayed("signed-out")).isTrue();
        assertThat(page.documentCookie()).doesNotContain(DemoContract.ACCESS_COOKIE, DemoContract.REFRESH_COOKIE, DemoContract.CSRF_COOKIE);
    }

    @Test
    void aTooShortPasswordShowsItsMessageNextToThePasswordField() {
        page.type("register-email", "short.password@example.com");
        page.type("register-password", "short");
        page.click("register-submit");
        page.await().until(d -> !page.text("register-password-error").isEmpty());
        assertThat(page.text("register-password-error")).startsWith("Password").contains("12");
        assertThat(browser.findElement(By.id("register-password")).getDomAttribute("aria-invalid")).isEqualTo("true");
        assertThat(page.text("register-email-error")).isEmpty();
        assertThat(page.text("register-message")).isEmpty();
        assertThat(page.displayed("signed-in")).isFalse();
    }

    // ---- helpers ----

    private String accessCookie() {
        Cookie cookie = browser.manage().getCookieNamed(DemoContract.ACCESS_COOKIE);
        return cookie == null ? null : cookie.getValue();
    }

    private void assertScriptsSeeOnlyTheCsrfCookie() {
        String cookies = page.documentCookie();
        assertThat(cookies).as("document.cookie").contains(DemoContract.CSRF_COOKIE + "=")
                .doesNotContain(DemoContract.ACCESS_COOKIE, DemoContract.REFRESH_COOKIE);
    }

    private void screenshot() throws Exception {
        byte[] png = page.screenshot("onboarding", 1280, 800);
        String extra = System.getProperty(SCREENSHOT_PROPERTY);
        if (extra != null && !extra.isBlank()) {
            Path file = Path.of(extra);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, png);
        }
    }
}
