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

package dev.gatehouse.token.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.token.KeyFiles;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.KeySource;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;
import dev.gatehouse.token.internal.Lifecycle;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keys from a file that operators manage themselves (typically mounted from a secret store): a
 * private JWK Set, or PEM text with {@code PRIVATE KEY} / {@code PUBLIC KEY} blocks (see
 * {@link KeyFiles}). Every key in the file verifies and is published; one signs.
 *
 * <p>Which key signs, in this order:
 * <ol>
 *   <li>the key whose id is the {@code activeKid} setting;</li>
 *   <li>in a JWK Set, the key marked with the member {@value #ACTIVE_MEMBER}{@code : true} (a
 *       Gatehouse extension; it is never published, and at most one key may carry it);</li>
 *   <li>the only key with a private part.</li>
 * </ol>
 * A file with several private keys and neither a setting nor a marker is refused: a key added
 * for a future rotation must not start signing by accident. A file without private keys makes a
 * verify-only source.
 *
 * <p>To rotate by hand: add the new key to the file unmarked (it is published at once), wait at
 * least the JWK Set cache lifetime, move the marker to it, and remove the old key once the
 * access-token lifetime has passed.
 *
 * <p>The file's modification time and size are checked every {@code pollInterval} (default
 * {@value #DEFAULT_POLL_INTERVAL_TEXT}); when they change, the file is read again. A file that
 * has become unreadable or invalid is not used: the keys read last stay in use, and an error is
 * logged (never with key material) until the file is fixed.
 *
 * <p><b>Lifecycle.</b> {@link Builder#build()} checks the settings only: it reads no file and
 * starts no thread. {@link #start()} reads the file (a missing or invalid file fails it with a
 * {@link ConfigurationException}) and schedules the polling; until then every key accessor throws
 * {@link IllegalStateException}. {@link #close()} stops the polling (the keys read last keep
 * answering) and shuts down the polling thread if this source made it; a
 * {@linkplain Builder#scheduler(ScheduledExecutorService) scheduler the application gave} is left
 * running. Thread-safe.
 *
 * <pre>{@code
 * FileKeySource keys = FileKeySource.builder(Path.of("/run/secrets/gatehouse-keys.json")).build();
 * keys.start();          // reads the file; before the service that uses it starts
 * ...
 * keys.close();          // after that service closed
 * }</pre>
 */
public final class FileKeySource implements KeySource, AutoCloseable {
    /** The JWK member that marks the signing key in a JWK Set. */
    public static final String ACTIVE_MEMBER = "gatehouse_active";
    public static final String DEFAULT_POLL_INTERVAL_TEXT = "PT10S";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.parse(DEFAULT_POLL_INTERVAL_TEXT);

    private static final Logger LOG = System.getLogger(FileKeySource.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final String setting;
    private final Path file;
    private final boolean verifyOnly;
    private final String activeKid;
    private final SecurityEventListener events;
    private final Duration pollInterval;
    /** The scheduler the application gave, or {@code null}: then {@link #start()} makes one. */
    private final ScheduledExecutorService givenScheduler;
    private final Lifecycle lifecycle = new Lifecycle(FileKeySource.class);
    /** Made by {@link #start()} when none was given; shut down by {@link #close()}. */
    private ScheduledExecutorService ownedScheduler;
    private ScheduledFuture<?> polling;

    private volatile KeySet keys;
    /** The file version (modification time and size) read last, successfully or not. */
    private volatile Stamp seen;

    private FileKeySource(Builder b) {
        this.setting = b.setting;
        this.file = b.file;
        this.activeKid = b.activeKid;
        this.verifyOnly = b.verifyOnly;
        this.events = b.events;
        this.pollInterval = b.pollInterval;
        this.givenScheduler = b.scheduler;
    }

    /**
     * Reads the file and schedules the polling (unless {@code pollInterval} is zero). Idempotent: a
     * second call does nothing. When it throws, nothing is left running and it may be called again.
     *
     * @throws ConfigurationException naming the setting when the file is missing, unreadable or invalid
     * @throws IllegalStateException  after {@link #close()}
     */
    public void start() {
        lifecycle.start(() -> {
            synchronized (this) {
                Stamp stamp = stamp();
                if (stamp == null) {
                    throw new ConfigurationException(setting, "'" + file + "' is not a readable file");
                }
                keys = read(stamp);
                seen = stamp;
                if (!pollInterval.isZero()) {
                    ScheduledExecutorService scheduler = givenScheduler;
                    if (scheduler == null) {
                        ownedScheduler = Executors.newSingleThreadScheduledExecutor(Lifecycle.daemonThreads("gatehouse-key-file-poll"));
                        scheduler = ownedScheduler;
                    }
                    long millis = Math.max(1, pollInterval.toMillis());
                    polling = scheduler.scheduleWithFixedDelay(this::pollQuietly, millis, millis, TimeUnit.MILLISECONDS);
                }
            }
            LOG.log(Level.INFO, () -> "Keys from " + setting + " (" + file + "): " + keys);
        });
    }

    /** Whether {@link #start()} succeeded and {@link #close()} has not been called. */
    public boolean isRunning() {
        return lifecycle.isRunning();
    }

    /** Starts a builder for the keys of {@code file}. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /**
     * @throws IllegalStateException before {@link #start()}
     * @throws ConfigurationException naming the setting and the file when it holds no private key
     */
    @Override
    public SigningKey signingKey() {
        KeySet keys = keySet();
        if (!keys.canSign()) {
            throw new ConfigurationException(setting, "'" + file + "' has no key with a private part: it can verify tokens"
                    + " but not sign them; add the private key to the file (or mark one \"" + ACTIVE_MEMBER + "\": true)");
        }
        return keys.signingKey();
    }

    /** @throws IllegalStateException before {@link #start()} */
    @Override
    public Optional<SigningKey> verificationKey(String kid) {
        return keySet().verificationKey(kid);
    }

    /** @throws IllegalStateException before {@link #start()} */
    @Override
    public List<SigningKey> publishedKeys() {
        return keySet().publishedKeys();
    }

    /**
     * The keys in use: the file as read last successfully.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public KeySet keySet() {
        lifecycle.requireStarted();
        return keys;
    }

    /**
     * Reads the file again if its modification time or size changed since it was read last. The
     * polling thread calls this every {@code pollInterval}; call it yourself when that is zero.
     *
     * @return {@code true} if new keys were loaded; {@code false} if the file is unchanged, or has
     *         changed but cannot be used (the keys read last stay in use; the error is logged once
     *         per version of the file)
     * @throws IllegalStateException before {@link #start()}
     */
    public boolean reloadIfChanged() {
        lifecycle.requireStarted();
        return reload();
    }

    private synchronized boolean reload() {
        Stamp stamp = stamp();
        if (stamp == null) {
            if (seen != null) {
                LOG.log(Level.ERROR, () -> "Key file " + setting + " (" + file
                        + ") cannot be read any more; the keys read last stay in use");
                seen = null;
            }
            return false;
        }
        if (stamp.equals(seen)) {
            return false;
        }
        seen = stamp;
        try {
            KeySet next = read(stamp);
            KeySet previous = keys;
            keys = next;
            LOG.log(Level.INFO, () -> "Keys reloaded from " + setting + " (" + file + "): " + next);
            reportChanges(previous, next);
            return true;
        } catch (ConfigurationException e) {
            LOG.log(Level.ERROR, () -> "Key file " + setting + " changed but cannot be used; the keys read last stay in use: "
                    + e.getMessage());
            return false;
        }
    }

    /** Reports a change of signing key as a rotation, and each key that left the file as retired. */
    private void reportChanges(KeySet previous, KeySet next) {
        Instant now = Instant.now();
        String before = previous.canSign() ? previous.signingKey().kid() : null;
        String after = next.canSign() ? next.signingKey().kid() : null;
        if (after != null && !after.equals(before)) {
            emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_ROTATED, now, after, "signs now"
                    + (before == null ? "" : " instead of " + before) + " (" + setting + " changed)"));
        }
        for (SigningKey key : previous.keys()) {
            if (next.verificationKey(key.kid()).isEmpty()) {
                emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_RETIRED, now, key.kid(), "removed from " + setting
                        + ": no longer signs, verifies or is published"));
            } else if (key.kid().equals(before) && !before.equals(after)) {
                emit(SecurityEvent.ofKey(SecurityEvent.Type.KEY_RETIRED, now, key.kid(), "no longer signs; still verifies"));
            }
        }
    }

    private void emit(SecurityEvent event) {
        try {
            events.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "A security event listener failed (" + e.getClass().getSimpleName() + "); the event was "
                    + event.type());
        }
    }

    /**
     * Stops the polling; the keys read last keep answering. Shuts down the polling thread if this
     * source made it, never a scheduler the application gave. Idempotent.
     */
    @Override
    public void close() {
        if (lifecycle.close() != Lifecycle.State.RUNNING) {
            return;
        }
        synchronized (this) {
            if (polling != null) {
                polling.cancel(false);
            }
            if (ownedScheduler != null) {
                ownedScheduler.shutdownNow();
            }
        }
    }

    @Override
    public String toString() {
        return "FileKeySource{" + setting + "=" + file + ", keys=" + keys + "}";
    }

    private void pollQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, () -> "Polling key file " + setting + " failed", e);
        }
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return null;
            }
            return new Stamp(attributes.lastModifiedTime(), attributes.size());
        } catch (IOException e) {
            return null;
        }
    }

    private KeySet read(Stamp stamp) {
        if (stamp.size() > MAX_FILE_BYTES) {
            throw new ConfigurationException(setting, "'" + file + "' is larger than 1 MiB");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(setting, "'" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        List<SigningKey> parsed;
        try {
            parsed = KeyFiles.parse(text);
        } catch (ConfigurationException e) {
            throw e.forSetting(setting);
        }
        if (parsed.isEmpty()) {
            throw new ConfigurationException(setting, "'" + file + "' has no keys (its \"keys\" array is empty)");
        }
        if (verifyOnly) {
            return KeySet.verifyOnly(parsed);
        }
        String marked = markedKid(text);
        String chosen = activeKid != null ? activeKid : marked;
        if (chosen != null) {
            Optional<SigningKey> key = parsed.stream().filter(k -> k.kid().equals(chosen)).findFirst();
            if (key.isEmpty() || !key.get().canSign()) {
                String source = activeKid != null ? "activeKid" : "the key marked \"" + ACTIVE_MEMBER + "\"";
                throw new ConfigurationException(activeKid != null ? "activeKid" : setting, source + " '" + chosen
                        + "' is not a key with a private part in '" + file + "'");
            }
            return KeySet.of(parsed, chosen);
        }
        List<String> signers = new ArrayList<>();
        for (SigningKey key : parsed) {
            if (key.canSign()) {
                signers.add(key.kid());
            }
        }
        if (signers.size() > 1) {
            throw new ConfigurationException(setting, "'" + file + "' has " + signers.size() + " keys with a private part "
                    + signers + ": mark the one that signs with \"" + ACTIVE_MEMBER + "\": true, or set activeKid");
        }
        return signers.isEmpty() ? KeySet.verifyOnly(parsed) : KeySet.of(parsed, signers.get(0));
    }

    /** The kid marked {@value #ACTIVE_MEMBER} in a JWK Set, or {@code null}. */
    private String markedKid(String text) {
        if (!text.strip().startsWith("{")) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException(setting, "is not valid JSON"); // already refused by the parser
        }
        String marked = null;
        for (JsonNode jwk : root.path("keys")) {
            JsonNode flag = jwk.get(ACTIVE_MEMBER);
            if (flag == null || flag.isNull()) {
                continue;
            }
            if (!flag.isBoolean()) {
                throw new ConfigurationException(setting, "\"" + ACTIVE_MEMBER + "\" must be true or false");
            }
            if (flag.booleanValue()) {
                if (marked != null) {
                    throw new ConfigurationException(setting, "more than one key is marked \"" + ACTIVE_MEMBER + "\": true");
                }
                marked = jwk.path("kid").asText();
            }
        }
        return marked;
    }

    /** What identifies a version of the file without reading it. */
    private record Stamp(FileTime modified, long size) {
    }

    /**
     * Collects the settings of a {@link FileKeySource}; not thread-safe.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th></tr>
     *   <tr><td>settingName</td><td>{@value KeyFiles#SETTING}</td></tr>
     *   <tr><td>activeKid</td><td>none: the marked key, or the only private key</td></tr>
     *   <tr><td>pollInterval</td><td>{@value FileKeySource#DEFAULT_POLL_INTERVAL_TEXT}; zero turns polling off</td></tr>
     *   <tr><td>securityEvents</td><td>{@link SecurityEventListener#logging()}</td></tr>
     *   <tr><td>scheduler</td><td>none: {@link FileKeySource#start()} makes one daemon thread, {@code gatehouse-key-file-poll}</td></tr>
     * </table>
     */
    public static final class Builder {
        private final Path file;
        private String setting = KeyFiles.SETTING;
        private String activeKid;
        private boolean verifyOnly;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private SecurityEventListener events = SecurityEventListener.logging();
        private ScheduledExecutorService scheduler;

        private Builder(Path file) {
            this.file = file;
        }

        /**
         * The name operators know the file by (an environment variable, an init-param), used in
         * error messages and log lines; default {@value KeyFiles#SETTING}.
         */
        public Builder settingName(String name) {
            this.setting = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Keeps only the public parts of the file's keys, for a service that verifies and never
         * signs: private parts are dropped at every read (so no private key stays in memory), no
         * key is chosen to sign, and {@link FileKeySource#signingKey()} refuses. {@code activeKid}
         * does not apply.
         */
        public Builder verifyOnly() {
            this.verifyOnly = true;
            return this;
        }

        /** The id of the key that signs; overrides a {@value FileKeySource#ACTIVE_MEMBER} marker in the file. */
        public Builder activeKid(String kid) {
            this.activeKid = kid == null || kid.isBlank() ? null : kid.strip();
            return this;
        }

        /** How often the file's modification time and size are checked; default 10 s; zero turns polling off. */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /**
         * Where a change of signing key and keys leaving the file are reported (at a reload);
         * default {@link SecurityEventListener#logging()} (the audit logger
         * {@value SecurityEventListener#AUDIT_LOGGER}). Usually the listener given to the {@code AuthService}.
         */
        public Builder securityEvents(SecurityEventListener listener) {
            this.events = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The scheduler that runs the polling, instead of a thread of the source's own. It stays the
         * application's: {@link FileKeySource#close()} cancels the polling on it but does not shut it down.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Checks the settings and makes the source; it reads no file and starts no thread until
         * {@link FileKeySource#start()}.
         *
         * @throws ConfigurationException naming an invalid setting
         */
        public FileKeySource build() {
            if (file == null) {
                throw new ConfigurationException(setting, "no file was given");
            }
            if (pollInterval == null || pollInterval.isNegative()) {
                throw new ConfigurationException("pollInterval", "must be zero (no polling) or positive");
            }
            return new FileKeySource(this);
        }
    }
}
