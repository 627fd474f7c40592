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

package dev.gatehouse.demo.attack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.demo.support.LoopbackAddresses;
import dev.gatehouse.demo.support.RawHttp;
import dev.gatehouse.demo.support.WebClient;
import dev.gatehouse.demo.support.WebClient.Reply;
import dev.gatehouse.demo.support.WebClient.SetCookie;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mindrot.jbcrypt.BCrypt;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outside-in attacks on the web and account side of a running demo (docs/http-api.md), over real HTTP: the
 * three cookies and CSRF, content types and methods, account enumeration by answer and by time,
 * throttling against forged forwarding headers, password and email edge cases, SQL
 * metacharacters, and oversized or malformed requests. Each test is one group of attacks; after
 * each, the server must still be healthy ({@link #serverStaysHealthy()}).
 *
 * <p>Every {@link #client()} connects from a loopback address of its own
 * ({@link LoopbackAddresses}), so the per-client limit of 30 credential attempts a minute applies
 * per test client rather than to the whole suite, and the throttling tests can play many clients.
 * A subclass starts the demo with bcrypt cost {@value #BCRYPT_COST} on a fresh database: high
 * enough (about 15 ms a check here) that the timing comparisons can tell a skipped hash from the
 * noise of an HTTP round trip, low enough to keep the suite quick. It also lists
 * {@value #TRUSTED_PROXY} in {@code GATEHOUSE_TRUSTED_PROXIES}: {@link #viaProxy()} plays a
 * TLS-terminating reverse proxy there, which names any client, IPv4 or IPv6, in its forwarding
 * headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class WebAttackContract {
    public static final int BCRYPT_COST = 8;
    static final String PASSWORD = "plum-Kettle-4-orbit";
    static final String ACCESS = "__Host-access_token";
    static final String REFRESH = "__Secure-refresh_token";
    static final String CSRF = "__Host-csrf_token";
    /** The per-client limit of the demo (the library default): attempts a minute, burst of the same size. */
    static final int CLIENT_ATTEMPTS_PER_MINUTE = 30;
    /** Failed logins one client network gets on one account before it is slowed (the library default). */
    static final int ACCOUNT_CLIENT_BURST = 5;
    /** Then one more every so many seconds. */
    static final int ACCOUNT_CLIENT_INTERVAL_SECONDS = 300;
    /** Failed logins all clients together get on one account, the owner's devices aside (the library default). */
    static final int ACCOUNT_BURST = 50;
    /** Then one more every so many seconds (50 an hour). */
    static final int ACCOUNT_INTERVAL_SECONDS = 72;
    /** The reverse proxy the demo trusts ({@code GATEHOUSE_TRUSTED_PROXIES}): a loopback address no {@link #client()} has. */
    public static final String TRUSTED_PROXY = "127.30.0.1";
    /** The body limit of the auth endpoints (the library default, 16 KiB). */
    static final int MAX_BODY = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** Numbers the networks that {@link #newIpv4Client()} and {@link #newIpv6Slash56()} hand out. */
    private static final AtomicInteger NETWORKS = new AtomicInteger();

    /** The running demo's base URI, ending with {@code /}. */
    protected abstract URI base();

    /**
     * What this container answers to a request whose header section is about {@code bytes} long:
     * its own limit decides before the application sees anything. {@code -1}: it closes the
     * connection without an answer.
     */
    protected abstract int statusForHeaderSection(int bytes);

    /** The lines of the demo's log so far that contain {@code needle}. */
    protected abstract List<String> logLinesContaining(String needle);

    /**
     * How many {@code TransportSecurity} instances the demo has, each of which warns once about an
     * unlisted proxy: one on Grizzly (the JAX-RS feature), two in the WAR (the servlet filter's too).
     */
    protected abstract int transportSecurityInstances();

    record Account(String id, String email, String password) {
    }

    // ---- cookies ----

    @Test
    void cookieLoginAndRefreshSetThePrefixedCookiesWithStrictAttributes() {
        Account account = register(uniqueEmail("cookies"));
        WebClient browser = client();
        Reply login = browser.postJson("auth/login", credentials(account.email(), PASSWORD), "Auth-Transport", "cookie");
        assertThat(login.status()).as("%s", login).isEqualTo(200);
        assertTokenCookies(login);
        assertThat(login.body()).doesNotContain(login.setCookie(ACCESS).value, login.setCookie(REFRESH).value);
        String csrf = browser.cookie(CSRF);

        Reply refreshed = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
        assertThat(refreshed.status()).as("%s", refreshed).isEqualTo(200);
        assertTokenCookies(refreshed);
        assertThat(refreshed.setCookie(CSRF).value).as("the CSRF value is kept by refresh").isEqualTo(csrf);
        assertThat(refreshed.setCookie(ACCESS).value).isNotEqualTo(login.setCookie(ACCESS).value);
        assertThat(refreshed.setCookie(REFRESH).value).isNotEqualTo(login.setCookie(REFRESH).value);
        assertThat(browser.get("api/me").status()).isEqualTo(200);
    }

    @Test
    void logoutAndLogoutAllClearTheThreeCookiesWithTheSameAttributes() {
        Account account = register(uniqueEmail("clear"));
        for (String path : List.of("auth/logout", "auth/logout-all")) {
            WebClient browser = loginCookie(account);
            Reply out = browser.post(path, null, null, "X-CSRF-Token", browser.cookie(CSRF));
            assertThat(out.status()).as("%s", out).isEqualTo(204);
            assertThat(out.setCookies()).extracting(c -> c.name).containsExactlyInAnyOrder(ACCESS, REFRESH, CSRF);
            for (SetCookie cleared : out.setCookies()) {
                assertThat(cleared.value).as("%s", cleared).isEmpty();
                assertThat(cleared.attribute("Max-Age")).as("%s", cleared).hasValue("0");
                assertCookieAttributes(cleared);
            }
            assertThat(browser.cookieNames()).isEmpty();
            assertThat(browser.get("api/me").status()).isEqualTo(401);
        }
    }

    // ---- CSRF ----

    @Test
    void crossSiteStateChangesWithCookiesAre403AndChangeNothing() {
        Account account = register(uniqueEmail("csrf"));
        WebClient other = loginCookie(register(uniqueEmail("csrf-other")));
        String foreignCsrf = other.cookie(CSRF);
        int port = base().getPort();
        for (String path : List.of("auth/refresh", "auth/logout", "auth/logout-all")) {
            WebClient browser = loginCookie(account);
            String csrf = browser.cookie(CSRF);
            String own = browser.origin();
            Map<String, String[]> attacks = new LinkedHashMap<>();
            attacks.put("Sec-Fetch-Site: cross-site", new String[] {"X-CSRF-Token", csrf, "Sec-Fetch-Site", "cross-site"});
            attacks.put("cross-site with the own Origin", new String[] {"X-CSRF-Token", csrf, "Origin", own, "Sec-Fetch-Site", "cross-site"});
            attacks.put("foreign Origin", new String[] {"X-CSRF-Token", csrf, "Origin", "https://evil.example"});
            attacks.put("Origin on another port", new String[] {"X-CSRF-Token", csrf, "Origin", "http://127.0.0.1:" + (port == 65535 ? 1 : port + 1)});
            attacks.put("Origin with another scheme", new String[] {"X-CSRF-Token", csrf, "Origin", "https://127.0.0.1:" + port});
            attacks.put("Origin suffix trick", new String[] {"X-CSRF-Token", csrf, "Origin", "http://127.0.0.1:" + port + ".evil.example"});
            attacks.put("Origin: null", new String[] {"X-CSRF-Token", csrf, "Origin", "null"});
            attacks.put("no X-CSRF-Token", new String[] {});
            attacks.put("wrong X-CSRF-Token", new String[] {"X-CSRF-Token", csrf + "x"});
            attacks.put("empty X-CSRF-Token", new String[] {"X-CSRF-Token", ""});
            attacks.put("X-CSRF-Token of another session", new String[] {"X-CSRF-Token", foreignCsrf});
            for (Map.Entry<String, String[]> attack : attacks.entrySet()) {
                List<String> headers = new ArrayList<>(List.of(attack.getValue()));
                if (path.equals("auth/refresh")) {
                    headers.addAll(List.of("Auth-Transport", "cookie"));
                }
                Reply refused = browser.post(path, null, null, headers.toArray(String[]::new));
                assertThat(refused.status()).as("%s with %s: %s", path, attack.getKey(), refused).isEqualTo(403);
                assertProblem(refused, 403);
                assertThat(refused.setCookies()).as("%s with %s", path, attack.getKey()).isEmpty();
            }
            // nothing was spent or revoked: the session works and its refresh token is still good
            assertThat(browser.get("api/me").status()).as("after the attacks on %s", path).isEqualTo(200);
            Reply refresh = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf, "Origin", own);
            assertThat(refresh.status()).as("after the attacks on %s: %s", path, refresh).isEqualTo(200);
        }
    }

    @Test
    void sameOriginAndSameSiteStateChangesAreAccepted() {
        Account account = register(uniqueEmail("samesite"));
        WebClient browser = loginCookie(account);
        String csrf = browser.cookie(CSRF);
        for (String site : List.of("same-origin", "same-site", "none")) {
            Reply refresh = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf,
                    "Sec-Fetch-Site", site, "Origin", browser.origin());
            assertThat(refresh.status()).as("Sec-Fetch-Site: %s: %s", site, refresh).isEqualTo(200);
        }
        Reply logout = browser.post("auth/logout", null, null, "X-CSRF-Token", csrf, "Sec-Fetch-Site", "same-origin",
                "Origin", browser.origin());
        assertThat(logout.status()).as("%s", logout).isEqualTo(204);
        WebClient second = loginCookie(account);
        Reply all = second.post("auth/logout-all", null, null, "X-CSRF-Token", second.cookie(CSRF), "Sec-Fetch-Site", "same-site");
        assertThat(all.status()).as("%s", all).isEqualTo(204);
    }

    // ---- content types and methods ----

    @Test
    void formAndTextBodiesOnTheAuthEndpointsAre415AndDoNothing() {
        Account account = register(uniqueEmail("ctype"));
        String boundary = "----gatehouse" + UUID.randomUUID();
        Map<String, String> bodies = new LinkedHashMap<>();
        String victim = uniqueEmail("never");
        bodies.put("text/plain", credentials(victim, PASSWORD));
        bodies.put("application/x-www-form-urlencoded", "email=" + victim.replace("@", "%40") + "&password=" + PASSWORD);
        bodies.put("multipart/form-data; boundary=" + boundary, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n"
                + victim + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n" + PASSWORD + "\r\n--"
                + boundary + "--\r\n");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            String type = body.getKey();
            Reply register = client().post("auth/register", type, body.getValue());
            assertProblem(register, 415);
            Reply login = client().post("auth/login", type, body.getValue().replace(victim, account.email()));
            assertProblem(login, 415);
            assertThat(login.setCookies()).isEmpty();
            Reply cookieLogin = client().post("auth/login", type, credentials(account.email(), PASSWORD), "Auth-Transport", "cookie");
            assertProblem(cookieLogin, 415);
            assertThat(cookieLogin.setCookies()).isEmpty();

            JsonNode tokens = loginBearer(account);
            Reply bearerRefresh = client().post("auth/refresh", type, "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}");
            assertProblem(bearerRefresh, 415);
            Reply bearerLogout = client().post("auth/logout", type, "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}",
                    bearer(tokens));
            assertProblem(bearerLogout, 415);
            Reply bearerLogoutAll = client().post("auth/logout-all", type, "{}", bearer(tokens));
            assertProblem(bearerLogoutAll, 415);
            assertThat(client().get("api/me", bearer(tokens)).status()).as("%s: still signed in", type).isEqualTo(200);
            Reply spent = client().postJson("auth/refresh", "{\"refresh_token\":\"" + tokens.path("refresh_token").asText() + "\"}");
            assertThat(spent.status()).as("%s: the refresh token was not spent: %s", type, spent).isEqualTo(200);

            WebClient browser = loginCookie(account);
            String csrf = browser.cookie(CSRF);
            for (String path : List.of("auth/refresh", "auth/logout", "auth/logout-all")) {
                Reply refused = browser.post(path, type, body.getValue(), "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
                assertProblem(refused, 415);
                assertThat(refused.setCookies()).as("%s %s", path, type).isEmpty();
            }
            assertThat(browser.get("api/me").status()).as("%s: the cookie session is intact", type).isEqualTo(200);
        }
        Reply never = client().postJson("auth/login", credentials(victim, PASSWORD));
        assertThat(never.status()).as("nothing was registered: %s", never).isEqualTo(401);
    }

    @Test
    void otherMethodsOnTheStateChangingEndpointsAre405() {
        Account account = register(uniqueEmail("methods"));
        WebClient browser = loginCookie(account);
        String csrf = browser.cookie(CSRF);
        for (String path : List.of("auth/register", "auth/login", "auth/refresh", "auth/logout", "auth/logout-all")) {
            for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
                boolean body = !method.equals("GET") && !method.equals("DELETE");
                Reply reply = browser.request(method, path, body ? "application/json" : null,
                        body ? credentials(uniqueEmail("method"), PASSWORD) : null, "X-CSRF-Token", csrf, "Auth-Transport", "cookie");
                assertThat(reply.status()).as("%s %s: %s", method, path, reply).isEqualTo(405);
                assertThat(reply.header("Allow")).as("%s %s", method, path).contains("POST").doesNotContain(method);
                assertThat(reply.setCookies()).as("%s %s", method, path).isEmpty();
            }
        }
        assertThat(browser.cookieNames()).containsExactlyInAnyOrder(ACCESS, REFRESH, CSRF);
        assertThat(browser.get("api/me").status()).as("DELETE/PUT on logout did not log out").isEqualTo(200);
        Reply refresh = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
        assertThat(refresh.status()).as("%s", refresh).isEqualTo(200);
    }

    // ---- enumeration ----

    @Test
    void loginAnswersAnUnknownEmailAndAWrongPasswordIdentically() {
        Account account = register(uniqueEmail("enum"));
        for (String transport : List.of("bearer", "cookie")) {
            Reply wrong = client().postJson("auth/login", credentials(account.email(), PASSWORD + "?"), "Auth-Transport", transport);
            Reply unknown = client().postJson("auth/login", credentials(uniqueEmail("ghost"), PASSWORD), "Auth-Transport", transport);
            assertProblem(wrong, 401);
            assertThat(unknown.status()).isEqualTo(wrong.status());
            assertThat(unknown.body()).as(transport).isEqualTo(wrong.body());
            assertThat(headersWithoutDate(unknown)).as(transport).isEqualTo(headersWithoutDate(wrong));
            assertThat(wrong.setCookies()).isEmpty();
        }
    }

    @Test
    void loginTakesTheSameTimeForAnUnknownEmailAndAWrongPassword() {
        List<Account> known = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            known.add(register(uniqueEmail("timing")));
        }
        // 3 warm-ups and at most 3 rounds of 12: each known account gets at most 4 failures, never
        // a block (5 free failures)
        AtomicInteger n = new AtomicInteger();
        assertSameTime("login: unknown email vs wrong password", 12,
                () -> {
                    Reply r = client().postJson("auth/login", credentials(uniqueEmail("ghost"), PASSWORD));
                    assertThat(r.status()).as("%s", r).isEqualTo(401);
                },
                () -> {
                    Reply r = client().postJson("auth/login", credentials(known.get(n.getAndIncrement() % known.size()).email(), PASSWORD + "?"));
                    assertThat(r.status()).as("%s", r).isEqualTo(401);
                });
    }

    @Test
    void registrationRevealsAnAccountOnlyByA409ThatCostsWhatA201Costs() {
        Account account = register(uniqueEmail("dup"));
        String local = account.email().substring(0, account.email().indexOf('@'));
        List<String> spellings = List.of(account.email(), account.email().toUpperCase(Locale.ROOT), "  " + account.email() + " ",
                fullWidth(local) + "@example.org");
        JsonNode first = null;
        for (String spelling : spellings) {
            Reply duplicate = client().postJson("auth/register", credentials(spelling, PASSWORD + "-x"));
            assertProblem(duplicate, 409);
            if (first == null) {
                first = duplicate.json();
            }
            assertThat(duplicate.json()).as("the same problem whatever the spelling: %s", spelling).isEqualTo(first);
        }
        assertSameTime("registration: duplicate (409) vs fresh (201)", 12,
                () -> {
                    Reply r = client().postJson("auth/register", credentials(account.email().toUpperCase(Locale.ROOT), PASSWORD));
                    assertThat(r.status()).as("%s", r).isEqualTo(409);
                },
                () -> {
                    Reply r = client().postJson("auth/register", credentials(uniqueEmail("fresh"), PASSWORD));
                    assertThat(r.status()).as("%s", r).isEqualTo(201);
                });
    }

    // ---- throttling ----

    @Test
    void perClientLimitIgnoresForgedForwardingHeadersAndCoversRegistration() {
        // one client behind the trusted proxy, logins and registrations mixed, every request claiming
        // another address on the left of X-Forwarded-For and in headers nothing reads
        String realClient = newIpv4Client();
        WebClient attacker = viaProxy();
        List<Integer> statuses = new ArrayList<>();
        Reply throttled = null;
        String refusedEmail = null;
        long start = System.nanoTime();
        for (int i = 0; i < CLIENT_ATTEMPTS_PER_MINUTE + 6; i++) {
            String forged = "203.0." + (i / 200) + "." + (i % 200 + 1);
            String[] headers = {"X-Forwarded-For", forged + ", " + realClient, "X-Forwarded-Proto", "https", "X-Real-IP", forged,
                    "Forwarded", "for=" + forged, "True-Client-IP", forged};
            String email = uniqueEmail("spray");
            Reply r = i % 3 == 2 ? attacker.postJson("auth/register", credentials(email, PASSWORD), headers)
                    : attacker.postJson("auth/login", credentials(email, PASSWORD), headers);
            statuses.add(r.status());
            if (r.status() == 429) {
                throttled = throttled == null ? r : throttled;
                refusedEmail = i % 3 == 2 ? email : refusedEmail;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // a token bucket of 30 that gains one token every 2 s: whatever the machine's speed, no
        // more attempts get through than the burst plus what trickled in meanwhile
        long through = statuses.stream().filter(s -> s != 429).count();
        assertThat(through).as("attempts let through in %.1f s: %s", seconds, statuses)
                .isBetween((long) CLIENT_ATTEMPTS_PER_MINUTE, CLIENT_ATTEMPTS_PER_MINUTE + (long) (seconds / 2) + 1);
        assertThat(statuses.subList(0, CLIENT_ATTEMPTS_PER_MINUTE)).as("%s", statuses).containsOnly(401, 201);
        assertProblem(throttled, 429);
        assertThat(Integer.parseInt(throttled.header("Retry-After"))).isBetween(1, 60);
        assertThat(refusedEmail).as("a registration was throttled: %s", statuses).isNotNull();
        assertThat(client().postJson("auth/login", credentials(refusedEmail, PASSWORD)).status())
                .as("a throttled registration creates nothing").isEqualTo(401);
        // another client is not affected: the limit is per client, not global
        Account bystander = register(uniqueEmail("bystander"));
        assertThat(loginBearer(bystander).path("access_token").asText()).isNotEmpty();
        assertThat(viaProxy().postJson("auth/login", credentials(uniqueEmail("other"), PASSWORD), forwardedFor(newIpv4Client()))
                .status()).as("another client behind the same proxy").isEqualTo(401);
    }

    @Test
    void registrationProbingIsThrottledPerClient() {
        Account account = register(uniqueEmail("probed"));
        String realClient = newIpv4Client();
        WebClient prober = viaProxy();
        List<Integer> statuses = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < CLIENT_ATTEMPTS_PER_MINUTE + 3; i++) {
            statuses.add(prober.postJson("auth/register", credentials(account.email(), PASSWORD),
                    forwardedFor("192.0.2." + (i + 1) + ", " + realClient)).status());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int first429 = statuses.indexOf(429);
        assertThat(first429).as("statuses %s in %.1f s", statuses, seconds)
                .isBetween(CLIENT_ATTEMPTS_PER_MINUTE, CLIENT_ATTEMPTS_PER_MINUTE + (int) (seconds / 2) + 1);
        assertThat(statuses.subList(0, first429)).containsOnly(409);
        assertThat(statuses.get(statuses.size() - 1)).isEqualTo(429);
    }

    @Test
    void oneClientIsSlowedAfterFiveFailuresWhileTheOwnerAndCleanClientsStillGetIn() {
        Account account = register(uniqueEmail("slowed"));
        WebClient owner = client();
        assertThat(owner.postJson("auth/login", credentials(account.email(), PASSWORD)).status()).isEqualTo(200);
        WebClient attacker = client();
        for (int i = 0; i < ACCOUNT_CLIENT_BURST; i++) {
            Reply wrong = attacker.postJson("auth/login", credentials(account.email(), PASSWORD + i));
            assertThat(wrong.status()).as("failure %d: %s", i + 1, wrong).isEqualTo(401);
        }
        for (String transport : List.of("bearer", "cookie")) {
            Reply wrongWhileThrottled = attacker.postJson("auth/login", credentials(account.email(), PASSWORD + "!"),
                    "Auth-Transport", transport);
            assertProblem(wrongWhileThrottled, 429);
            assertThat(Integer.parseInt(wrongWhileThrottled.header("Retry-After")))
                    .as("one more every five minutes").isBetween(ACCOUNT_CLIENT_INTERVAL_SECONDS - 30, ACCOUNT_CLIENT_INTERVAL_SECONDS);
            Reply rightWhileThrottled = attacker.postJson("auth/login", credentials(account.email(), PASSWORD),
                    "Auth-Transport", transport);
            assertProblem(rightWhileThrottled, 429);
            assertThat(rightWhileThrottled.body()).as("a right password learns nothing while throttled")
                    .isEqualTo(wrongWhileThrottled.body());
            assertThat(rightWhileThrottled.setCookies()).isEmpty();
        }
        // the owner's device, and any client without failures of its own, are not locked out
        assertThat(owner.postJson("auth/login", credentials(account.email(), PASSWORD)).status()).as("the owner").isEqualTo(200);
        assertThat(loginBearer(account).path("access_token").asText()).as("a clean client").isNotEmpty();
        assertThat(loginCookie(account).cookieNames()).as("a clean browser").contains(ACCESS);
    }

    @Test
    void aDistributedGuesserMeetsTheAccountCeilingWhileTheOwnersDeviceStillGetsIn() {
        Account account = register(uniqueEmail("ceiling"));
        WebClient owner = client();
        assertThat(owner.postJson("auth/login", credentials(account.email(), PASSWORD)).status()).isEqualTo(200);

        List<Integer> statuses = new ArrayList<>();
        for (int n = 0; n < ACCOUNT_BURST / ACCOUNT_CLIENT_BURST; n++) {
            WebClient guesser = client();
            for (int i = 0; i < ACCOUNT_CLIENT_BURST; i++) {
                statuses.add(guesser.postJson("auth/login", credentials(account.email(), PASSWORD + n + "/" + i)).status());
            }
        }
        assertThat(statuses).as("%d clients, %d guesses each", ACCOUNT_BURST / ACCOUNT_CLIENT_BURST, ACCOUNT_CLIENT_BURST)
                .hasSize(ACCOUNT_BURST).containsOnly(401);

        Reply next = client().postJson("auth/login", credentials(account.email(), PASSWORD + "?"));
        assertProblem(next, 429);
        assertThat(Integer.parseInt(next.header("Retry-After"))).isBetween(1, ACCOUNT_INTERVAL_SECONDS);
        Reply newDevice = client().postJson("auth/login", credentials(account.email(), PASSWORD), "Auth-Transport", "cookie");
        assertProblem(newDevice, 429);
        assertThat(newDevice.setCookies()).as("the right password from a new device waits too").isEmpty();
        Reply ownDevice = owner.postJson("auth/login", credentials(account.email(), PASSWORD), "Auth-Transport", "cookie");
        assertThat(ownDevice.status()).as("the owner's device is exempt from the ceiling: %s", ownDevice).isEqualTo(200);
        assertThat(owner.cookieNames()).contains(ACCESS, REFRESH, CSRF);
        assertThat(owner.get("api/me").status()).isEqualTo(200);
    }

    @Test
    void concurrentWrongLoginsFromOneClientAreJudgedExactlyBurstTimes() throws Exception {
        Account account = register(uniqueEmail("parallel"));
        java.net.InetAddress one = LoopbackAddresses.next();
        int n = 20; // under the per-client limit of 30, so only the account's limit can answer 429
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Reply>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String transport = i % 2 == 0 ? "bearer" : "cookie";
                String password = PASSWORD + "-wrong-" + i;
                futures.add(pool.submit(() -> {
                    gate.await();
                    return new WebClient(base()).from(one).postJson("auth/login", credentials(account.email(), password),
                            "Auth-Transport", transport);
                }));
            }
            gate.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (java.util.concurrent.Future<Reply> f : futures) {
                Reply r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                statuses.add(r.status());
                if (r.status() == 429) {
                    assertProblem(r, 429);
                    assertThat(r.setCookies()).isEmpty();
                }
            }
            assertThat(statuses.stream().filter(s -> s == 401).count()).as("judged: %s", statuses).isEqualTo(ACCOUNT_CLIENT_BURST);
            assertThat(statuses.stream().filter(s -> s == 429).count()).as("throttled: %s", statuses)
                    .isEqualTo(n - ACCOUNT_CLIENT_BURST);
        } finally {
            pool.shutdownNow();
        }
        assertThat(new WebClient(base()).from(one).postJson("auth/login", credentials(account.email(), PASSWORD)).status())
                .as("the right password from that client, now").isEqualTo(429);
        assertThat(loginBearer(account).path("access_token").asText()).as("from another client").isNotEmpty();
    }

    @Test
    void ipv6ClientsShareOneBucketPerSlash64AndEachSlash56IsBoundedByItsOwn() {
        String slash56 = newIpv6Slash56();
        // the addresses of one /64, through X-Forwarded-For and through RFC 7239 Forwarded: one client
        List<Integer> oneSlash64 = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 1; i <= CLIENT_ATTEMPTS_PER_MINUTE + 3; i++) {
            String address = slash56 + "01:" + Integer.toHexString(i * 0x0101) + ":" + Integer.toHexString(i) + "::" + i;
            String[] headers = i % 2 == 0 ? forwardedFor(address)
                    : new String[] {"Forwarded", "for=\"[" + address + "]:" + (40000 + i) + "\";proto=https"};
            oneSlash64.add(viaProxy().postJson("auth/login", credentials(uniqueEmail("v6"), PASSWORD), headers).status());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long through = oneSlash64.stream().filter(s -> s == 401).count();
        assertThat(through).as("one /64 in %.1f s: %s", seconds, oneSlash64)
                .isBetween((long) CLIENT_ATTEMPTS_PER_MINUTE, CLIENT_ATTEMPTS_PER_MINUTE + (long) (seconds / 2) + 1);
        assertThat(oneSlash64.get(oneSlash64.size() - 1)).isEqualTo(429);

        // every other /64 of the /56 is a client of its own, but together they get four times one
        // client's budget (120 a minute), of which the first /64 took its share
        int wideBudget = 4 * CLIENT_ATTEMPTS_PER_MINUTE;
        List<Integer> otherSlash64s = new ArrayList<>();
        start = System.nanoTime();
        for (int net = 2; net <= 2 + wideBudget; net++) {
            String address = slash56 + Integer.toHexString(net) + "::1";
            otherSlash64s.add(viaProxy().postJson("auth/login", credentials(uniqueEmail("v6"), PASSWORD), forwardedFor(address)).status());
        }
        seconds = (System.nanoTime() - start) / 1e9 + seconds;
        long otherThrough = otherSlash64s.stream().filter(s -> s == 401).count();
        assertThat(through + otherThrough).as("the whole /56 in %.1f s", seconds)
                .isBetween((long) wideBudget, wideBudget + (long) (seconds * 2) + 1);
        assertThat(otherSlash64s.get(otherSlash64s.size() - 1)).isEqualTo(429);
        // another /56 is not affected, nor an IPv4 client behind the same proxy
        assertThat(viaProxy().postJson("auth/login", credentials(uniqueEmail("v6"), PASSWORD), forwardedFor(newIpv6Slash56() + "1::1"))
                .status()).isEqualTo(401);
        assertThat(viaProxy().postJson("auth/login", credentials(uniqueEmail("v4"), PASSWORD), forwardedFor(newIpv4Client()))
                .status()).isEqualTo(401);
    }

    @Test
    void anIpv4MappedIpv6AddressIsTheIpv4Client() {
        String v4 = newIpv4Client();
        WebClient proxy = viaProxy();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < CLIENT_ATTEMPTS_PER_MINUTE + 2; i++) {
            String spelling = i % 2 == 0 ? v4 : "::ffff:" + v4;
            statuses.add(proxy.postJson("auth/login", credentials(uniqueEmail("mapped"), PASSWORD), forwardedFor(spelling)).status());
        }
        assertThat(statuses.subList(0, CLIENT_ATTEMPTS_PER_MINUTE)).containsOnly(401);
        assertThat(statuses.get(statuses.size() - 1)).as("%s", statuses).isEqualTo(429);
    }

    // ---- a reverse proxy on the same host that is not a trusted proxy ----

    @Test
    void aLoopbackPeerThatForwardsWithoutBeingTrustedIsRefusedCredentialsInBothTransports() {
        Account account = register(uniqueEmail("unlisted"));
        JsonNode tokens = loginBearer(account);
        WebClient browser = loginCookie(account);
        String csrf = browser.cookie(CSRF);
        String marker = "198.51.100." + (SEQUENCE.incrementAndGet() % 200 + 1);
        String[][] forwarding = {{"X-Forwarded-For", marker}, {"X-Forwarded-Proto", "https"},
                {"X-Forwarded-Host", "marker-host.example"}, {"Forwarded", "for=" + marker + ";proto=https"}};
        for (String[] header : forwarding) {
            WebClient unlisted = client(); // a loopback address that is not GATEHOUSE_TRUSTED_PROXIES
            String fresh = uniqueEmail("never");
            Reply register = unlisted.postJson("auth/register", credentials(fresh, PASSWORD), header);
            assertHttpsRequired(register, header[0]);
            Reply bearerLogin = unlisted.postJson("auth/login", credentials(account.email(), PASSWORD), header);
            assertHttpsRequired(bearerLogin, header[0]);
            Reply cookieLogin = unlisted.postJson("auth/login", credentials(account.email(), PASSWORD),
                    header[0], header[1], "Auth-Transport", "cookie");
            assertHttpsRequired(cookieLogin, header[0]);
            assertThat(cookieLogin.setCookies()).isEmpty();
            assertHttpsRequired(unlisted.get("api/me", header[0], header[1], bearer(tokens)[0], bearer(tokens)[1]), header[0]);
            assertHttpsRequired(browser.get("api/me", header), header[0]);
            assertHttpsRequired(browser.post("auth/refresh", null, null, header[0], header[1], "Auth-Transport", "cookie",
                    "X-CSRF-Token", csrf), header[0]);
            assertThat(unlisted.get("api/ping", header).status()).as("public resources still answer").isEqualTo(200);
            assertThat(client().postJson("auth/login", credentials(fresh, PASSWORD)).status())
                    .as("the refused registration created nothing").isEqualTo(401);
        }
        // without forwarding headers the same loopback clients keep their exemption; nothing was spent
        assertThat(client().get("api/me", bearer(tokens)).status()).isEqualTo(200);
        assertThat(browser.get("api/me").status()).isEqualTo(200);
        Reply refresh = browser.post("auth/refresh", null, null, "Auth-Transport", "cookie", "X-CSRF-Token", csrf);
        assertThat(refresh.status()).as("%s", refresh).isEqualTo(200);

        // one warning per TransportSecurity, naming the setting to fix and no header value
        List<String> warnings = logLinesContaining("must be listed as one");
        assertThat(warnings).as("warnings").hasSizeBetween(1, transportSecurityInstances());
        assertThat(warnings).allSatisfy(line -> assertThat(line)
                .contains("GATEHOUSE_TRUSTED_PROXIES", "trusted-proxies", "trustedProxies")
                .doesNotContain(marker, "marker-host"));
    }

    private static void assertHttpsRequired(Reply reply, String header) {
        assertProblem(reply, 403);
        assertThat(reply.json().path("type").asText()).as("with %s: %s", header, reply).isEqualTo("urn:gatehouse:problem:https-required");
        assertThat(reply.header("WWW-Authenticate")).as("with %s", header).isNull();
    }

    // ---- passwords ----

    @Test
    void passwordsSharingTheirFirst72BytesAreDifferentPasswords() {
        String ascii72 = "Tr0ub4dor&3-" + "a".repeat(60);
        String euro72 = "\u20ac".repeat(24); // 24 x 3 bytes
        for (String prefix : List.of(ascii72, euro72)) {
            assertThat(prefix.getBytes(StandardCharsets.UTF_8)).hasSize(72);
            Account account = register(uniqueEmail("bcrypt"), prefix + "-first");
            for (String other : List.of(prefix + "-second", prefix, prefix + "-firsT")) {
                Reply r = client().postJson("auth/login", credentials(account.email(), other));
                assertThat(r.status()).as("%s: %s", other, r).isEqualTo(401);
            }
            assertThat(loginBearer(account).path("access_token").asText()).isNotEmpty();
        }
    }

    @Test
    void nulBytesInPasswordsAreRefusedAtRegistrationAndNeverTruncateAtLogin() {
        Reply refused = client().postJson("auth/register", credentials(uniqueEmail("nul"), "correct-horse\u0000battery"));
        assertFieldErrors(refused, "password");
        Account account = register(uniqueEmail("nul-login"));
        for (String attempt : List.of(PASSWORD + "\u0000anything", PASSWORD.substring(0, 8) + "\u0000" + PASSWORD.substring(8),
                "\u0000" + PASSWORD)) {
            Reply r = client().postJson("auth/login", credentials(account.email(), attempt));
            assertThat(r.status()).as("%s: %s", attempt, r).isEqualTo(401);
        }
        assertThat(loginBearer(account).path("access_token").asText()).isNotEmpty();
    }

    // ---- emails ----

    @Test
    void lookAlikeEmailsNeverBecomeASecondAccountNorTakeOneOver() {
        String tag = Integer.toHexString(SEQUENCE.incrementAndGet()) + UUID.randomUUID().toString().substring(0, 6).replaceAll("[^0-9]", "7");
        Account kiss = register("kiss-" + tag + "@example.org");
        Account jose = register("jos\u00e9-" + tag + "@example.org");
        Map<String, Account> lookAlikes = new LinkedHashMap<>();
        lookAlikes.put("\u212aiss-" + tag + "@example.org", kiss);              // KELVIN SIGN
        lookAlikes.put("ki\u017f\u017f-" + tag + "@example.org", kiss);          // long s
        lookAlikes.put("k\u0131ss-" + tag + "@example.org", kiss);                // dotless i
        lookAlikes.put(fullWidth("kiss-" + tag) + "\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff4f\uff52\uff47", kiss); // full width
        lookAlikes.put("KISS-" + tag.toUpperCase(Locale.ROOT) + "@EXAMPLE.ORG", kiss);
        lookAlikes.put(" kiss-" + tag + "@example.org\t", kiss);
        lookAlikes.put("jose\u0301-" + tag + "@example.org", jose);              // combining acute
        lookAlikes.put("JOSE\u0301-" + tag + "@example.org", jose);
        String attackerPassword = "attacker-Owns-7-this";
        for (Map.Entry<String, Account> lookAlike : lookAlikes.entrySet()) {
            String spelling = lookAlike.getKey();
            Account victim = lookAlike.getValue();
            Reply register = client().postJson("auth/register", JSON.createObjectNode().put("email", spelling)
                    .put("password", attackerPassword).toString());
            assertProblem(register, 409);
            Reply attacker = client().postJson("auth/login", JSON.createObjectNode().put("email", spelling)
                    .put("password", attackerPassword).toString());
            assertThat(attacker.status()).as("the attacker's password on %s: %s", spelling, attacker).isEqualTo(401);
            // the spelling is the same account, and only its own password opens it
            Reply owner = client().postJson("auth/login", JSON.createObjectNode().put("email", spelling).put("password", PASSWORD).toString());
            assertThat(owner.status()).as("%s", owner).isEqualTo(200);
            assertThat(subject(owner.json())).isEqualTo(victim.id());
        }
        for (String invalid : List.of("kiss-" + tag + "@example.org\u0000", "kiss-" + tag + "\u0000@example.org",
                "ki\u200bss-" + tag + "@example.org", "kiss-" + tag + "@example.org\u0000.evil.example")) {
            Reply register = client().postJson("auth/register", JSON.createObjectNode().put("email", invalid)
                    .put("password", attackerPassword).toString());
            assertFieldErrors(register, "email");
        }
        // a dotted capital I folds to i + COMBINING DOT ABOVE: another address, so another account,
        // never the first one (Unicode confusables are not folded: see docs/security.md)
        Reply dotted = client().postJson("auth/register", JSON.createObjectNode().put("email", "k\u0130ss-" + tag + "@example.org")
                .put("password", attackerPassword).toString());
        assertThat(dotted.status()).as("%s", dotted).isIn(201, 409);
        if (dotted.status() == 201) {
            assertThat(dotted.json().path("email").asText()).isNotEqualTo(kiss.email());
            assertThat(dotted.json().path("id").asText()).isNotEqualTo(kiss.id());
            Reply dottedLogin = client().postJson("auth/login", JSON.createObjectNode().put("email", "k\u0130ss-" + tag + "@example.org")
                    .put("password", PASSWORD).toString());
            assertThat(dottedLogin.status()).as("the victim's password does not open the look-alike: %s", dottedLogin).isEqualTo(401);
        }
    }

    @Test
    void sqlMetacharactersInEveryFieldAreJustCharacters() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Account obrien = register("o'brien-" + tag + "@example.org");
        assertThat(obrien.email()).isEqualTo("o'brien-" + tag + "@example.org");
        JsonNode tokens = loginBearer(obrien);
        assertThat(client().get("api/me", bearer(tokens)).json().path("email").asText()).isEqualTo(obrien.email());

        for (String email : List.of("x'--" + tag + "@example.org", "x'or'1'='1-" + tag + "@example.org", "%_" + tag + "@example.org",
                "x'`" + tag + "@example.org", "a'/**/union/**/select-" + tag + "@example.org")) {
            String password = "p' OR '1'='1; --" + tag;
            Account account = register(email, password);
            assertThat(account.email()).isEqualTo(email.toLowerCase(Locale.ROOT));
            assertThat(loginBearer(account).path("access_token").asText()).isNotEmpty();
        }
        // wildcards and always-true conditions match nothing else
        for (String probe : List.of("%@example.org", "%_%@example.org", "o'brien-%@example.org", "' OR '1'='1", "x' OR 1=1 --@example.org")) {
            Reply r = client().postJson("auth/login", JSON.createObjectNode().put("email", probe).put("password", PASSWORD).toString());
            assertThat(r.status()).as("%s: %s", probe, r).isEqualTo(401);
        }
        Reply semicolon = client().postJson("auth/register", credentials("x;drop-table-" + tag + "@example.org", PASSWORD));
        assertFieldErrors(semicolon, "email");
        // SQL in JSON keys is an unknown field: ignored, never bound
        String keys = JSON.createObjectNode().put("email", "keys-" + tag + "@example.org").put("password", PASSWORD)
                .put("'; DROP TABLE gh_users; --", "x").put("email' OR '1'='1", "y").put("roles", "admin").toString();
        Reply created = client().postJson("auth/register", keys);
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        JsonNode me = client().get("api/me", bearer(loginBearer(new Account(created.json().path("id").asText(),
                "keys-" + tag + "@example.org", PASSWORD)))).json();
        assertThat(me.path("roles").toString()).isEqualTo("[\"user\"]");
    }

    // ---- oversized and malformed requests ----

    @Test
    void tenMegabyteBodiesAre413QuicklyWithoutBeingRead() {
        for (String path : List.of("auth/register", "auth/login", "auth/refresh", "auth/logout")) {
            URI target = base().resolve(path);
            long tenMb = 10L * 1024 * 1024;
            // announced but never sent: the answer cannot depend on reading it
            RawHttp.Response announced = RawHttp.exchange(LoopbackAddresses.next(), target,
                    RawHttp.head("POST", target, "Content-Type", "application/json", "Content-Length", String.valueOf(tenMb)),
                    Duration.ofSeconds(10));
            assertThat(announced.status).as("%s announced: %s", path, announced).isEqualTo(413);
            assertThat(announced.header("Content-Type")).startsWith("application/problem+json");
            assertThat(announced.elapsed).as("%s", path).isLessThan(Duration.ofSeconds(3));
            if (path.equals("auth/refresh") || path.equals("auth/logout")) {
                continue; // the same reader as login: sending 10 MB twice more proves nothing new
            }
            // sent, with a length and chunked: refused at the limit, the connection handled
            RawHttp.Response sent = RawHttp.exchange(LoopbackAddresses.next(), target,
                    RawHttp.head("POST", target, "Content-Type", "application/json", "Content-Length", String.valueOf(tenMb)),
                    tenMb, false, Duration.ofSeconds(20));
            assertThat(sent.status).as("%s sent: %s", path, sent).isEqualTo(413);
            RawHttp.Response chunked = RawHttp.exchange(LoopbackAddresses.next(), target,
                    RawHttp.head("POST", target, "Content-Type", "application/json", "Transfer-Encoding", "chunked"),
                    tenMb, true, Duration.ofSeconds(20));
            assertThat(chunked.status).as("%s chunked: %s", path, chunked).isEqualTo(413);
            assertThat(chunked.elapsed).as("%s", path).isLessThan(Duration.ofSeconds(5));
        }
        // one byte over the limit is over it
        Reply over = client().postJson("auth/login", "{\"email\":\"" + "a".repeat(MAX_BODY) + "\"}");
        assertProblem(over, 413);
    }

    @Test
    void oversizedHeadersGetTheContainersAnswerAndLeaveItHealthy() {
        for (int size : List.of(16 * 1024, 64 * 1024, 256 * 1024)) {
            for (String path : List.of("api/ping", "auth/login")) {
                URI target = base().resolve(path);
                RawHttp.Response one = RawHttp.exchange(LoopbackAddresses.next(), target,
                        RawHttp.head("GET", target, "X-Padding", "p".repeat(size)), Duration.ofSeconds(10));
                assertThat(one.status).as("one %d-byte header on %s: %s", size, path, one).isEqualTo(statusForHeaderSection(size));
                RawHttp.Response cookie = RawHttp.exchange(LoopbackAddresses.next(), target,
                        RawHttp.head("GET", target, "Cookie", CSRF + "=" + "c".repeat(size)), Duration.ofSeconds(10));
                assertThat(cookie.status).as("a %d-byte cookie on %s: %s", size, path, cookie).isEqualTo(statusForHeaderSection(size));
                String[] many = new String[2 * (size / 64)];
                for (int i = 0; i < many.length; i += 2) {
                    many[i] = "X-Many-" + i;
                    many[i + 1] = "m".repeat(50);
                }
                RawHttp.Response manyHeaders = RawHttp.exchange(LoopbackAddresses.next(), target, RawHttp.head("GET", target, many),
                        Duration.ofSeconds(10));
                assertThat(manyHeaders.status).as("%d headers on %s: %s", many.length / 2, path, manyHeaders)
                        .isEqualTo(statusForHeaderSection(size));
            }
        }
    }

    @Test
    void malformedRequestsAre400() {
        URI login = base().resolve("auth/login");
        String body = credentials(uniqueEmail("smuggle"), PASSWORD);
        Map<String, byte[]> requests = new LinkedHashMap<>();
        requests.put("invalid Content-Length", RawHttp.concat(RawHttp.head("POST", login, "Content-Type", "application/json",
                "Content-Length", "12abc"), RawHttp.utf8(body)));
        requests.put("two different Content-Lengths", RawHttp.concat(RawHttp.head("POST", login, "Content-Type", "application/json",
                "Content-Length", String.valueOf(body.length()), "Content-Length", "5"), RawHttp.utf8(body)));
        requests.put("no Host", RawHttp.utf8("GET " + base().getRawPath() + "api/ping HTTP/1.1\r\nConnection: close\r\n\r\n"));
        for (Map.Entry<String, byte[]> request : requests.entrySet()) {
            RawHttp.Response r = RawHttp.exchange(LoopbackAddresses.next(), login, request.getValue(), Duration.ofSeconds(10));
            assertThat(r.status).as("%s: %s", request.getKey(), r).isEqualTo(400);
        }
    }

    @Test
    void hostileJsonIs400AndNeverAServerError() {
        assertProblem(client().postJson("auth/login", "[".repeat(MAX_BODY - 100)), 400);
        assertProblem(client().postJson("auth/register", "{\"email\":" + "[".repeat(5000) + "}"), 400);
        assertProblem(client().postJson("auth/login", "{\"a\":".repeat(2000) + "1" + "}".repeat(2000)), 400);
        assertProblem(client().postJson("auth/login", "[".repeat(100_000)), 413);
        String victim = register(uniqueEmail("dupkey")).email();
        Reply duplicateKeys = client().postJson("auth/login", "{\"email\":\"" + uniqueEmail("ghost") + "\",\"password\":\"" + PASSWORD
                + "\",\"email\":\"" + victim + "\"}");
        assertProblem(duplicateKeys, 400);
        assertProblem(client().postJson("auth/login", credentials(victim, PASSWORD) + "{}"), 400);
        assertProblem(client().postJson("auth/login", credentials(victim, PASSWORD) + "garbage"), 400);

        assertFieldErrors(client().postJson("auth/register", "{\"email\":1e999999,\"password\":\"" + PASSWORD + "\"}"), "email");
        assertProblem(client().postJson("auth/register", "{\"email\":" + "9".repeat(5000) + ",\"password\":\"" + PASSWORD + "\"}"), 400);
        assertFieldErrors(client().postJson("auth/register", "{\"email\":42,\"password\":true}"), "email", "password");
        assertFieldErrors(client().postJson("auth/register", "{\"email\":[\"a@b.example\"],\"password\":{\"p\":1}}"), "email", "password");
        assertFieldErrors(client().postJson("auth/login", "{\"email\":\"" + victim + "\",\"password\":[\"" + PASSWORD + "\"]}"), "password");
        assertFieldErrors(client().postJson("auth/refresh", "{\"refresh_token\":12345}"), "refresh_token");
        assertFieldErrors(client().postJson("auth/register", "{\"email\\u0000\":\"" + uniqueEmail("nulkey") + "\",\"password\":\""
                + PASSWORD + "\"}"), "email");
    }

    @Test
    void bodiesMustBeUtf8() {
        Account account = register(uniqueEmail("utf8"));
        URI login = base().resolve("auth/login");
        byte[] json = RawHttp.utf8(credentials(account.email(), PASSWORD));
        // invalid UTF-8 inside the password
        byte[] invalid = RawHttp.utf8(credentials(account.email(), "plum-Kettle-\u00ff-orbit"));
        for (int i = 0; i < invalid.length - 1; i++) {
            if ((invalid[i] & 0xff) == 0xc3 && (invalid[i + 1] & 0xff) == 0xbf) {
                invalid[i + 1] = '(';
            }
        }
        assertThat(post(login, "application/json", invalid).status).isEqualTo(400);
        byte[] overlongNul = RawHttp.concat(RawHttp.utf8("{\"email\":\"" + account.email() + "\",\"password\":\"" + PASSWORD),
                new byte[] {(byte) 0xc0, (byte) 0x80}, RawHttp.utf8("\"}"));
        assertThat(post(login, "application/json", overlongNul).status).as("an overlong NUL").isEqualTo(400);
        byte[] surrogate = RawHttp.concat(RawHttp.utf8("{\"email\":\"" + account.email() + "\",\"password\":\"" + PASSWORD),
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, RawHttp.utf8("\"}"));
        assertThat(post(login, "application/json", surrogate).status).as("an encoded surrogate").isEqualTo(400);
        // UTF-16 and UTF-32 are not UTF-8, whether the charset says so or not
        assertThat(post(login, "application/json", credentials(account.email(), PASSWORD).getBytes(StandardCharsets.UTF_16LE)).status)
                .isEqualTo(400);
        assertThat(post(login, "application/json", credentials(account.email(), PASSWORD).getBytes(StandardCharsets.UTF_16BE)).status)
                .isEqualTo(400);
        assertThat(post(login, "application/json", credentials(account.email(), PASSWORD).getBytes(StandardCharsets.UTF_16)).status)
                .as("UTF-16 with its byte order mark").isEqualTo(400);
        assertThat(post(login, "application/json; charset=utf-16", credentials(account.email(), PASSWORD)
                .getBytes(StandardCharsets.UTF_16)).status).isEqualTo(415);
        // a UTF-8 byte order mark may be ignored (RFC 8259 §8.1): the body means what it says
        RawHttp.Response bom = post(login, "application/json", RawHttp.concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, json));
        assertThat(bom.status).as("%s", bom).isEqualTo(200);
        assertThat(post(login, "application/json; charset=UTF-8", json).status).isEqualTo(200);
    }

    // ---- after each group ----

    /** Ping answers, and a fresh account can register, log in and see itself. */
    @AfterEach
    void serverStaysHealthy() {
        Reply ping = client().get("api/ping");
        assertThat(ping.status()).as("ping after the attack: %s", ping).isEqualTo(200);
        Account account = register(uniqueEmail("healthy"));
        JsonNode tokens = loginBearer(account);
        Reply me = client().get("api/me", bearer(tokens));
        assertThat(me.status()).as("%s", me).isEqualTo(200);
        assertThat(me.json().path("email").asText()).isEqualTo(account.email());
    }

    // ---- helpers ----

    /** A client of its own: a fresh loopback address, an empty cookie jar. */
    protected WebClient client() {
        return new WebClient(base()).from(LoopbackAddresses.next());
    }

    /** The trusted reverse proxy: requests from {@value #TRUSTED_PROXY}, whose forwarding headers the demo believes. */
    protected WebClient viaProxy() {
        try {
            return new WebClient(base()).from(java.net.InetAddress.getByName(TRUSTED_PROXY));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The headers of a TLS-terminating proxy forwarding for {@code client} (the rightmost hop is what it saw). */
    static String[] forwardedFor(String client) {
        return new String[] {"X-Forwarded-For", client, "X-Forwarded-Proto", "https"};
    }

    /** An IPv4 client address no other call in this JVM has returned (198.18.0.0/15, for benchmarks). */
    static String newIpv4Client() {
        int n = NETWORKS.incrementAndGet();
        return "198." + (18 + n / 62500) + "." + (n / 250 % 250) + "." + (n % 250 + 1);
    }

    /**
     * The start of an IPv6 /56 no other call in this JVM has returned, {@code 2001:db8:<n>:}: append a
     * fourth group below {@code 100} (hex; it picks the /64 inside the /56) and the rest.
     */
    static String newIpv6Slash56() {
        int n = NETWORKS.incrementAndGet();
        return "2001:db8:" + Integer.toHexString(n) + ":";
    }

    Account register(String email) {
        return register(email, PASSWORD);
    }

    Account register(String email, String password) {
        Reply created = client().postJson("auth/register", JSON.createObjectNode().put("email", email).put("password", password).toString());
        assertThat(created.status()).as("register %s: %s", email, created).isEqualTo(201);
        return new Account(created.json().path("id").asText(), created.json().path("email").asText(), password);
    }

    JsonNode loginBearer(Account account) {
        Reply login = client().postJson("auth/login", JSON.createObjectNode().put("email", account.email())
                .put("password", account.password()).toString());
        assertThat(login.status()).as("login %s: %s", account.email(), login).isEqualTo(200);
        return login.json();
    }

    WebClient loginCookie(Account account) {
        WebClient browser = client();
        Reply login = browser.postJson("auth/login", JSON.createObjectNode().put("email", account.email())
                .put("password", account.password()).toString(), "Auth-Transport", "cookie");
        assertThat(login.status()).as("login %s: %s", account.email(), login).isEqualTo(200);
        assertThat(browser.cookieNames()).containsExactlyInAnyOrder(ACCESS, REFRESH, CSRF);
        return browser;
    }

    private RawHttp.Response post(URI target, String contentType, byte[] body) {
        return RawHttp.exchange(LoopbackAddresses.next(), target, RawHttp.concat(RawHttp.head("POST", target, "Content-Type", contentType,
                "Content-Length", String.valueOf(body.length)), body), Duration.ofSeconds(10));
    }

    /** Attributes every Gatehouse cookie has, and what its name's prefix demands (RFC 6265bis §4.1.3). */
    private void assertCookieAttributes(SetCookie cookie) {
        assertThat(cookie.has("Secure")).as("%s", cookie).isTrue();
        assertThat(cookie.attribute("SameSite")).as("%s", cookie).hasValue("Strict");
        assertThat(cookie.has("Domain")).as("%s", cookie).isFalse();
        assertThat(cookie.has("HttpOnly")).as("%s", cookie).isEqualTo(!cookie.name.equals(CSRF));
        if (cookie.name.startsWith("__Host-")) {
            assertThat(cookie.attribute("Path")).as("%s", cookie).hasValue("/");
        } else {
            assertThat(cookie.name).startsWith("__Secure-");
            assertThat(cookie.attribute("Path")).as("%s", cookie).hasValue(base().getRawPath() + "auth");
        }
    }

    private void assertTokenCookies(Reply reply) {
        assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
        assertThat(reply.setCookies()).extracting(c -> c.name).containsExactlyInAnyOrder(ACCESS, REFRESH, CSRF);
        JsonNode body = reply.json();
        assertThat(fieldNames(body)).containsExactlyInAnyOrder("token_type", "expires_in", "refresh_expires_in");
        for (SetCookie cookie : reply.setCookies()) {
            assertCookieAttributes(cookie);
            assertThat(cookie.value).as("%s", cookie).isNotEmpty();
        }
        assertThat(reply.setCookie(ACCESS).attribute("Max-Age")).hasValue(body.path("expires_in").asText());
        assertThat(body.path("expires_in").asLong()).isBetween(290L, 300L);
        assertThat(reply.setCookie(REFRESH).attribute("Max-Age")).hasValue(body.path("refresh_expires_in").asText());
        assertThat(body.path("refresh_expires_in").asLong()).isBetween(Duration.ofDays(14).toSeconds() - 10, Duration.ofDays(14).toSeconds());
        long csrfAge = Long.parseLong(reply.setCookie(CSRF).attribute("Max-Age").orElseThrow());
        assertThat(csrfAge).as("the CSRF cookie lives as long as the refresh cookie").isEqualTo(body.path("refresh_expires_in").asLong());
    }

    /**
     * Runs {@code samples} pairs of the two sides back to back (alternating which goes first) and
     * takes the median of the paired differences, which cancels the machine's drift: it must be
     * under half of one bcrypt check at the demo's cost (measured here, now), in one of three
     * rounds. A side that skipped the hash would be a whole check faster in every round. When every
     * failing round was too spread out to resolve half a hash (a machine busy with other work),
     * the test is reported as aborted rather than failed, as jaxrs' LoginTimingTest does.
     */
    static void assertSameTime(String what, int samples, Runnable a, Runnable b) {
        for (int i = 0; i < 3; i++) {
            a.run();
            b.run();
        }
        List<String> reports = new ArrayList<>();
        boolean decisive = false;
        for (int round = 1; round <= 3; round++) {
            List<Long> differences = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                long ta;
                long tb;
                if (i % 2 == 0) {
                    ta = time(a);
                    tb = time(b);
                } else {
                    tb = time(b);
                    ta = time(a);
                }
                differences.add(ta - tb);
            }
            long hash = oneHashNanos();
            long difference = median(differences);
            long spread = iqr(differences);
            boolean noisy = spread > hash;
            String report = String.format("%s, round %d: median paired difference %.2f ms, spread (IQR) %.2f ms, one hash %.2f ms%s",
                    what, round, difference / 1e6, spread / 1e6, hash / 1e6, noisy ? " (too noisy to decide)" : "");
            System.out.println("[attack] " + report);
            reports.add(report);
            if (Math.abs(difference) < hash / 2) {
                return;
            }
            decisive |= !noisy;
        }
        if (!decisive) {
            Assumptions.abort("the machine is too busy to resolve half a bcrypt check: " + reports);
        }
        throw new AssertionError("the two sides differ by half a bcrypt check or more in every round: " + reports);
    }

    private static long iqr(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() * 3 / 4) - sorted.get(sorted.size() / 4);
    }

    private static long time(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return System.nanoTime() - start;
    }

    private static long oneHashNanos() {
        String hash = BCrypt.hashpw("a password to check", BCrypt.gensalt(BCRYPT_COST));
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            times.add(time(() -> BCrypt.checkpw("a password to check", hash)));
        }
        return median(times);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static void assertProblem(Reply reply, int status) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(status);
        assertThat(reply.contentType()).as("%s", reply).startsWith("application/problem+json");
        JsonNode problem = reply.json();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(reply.body()).doesNotContain("Exception", "\tat ", "at dev.gatehouse");
    }

    static void assertFieldErrors(Reply reply, String... fields) {
        assertProblem(reply, 400);
        assertThat(reply.json().path("errors").findValuesAsText("field")).as("%s", reply).containsExactlyInAnyOrder(fields);
    }

    static Map<String, List<String>> headersWithoutDate(Reply reply) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(reply.response.headers().map());
        headers.remove("Date");
        return headers;
    }

    static String uniqueEmail(String what) {
        return what + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.org";
    }

    static String credentials(String email, String password) {
        return JSON.createObjectNode().put("email", email).put("password", password).toString();
    }

    static String[] bearer(JsonNode tokens) {
        return new String[] {"Authorization", "Bearer " + tokens.path("access_token").asText()};
    }

    private static String subject(JsonNode tokens) {
        String payload = tokens.path("access_token").asText().split("\\.")[1];
        try {
            return JSON.readTree(java.util.Base64.getUrlDecoder().decode(payload)).path("sub").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** ASCII letters, digits and '-' in their full-width forms (U+FF01 to U+FF5E). */
    private static String fullWidth(String ascii) {
        StringBuilder b = new StringBuilder();
        for (char c : ascii.toCharArray()) {
            b.append(c > 0x20 && c < 0x7f ? (char) (c - 0x21 + 0xff01) : c);
        }
        return b.toString();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
