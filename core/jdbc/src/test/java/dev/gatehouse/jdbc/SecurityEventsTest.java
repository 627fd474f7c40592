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

package dev.gatehouse.jdbc;

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.AuthSettings;
import dev.gatehouse.auth.InvalidCredentialsException;
import dev.gatehouse.auth.ThrottledException;
import dev.gatehouse.auth.TokenPair;
import dev.gatehouse.token.events.SecurityEvent;
import dev.gatehouse.token.events.SecurityEventListener;

import dev.gatehouse.token.TokenSettings;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.testing.SecretLedger;
import dev.gatehouse.jdbc.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

import static dev.gatehouse.token.events.SecurityEvent.Type.ACCOUNT_THROTTLED;
import static dev.gatehouse.token.events.SecurityEvent.Type.CLIENT_THROTTLED;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGGED_OUT;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGGED_OUT_EVERYWHERE;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGIN_FAILED;
import static dev.gatehouse.token.events.SecurityEvent.Type.LOGIN_SUCCEEDED;
import static dev.gatehouse.token.events.SecurityEvent.Type.REFRESHED;
import static dev.gatehouse.token.events.SecurityEvent.Type.REFRESH_REUSE_DETECTED;
import static dev.gatehouse.token.events.SecurityEvent.Type.REGISTERED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The flow reports what happened through the listener, and never a secret. */
class SecurityEventsTest {
    private static final String EMAIL = "events@example.org";
    private static final String PASSWORD = "a password nobody guesses 42";
    private static final byte[] PEPPER = "a pepper of at least thirty-two bytes, kept elsewhere".getBytes(StandardCharsets.UTF_8);

    private final TestDatabases.Database db = TestDatabases.h2();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final KeySet keys = KeySet.of(SigningKey.generate(SigningAlgorithm.ES256));
    private AuthService service;

    @BeforeEach
    void start() {
        SecretLedger.record(PASSWORD);
        SecretLedger.record(PEPPER);
        SecretLedger.record(new String(PEPPER, StandardCharsets.UTF_8));
        JdbcSchema.createIfAbsent(db.dataSource());
        service = node(events::add);
    }

    /** A service on the test's database and keys: another node of the same deployment. */
    private AuthService node(SecurityEventListener listener) {
        return started(AuthSettings.builder().bcryptCostForTests(4).refreshReuseGrace(Duration.ZERO).pepper(PEPPER).build(),
                keys, listener);
    }

    /** A started service on the test's database. */
    private AuthService started(AuthSettings settings, KeySet keys, SecurityEventListener listener) {
        JdbcStores stores = new JdbcStores(db.dataSource());
        AuthService service = AuthService.builder(TokenSettings.builder("https://issuer.test", "events").build(), settings, keys,
                        new AuthService.Stores(stores.users(), stores.refreshTokens(), stores.revocations(), stores.throttle()))
                .securityEvents(listener)
                .build();
        service.start();
        return service;
    }

    @AfterEach
    void stop() {
        service.close();
        db.close();
    }

    @Test
    void theFlowReportsEachStepWithoutAnySecret() throws Exception {
        String userId = service.register(EMAIL, PASSWORD, "client").get().id();
        assertThatThrownBy(() -> service.login("nobody@example.org", PASSWORD, "client").get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidCredentialsException.class);
        assertThatThrownBy(() -> service.login(EMAIL, "wrong " + PASSWORD, "client").get())
                .hasCauseInstanceOf(InvalidCredentialsException.class);
        TokenPair first = service.login(EMAIL, PASSWORD, "client").get();
        TokenPair second = service.refresh(first.refreshToken());
        assertThatThrownBy(() -> service.refresh(first.refreshToken())).isInstanceOf(InvalidCredentialsException.class);
        TokenPair third = service.login(EMAIL, PASSWORD, "client").get();
        service.logout(third.access().principal(), null);
        service.logoutAll(third.access().principal());

        assertThat(events).extracting(SecurityEvent::type).containsExactly(REGISTERED, LOGIN_FAILED, LOGIN_FAILED,
                LOGIN_SUCCEEDED, REFRESHED, REFRESH_REUSE_DETECTED, LOGIN_SUCCEEDED, LOGGED_OUT, LOGGED_OUT_EVERYWHERE);
        assertThat(events.get(1).reason()).startsWith("unknown-email");
        assertThat(events.get(1).userId()).isNull();
        assertThat(events.get(2).reason()).startsWith("wrong-password");
        assertThat(events.get(2).userId()).isEqualTo(userId);
        assertThat(events.get(1).account()).isNotNull().isNotEqualTo(events.get(2).account());
        assertThat(events.get(5).userId()).isEqualTo(userId);

        List.of(first, second, third).forEach(pair -> {
            SecretLedger.record(pair.refreshToken());
            SecretLedger.record(pair.access().token());
        });
        List<String> secrets = List.of(PASSWORD, EMAIL, first.refreshToken(), second.refreshToken(), third.refreshToken(),
                first.access().token(), second.access().token(), third.access().token());
        for (SecurityEvent event : events) {
            String all = event + " " + event.userId() + " " + event.account() + " " + event.reason();
            for (String secret : secrets) {
                assertThat(all).as("%s must not contain a secret", event.type()).doesNotContain(secret);
            }
        }
    }

