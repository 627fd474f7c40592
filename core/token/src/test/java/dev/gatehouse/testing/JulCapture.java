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

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Keeps what {@code java.util.logging} receives under one logger name (and the names below it)
 * while open, as "LEVEL message" lines with JUL's level names ({@code WARNING}, {@code INFO},
 * {@code FINE} for {@code System.Logger}'s {@code DEBUG}, {@code SEVERE} for its {@code ERROR}).
 * JUL is where {@link System.Logger} writes when no other {@link System.LoggerFinder} is
 * installed, as in a servlet container. Opens the logger to every level while it captures.
 */
public final class JulCapture implements AutoCloseable {
    private static final SimpleFormatter FORMATTER = new SimpleFormatter();

    /** Held strongly: JUL keeps loggers only weakly, and a collected one would lose the handler. */
    private final Logger logger;
    private final Level previousLevel;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getLevel().getName() + " " + FORMATTER.formatMessage(record)
                    + (record.getThrown() == null ? "" : " " + record.getThrown().getClass().getName()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private JulCapture(String name) {
        this.logger = Logger.getLogger(name);
        this.previousLevel = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Starts capturing what reaches the JUL logger {@code name}. */
    public static JulCapture of(String name) {
        return new JulCapture(name);
    }

    /** The lines captured so far, in order. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
