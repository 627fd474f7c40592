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

package dev.gatehouse.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.jaxrs.support.Client;
import dev.gatehouse.jaxrs.support.Client.Reply;
import dev.gatehouse.jaxrs.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.gatehouse.jaxrs.support.Sql;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The onboarding flow of docs/http-api.md over real HTTP on Jersey's Grizzly container (no servlet API on
 * the class path), run once per transport (and per database in subclasses).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnboardingFlowContract {
    static final String PASSWORD = "correct horse battery staple";

    /** A server whose reuse grace is zero, so reuse detection is immediate. */
    TestServer server;
    /** A server with the default 10 s grace. */
    TestServer graceServer;

    abstract DataSource dataSource();

    abstract void closeDatabase();

    /** Logs in with this test's transport; the returned session knows how to authenticate. */
    abstract Session login(Client client, String email, String password);

    abstract Session refresh(Client client, Session session);

    /** A logged-in client, in the transport under test. */
    interface Session {
        /** Headers that authenticate a request (bearer: Authorization; cookie: CSRF header). */
        String[] auth();

        /** The refresh token (bearer) or null (cookie: in the jar). */
        String refreshToken();

        Reply reply();
    }

    @BeforeAll
    void startServers() throws Exception {
        server = TestServer.start(dataSource(), b -> b.refreshReuseGrace(Duration.ZERO), b -> b);
        graceServer = TestServer.start(dataSource());
    }

    @AfterAll
    void stopServers() {
        if (server != null) {
            server.close();
        }
        if (graceServer != null) {
            graceServer.close();
        }
        closeDatabase();
    }

    static String newEmail() {
        return "user-" + UUID.randomUUID() + "@example.org";
    }

    Client client() {
        return new Client(server.base);
    }

    static String credentials(String email, String password) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}";
    }

    JsonNode register(Client client, String email) {
        Reply r = client.postJson("auth/register", credentials(email, PASSWORD));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    @Test
    void registerReturnsCreatedWithLocationAndNormalisedEmail() {
        Client c = client();
        String local = "Mixed.Case-" + UUID.randomUUID();
        Reply r = c.postJson("auth/register", credentials("  " + local.toUpperCase() + "@Example.ORG ", PASSWORD));
        assertThat(r.status()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(UUID.fromString(id).version()).isEqualTo(4);
        assertThat(r.json().get("email").asText()).isEqualTo(local.toLowerCase() + "@example.org");
        assertThat(r.header("Location")).endsWith("/auth/users/" + id);
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void loggedInCallerReachesProtectedResourceAsTheirId() {
        Client c = client();
        String email = newEmail();
        String id = register(c, email).get("id").asText();
        Session s = login(c, email, PASSWORD);
        assertThat(s.reply().status()).isEqualTo(200);
        assertThat(s.reply().header("Cache-Control")).isEqualTo("no-store");
        Reply me = c.get("api/me", s.auth());
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().get("sub").asText()).isEqualTo(id);
        assertThat(me.json().get("roles").asText()).isEqualTo("user");
        assertThat(me.json().get("scheme").asText()).isEqualTo("Bearer");
        assertThat(me.json().get("user").asBoolean()).isTrue();
    }

    String lastEmail;

    Session registerAndLogin(Client c) {
        lastEmail = newEmail();
        register(c, lastEmail);
        Session s = login(c, lastEmail, PASSWORD);
        assertThat(s.reply().status()).as(s.reply().toString()).isEqualTo(200);
        return s;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName();
    }

    @Test
    void withoutTokenProtectedResourceAnswers401WithBareChallenge() {
        Reply r = new Client(server.base).get("api/me");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"gatehouse\"");
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(401);
    }

    @Test
    void publicResourceWorksWithoutToken() {
        Reply r = new Client(server.base).get("api/ping");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void refreshGivesNewWorkingPairAndSpendsTheOldToken() {
        Client c = client();
        Session first = registerAndLogin(c);
        Session second = refresh(c, first);
        assertThat(second.reply().status()).as(second.reply().toString()).isEqualTo(200);
        assertThat(second.reply().header("Cache-Control")).isEqualTo("no-store");
        assertThat(c.get("api/me", second.auth()).status()).isEqualTo(200);
        if (first.refreshToken() != null) {
            assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
        }
    }

    @Test
    void spentRefreshTokenAfterGraceRevokesTheWholeFamily() {
        Client c = client();
        Session first = registerAndLogin(c);
        Client replay = replayOf(c, first);
        Session second = refresh(c, first);
        assertThat(second.reply().status()).isEqualTo(200);

        // The attacker replays the spent token (grace is zero on this server).
        Session reused = refresh(replay, first);
        assertThat(reused.reply().status()).isEqualTo(401);
        // The family's live access tokens are refused at once, whoever holds them...
        assertThat(c.get("api/me", second.auth()).status()).isEqualTo(401);
        assertThat(replay.get("api/me", first.auth()).status()).isEqualTo(401);
        // ...and the legitimate holder's newer refresh token is dead too: the family was revoked.
        Session after = refresh(c, second);
        assertThat(after.reply().status()).isEqualTo(401);
    }

    @Test
    void spentRefreshTokenWithinGraceGetsTheSameSuccessorWithAFreshAccessToken() {
        Client c = new Client(graceServer.base);
        lastEmail = newEmail();
        assertThat(c.postJson("auth/register", credentials(lastEmail, PASSWORD)).status()).isEqualTo(201);
        Session first = login(c, lastEmail, PASSWORD);
        Client tab = replayOf(c, first);
        Client lateTab = replayOf(c, first);
        Session a = refresh(c, first);
        Session b = refresh(tab, first);
        assertThat(a.reply().status()).isEqualTo(200);
        assertThat(b.reply().status()).as("second tab within grace").isEqualTo(200);
        assertThat(c.get("api/me", a.auth()).status()).isEqualTo(200);
        assertThat(tab.get("api/me", b.auth()).status()).isEqualTo(200);
        assertThat(refreshTokenOf(tab, b)).as("one live refresh token per login").isEqualTo(refreshTokenOf(c, a))
                .isNotEqualTo(refreshTokenOf(lateTab, first));
        // The successor, from either tab, works once; spent, its parent's replay is reuse, grace or not.
        Session next = refresh(c, a);
        assertThat(next.reply().status()).isEqualTo(200);
        Session late = refresh(lateTab, first);
        assertThat(late.reply().status()).as("a replay after the successor was spent").isEqualTo(401);
        assertThat(c.get("api/me", next.auth()).status()).as("the family is revoked").isEqualTo(401);
        assertThat(refresh(c, next).reply().status()).isEqualTo(401);
    }

    /** The refresh token a client holds after {@code s}: in the body (bearer) or in its cookie jar. */
    static String refreshTokenOf(Client client, Session s) {
        String token = s.refreshToken() != null ? s.refreshToken() : client.cookies.get("__Secure-refresh_token");
        assertThat(token).as("a refresh token").isNotBlank();
        return token;
    }

    /** A second client holding the same credentials as {@code c} at this moment (a copied cookie jar). */
    Client replayOf(Client c, Session s) {
        return c.copy();
    }

    @Test
    void logoutRevokesAccessTokenAndRefreshFamilyAndClearsCookies() {
        Client c = client();
        Session s = registerAndLogin(c);
        Client copy = replayOf(c, s);
        Reply out = c.post("auth/logout", null, null, s.auth());
        assertThat(out.status()).as(out.toString()).isEqualTo(204);
        assertThat(out.header("Cache-Control")).isEqualTo("no-store");
        for (String cookie : new String[] {"__Host-access_token", "__Secure-refresh_token", "__Host-csrf_token"}) {
            assertThat(out.setCookie(cookie)).as(cookie).contains("Max-Age=0").contains("Secure").contains("SameSite=Strict");
        }
        Reply me = copy.get("api/me", s.auth());
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"The token has been revoked\"");
        assertThat(refresh(copy, s).reply().status()).isEqualTo(401);
    }

    @Test
    void logoutAllRevokesEveryLoginOfTheUser() {
        Client c1 = client();
        Session s1 = registerAndLogin(c1);
        Client c2 = client();
        Session s2 = login(c2, lastEmail, PASSWORD);
        assertThat(s2.reply().status()).isEqualTo(200);
        Client c2copy = replayOf(c2, s2);

        Reply out = c1.post("auth/logout-all", null, null, s1.auth());
        assertThat(out.status()).as(out.toString()).isEqualTo(204);
        assertThat(c2copy.get("api/me", s2.auth()).status()).isEqualTo(401);
        assertThat(refresh(c2copy, s2).reply().status()).isEqualTo(401);
    }

    @Test
    void deletingOneselfRevokesEveryTokenAtOnceAndFreesTheEmail() {
        Client c = client();
        Session s = registerAndLogin(c);
        String email = lastEmail;
        String id = c.get("api/me", s.auth()).json().get("sub").asText();
        Client other = client();
        Session s2 = login(other, email, PASSWORD);
        Client otherCopy = replayOf(other, s2);

        Reply deleted = c.send(HttpRequest.newBuilder(c.base().resolve("auth/users/" + id)).DELETE(), s.auth());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(deleted.header("Cache-Control")).isEqualTo("no-store");
        for (String cookie : new String[] {"__Host-access_token", "__Secure-refresh_token", "__Host-csrf_token"}) {
            assertThat(deleted.setCookie(cookie)).as(cookie).contains("Max-Age=0");
        }
        // on the node that deleted the account, the user's other login is refused at once
        Reply me = otherCopy.get("api/me", s2.auth());
        assertThat(me.status()).as(me.toString()).isEqualTo(401);
        assertThat(me.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"The token has been revoked\"");
        assertThat(refresh(otherCopy, s2).reply().status()).isEqualTo(401);
        assertThat(Sql.count(dataSource(), "SELECT COUNT(*) FROM gh_users WHERE id = ?", id)).isZero();
        assertThat(Sql.count(dataSource(), "SELECT COUNT(*) FROM gh_refresh_families WHERE user_id = ?", id)).isZero();
        assertThat(Sql.count(dataSource(), "SELECT COUNT(*) FROM gh_user_revocations WHERE user_id = ?", id)).isOne();

        // the email is free again, for a new user with a new id
        Client again = client();
        String newId = register(again, email).get("id").asText();
        assertThat(newId).isNotEqualTo(id);
        Session fresh = login(again, email, PASSWORD);
        assertThat(again.get("api/me", fresh.auth()).json().get("sub").asText()).isEqualTo(newId);
    }

    @Test
    void deletingAnotherUsersAccountIsNotFoundAndChangesNothing() {
        Client victim = client();
        Session v = registerAndLogin(victim);
        String victimId = victim.get("api/me", v.auth()).json().get("sub").asText();
        Client attacker = client();
        Session a = registerAndLogin(attacker);

        Reply refused = attacker.send(HttpRequest.newBuilder(attacker.base().resolve("auth/users/" + victimId)).DELETE(), a.auth());
        assertThat(refused.status()).as(refused.toString()).isEqualTo(404);
        Reply unknown = attacker.send(HttpRequest.newBuilder(attacker.base().resolve("auth/users/" + UUID.randomUUID())).DELETE(),
                a.auth());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo(refused.body());
        assertThat(victim.get("api/me", v.auth()).status()).isEqualTo(200);
        assertThat(attacker.get("api/me", a.auth()).status()).as("the caller keeps their session").isEqualTo(200);
        Reply anonymous = client().send(HttpRequest.newBuilder(client().base().resolve("auth/users/" + victimId)).DELETE());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(victim.get("api/me", v.auth()).status()).isEqualTo(200);
    }

    @Test
    void anAdminDeletesAnotherUserAndKeepsTheirOwnSession() {
        Client victim = client();
        Session v = registerAndLogin(victim);
        String victimId = victim.get("api/me", v.auth()).json().get("sub").asText();
        Client admin = client();
        Session a = registerAndLoginAsAdmin(admin);

        Reply deleted = admin.send(HttpRequest.newBuilder(admin.base().resolve("auth/users/" + victimId)).DELETE(), a.auth());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        assertThat(deleted.headers("Set-Cookie")).as("the admin's own cookies stay").isEmpty();
        assertThat(victim.get("api/me", v.auth()).status()).isEqualTo(401);
        assertThat(admin.get("api/me", a.auth()).status()).isEqualTo(200);
        assertThat(admin.get("auth/users/" + victimId, a.auth()).status()).isEqualTo(404);
    }

    @Test
    void rolesAllowedRefusesAUserWith403AndAdmitsAnAdmin() {
        Client user = client();
        Session s = registerAndLogin(user);
        Reply r = user.get("api/admin", s.auth());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");

        Client admin = client();
        Session a = registerAndLoginAsAdmin(admin);
        assertThat(admin.get("api/admin", a.auth()).status()).isEqualTo(200);
    }

    @Test
    void registrationNeverGrantsAPrivilegedRoleWhateverTheEmail() {
        for (String email : new String[] {"admin@example.org", "Admin@" + UUID.randomUUID() + ".example", "root@localhost.localdomain"}) {
            Client c = client();
            Reply r = c.postJson("auth/register", credentials(email, PASSWORD));
            assertThat(r.status()).as(r.toString()).isIn(201, 409);
            Session s = login(c, email, PASSWORD);
            assertThat(s.reply().status()).as(s.reply().toString()).isEqualTo(200);
            assertThat(c.get("api/me", s.auth()).json().get("roles").asText()).isEqualTo("user");
            assertThat(c.get("api/admin", s.auth()).status()).isEqualTo(403);
        }
    }

    @Test
    void aGrantedRoleReachesTheLiveTokenAtOnceAndTheNextRefreshCarriesIt() {
        Client c = client();
        Session before = registerAndLogin(c);
        String id = c.get("api/me", before.auth()).json().get("sub").asText();
        Client stale = replayOf(c, before);

        assertThat(server.service.grantRole(id, "admin")).hasValueSatisfying(u -> assertThat(u.roles()).contains("admin"));

        // on this node at once (other nodes within the revocation staleness): the token without the role is refused
        assertThat(stale.get("api/me", before.auth()).status()).isEqualTo(401);
        Session after = refresh(c, before);
        assertThat(after.reply().status()).as(after.reply().toString()).isEqualTo(200);
        assertThat(c.get("api/admin", after.auth()).status()).isEqualTo(200);

        Client granted = replayOf(c, after);
        assertThat(server.service.revokeRole(id, "admin")).hasValueSatisfying(u -> assertThat(u.roles()).containsExactly("user"));
        assertThat(granted.get("api/admin", after.auth()).status()).as("the admin token is refused").isEqualTo(401);
        Session demoted = refresh(c, after);
        assertThat(c.get("api/admin", demoted.auth()).status()).isEqualTo(403);
        assertThat(c.get("api/me", demoted.auth()).status()).isEqualTo(200);
    }

    /** Registers a user, grants it {@code admin} through the service's API, and logs in. */
    Session registerAndLoginAsAdmin(Client admin) {
        String email = "admin-" + UUID.randomUUID() + "@example.org";
        String id = register(admin, email).get("id").asText();
        assertThat(server.service.grantRole(id, "admin")).isPresent();
        Session a = login(admin, email, PASSWORD);
        assertThat(a.reply().status()).as(a.reply().toString()).isEqualTo(200);
        return a;
    }

    @Test
    void denyAllRefusesEvenAnAuthenticatedCaller() {
        Client c = client();
        Session s = registerAndLogin(c);
        assertThat(c.get("api/nobody", s.auth()).status()).isEqualTo(403);
    }

    @Test
    void userResourceShowsSelfAndHidesOthersAs404() {
        Client c = client();
        Session s = registerAndLogin(c);
        String self = c.get("api/me", s.auth()).json().get("sub").asText();
        Reply mine = c.get("auth/users/" + self, s.auth());
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.json().get("id").asText()).isEqualTo(self);
        assertThat(mine.json().get("email").asText()).isEqualTo(lastEmail);
        assertThat(mine.json().get("roles").get(0).asText()).isEqualTo("user");
        assertThat(java.time.Instant.parse(mine.json().get("created_at").asText())).isBefore(java.time.Instant.now().plusSeconds(1));

        Client other = client();
        String otherId = register(other, newEmail()).get("id").asText();
        Reply theirs = c.get("auth/users/" + otherId, s.auth());
        Reply unknown = c.get("auth/users/" + UUID.randomUUID(), s.auth());
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(theirs.body()).isEqualTo(unknown.body());
    }

    @Test
    void wrongPasswordAndUnknownEmailGiveTheSame401() {
        Client c = client();
        registerAndLogin(c);
        Reply wrong = c.postJson("auth/login", credentials(lastEmail, "not the right password"));
        Reply unknown = c.postJson("auth/login", credentials(newEmail(), "not the right password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(unknown.body());
        assertThat(wrong.headers("WWW-Authenticate")).isEqualTo(unknown.headers("WWW-Authenticate"));
        assertThat(wrong.headers("Content-Type")).isEqualTo(unknown.headers("Content-Type"));
    }
}