    @Test
    void theLockoutAndClientThrottlingAreReportedAsWarnings() throws Exception {
        service.close();
        service = started(AuthSettings.builder().bcryptCostForTests(4).throttleAccountClientBurst(2).clientAttemptsPerMinute(4).build(),
                KeySet.of(SigningKey.generate(SigningAlgorithm.ES256)), events::add);
        service.register(EMAIL, PASSWORD, "client-a").get();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> service.login(EMAIL, "wrong " + PASSWORD, "client-a").get())
                    .hasCauseInstanceOf(InvalidCredentialsException.class);
        }
        assertThatThrownBy(() -> service.login(EMAIL, PASSWORD, "client-a").get())
                .hasCauseInstanceOf(ThrottledException.class);
        assertThatThrownBy(() -> service.login(EMAIL, PASSWORD, "client-a"))
                .isInstanceOf(ThrottledException.class);

        assertThat(events).extracting(SecurityEvent::type)
                .containsExactly(REGISTERED, LOGIN_FAILED, LOGIN_FAILED, ACCOUNT_THROTTLED, CLIENT_THROTTLED);
        assertThat(events.get(1).reason()).isEqualTo("wrong-password");
        assertThat(events.get(2).reason()).isEqualTo("wrong-password");
        assertThat(events.get(3).reason()).as("the account's limit for this client").isEqualTo("this-client");
        assertThat(events.get(3).account()).isEqualTo(events.get(2).account());
        assertThat(events.subList(1, 5)).extracting(e -> SecurityEventListener.defaultLevel(e.type()))
                .containsOnly(System.Logger.Level.WARNING);
    }

    @Test
    void theAccountPseudonymIsKeyedFromThePepperAndNotAHashOfTheEmail() throws Exception {
        assertThatThrownBy(() -> service.login(EMAIL, PASSWORD, "client").get()).hasCauseInstanceOf(InvalidCredentialsException.class);
        String pseudonym = events.get(0).account();
        assertThat(pseudonym).matches("[0-9a-f]{12}");
        // an unsalted hash could be found again from a list of emails: it must not be one
        assertThat(StoreContract.hash(EMAIL)).doesNotStartWith(pseudonym);

        // another node with the same pepper gives the same pseudonym; another pepper, another one
        List<SecurityEvent> other = new CopyOnWriteArrayList<>();
        try (AuthService sameDeployment = node(other::add)) {
            assertThatThrownBy(() -> sameDeployment.login(EMAIL, PASSWORD, "client").get())
                    .hasCauseInstanceOf(InvalidCredentialsException.class);
        }
        assertThat(other.get(0).account()).isEqualTo(pseudonym);
        byte[] otherPepper = "another pepper of at least thirty-two bytes, elsewhere".getBytes(StandardCharsets.UTF_8);
        List<SecurityEvent> peppered = new CopyOnWriteArrayList<>();
        List<SecurityEvent> unpeppered = new CopyOnWriteArrayList<>();
        try (AuthService otherPepperNode = started(AuthSettings.builder().bcryptCostForTests(4).pepper(otherPepper).build(), keys,
                peppered::add);
             AuthService noPepper = started(AuthSettings.builder().bcryptCostForTests(4).build(), keys, unpeppered::add)) {
            assertThatThrownBy(() -> otherPepperNode.login(EMAIL, PASSWORD, "client").get())
                    .hasCauseInstanceOf(InvalidCredentialsException.class);
            assertThatThrownBy(() -> noPepper.login(EMAIL, PASSWORD, "client").get())
                    .hasCauseInstanceOf(InvalidCredentialsException.class);
        }
        assertThat(peppered.get(0).account()).matches("[0-9a-f]{12}").isNotEqualTo(pseudonym);
        assertThat(unpeppered.get(0).account()).matches("[0-9a-f]{12}").isNotEqualTo(pseudonym)
                .isNotEqualTo(peppered.get(0).account());
        assertThat(StoreContract.hash(EMAIL)).doesNotStartWith(unpeppered.get(0).account());
    }

    @Test
    void deletingAUserRefusesItsTokensAtOnceAndIsReportedOnce() throws Exception {
        String userId = service.register(EMAIL, PASSWORD, "client").get().id();
        TokenPair pair = service.login(EMAIL, PASSWORD, "client").get();
        assertThat(service.verifier().verify(pair.access().token()).subject()).isEqualTo(userId);
        events.clear();

        assertThat(service.deleteUser(userId)).isTrue();

        assertThatThrownBy(() -> service.verifier().verify(pair.access().token()))
                .isInstanceOf(dev.gatehouse.token.InvalidTokenException.class);
        try (AuthService otherNode = node(event -> { })) {
            // another node learns it from the database (at start here; else within the staleness)
            otherNode.revocationCache().refreshNow();
            assertThatThrownBy(() -> otherNode.verifier().verify(pair.access().token()))
                    .isInstanceOf(dev.gatehouse.token.InvalidTokenException.class);
        }
        assertThatThrownBy(() -> service.refresh(pair.refreshToken())).isInstanceOf(InvalidCredentialsException.class);
        assertThat(service.findUser(userId)).isEmpty();
        assertThat(service.deleteUser(userId)).as("already gone").isFalse();
        assertThat(events).extracting(SecurityEvent::type).containsExactly(SecurityEvent.Type.USER_DELETED);
        assertThat(events.get(0).userId()).isEqualTo(userId);
        assertThat(service.register(EMAIL, PASSWORD, "client").get().id()).as("the email is free again").isNotEqualTo(userId);
    }

    @Test
    void aFailingListenerNeverBreaksTheFlow() throws Exception {
        service.close();
        service = started(AuthSettings.builder().bcryptCostForTests(4).build(), KeySet.of(SigningKey.generate(SigningAlgorithm.ES256)),
                event -> {
                    throw new IllegalStateException("audit sink down");
                });
        service.register("sturdy@example.org", PASSWORD, "client").get();
        assertThat(service.login("sturdy@example.org", PASSWORD, "client").get().access().token()).isNotBlank();
    }
}
