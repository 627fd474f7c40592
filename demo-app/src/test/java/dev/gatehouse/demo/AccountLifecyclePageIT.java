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

import dev.gatehouse.demo.grizzly.DemoMain;
import dev.gatehouse.demo.support.Browser;
import dev.gatehouse.demo.support.Page;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole account lifecycle through the page in a real headless Chromium, against the standalone
 * demo with its defaults (a verified email required, no SMTP server: the demo's mailbox panel):
 * register, open the mailbox, click the verification link, logged in; change the password; log out;
 * forgot password, the reset link from the mailbox, a new password, log in with it. The page must
 * take each link's token out of the address bar at once.
 *
 * <p>Saves screenshots (1000x800) of the key steps to {@code target/screenshots/lifecycle-*.png}
 * and, when the system property {@value #SCREENSHOT_DIR_PROPERTY} names a folder (for example
 * {@code -Dgatehouse.screenshot.dir=$PWD/docs/images}), there too: docs/account-lifecycle.md shows them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountLifecyclePageIT {
    static final String SCREENSHOT_DIR_PROPERTY = "gatehouse.screenshot.dir";
    private static final String PASSWORD = "plum-Kettle-4-orbit";
    private static final String CHANGED = "quartz-Lantern-7-meadow";
    private static final String RESET = "saffron-Harbour-9-violin";
    private static final Duration UI = Duration.ofSeconds(15);
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 800;

    @TempDir
    static Path dir;
    private DemoMain.Running demo;
    private ChromeDriver browser;
    private Page page;

    @BeforeAll
    void start() throws Exception {
        for (String secret : List.of(PASSWORD, CHANGED, RESET)) {
            SecretLedger.record(secret);
        }
        demo = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("db/gatehouse").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", "4",
                "GATEHOUSE_TEST_MODE", "true"), name -> null, name -> null));
        assertThat(demo.context.settings.requireVerifiedEmail).as("the default").isTrue();
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
    void registerVerifyChangeForgetResetAndLogIn() throws Exception {
        String email = "ada.lovelace@example.com";
        browser.get(demo.url);
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mailbox")));
        assertThat(page.text("mailbox")).contains("Demo only, not part of Gatehouse; real deployments send mail");

        // register: 202, "check your email"
        page.type("register-email", email);
        page.type("register-password", PASSWORD);
        page.click("register-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("register-message"), "Check your email"));
        assertThat(page.displayed("signed-in")).isFalse();
        browser.executeScript("window.scrollTo(0, 0);");
        screenshot("lifecycle-1-register");

        // the mailbox: the verification mail, its link clickable
        awaitMailLinks("verify-email?token=", 0);
        page.scrollTo("mailbox");
        screenshot("lifecycle-2-mailbox");
        String token = query(clickNewestMailLink("verify-email?token=", 0));
        SecretLedger.record(token);

        // the link logs in; its token leaves the address bar at once
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("me-email"), email));
        assertThat(browser.getCurrentUrl()).as("no token in the address bar").isEqualTo(demo.url).doesNotContain(token);
        assertThat(page.text("status")).contains("verified");
        assertThat(page.text("me-roles")).isEqualTo("user");
        assertThat(page.documentCookie()).doesNotContain(DemoContract.ACCESS_COOKIE, DemoContract.REFRESH_COOKIE);
        screenshot("lifecycle-3-verified");

        // change the password while logged in
        page.type("password-current", PASSWORD);
        page.type("password-new", CHANGED);
        page.click("password-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("password-message"), "Password changed"));
        assertThat(page.displayed("signed-in")).as("this session stays").isTrue();
        assertThat(page.fetchStatus("api/me")).isEqualTo(200);
        page.scrollTo("password-form");
        screenshot("lifecycle-4-change-password");

        // log out, then forget the password
        page.click("logout-button");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        assertThat(page.text("status")).isEqualTo("Logged out.");
        int resetLinksBefore = browser.findElements(mailLinks("reset-password?token=")).size();
        page.type("forgot-email", email);
        page.click("forgot-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("forgot-message"), "If an account exists"));
        awaitMailLinks("reset-password?token=", resetLinksBefore);
        page.scrollTo("mailbox");
        String resetToken = query(clickNewestMailLink("reset-password?token=", resetLinksBefore));
        SecretLedger.record(resetToken);

        // the reset view: a new password, then log in with it
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("reset-form")));
        assertThat(browser.getCurrentUrl()).as("no token in the address bar").isEqualTo(demo.url).doesNotContain(resetToken);
        assertThat(page.displayed("signed-out")).isFalse();
        page.type("reset-password", RESET);
        screenshot("lifecycle-5-reset");
        page.click("reset-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        assertThat(page.text("status")).contains("Password changed").contains("Log in");

        page.type("login-email", email);
        page.type("login-password", CHANGED);
        page.click("login-submit");
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-message"), "Wrong email or password"));
        page.type("login-password", RESET);
        page.click("login-submit");
        page.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        page.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("me-email"), email));
    }

    // ---- helpers ----

    private static By mailLinks(String part) {
        return By.cssSelector("#mailbox-list a[href*='" + part + "']");
    }

    /** Waits until the mailbox panel shows more than {@code before} links containing {@code part}, refreshing it meanwhile. */
    private void awaitMailLinks(String part, int before) {
        page.await().until(d -> {
            if (d.findElements(mailLinks(part)).size() > before) {
                return true;
            }
            page.click("mailbox-refresh");
            return false;
        });
    }

    /**
     * Clicks the newest link containing {@code part} (the panel re-renders when it refreshes itself,
     * so a link found a moment ago may be gone: then it is looked up again) and returns its href.
     */
    private String clickNewestMailLink(String part, int before) {
        String[] clicked = new String[1];
        page.await().ignoring(StaleElementReferenceException.class).until(d -> {
            List<WebElement> links = d.findElements(mailLinks(part));
            if (links.size() <= before) {
                return false;
            }
            String href = links.get(0).getDomProperty("href");
            links.get(0).click();
            clicked[0] = href;
            return true;
        });
        return clicked[0];
    }

    private static String query(String href) {
        String query = URI.create(href).getRawQuery();
        assertThat(query).startsWith("token=");
        return query.substring("token=".length());
    }

    private void screenshot(String name) throws Exception {
        byte[] png = page.screenshot(name, WIDTH, HEIGHT);
        String extra = System.getProperty(SCREENSHOT_DIR_PROPERTY);
        if (extra != null && !extra.isBlank()) {
            Path folder = Files.createDirectories(Path.of(extra));
            Files.write(folder.resolve(name + ".png"), png);
        }
    }
}
