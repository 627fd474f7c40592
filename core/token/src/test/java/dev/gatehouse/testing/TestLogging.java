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

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * The {@code java.util.logging} set-up of the test JVMs of the modules that log through
 * {@link System.Logger} alone (token, web, filter): named by the system property
 * {@code java.util.logging.config.class} in their surefire configuration. As JUL's defaults, but
 * Gatehouse's own loggers write from {@code DEBUG} ({@code FINE}) on, one line each, so that the
 * secret scan ({@link LogScanCheck}) reads their debug lines too, as it does where SLF4J logs.
 */
public final class TestLogging {
    private final String configuration = String.join("\n",
            "handlers = java.util.logging.ConsoleHandler",
            ".level = INFO",
            "dev.gatehouse.level = FINE",
            "java.util.logging.ConsoleHandler.level = ALL",
            "java.util.logging.ConsoleHandler.formatter = java.util.logging.SimpleFormatter",
            // LEVEL logger - message, then the stack trace if any
            "java.util.logging.SimpleFormatter.format = %4$s %3$s - %5$s%6$s%n",
            "");

    /** Called by the {@link LogManager} when it starts: reads {@link #configuration}. */
    public TestLogging() throws IOException {
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(configuration.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
