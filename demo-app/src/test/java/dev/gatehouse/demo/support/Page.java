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

package dev.gatehouse.demo.support;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the page tests do with the demo page in the tests' Chromium, by element id: type, click,
 * read, wait, fetch as the page, and take screenshots of a fixed size.
 */
public final class Page {
    private final ChromeDriver browser;
    private final Duration timeout;
    private final Duration poll;

    /** A page in {@code browser}, whose waits give up after {@code timeout} and look every {@code poll}. */
    public Page(ChromeDriver browser, Duration timeout, Duration poll) {
        this.browser = browser;
        this.timeout = timeout;
        this.poll = poll;
    }

    /** Sizes the window so that the page itself (and so a screenshot) is {@code width} x {@code height}. */
    public void viewport(int width, int height) {
        browser.manage().window().setSize(new Dimension(width, height));
        @SuppressWarnings("unchecked")
        List<Long> inner = (List<Long>) browser.executeScript("return [window.innerWidth, window.innerHeight];");
        browser.manage().window().setSize(new Dimension(2 * width - inner.get(0).intValue(), 2 * height - inner.get(1).intValue()));
    }

    public WebDriverWait await() {
        return new WebDriverWait(browser, timeout, poll);
    }

    public void type(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    /** Scrolls the element to the middle of the window, then clicks it. */
    public void click(String id) {
        WebElement element = browser.findElement(By.id(id));
        browser.executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
        element.click();
    }

    /** Scrolls the element to the top of the window (before a screenshot of it). */
    public void scrollTo(String id) {
        browser.executeScript("document.getElementById(arguments[0]).scrollIntoView({block: 'start'});", id);
    }

    public String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    public boolean displayed(String id) {
        return browser.findElement(By.id(id)).isDisplayed();
    }

    /** The cookies the page's scripts see. */
    public String documentCookie() {
        return String.valueOf(browser.executeScript("return document.cookie;"));
    }

    /** The status of a fetch made by the page itself (its cookies, its origin). */
    public long fetchStatus(String path) {
        Object status = browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {credentials: 'same-origin', cache: 'no-store', headers: {'Accept': 'application/json'}})"
                        + ".then(r => done(r.status), e => done('fetch failed: ' + e));", path);
        assertThat(status).as("fetch %s", path).isInstanceOf(Long.class);
        return (Long) status;
    }

    /**
     * A screenshot, checked to be a PNG of {@code width} x {@code height}, written as
     * {@code screenshots/<name>.png} beside the tests' work folder.
     */
    public byte[] screenshot(String name, int width, int height) throws IOException {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG").isNotNull();
        assertThat(image.getWidth()).as("screenshot width").isEqualTo(width);
        assertThat(image.getHeight()).as("screenshot height").isEqualTo(height);
        Path target = Path.of(System.getProperty("gatehouse.test.work", "target/it-work")).resolveSibling("screenshots/" + name + ".png");
        Files.createDirectories(target.getParent());
        Files.write(target, png);
        return png;
    }
}
