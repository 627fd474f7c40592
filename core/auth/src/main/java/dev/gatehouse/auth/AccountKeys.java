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

package dev.gatehouse.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed hashes (HMAC-SHA256) that stand for an account in the throttle store and in audit
 * events, so that neither holds an email. Immutable and thread-safe.
 *
 * <p><b>Throttle keys</b> must be the same on every node, so their key is derived from the pepper
 * ({@code HMAC(pepper, label)}) or, without a pepper, is a fixed label. Without a pepper anyone
 * with a list of emails can compute the keys; a database reader learns nothing new from that,
 * since {@code gh_users} holds the emails of every account anyway, and the keys of unknown emails
 * only say that someone tried them.
 *
 * <p><b>Audit pseudonyms</b> end up in log files, which travel further than the database, so an
 * unsalted hash of the email would be reversible from any list of emails. Their key is derived
 * from the pepper with another label; without a pepper it is random, made once per process, so
 * pseudonyms then only correlate within one process (logged once, at WARN).
 */
final class AccountKeys {
    private static final Logger LOG = LoggerFactory.getLogger(AccountKeys.class);
    private static final String THROTTLE_LABEL = "dev.gatehouse login throttle key v1";
    private static final String AUDIT_LABEL = "dev.gatehouse audit pseudonym key v1";
    /** Hex characters of an audit pseudonym (48 bits: enough to tell accounts apart in a log). */
    static final int PSEUDONYM_CHARS = 12;
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final byte[] throttleKey;
    private final byte[] auditKey;

    /** @param pepper the pepper of {@link AuthSettings}, or {@code null} */
    AccountKeys(byte[] pepper) {
        if (pepper != null) {
            this.throttleKey = hmac(pepper, THROTTLE_LABEL);
            this.auditKey = hmac(pepper, AUDIT_LABEL);
        } else {
            this.throttleKey = THROTTLE_LABEL.getBytes(StandardCharsets.US_ASCII);
            this.auditKey = ProcessKey.KEY;
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("AuthSettings.pepper is not set: audit pseudonyms of accounts come from a random key made at start,"
                        + " so they only correlate within this process. Set a pepper to make them stable across nodes and restarts");
            }
        }
    }

    /** The key of an account's throttle bucket (all clients together): 64 hex characters. */
    String account(String email) {
        return HexFormat.of().formatHex(hmac(throttleKey, "account\0" + email));
    }

    /** The key of the throttle bucket of an account and a client network: 64 hex characters. */
    String accountClient(String email, String network) {
        // The network never holds NUL and comes first, so no two pairs give the same text.
        return HexFormat.of().formatHex(hmac(throttleKey, "account-client\0" + network + "\0" + email));
    }

    /** The account's pseudonym in audit events. */
    String pseudonym(String email) {
        return HexFormat.of().formatHex(hmac(auditKey, email)).substring(0, PSEUDONYM_CHARS);
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The audit key of a process without a pepper, made on first use. */
    private static final class ProcessKey {
        static final byte[] KEY = random();

        private static byte[] random() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            return key;
        }
    }
}
