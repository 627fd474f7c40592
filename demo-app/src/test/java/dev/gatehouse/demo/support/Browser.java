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

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) for Selenium, started
 * exactly as VERSIONS.md says: the driver from {@code /usr/bin/chromedriver} (so Selenium Manager
 * never downloads anything), the fixed flags, and a fresh profile directory.
 *
 * <p>When the browser cannot be started, the test fails if the environment variable
 * {@value #REQUIRE_BROWSER} is {@code true} (CI sets it), and is aborted (skipped, with the
 * reason) otherwise.
 */
public final class Browser {
    public static final String REQUIRE_BROWSER = "GATEHOUSE_REQUIRE_BROWSER";
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic");

    private Browser() {
    }

    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE_BROWSER));
    }

    /** A new headless Chromium with its own profile under {@code profileDir}. */
    public static ChromeDriver start(Path profileDir) {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        try {
            if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
                throw new IllegalStateException(CHROMIUM + " or " + CHROMEDRIVER
                        + " is missing (apt-get install -y chromium chromium-driver)");
            }
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments(FLAGS);
            options.addArguments("--user-data-dir=" + Files.createDirectories(profileDir).toAbsolutePath());
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER))
                    .usingAnyFreePort()
                    .withTimeout(Duration.ofSeconds(60))
                    .build();
            return new ChromeDriver(service, options);
        } catch (Exception | LinkageError e) {
            String message = "Headless Chromium could not be started (" + e.getClass().getSimpleName() + ": "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "): "
                    + (required() ? REQUIRE_BROWSER + "=true makes this a failure"
                    : "the browser test is skipped; set " + REQUIRE_BROWSER + "=true to make this a failure");
            if (required()) {
                Assertions.fail(message, e);
            }
            Assumptions.abort(message);
            throw new AssertionError("unreachable", e);
        }
    }
}
