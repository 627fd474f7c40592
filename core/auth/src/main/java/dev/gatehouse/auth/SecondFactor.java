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

import dev.gatehouse.auth.mfa.OtpAuthUri;
import dev.gatehouse.auth.mfa.QrSvg;
import dev.gatehouse.auth.mfa.RecoveryCodes;
import dev.gatehouse.auth.mfa.SecretSealer;
import dev.gatehouse.auth.mfa.Totp;
import dev.gatehouse.auth.store.MfaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The TOTP authenticator and recovery codes of the accounts, over an {@link MfaStore}: what
 * {@link AuthService} needs to enrol, check and remove a second factor. Secrets are sealed under a
 * key derived from {@link MfaSettings}' secret key and bound to their user; recovery codes are kept
 * as keyed hashes. Thread-safe.
 */
final class SecondFactor {
    private static final Logger LOG = LoggerFactory.getLogger(SecondFactor.class);
    private static final String RECOVERY_LABEL = "dev.gatehouse recovery code key v1";

    /** How a code was accepted. */
    enum Method {
        TOTP("totp"), RECOVERY_CODE("recovery-code");

        final String word;

        Method(String word) {
            this.word = word;
        }
    }

    private final MfaSettings settings;
    private final MfaStore store;
    private final SecretSealer sealer;
    private final RecoveryCodes recoveryCodes;

    SecondFactor(MfaSettings settings, MfaStore store) {
        this.settings = settings;
        this.store = store;
        byte[] key = settings.secretKey();
        try {
            this.sealer = new SecretSealer(key);
            this.recoveryCodes = new RecoveryCodes(sealer.derive(RECOVERY_LABEL));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    MfaSettings settings() {
        return settings;
    }

    MfaStore store() {
        return store;
    }

    /** Whether the user has a confirmed authenticator. */
    boolean isEnabled(String userId) {
        return store.findTotp(userId).filter(MfaStore.Totp::confirmed).isPresent();
    }

    /**
     * Begins (or begins again) an enrolment for a user shown in the authenticator as {@code account}.
     *
     * @throws SecondFactorStateException {@code ALREADY_ENABLED}
     */
    TotpEnrolment begin(String userId, String account, Instant now) {
        byte[] secret = Totp.newSecret();
        try {
            if (!store.beginTotp(userId, sealer.seal(secret, userId), now)) {
                throw new SecondFactorStateException(SecondFactorStateException.Reason.ALREADY_ENABLED);
            }
            String uri = OtpAuthUri.totp(settings.issuer(), account, secret);
            return new TotpEnrolment(uri, QrSvg.render(uri));
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /**
     * Confirms the pending enrolment with its first code and returns the recovery codes (shown once).
     *
     * @return empty when the code is wrong
     * @throws SecondFactorStateException {@code NOT_PENDING} (or {@code ALREADY_ENABLED})
     */
    Optional<List<String>> confirm(String userId, String code, Instant now) {
        MfaStore.Totp pending = store.findTotp(userId).orElseThrow(
                () -> new SecondFactorStateException(SecondFactorStateException.Reason.NOT_PENDING));
        if (pending.confirmed()) {
            throw new SecondFactorStateException(SecondFactorStateException.Reason.ALREADY_ENABLED);
        }
        OptionalLong step = matchingStep(pending, code, now);
        if (step.isEmpty()) {
            return Optional.empty();
        }
        List<String> codes = recoveryCodes.generate(settings.recoveryCodes());
        if (!store.confirmTotp(userId, pending.sealedSecret(), step.getAsLong(), hashes(codes), now)) {
            throw new SecondFactorStateException(SecondFactorStateException.Reason.NOT_PENDING);
        }
        return Optional.of(codes);
    }

    /**
     * Checks and spends a code of a user with a confirmed authenticator: a TOTP code (six digits)
     * of a step later than the last accepted one, or an unspent recovery code. Each is accepted once
     * however many requests race.
     *
     * @return how it was accepted, or empty
     */
    Optional<Method> use(String userId, String code, Instant now) {
        Optional<MfaStore.Totp> totp = store.findTotp(userId).filter(MfaStore.Totp::confirmed);
        if (totp.isEmpty() || code == null) {
            return Optional.empty();
        }
        if (looksLikeTotp(code)) {
            OptionalLong step = matchingStep(totp.get(), code, now);
            return step.isPresent() && store.useTotpStep(userId, step.getAsLong()) ? Optional.of(Method.TOTP) : Optional.empty();
        }
        Optional<String> normalised = RecoveryCodes.normalise(code);
        return normalised.isPresent() && store.useRecoveryCode(userId, recoveryCodes.hash(normalised.get()), now)
                ? Optional.of(Method.RECOVERY_CODE) : Optional.empty();
    }

    /**
     * New recovery codes in place of all earlier ones.
     *
     * @throws SecondFactorStateException {@code NOT_ENABLED}
     */
    List<String> regenerate(String userId, Instant now) {
        List<String> codes = recoveryCodes.generate(settings.recoveryCodes());
        if (!store.replaceRecoveryCodes(userId, hashes(codes), now)) {
            throw new SecondFactorStateException(SecondFactorStateException.Reason.NOT_ENABLED);
        }
        return codes;
    }

    int unusedRecoveryCodes(String userId) {
        return store.unusedRecoveryCodes(userId);
    }

    /**
     * Removes the authenticator and recovery codes.
     *
     * @throws SecondFactorStateException {@code NOT_ENABLED} when there was none (pending or confirmed)
     */
    void remove(String userId) {
        if (!store.removeTotp(userId)) {
            throw new SecondFactorStateException(SecondFactorStateException.Reason.NOT_ENABLED);
        }
    }

    private OptionalLong matchingStep(MfaStore.Totp totp, String code, Instant now) {
        byte[] secret;
        try {
            secret = sealer.open(totp.sealedSecret(), totp.userId());
        } catch (IllegalStateException e) {
            // Another MFA key than the one that sealed it, or a row altered in the database: no code can match.
            LOG.error("The TOTP secret of user {} cannot be opened with the configured MFA key; its codes are refused", totp.userId());
            return OptionalLong.empty();
        }
        try {
            return Totp.verify(secret, code, now, settings.totpWindow(), totp.lastUsedStep());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Six digits, spaces aside: a TOTP code; anything else is tried as a recovery code. */
    private static boolean looksLikeTotp(String code) {
        String digits = code.replace(" ", "");
        if (digits.length() != Totp.DIGITS) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private List<String> hashes(List<String> codes) {
        List<String> hashes = new ArrayList<>(codes.size());
        for (String code : codes) {
            hashes.add(recoveryCodes.hash(RecoveryCodes.normalise(code).orElseThrow()));
        }
        return hashes;
    }
}
