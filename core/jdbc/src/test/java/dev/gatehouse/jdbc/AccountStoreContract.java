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

import dev.gatehouse.auth.mail.MailMessage;
import dev.gatehouse.auth.store.AccountStore;
import dev.gatehouse.auth.store.AccountStore.AccountToken;
import dev.gatehouse.auth.store.AccountStore.NewUser;
import dev.gatehouse.auth.store.AccountStore.Purpose;
import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.store.OutboxStore;
import dev.gatehouse.auth.store.OutboxStore.Entry;
import dev.gatehouse.auth.store.RefreshTokenRecord;
import dev.gatehouse.auth.store.RevocationStore;
import dev.gatehouse.auth.store.Session;
import dev.gatehouse.auth.store.StoreUnavailableException;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.auth.store.UserRepository;
import dev.gatehouse.jdbc.StoreContract.Outcome;
import dev.gatehouse.jdbc.testing.TestDatabases.Database;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The contract of {@link AccountStore} and {@link OutboxStore} (the JDBC account store, schema
 * version 2), run against a real database by each subclass. The account tests work on their own
 * rows (random ids, emails and hashes); the outbox is emptied before each test, since claims,
 * purges and counts see every message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AccountStoreContract {
    /** A fixed "now" with nanoseconds, which the stores truncate to microseconds. */
    static final Instant NOW = StoreContract.NOW;
    /** Whole microseconds, as the stores keep instants: what is written is read back equal. */
    static final Instant T = NOW.truncatedTo(ChronoUnit.MICROS);
    static final Duration HOUR = Duration.ofHours(1);

    private Database db;
    private Dialect dialect;
    private UserRepository users;
    private JdbcStores stores;
    private RevocationStore revocations;
    private AccountStore accounts;
    private OutboxStore outbox;

    /** Opens the database under test (skipping or failing the class when it is unreachable). */
    abstract Database openDatabase();

    @BeforeAll
    void openDatabaseAndMigrate() {
        db = openDatabase();
        JdbcSchema.migrate(db.dataSource());
        stores = new JdbcStores(db.dataSource());
        dialect = stores.dialect();
        users = stores.users();
        revocations = stores.revocations();
        accounts = stores.accounts();
        outbox = stores.outbox();
    }

    @AfterAll
    void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void emptyTheOutbox() {
        SchemaProbe.execute(db.dataSource(), "DELETE FROM gh_mail_outbox");
    }

    // ---- register ------------------------------------------------------------------------------

    @Test
    void registerStoresAnUnverifiedUserWithItsTokenAndItsMail() {
        String id = UUID.randomUUID().toString();
        String email = uniqueEmail();
        AccountToken verification = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));
        MailMessage message = mail(email);

        User user = accounts.register(new NewUser(id, email, "$2a$04$registered", List.of("user", "editor"), NOW, "de-CH"),
                verification, List.of(message));

        assertThat(user.id()).isEqualTo(id);
        assertThat(user.emailVerified()).isFalse();
        assertThat(user.tokenGeneration()).isZero();
        assertThat(users.findById(id)).hasValueSatisfying(u -> {
            assertThat(u.email()).isEqualTo(email);
            assertThat(u.passwordHash()).isEqualTo("$2a$04$registered");
            assertThat(u.roles()).containsExactly("user", "editor");
            assertThat(u.createdAt()).isEqualTo(T);
            assertThat(u.emailVerifiedAt()).isNull();
            assertThat(u.language()).isEqualTo("de-CH");
            assertThat(u.tokenGeneration()).isZero();
        });
        assertThat(row("SELECT user_id, email FROM gh_account_tokens WHERE token_hash = ?", verification.tokenHash()))
                .containsEntry("user_id", id).containsEntry("email", email);
        assertThat(instant("SELECT expires_at FROM gh_account_tokens WHERE token_hash = ?", verification.tokenHash())).isEqualTo(T.plus(HOUR));
        assertThat(row("SELECT recipient, subject, text_body, html_body, attempts, sent_at FROM gh_mail_outbox WHERE message_id = ?",
                message.messageId()))
                .containsEntry("recipient", email).containsEntry("subject", message.subject())
                .containsEntry("text_body", message.text()).containsEntry("html_body", message.html())
                .containsEntry("attempts", "0").containsEntry("sent_at", null);
        // the token is the one that verifies this user
        assertThat(accounts.verifyEmail(verification.tokenHash(), T.plusSeconds(1))).map(User::id).contains(id);
    }

    @Test
    void registerWithoutTokenOrMailStoresTheUserOnly() {
        String id = UUID.randomUUID().toString();
        accounts.register(new NewUser(id, uniqueEmail(), "$2a$04$h", List.of("user"), NOW, null), null, List.of());

        assertThat(users.findById(id)).hasValueSatisfying(u -> {
            assertThat(u.emailVerified()).isFalse();
            assertThat(u.language()).isNull();
        });
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE user_id = ?", id)).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox")).isZero();
    }

    @Test
    void aDuplicateEmailWritesNoUserNoTokenAndNoMail() {
        String email = uniqueEmail();
        User first = accounts.register(newUser(email), token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR)), List.of(mail(email)));
        NewUser second = newUser(email);
        AccountToken secondToken = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));
        MailMessage secondMail = mail(email);

        assertThatThrownBy(() -> accounts.register(second, secondToken, List.of(secondMail)))
                .isExactlyInstanceOf(DuplicateEmailException.class);

        assertThat(users.findById(second.id())).isEmpty();
        assertThat(users.findByEmail(email)).map(User::id).contains(first.id());
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE token_hash = ?", secondToken.tokenHash())).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE user_id = ?", first.id())).isOne();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE message_id = ?", secondMail.messageId())).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", email)).isOne();
    }

    @Test
    void aRegistrationThatFailsAfterTheUserRowWritesNothing() {
        String email = uniqueEmail();
        NewUser user = newUser(email);
        AccountToken verification = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));
        MailMessage message = mail(email);
        // the second mail has the first one's id: its insert fails after the user and the token were written
        MailMessage sameId = new MailMessage(message.messageId(), email, "Again", "text", "<p>html</p>");

        assertThatThrownBy(() -> accounts.register(user, verification, List.of(message, sameId)))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(users.findById(user.id())).isEmpty();
        assertThat(users.findByEmail(email)).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE token_hash = ?", verification.tokenHash())).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE message_id = ?", message.messageId())).isZero();
    }

    // ---- issueToken ----------------------------------------------------------------------------

    @Test
    void aNewTokenReplacesTheLiveTokenOfItsPurposeOnlyAndQueuesItsMail() {
        User user = unverifiedUser();
        AccountToken firstVerification = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));
        AccountToken reset = token(Purpose.PASSWORD_RESET, T, T.plus(HOUR));
        AccountToken secondVerification = token(Purpose.VERIFY_EMAIL, T.plusSeconds(1), T.plus(HOUR));
        List<User> renderedFor = new ArrayList<>();

        for (AccountToken token : List.of(firstVerification, reset, secondVerification)) {
            Optional<User> issued = accounts.issueToken(user.id(), token, token.purpose() == Purpose.VERIFY_EMAIL, u -> {
                renderedFor.add(u);
                return mail(u.email());
            });
            assertThat(issued).map(User::id).contains(user.id());
        }

        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id()))
                .containsExactlyInAnyOrder(reset.tokenHash(), secondVerification.tokenHash());
        assertThat(column("SELECT email FROM gh_account_tokens WHERE user_id = ?", user.id())).containsOnly(user.email());
        assertThat(renderedFor).hasSize(3).allSatisfy(u -> {
            assertThat(u.id()).isEqualTo(user.id());
            assertThat(u.email()).isEqualTo(user.email());
        });
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).isEqualTo(3);
        // the replaced token is spent for good; its successor works
        assertThat(accounts.verifyEmail(firstVerification.tokenHash(), T.plusSeconds(2))).isEmpty();
        assertThat(accounts.verifyEmail(secondVerification.tokenHash(), T.plusSeconds(2))).isPresent();
    }

    @Test
    void tenConcurrentTokensForOneUserAndPurposeLeaveExactlyOne() throws Exception {
        for (int round = 0; round < 3; round++) {
            User user = unverifiedUser();
            List<AccountToken> tokens = IntStream.range(0, 10)
                    .mapToObj(i -> token(Purpose.PASSWORD_RESET, T, T.plus(HOUR))).collect(Collectors.toList());

            List<Outcome<Optional<User>>> outcomes = StoreContract.race(10, i ->
                    accounts.issueToken(user.id(), tokens.get(i), false, u -> mail(u.email())));

            assertThat(outcomes).as("round %d", round).allSatisfy(o -> {
                assertThat(o.error).isNull();
                assertThat(o.value).isPresent();
            });
            List<String> left = column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id());
            assertThat(left).as("round %d", round).hasSize(1);
            assertThat(tokens).extracting(AccountToken::tokenHash).contains(left.get(0));
            assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).as("a mail per request").isEqualTo(10);
        }
    }

    @Test
    void requireUnverifiedRefusesAVerifiedUserAndNoUserGetsNothing() {
        User verified = verifiedUser();
        AtomicInteger rendered = new AtomicInteger();
        AccountToken verification = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));

        assertThat(accounts.issueToken(verified.id(), verification, true, u -> {
            rendered.incrementAndGet();
            return mail(u.email());
        })).isEmpty();

        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE user_id = ?", verified.id())).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", verified.email())).isZero();
        // a reset link does not ask for an unverified user
        assertThat(accounts.issueToken(verified.id(), token(Purpose.PASSWORD_RESET, T, T.plus(HOUR)), false, u -> mail(u.email())))
                .isPresent();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", verified.email())).isOne();

        String unknown = UUID.randomUUID().toString();
        assertThat(accounts.issueToken(unknown, token(Purpose.PASSWORD_RESET, T, T.plus(HOUR)), false, u -> mail(u.email()))).isEmpty();
        assertThat(accounts.issueToken("x".repeat(37), token(Purpose.PASSWORD_RESET, T, T.plus(HOUR)), false, u -> mail(u.email())))
                .isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE user_id = ?", unknown)).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox")).isOne();
    }

    // ---- verifyEmail ---------------------------------------------------------------------------

    @Test
    void aVerificationTokenIsSpentOnce() {
        String email = uniqueEmail();
        AccountToken verification = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));
        User user = accounts.register(newUser(email), verification, List.of(mail(email)));
        Instant at = T.plusSeconds(60);

        Optional<User> verified = accounts.verifyEmail(verification.tokenHash(), at);

        assertThat(verified).hasValueSatisfying(u -> {
            assertThat(u.id()).isEqualTo(user.id());
            assertThat(u.emailVerifiedAt()).isEqualTo(at);
        });
        assertThat(users.findById(user.id())).map(User::emailVerifiedAt).contains(at);
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE token_hash = ?", verification.tokenHash())).isZero();

        assertThat(accounts.verifyEmail(verification.tokenHash(), at.plusSeconds(1))).isEmpty();
        assertThat(users.findById(user.id())).map(User::emailVerifiedAt).as("still verified as of the first use").contains(at);
    }

    @Test
    void anExpiredVerificationTokenIsRefusedAndWritesNothing() {
        String email = uniqueEmail();
        Instant expiry = T.plus(HOUR);
        AccountToken verification = token(Purpose.VERIFY_EMAIL, T, expiry);
        User user = accounts.register(newUser(email), verification, List.of(mail(email)));

        assertThat(accounts.verifyEmail(verification.tokenHash(), expiry)).as("at its expiry").isEmpty();
        assertThat(accounts.verifyEmail(verification.tokenHash(), expiry.plusSeconds(1))).isEmpty();

        assertThat(users.findById(user.id())).map(User::emailVerified).contains(false);
        // the refusals spent nothing: just before its expiry it still works
        assertThat(accounts.verifyEmail(verification.tokenHash(), expiry.minus(1, ChronoUnit.MICROS))).isPresent();
    }

    @Test
    void aVerificationTokenProvesOnlyTheAddressItWasSentTo() {
        String email = uniqueEmail();
        AccountToken verification = token(Purpose.VERIFY_EMAIL, T, T.plus(HOUR));
        User user = accounts.register(newUser(email), verification, List.of(mail(email)));
        String changed = uniqueEmail();
        execute("UPDATE gh_users SET email = ? WHERE id = ?", changed, user.id());

        assertThat(accounts.verifyEmail(verification.tokenHash(), T.plusSeconds(1))).isEmpty();

        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.email()).isEqualTo(changed);
            assertThat(u.emailVerified()).isFalse();
        });
    }

    @Test
    void onlyALiveVerificationTokenVerifies() {
        User user = unverifiedUser();
        AccountToken reset = token(Purpose.PASSWORD_RESET, T, T.plus(HOUR));
        accounts.issueToken(user.id(), reset, false, u -> mail(u.email()));

        assertThat(accounts.verifyEmail(reset.tokenHash(), T.plusSeconds(1))).as("a reset token").isEmpty();
        assertThat(accounts.verifyEmail(StoreContract.hash("unknown " + UUID.randomUUID()), T)).isEmpty();
        assertThat(accounts.verifyEmail(reset.tokenHash().toUpperCase(Locale.ROOT), T)).isEmpty();
        assertThat(accounts.verifyEmail("not a hash", T)).isEmpty();
        assertThat(accounts.verifyEmail("'; DELETE FROM gh_account_tokens; --" + "0".repeat(28), T)).isEmpty();

        assertThat(users.findById(user.id())).map(User::emailVerified).contains(false);
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE token_hash = ?", reset.tokenHash())).as("the reset token stays live").isOne();
    }

    // ---- resetPassword -------------------------------------------------------------------------

    @Test
    void aResetSpendsTheTokenOnceAndEndsEverySession() {
        User user = unverifiedUser();
        User other = unverifiedUser();
        List<String> families = List.of(newFamily(user.id()), newFamily(user.id()));
        String othersFamily = newFamily(other.id());
        AccountToken verification = issue(user, Purpose.VERIFY_EMAIL);
        AccountToken reset = issue(user, Purpose.PASSWORD_RESET);
        AccountToken othersReset = issue(other, Purpose.PASSWORD_RESET);
        Instant at = T.plusSeconds(300);
        AtomicReference<MailMessage> notice = new AtomicReference<>();

        Optional<User> after = accounts.resetPassword(reset.tokenHash(), "$2a$04$reset", at, u -> {
            notice.set(mail(u.email()));
            return notice.get();
        });

        assertThat(after).hasValueSatisfying(u -> {
            assertThat(u.id()).isEqualTo(user.id());
            assertThat(u.passwordHash()).isEqualTo("$2a$04$reset");
            assertThat(u.tokenGeneration()).isEqualTo(1);
            assertThat(u.emailVerifiedAt()).isEqualTo(at);
        });
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.passwordHash()).isEqualTo("$2a$04$reset");
            assertThat(u.tokenGeneration()).isEqualTo(1);
            assertThat(u.emailVerifiedAt()).as("the link proved the address").isEqualTo(at);
        });
        for (String family : families) {
            assertThat(familyRevokedAt(family)).as(family).isEqualTo(at);
        }
        assertThat(familyRevokedAt(othersFamily)).isNull();
        assertThat(revocations.userGenerations(at.minus(HOUR))).containsEntry(user.id(), 1).doesNotContainKey(other.id());
        assertRecordedAt(user.id(), at);
        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id()))
                .as("the verification token is gone too, not only the reset token").isEmpty();
        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", other.id())).containsExactly(othersReset.tokenHash());
        assertThat(row("SELECT recipient FROM gh_mail_outbox WHERE message_id = ?", notice.get().messageId()))
                .containsEntry("recipient", user.email());
        assertThat(verification.tokenHash()).isNotEqualTo(reset.tokenHash());

        // spent: a second use finds nothing and writes nothing
        assertThat(accounts.resetPassword(reset.tokenHash(), "$2a$04$again", at.plusSeconds(1), u -> mail(u.email()))).isEmpty();
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.passwordHash()).isEqualTo("$2a$04$reset");
            assertThat(u.tokenGeneration()).isEqualTo(1);
        });
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).as("two links and one notice").isEqualTo(3);
    }

    @Test
    void tenConcurrentResetsWithOneTokenHaveExactlyOneWinner() throws Exception {
        User user = unverifiedUser();
        String family = newFamily(user.id());
        AccountToken reset = issue(user, Purpose.PASSWORD_RESET);
        Instant at = T.plusSeconds(300);

        List<Outcome<Optional<User>>> outcomes = StoreContract.race(10, i ->
                accounts.resetPassword(reset.tokenHash(), "$2a$04$racer-" + i, at, u -> mail(u.email())));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        List<Integer> winners = IntStream.range(0, 10).filter(i -> outcomes.get(i).value.isPresent()).boxed().collect(Collectors.toList());
        assertThat(winners).hasSize(1);
        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.passwordHash()).isEqualTo("$2a$04$racer-" + winners.get(0));
            assertThat(u.tokenGeneration()).as("one reset, one generation").isEqualTo(1);
        });
        assertThat(familyRevokedAt(family)).isEqualTo(at);
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).as("the link and one notice").isEqualTo(2);
    }

    @Test
    void aResetThatFailsHalfWayWritesNothingAndTheTokenStaysLive() {
        User user = unverifiedUser();
        String family = newFamily(user.id());
        AccountToken verification = issue(user, Purpose.VERIFY_EMAIL);
        AccountToken reset = issue(user, Purpose.PASSWORD_RESET);
        long mails = count("SELECT COUNT(*) FROM gh_mail_outbox");
        Instant at = T.plusSeconds(300);

        // the notice is rendered after the password, the generation, the sessions and the tokens were written
        assertThatThrownBy(() -> accounts.resetPassword(reset.tokenHash(), "$2a$04$reset", at, u -> {
            throw new IllegalStateException("the template failed");
        })).hasStackTraceContaining("the template failed");

        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.passwordHash()).isEqualTo(user.passwordHash());
            assertThat(u.tokenGeneration()).isZero();
            assertThat(u.emailVerified()).isFalse();
        });
        assertThat(familyRevokedAt(family)).isNull();
        assertThat(revocations.userGenerations(at.minus(HOUR))).doesNotContainKey(user.id());
        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id()))
                .containsExactlyInAnyOrder(verification.tokenHash(), reset.tokenHash());
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox")).isEqualTo(mails);

        // the token is still live
        assertThat(accounts.resetPassword(reset.tokenHash(), "$2a$04$reset", at, u -> mail(u.email())))
                .map(User::tokenGeneration).contains(1);
    }

    @Test
    void anExpiredResetTokenIsRefusedAndWritesNothing() {
        User user = unverifiedUser();
        String family = newFamily(user.id());
        AccountToken reset = token(Purpose.PASSWORD_RESET, T, T.plus(HOUR));
        accounts.issueToken(user.id(), reset, false, u -> mail(u.email()));

        assertThat(accounts.resetPassword(reset.tokenHash(), "$2a$04$late", T.plus(HOUR), u -> mail(u.email()))).isEmpty();
        assertThat(accounts.resetPassword(reset.tokenHash(), "$2a$04$late", T.plus(HOUR).plusSeconds(1), u -> mail(u.email()))).isEmpty();

        assertThat(users.findById(user.id())).hasValueSatisfying(u -> {
            assertThat(u.passwordHash()).isEqualTo(user.passwordHash());
            assertThat(u.tokenGeneration()).isZero();
        });
        assertThat(familyRevokedAt(family)).isNull();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).as("the link only").isOne();
        // a verification token is no reset token
        AccountToken verification = issue(user, Purpose.VERIFY_EMAIL);
        assertThat(accounts.resetPassword(verification.tokenHash(), "$2a$04$late", T, u -> mail(u.email()))).isEmpty();
        assertThat(users.findById(user.id())).map(User::passwordHash).contains(user.passwordHash());
    }

    // ---- changePassword ------------------------------------------------------------------------

    @Test
    void aPasswordChangeKeepsTheNamedSessionAndEndsTheOthers() {
        User user = unverifiedUser();
        User other = unverifiedUser();
        String a = newFamily(user.id());
        String kept = newFamily(user.id());
        String c = newFamily(user.id());
        String othersFamily = newFamily(other.id());
        AccountToken reset = issue(user, Purpose.PASSWORD_RESET);
        AccountToken verification = issue(user, Purpose.VERIFY_EMAIL);
        MailMessage notice = mail(user.email());
        Instant at = T.plusSeconds(300);

        Optional<List<String>> ended = accounts.changePassword(user.id(), user.passwordHash(), "$2a$04$changed", kept, at, notice);

        assertThat(ended).hasValueSatisfying(ids -> assertThat(ids).containsExactlyInAnyOrder(a, c));
        assertThat(familyRevokedAt(a)).isEqualTo(at);
        assertThat(familyRevokedAt(c)).isEqualTo(at);
        assertThat(familyRevokedAt(kept)).isNull();
        assertThat(familyRevokedAt(othersFamily)).isNull();
        assertThat(users.findById(user.id())).map(User::passwordHash).contains("$2a$04$changed");
        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id()))
                .as("the reset token is gone, the verification stays").containsExactly(verification.tokenHash());
        assertThat(reset.tokenHash()).isNotEqualTo(verification.tokenHash());
        assertThat(row("SELECT recipient, subject FROM gh_mail_outbox WHERE message_id = ?", notice.messageId()))
                .containsEntry("recipient", user.email()).containsEntry("subject", notice.subject());

        // keeping none ends the one left; the families ended before are not reported again
        assertThat(accounts.changePassword(user.id(), "$2a$04$changed", "$2a$04$again", null, at.plusSeconds(1), mail(user.email())))
                .hasValueSatisfying(ids -> assertThat(ids).containsExactly(kept));
        assertThat(familyRevokedAt(kept)).isEqualTo(at.plusSeconds(1));
        assertThat(familyRevokedAt(a)).as("keeps its time").isEqualTo(at);
    }

    @Test
    void aPasswordChangeFromAStaleHashWritesNothing() {
        User user = unverifiedUser();
        String a = newFamily(user.id());
        String b = newFamily(user.id());
        AccountToken reset = issue(user, Purpose.PASSWORD_RESET);
        MailMessage notice = mail(user.email());

        assertThat(accounts.changePassword(user.id(), "$2a$04$stale", "$2a$04$changed", a, T, notice)).isEmpty();

        assertThat(users.findById(user.id())).map(User::passwordHash).contains(user.passwordHash());
        assertThat(familyRevokedAt(a)).isNull();
        assertThat(familyRevokedAt(b)).isNull();
        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id())).containsExactly(reset.tokenHash());
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE message_id = ?", notice.messageId())).isZero();

        String unknown = UUID.randomUUID().toString();
        assertThat(accounts.changePassword(unknown, "h", "$2a$04$changed", null, T, mail(user.email()))).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).as("the link only").isOne();
    }

    // ---- deleteAndRevoke -----------------------------------------------------------------------

    @Test
    void deletingAnAccountQueuesItsNoticeAndDeletesItsTokens() {
        User user = unverifiedUser();
        String family = newFamily(user.id());
        issue(user, Purpose.VERIFY_EMAIL);
        issue(user, Purpose.PASSWORD_RESET);
        AtomicReference<User> renderedFor = new AtomicReference<>();
        AtomicReference<MailMessage> notice = new AtomicReference<>();
        Instant at = T.plusSeconds(300);

        assertThat(accounts.deleteAndRevoke(user.id(), at, u -> {
            renderedFor.set(u);
            notice.set(mail(u.email()));
            return notice.get();
        })).isTrue();

        assertThat(renderedFor.get().id()).isEqualTo(user.id());
        assertThat(renderedFor.get().email()).isEqualTo(user.email());
        assertThat(users.findById(user.id())).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM gh_refresh_families WHERE family_id = ?", family)).isZero();
        assertThat(count("SELECT COUNT(*) FROM gh_account_tokens WHERE user_id = ?", user.id())).isZero();
        assertThat(revocations.userGenerations(at.minus(HOUR))).containsEntry(user.id(), Integer.MAX_VALUE);
        assertRecordedAt(user.id(), at);
        assertThat(row("SELECT recipient FROM gh_mail_outbox WHERE message_id = ?", notice.get().messageId()))
                .containsEntry("recipient", user.email());

        // again, or an unknown user: nothing found, nothing queued
        assertThat(accounts.deleteAndRevoke(user.id(), at.plusSeconds(1), u -> mail(u.email()))).isFalse();
        assertThat(accounts.deleteAndRevoke(UUID.randomUUID().toString(), at, u -> mail(u.email()))).isFalse();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", user.email())).as("two links and one notice").isEqualTo(3);
    }

    // ---- queue, purgeTokens --------------------------------------------------------------------

    @Test
    void aMailWithADedupeKeyIsQueuedOnce() {
        String to = uniqueEmail();
        String key = StoreContract.hash("dedupe " + UUID.randomUUID());
        MailMessage first = mail(to);
        MailMessage second = mail(to);

        assertThat(outbox.stats(T).queued()).isZero();
        assertThat(accounts.queue(first, key, T)).isTrue();
        assertThat(accounts.queue(second, key, T.plusSeconds(1))).isFalse();
        assertThat(column("SELECT message_id FROM gh_mail_outbox WHERE recipient = ?", to)).containsExactly(first.messageId());

        // a shorter key, and no key at all
        String shortKey = "short-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(accounts.queue(mail(to), shortKey, T)).isTrue();
        assertThat(accounts.queue(mail(to), shortKey, T)).isFalse();
        assertThat(accounts.queue(mail(to), null, T)).isTrue();
        assertThat(accounts.queue(mail(to), null, T)).isTrue();
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", to)).isEqualTo(4);
        assertThatThrownBy(() -> accounts.queue(mail(to), key + "x", T)).isInstanceOf(IllegalArgumentException.class);
        assertThat(count("SELECT COUNT(*) FROM gh_mail_outbox WHERE recipient = ?", to)).isEqualTo(4);
    }

    @Test
    void purgeTokensDeletesOnlyTokensExpiredBeforeTheCutoff() {
        // in 1990, so that no other test's tokens are in range
        Instant t = Instant.parse("1990-06-01T12:00:00Z");
        User user = unverifiedUser();
        AccountToken expired = token(Purpose.VERIFY_EMAIL, t.minus(HOUR), t.minusSeconds(1));
        AccountToken live = token(Purpose.PASSWORD_RESET, t.minus(HOUR), t.plusSeconds(1));
        accounts.issueToken(user.id(), expired, true, u -> mail(u.email()));
        accounts.issueToken(user.id(), live, false, u -> mail(u.email()));

        assertThat(accounts.purgeTokens(t)).isOne();

        assertThat(column("SELECT token_hash FROM gh_account_tokens WHERE user_id = ?", user.id())).containsExactly(live.tokenHash());
        assertThat(accounts.purgeTokens(t)).isZero();
    }

    // ---- outbox: claims --------------------------------------------------------------------------

    @Test
    void aClaimTakesTheDueMessagesOldestFirstUpToItsMax() {
        String to = uniqueEmail();
        Map<Integer, MailMessage> bySecond = new HashMap<>();
        for (int second : List.of(3, 1, 5, 2, 4, 10)) { // queued out of order; the last one is not due yet
            MailMessage m = mail(to);
            bySecond.put(second, m);
            assertThat(accounts.queue(m, null, T.plusSeconds(second))).isTrue();
        }
        Instant now = T.plusSeconds(5);
        Instant lease = now.plusSeconds(60);
        String a = claim();

        List<Entry> first = outbox.claimDue(a, now, lease, 3);

        assertThat(first).extracting(Entry::messageId)
                .containsExactly(bySecond.get(1).messageId(), bySecond.get(2).messageId(), bySecond.get(3).messageId());
        Entry oldest = first.get(0);
        MailMessage m1 = bySecond.get(1);
        assertThat(oldest.to()).isEqualTo(to);
        assertThat(oldest.subject()).isEqualTo(m1.subject());
        assertThat(oldest.text()).isEqualTo(m1.text());
        assertThat(oldest.html()).isEqualTo(m1.html());
        assertThat(oldest.attempts()).isZero();
        assertThat(oldest.createdAt()).isEqualTo(T.plusSeconds(1));
        assertThat(first).extracting(Entry::claim).containsOnly(a);

        assertThat(outbox.claimDue(claim(), now, lease, 3)).extracting(Entry::messageId)
                .containsExactly(bySecond.get(4).messageId(), bySecond.get(5).messageId());
        assertThat(outbox.claimDue(claim(), now, lease, 3)).isEmpty();
        assertThat(outbox.claimDue(claim(), T.plusSeconds(10), lease, 10)).extracting(Entry::messageId)
                .containsExactly(bySecond.get(10).messageId());
        assertThatThrownBy(() -> outbox.claimDue(claim(), now, lease, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMailComesOutOfTheOutboxAsItWentIn() {
        String text = "Grüße, Zoë — 👋 ünïcödé\r\nline two\n" + "long body ".repeat(20_000);
        String html = "<p>Grüße 😀 &amp; <a href=\"https://app.example/reset?token=abc\">link</a></p>" + "<br>".repeat(30_000);
        MailMessage m = new MailMessage(UUID.randomUUID().toString(), "zoë+tag@exämple.org", "Bestätigung: " + "ß".repeat(380),
                text, html);
        assertThat(accounts.queue(m, null, T)).isTrue();

        List<Entry> claimed = outbox.claimDue(claim(), T, T.plusSeconds(60), 10);

        assertThat(claimed).singleElement().satisfies(e -> {
            assertThat(e.to()).isEqualTo(m.to());
            assertThat(e.subject()).isEqualTo(m.subject());
            assertThat(e.text()).isEqualTo(text);
            assertThat(e.html()).isEqualTo(html);
        });
    }

    @Test
    void aClaimHoldsUntilItsLeaseIsPast() {
        MailMessage m = mail(uniqueEmail());
        accounts.queue(m, null, T);
        String a = claim();
        String b = claim();
        Instant leaseUntil = T.plusSeconds(60);

        assertThat(outbox.claimDue(a, T, leaseUntil, 10)).extracting(Entry::messageId).containsExactly(m.messageId());
        assertThat(outbox.claimDue(b, T.plusSeconds(30), T.plusSeconds(90), 10)).as("the lease holds").isEmpty();
        assertThat(outbox.claimDue(b, leaseUntil.minus(1, ChronoUnit.MICROS), T.plusSeconds(90), 10)).isEmpty();

        List<Entry> taken = outbox.claimDue(b, leaseUntil.plusSeconds(1), T.plusSeconds(120), 10);

        assertThat(taken).extracting(Entry::messageId, Entry::claim).containsExactly(tuple(m.messageId(), b));
        // the first claim lost the message: its holder can no longer settle it
        assertThat(outbox.markSent(m.messageId(), a, T.plusSeconds(61))).isFalse();
        assertThat(outbox.markFailed(m.messageId(), a, T.plusSeconds(600), "late")).isFalse();
        assertThat(row("SELECT claim, sent_at, attempts, text_body FROM gh_mail_outbox WHERE message_id = ?", m.messageId()))
                .containsEntry("claim", b).containsEntry("sent_at", null).containsEntry("attempts", "0").containsEntry("text_body", m.text());
        assertThat(outbox.markSent(m.messageId(), b, T.plusSeconds(62))).isTrue();
    }

    @Test
    void onlyTheClaimMarksAMessageSentAndSendingDropsItsBodies() {
        MailMessage m = mail(uniqueEmail());
        accounts.queue(m, null, T);
        String a = claim();
        outbox.claimDue(a, T, T.plusSeconds(60), 10);

        assertThat(outbox.markSent(m.messageId(), claim(), T.plusSeconds(1))).isFalse();
        assertThat(outbox.markSent(UUID.randomUUID().toString(), a, T.plusSeconds(1))).isFalse();
        assertThat(row("SELECT sent_at, text_body, html_body, claim FROM gh_mail_outbox WHERE message_id = ?", m.messageId()))
                .containsEntry("sent_at", null).containsEntry("text_body", m.text()).containsEntry("html_body", m.html())
                .containsEntry("claim", a);

        assertThat(outbox.markSent(m.messageId(), a, T.plusSeconds(2))).isTrue();

        assertThat(instant("SELECT sent_at FROM gh_mail_outbox WHERE message_id = ?", m.messageId())).isEqualTo(T.plusSeconds(2));
        assertThat(row("SELECT recipient, subject, text_body, html_body FROM gh_mail_outbox WHERE message_id = ?", m.messageId()))
                .containsEntry("recipient", m.to()).containsEntry("subject", m.subject())
                .containsEntry("text_body", null).containsEntry("html_body", null);
        assertThat(outbox.claimDue(claim(), T.plus(Duration.ofDays(1)), T.plus(Duration.ofDays(2)), 10)).as("never sent twice").isEmpty();
    }

    @Test
    void aFailedDeliveryCountsTheAttemptAndWaitsForTheNext() {
        MailMessage m = mail(uniqueEmail());
        accounts.queue(m, null, T);
        String a = claim();
        outbox.claimDue(a, T, T.plusSeconds(60), 10);
        Instant next = T.plus(Duration.ofMinutes(5));

        assertThat(outbox.markFailed(m.messageId(), claim(), next, "wrong claim")).isFalse();
        assertThat(row("SELECT attempts, last_error FROM gh_mail_outbox WHERE message_id = ?", m.messageId()))
                .containsEntry("attempts", "0").containsEntry("last_error", null);
        assertThat(instant("SELECT next_attempt_at FROM gh_mail_outbox WHERE message_id = ?", m.messageId())).isEqualTo(T);

        assertThat(outbox.markFailed(m.messageId(), a, next, "451 try again later")).isTrue();

        assertThat(row("SELECT attempts, last_error, text_body, sent_at, given_up_at FROM gh_mail_outbox WHERE message_id = ?",
                m.messageId()))
                .containsEntry("attempts", "1").containsEntry("last_error", "451 try again later").containsEntry("text_body", m.text())
                .containsEntry("sent_at", null).containsEntry("given_up_at", null);
        assertThat(instant("SELECT next_attempt_at FROM gh_mail_outbox WHERE message_id = ?", m.messageId())).isEqualTo(next);
        // not due before its next attempt, although the first lease is long past
        assertThat(outbox.claimDue(claim(), next.minusSeconds(1), next.plusSeconds(60), 10)).isEmpty();
        String b = claim();
        List<Entry> again = outbox.claimDue(b, next, next.plusSeconds(60), 10);
        assertThat(again).extracting(Entry::messageId).containsExactly(m.messageId());
        assertThat(again.get(0).attempts()).isOne();
        // a long error (a mail server's whole answer) is no reason to fail
        assertThat(outbox.markFailed(m.messageId(), b, next.plusSeconds(10), "5".repeat(1000))).isTrue();
        assertThat(row("SELECT attempts FROM gh_mail_outbox WHERE message_id = ?", m.messageId())).containsEntry("attempts", "2");
    }

    @Test
    void onlyTheClaimGivesAMessageUpAndItIsNeverClaimedAgain() {
        MailMessage m = mail(uniqueEmail());
        accounts.queue(m, null, T);
        String a = claim();
        outbox.claimDue(a, T, T.plusSeconds(60), 10);

        assertThat(outbox.markGivenUp(m.messageId(), claim(), T.plusSeconds(1), "550 no such user")).isFalse();
        assertThat(row("SELECT given_up_at, text_body FROM gh_mail_outbox WHERE message_id = ?", m.messageId()))
                .containsEntry("given_up_at", null).containsEntry("text_body", m.text());

        assertThat(outbox.markGivenUp(m.messageId(), a, T.plusSeconds(2), "550 no such user")).isTrue();

        assertThat(instant("SELECT given_up_at FROM gh_mail_outbox WHERE message_id = ?", m.messageId())).isEqualTo(T.plusSeconds(2));
        assertThat(row("SELECT sent_at, text_body, html_body, last_error FROM gh_mail_outbox WHERE message_id = ?", m.messageId()))
                .containsEntry("sent_at", null).containsEntry("text_body", null).containsEntry("html_body", null)
                .containsEntry("last_error", "550 no such user");
        assertThat(outbox.claimDue(claim(), T.plus(Duration.ofDays(1)), T.plus(Duration.ofDays(2)), 10)).isEmpty();
    }

    @Test
    void purgeDeletesMessagesSentOrGivenUpBeforeTheCutoffOnly() {
        Instant t = T.plus(Duration.ofHours(2));
        MailMessage sentEarly = sent(T, t.minusSeconds(1));
        MailMessage givenUpEarly = givenUp(T, t.minusSeconds(1));
        MailMessage sentLate = sent(T, t.plusSeconds(1));
        MailMessage queued = mail(uniqueEmail());
        accounts.queue(queued, null, T.minus(HOUR));

        assertThat(outbox.purge(t)).isEqualTo(2);

        assertThat(column("SELECT message_id FROM gh_mail_outbox"))
                .containsExactlyInAnyOrder(sentLate.messageId(), queued.messageId())
                .doesNotContain(sentEarly.messageId(), givenUpEarly.messageId());
        assertThat(outbox.purge(t)).isZero();
    }

    @Test
    void statsCountWhatTheOutboxHolds() {
        assertThat(outbox.stats(T)).satisfies(s -> {
            assertThat(s.queued()).isZero();
            assertThat(s.due()).isZero();
            assertThat(s.failed()).isZero();
            assertThat(s.oldestQueued()).isNull();
        });
        // older than everything queued: a message sent and one given up
        sent(T.minus(Duration.ofMinutes(10)), T.minus(Duration.ofMinutes(9)));
        givenUp(T.minus(Duration.ofMinutes(10)), T.minus(Duration.ofMinutes(9)));
        accounts.queue(mail(uniqueEmail()), null, T.minus(Duration.ofMinutes(2)));
        accounts.queue(mail(uniqueEmail()), null, T.minus(Duration.ofMinutes(1)));
        accounts.queue(mail(uniqueEmail()), null, T.plus(Duration.ofMinutes(1)));

        OutboxStore.Stats stats = outbox.stats(T);

        assertThat(stats.queued()).isEqualTo(3);
        assertThat(stats.due()).isEqualTo(2);
        assertThat(stats.failed()).as("given up").isOne();
        assertThat(stats.oldestQueued()).isEqualTo(T.minus(Duration.ofMinutes(2)));
        assertThat(outbox.stats(T.plus(Duration.ofMinutes(1))).due()).isEqualTo(3);
    }

    @Test
    void threeClaimersTakeTwoHundredMessagesEachExactlyOnce() throws Exception {
        Set<String> queued = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            MailMessage m = mail("bulk-" + i + "@example.org");
            accounts.queue(m, null, T.minusMillis(200 - i));
            queued.add(m.messageId());
        }
        List<String> claims = List.of(claim(), claim(), claim());
        AtomicInteger taken = new AtomicInteger();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();

        List<Outcome<List<Entry>>> outcomes = StoreContract.race(3, i -> {
            List<Entry> mine = new ArrayList<>();
            while (taken.get() < 200 && System.nanoTime() < deadline) {
                List<Entry> batch = outbox.claimDue(claims.get(i), T, T.plus(Duration.ofMinutes(10)), 7);
                assertThat(batch.size()).isLessThanOrEqualTo(7);
                mine.addAll(batch);
                taken.addAndGet(batch.size());
            }
            return mine;
        });

        assertThat(outcomes).allSatisfy(o -> assertThat(o.error).isNull());
        List<String> all = new ArrayList<>();
        Map<String, String> claimOf = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            for (Entry e : outcomes.get(i).value) {
                all.add(e.messageId());
                assertThat(e.claim()).isEqualTo(claims.get(i));
                claimOf.put(e.messageId(), claims.get(i));
            }
        }
        assertThat(all).as("no message claimed twice").doesNotHaveDuplicates().hasSize(200);
        assertThat(new HashSet<>(all)).isEqualTo(queued);
        // the database agrees on who holds each, and only that holder settles it
        for (Map.Entry<String, String> e : claimOf.entrySet()) {
            assertThat(row("SELECT claim FROM gh_mail_outbox WHERE message_id = ?", e.getKey())).containsEntry("claim", e.getValue());
        }
        assertThat(outbox.claimDue(claim(), T, T.plus(Duration.ofMinutes(10)), 10)).isEmpty();
    }

    // ---- failures ------------------------------------------------------------------------------

    @Test
    void anUnreachableDatabaseFailsEveryMethodWithStoreUnavailable() {
        JdbcStores down = new JdbcStores(db.unreachableDataSource(), dialect, Duration.ofSeconds(2));
        String email = "secret-" + UUID.randomUUID() + "@example.org";
        AccountToken token = token(Purpose.PASSWORD_RESET, T, T.plus(HOUR));
        String id = UUID.randomUUID().toString();
        List<Executable> calls = List.of(
                () -> down.accounts().register(newUser(email), token, List.of(mail(email))),
                () -> down.accounts().queue(mail(email), "key", T),
                () -> down.accounts().issueToken(id, token, false, u -> mail(email)),
                () -> down.accounts().verifyEmail(token.tokenHash(), T),
                () -> down.accounts().resetPassword(token.tokenHash(), "h", T, u -> mail(email)),
                () -> down.accounts().changePassword(id, "h", "h2", null, T, mail(email)),
                () -> down.accounts().deleteAndRevoke(id, T, u -> mail(email)),
                () -> down.accounts().purgeTokens(T),
                () -> down.outbox().claimDue(claim(), T, T, 1),
                () -> down.outbox().markSent(id, "claim", T),
                () -> down.outbox().markFailed(id, "claim", T, "error"),
                () -> down.outbox().markGivenUp(id, "claim", T, "error"),
                () -> down.outbox().purge(T),
                () -> down.outbox().stats(T));
        for (Executable call : calls) {
            assertThatThrownBy(call::execute)
                    .isExactlyInstanceOf(StoreUnavailableException.class)
                    .hasMessageNotContaining(email)
                    .hasMessageNotContaining(token.tokenHash())
                    .hasCauseInstanceOf(SQLException.class);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String uniqueEmail() {
        return "account-" + UUID.randomUUID() + "@example.org";
    }

    private static String claim() {
        return UUID.randomUUID().toString();
    }

    private static NewUser newUser(String email) {
        return new NewUser(UUID.randomUUID().toString(), email, "$2a$04$new", List.of("user"), NOW, null);
    }

    /** A single-use token with a fresh random hash. */
    private static AccountToken token(Purpose purpose, Instant createdAt, Instant expiresAt) {
        return new AccountToken(StoreContract.hash("account token " + UUID.randomUUID()), purpose, createdAt, expiresAt);
    }

    private static MailMessage mail(String to) {
        String id = UUID.randomUUID().toString();
        return new MailMessage(id, to, "Subject " + id.substring(0, 8), "Text of " + id + " with a link", "<p>HTML of " + id + "</p>");
    }

    /** A user whose email is not verified (as every user that the user repository creates). */
    private User unverifiedUser() {
        User user = users.create(UUID.randomUUID().toString(), uniqueEmail(), "$2a$04$old-" + UUID.randomUUID(), List.of("user"), NOW);
        assertThat(users.findById(user.id())).map(User::emailVerified).contains(false);
        return user;
    }

    private User verifiedUser() {
        User user = unverifiedUser();
        execute("UPDATE gh_users SET email_verified_at = created_at WHERE id = ?", user.id());
        assertThat(users.findById(user.id())).map(User::emailVerified).contains(true);
        return user;
    }

    /** Issues a live token of {@code purpose} (valid an hour) to the user, with its mail. */
    private AccountToken issue(User user, Purpose purpose) {
        AccountToken token = token(purpose, T, T.plus(HOUR));
        assertThat(accounts.issueToken(user.id(), token, false, u -> mail(u.email()))).isPresent();
        return token;
    }

    /** A refresh-token family of the user with its first token; returns its id. */
    private String newFamily(String userId) {
        String familyId = UUID.randomUUID().toString();
        RefreshTokenRecord first = new RefreshTokenRecord(StoreContract.hash("refresh " + familyId), familyId, null, userId, NOW,
                NOW.plus(Duration.ofDays(14)), NOW.plus(Duration.ofDays(30)), null, null);
        stores.refreshTokens().createFamily(new Session(familyId, userId, NOW, NOW, NOW.plus(Duration.ofDays(30)), null, null, null, null), first);
        return familyId;
    }

    private Instant familyRevokedAt(String familyId) {
        return instant("SELECT revoked_at FROM gh_refresh_families WHERE family_id = ?", familyId);
    }

    /** A message queued at {@code queuedAt}, claimed and sent at {@code sentAt}. */
    private MailMessage sent(Instant queuedAt, Instant sentAt) {
        MailMessage m = mail(uniqueEmail());
        String c = claimQueued(m, queuedAt);
        assertThat(outbox.markSent(m.messageId(), c, sentAt)).isTrue();
        return m;
    }

    /** A message queued at {@code queuedAt}, claimed and given up at {@code givenUpAt}. */
    private MailMessage givenUp(Instant queuedAt, Instant givenUpAt) {
        MailMessage m = mail(uniqueEmail());
        String c = claimQueued(m, queuedAt);
        assertThat(outbox.markGivenUp(m.messageId(), c, givenUpAt, "550")).isTrue();
        return m;
    }

    /** Queues a message and claims it (and whatever else is due then, released again); returns the claim. */
    private String claimQueued(MailMessage m, Instant queuedAt) {
        assertThat(accounts.queue(m, null, queuedAt)).isTrue();
        String c = claim();
        List<Entry> claimed = outbox.claimDue(c, queuedAt, queuedAt.plusSeconds(1), 1000);
        assertThat(claimed).extracting(Entry::messageId).contains(m.messageId());
        for (Entry other : claimed) {
            if (!other.messageId().equals(m.messageId())) {
                assertThat(outbox.markFailed(other.messageId(), c, other.createdAt(), null)).isTrue();
                execute("UPDATE gh_mail_outbox SET attempts = 0 WHERE message_id = ?", other.messageId());
            }
        }
        return c;
    }

    /** The user's generation cut-off was recorded at exactly {@code at} (the query bound is exclusive). */
    private void assertRecordedAt(String userId, Instant at) {
        assertThat(revocations.userGenerations(at.minusNanos(1000))).containsKey(userId);
        assertThat(revocations.userGenerations(at)).doesNotContainKey(userId);
    }

    private void execute(String sql, Object... params) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    private long count(String sql, Object... params) {
        return Long.parseLong(column(sql, params).get(0));
    }

    /** The first column of every row, as text. */
    private List<String> column(String sql, Object... params) {
        List<String> values = new ArrayList<>();
        query(sql, params, rs -> values.add(rs.getString(1)));
        return values;
    }

    /** The only row, every column as text (lower-case labels). */
    private Map<String, String> row(String sql, Object... params) {
        List<Map<String, String>> rows = new ArrayList<>();
        query(sql, params, rs -> {
            ResultSetMetaData meta = rs.getMetaData();
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getString(i));
            }
            rows.add(row);
        });
        assertThat(rows).as(sql).hasSize(1);
        return rows.get(0);
    }

    /** An instant column of the only row, read as the stores read it. */
    private Instant instant(String sql, Object... params) {
        List<Instant> values = new ArrayList<>();
        query(sql, params, rs -> values.add(dialect.getInstant(rs, 1)));
        assertThat(values).as(sql).hasSize(1);
        return values.get(0);
    }

    @FunctionalInterface
    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Object[] params, RowReader reader) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }
}
