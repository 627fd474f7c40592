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
import dev.gatehouse.testing.SecretLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

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
        browser.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
        @SuppressWarnings("unchecked")
        List<Long> inner = (List<Long>) browser.executeScript("return [window.innerWidth, window.innerHeight];");
        browser.manage().window().setSize(new Dimension(2 * WIDTH - inner.get(0).intValue(), 2 * HEIGHT - inner.get(1).intValue()));
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
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("mailbox")));
        assertThat(text("mailbox")).contains("Demo only, not part of Gatehouse; real deployments send mail");

        // register: 202, "check your email"
        type("register-email", email);
        type("register-password", PASSWORD);
        click("register-submit");
        await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("register-message"), "Check your email"));
        assertThat(displayed("signed-in")).isFalse();
        browser.executeScript("window.scrollTo(0, 0);");
        screenshot("lifecycle-1-register");

        // the mailbox: the verification mail, its link clickable
        awaitMailLinks("verify-email?token=", 0);
        scrollTo("mailbox");
        screenshot("lifecycle-2-mailbox");
        String token = query(clickNewestMailLink("verify-email?token=", 0));
        SecretLedger.record(token);

        // the link logs in; its token leaves the address bar at once
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("me-email"), email));
        assertThat(browser.getCurrentUrl()).as("no token in the address bar").isEqualTo(demo.url).doesNotContain(token);
        assertThat(text("status")).contains("verified");
        assertThat(text("me-roles")).isEqualTo("user");
        assertThat(documentCookie()).doesNotContain(DemoContract.ACCESS_COOKIE, DemoContract.REFRESH_COOKIE);
        screenshot("lifecycle-3-verified");

        // change the password while logged in
        type("password-current", PASSWORD);
        type("password-new", CHANGED);
        click("password-submit");
        await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("password-message"), "Password changed"));
        assertThat(displayed("signed-in")).as("this session stays").isTrue();
        assertThat(fetchStatus("api/me")).isEqualTo(200);
        scrollTo("password-form");
        screenshot("lifecycle-4-change-password");

        // log out, then forget the password
        click("logout-button");
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        assertThat(text("status")).isEqualTo("Logged out.");
        int resetLinksBefore = browser.findElements(mailLinks("reset-password?token=")).size();
        type("forgot-email", email);
        click("forgot-submit");
        await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("forgot-message"), "If an account exists"));
        awaitMailLinks("reset-password?token=", resetLinksBefore);
        scrollTo("mailbox");
        String resetToken = query(clickNewestMailLink("reset-password?token=", resetLinksBefore));
        SecretLedger.record(resetToken);

        // the reset view: a new password, then log in with it
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("reset-form")));
        assertThat(browser.getCurrentUrl()).as("no token in the address bar").isEqualTo(demo.url).doesNotContain(resetToken);
        assertThat(displayed("signed-out")).isFalse();
        type("reset-password", RESET);
        screenshot("lifecycle-5-reset");
        click("reset-submit");
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-out")));
        assertThat(text("status")).contains("Password changed").contains("Log in");

        type("login-email", email);
        type("login-password", CHANGED);
        click("login-submit");
        await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-message"), "Wrong email or password"));
        type("login-password", RESET);
        click("login-submit");
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("signed-in")));
        await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("me-email"), email));
    }

    // ---- helpers ----

    private WebDriverWait await() {
        return new WebDriverWait(browser, UI, Duration.ofMillis(200));
    }

    private static By mailLinks(String part) {
        return By.cssSelector("#mailbox-list a[href*='" + part + "']");
    }

    /** Waits until the mailbox panel shows more than {@code before} links containing {@code part}, refreshing it meanwhile. */
    private void awaitMailLinks(String part, int before) {
        await().until(d -> {
            if (d.findElements(mailLinks(part)).size() > before) {
                return true;
            }
            click("mailbox-refresh");
            return false;
        });
    }

    /**
     * Clicks the newest link containing {@code part} (the panel re-renders when it refreshes itself,
     * so a link found a moment ago may be gone: then it is looked up again) and returns its href.
     */
    private String clickNewestMailLink(String part, int before) {
        String[] clicked = new String[1];
        await().ignoring(StaleElementReferenceException.class).until(d -> {
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

    private void type(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private void click(String id) {
        WebElement element = browser.findElement(By.id(id));
        browser.executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
        element.click();
    }

    private void scrollTo(String id) {
        browser.executeScript("document.getElementById(arguments[0]).scrollIntoView({block: 'start'});", id);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    private boolean displayed(String id) {
        return browser.findElement(By.id(id)).isDisplayed();
    }

    private String documentCookie() {
        return String.valueOf(browser.executeScript("return document.cookie;"));
    }

    /** The status of a fetch made by the page itself (its cookies, its origin). */
    private long fetchStatus(String path) {
        Object status = browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {credentials: 'same-origin', cache: 'no-store', headers: {'Accept': 'application/json'}})"
                        + ".then(r => done(r.status), e => done('fetch failed: ' + e));", path);
        assertThat(status).as("fetch %s", path).isInstanceOf(Long.class);
        return (Long) status;
    }

    private void screenshot(String name) throws Exception {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG").isNotNull();
        assertThat(image.getWidth()).as("screenshot width").isEqualTo(WIDTH);
        assertThat(image.getHeight()).as("screenshot height").isEqualTo(HEIGHT);
        Path target = Path.of(System.getProperty("gatehouse.test.work", "target/it-work")).resolveSibling("screenshots/" + name + ".png");
        Files.createDirectories(target.getParent());
        Files.write(target, png);
        String extra = System.getProperty(SCREENSHOT_DIR_PROPERTY);
        if (extra != null && !extra.isBlank()) {
            Path folder = Files.createDirectories(Path.of(extra));
            Files.write(folder.resolve(name + ".png"), png);
        }
    }
}
