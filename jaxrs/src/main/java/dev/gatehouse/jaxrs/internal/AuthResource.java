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

package dev.gatehouse.jaxrs.internal;

import dev.gatehouse.web.WebSettings;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.web.Challenge;
import dev.gatehouse.token.GatehouseException;
import dev.gatehouse.web.Problem;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.web.TokenLocator;
import dev.gatehouse.web.Transport;
import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.ClientInfo;
import dev.gatehouse.auth.InvalidCredentialsException;
import dev.gatehouse.auth.LoginResult;
import dev.gatehouse.auth.Registration;
import dev.gatehouse.auth.ValidationException;
import dev.gatehouse.auth.store.DuplicateEmailException;
import dev.gatehouse.auth.TokenPair;
import dev.gatehouse.auth.store.User;
import dev.gatehouse.jaxrs.Authenticated;
import dev.gatehouse.jaxrs.GatehouseFeature;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.net.URI;
import java.security.SecureRandom;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The onboarding endpoints of the HTTP contract under {@code /auth}. Every response carries
 * {@code Cache-Control: no-store}. Register, login, password reset and change run on the
 * password-hashing pool asynchronously, refresh, logout, logout-all and email verification on the
 * service's store pool, so that neither a flood of them nor a slow or hung database holds the
 * container's request threads. The requests for a verification or reset link answer at once: the
 * service does their work after the answer.
 *
 * <p>The account lifecycle by email ({@code verify-email}, {@code verify-email/resend},
 * {@code password-reset}, {@code password-reset/confirm}) answers {@code 404} when the service
 * sends no mail, as if it did not exist; {@code password} does when the stores have no account
 * store. No token of a link, and no password, is ever logged.
 *
 * <p>The caller's sessions ({@link SessionsResource}) and second factor ({@link MfaResource}) have
 * resources of their own, which share this one's helpers. {@code login/mfa} answers {@code 404}
 * when the service has no second factor, as the mail endpoints do without mail.
 *
 * <p>Every {@code POST} here carries credentials (a password, a refresh token, an access token),
 * so each first checks the {@link dev.gatehouse.web.TransportSecurity}: over plain HTTP from other
 * than loopback it answers {@code 403 urn:gatehouse:problem:https-required} before the body is read,
 * let alone a password hashed.
 */
@Path("auth")
public final class AuthResource {
    private static final Logger LOG = LoggerFactory.getLogger(AuthResource.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String TRANSPORT_HEADER = "Auth-Transport";

    private final Endpoints config;
    private final WebSettings settings;

    public AuthResource(Endpoints config) {
        this.config = config;
        this.settings = config.settings;
    }

    Endpoints config() {
        return config;
    }

    /**
     * Registers an account. With {@code requireVerifiedEmail} on, the answer is always {@code 202}
     * {@code {"status":"accepted"}}, the same status, headers and body whether the address was new
     * (a verification link is mailed) or taken (its owner is told by mail): the answer never tells
     * whether an address has an account. Otherwise {@code 201} with the new user, or {@code 409}.
     */
    @POST
    @Path("register")
    public void register(@Context ContainerRequestContext request, @Context UriInfo uri, InputStream body,
                         @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        JsonBody.requireJson(request.getMediaType());
        Map<String, String> fields = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes,
                "email", "password");
        AuthService service = config.service();
        CompletableFuture<Registration> future = service.registerAccount(fields.get("email"), fields.get("password"), client(request),
                // MailTemplates.language matches it to a mail language, and never fails on a malformed one
                request.getHeaderString("Accept-Language"));
        if (service.settings().requireVerifiedEmail()) {
            complete(async, future, registration -> accepted());
            return;
        }
        // Without required verification a taken address is a 409, as it always was. A time-out
        // cancels the registration itself, not only this stage of it (see complete).
        CompletableFuture<User> created = future.thenApply(r -> r.user().orElseThrow(DuplicateEmailException::new));
        complete(async, created, future, user -> {
            URI location = uri.getBaseUriBuilder().path("auth").path("users").path(user.id()).build();
            return Response.created(location)
                    .type(Responses.JSON)
                    .header("Cache-Control", "no-store")
                    .entity(JsonBody.object("id", user.id(), "email", user.email()))
                    .build();
        });
    }

    @POST
    @Path("login")
    public void login(@Context ContainerRequestContext request, @Context UriInfo uri, InputStream body,
                      @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        Transport transport = transport(request);
        JsonBody.requireJson(request.getMediaType());
        Map<String, String> fields = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes,
                "email", "password");
        CompletableFuture<LoginResult> future = config.service().startLogin(fields.get("email"), fields.get("password"),
                clientInfo(request));
        complete(async, future, result -> result instanceof LoginResult.SecondFactorRequired challenge
                ? secondFactorRequired(challenge)
                : tokens(((LoginResult.Completed) result).tokens(), transport, uri, null));
    }

    /**
     * Completes a two-step login with the {@code mfa_token} of its first step and a code of the
     * user's authenticator or a recovery code: the answer of a login, in the transport the request
     * asks for. Every failure of the challenge or the code is the same {@code 401}; wrong codes
     * count toward the login throttling. {@code 404} when the service has no second factor.
     */
    @POST
    @Path("login/mfa")
    public void completeLogin(@Context ContainerRequestContext request, @Context UriInfo uri, InputStream body,
                              @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        AuthService service = mfaService();
        Transport transport = transport(request);
        JsonBody.requireJson(request.getMediaType());
        Map<String, String> fields = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes,
                "mfa_token", "code");
        CompletableFuture<TokenPair> future = service.completeLogin(fields.get("mfa_token"), fields.get("code"), clientInfo(request));
        complete(async, future, pair -> tokens(pair, transport, uri, null));
    }

    /** The first step's answer: no token and no cookie, whatever the transport asked for. */
    private static Response secondFactorRequired(LoginResult.SecondFactorRequired challenge) {
        return Response.ok().type(Responses.JSON)
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache")
                .entity(JsonBody.object("mfa_required", true, "mfa_token", challenge.mfaToken(),
                        "expires_in", challenge.expiresInSeconds()))
                .build();
    }

    @POST
    @Path("refresh")
    public void refresh(@Context ContainerRequestContext request, @Context UriInfo uri, InputStream body,
                        @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        Transport transport = transport(request);
        String token;
        String csrfValue = null;
        if (transport == Transport.COOKIE) {
            JsonBody.refuseOtherMediaTypes(request.getMediaType());
            List<String> cookies = TokenAuthFilter.headers(request, "Cookie");
            token = TokenLocator.Cookies.single(cookies, settings.refreshCookieName());
            if (token == null) {
                throw new InvalidCredentialsException("No refresh cookie");
            }
            requireCsrf(request, cookies);
            csrfValue = TokenLocator.Cookies.single(cookies, settings.csrfCookieName());
        } else {
            JsonBody.requireJson(request.getMediaType());
            token = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes, "refresh_token")
                    .get("refresh_token");
            if (token == null) {
                throw new ValidationException(List.of(new Problem.FieldError("refresh_token", "is required")));
            }
        }
        String csrf = csrfValue;
        complete(async, config.service().refreshAsync(token), pair -> tokens(pair, transport, uri, csrf));
    }

    @POST
    @Path("logout")
    public void logout(@Context ContainerRequestContext request, @Context UriInfo uri, InputStream body,
                       @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        JsonBody.refuseOtherMediaTypes(request.getMediaType());
        AccessTokenPrincipal principal = principal(request);
        List<String> cookies = TokenAuthFilter.headers(request, "Cookie");
        String refreshToken = TokenLocator.Cookies.single(cookies, settings.refreshCookieName());
        if (refreshToken != null) {
            requireCsrf(request, cookies);
        } else if (request.getMediaType() != null || request.hasEntity()) {
            JsonBody.requireJson(request.getMediaType());
            refreshToken = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes, "refresh_token")
                    .get("refresh_token");
        }
        if (principal == null && refreshToken == null) {
            throw unauthenticated(request);
        }
        complete(async, config.service().logoutAsync(principal, refreshToken), done -> cleared(Response.noContent(), uri).build());
    }

    @POST
    @Path("logout-all")
    @Authenticated
    public void logoutAll(@Context ContainerRequestContext request, @Context UriInfo uri, @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        JsonBody.refuseOtherMediaTypes(request.getMediaType());
        AccessTokenPrincipal principal = principal(request);
        if (principal == null) {
            throw unauthenticated(request);
        }
        complete(async, config.service().logoutAllAsync(principal), done -> cleared(Response.noContent(), uri).build());
    }

    /**
     * Completes an email verification with the token of the link the registration (or a resend)
     * mailed, and logs the user in: the answer of a login, in the transport the request asks for.
     */
    @POST
    @Path("verify-email")
    public void verifyEmail(@Context ContainerRequestContext request, @Context UriInfo uri, InputStream body,
                            @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        AuthService service = mailService();
        Transport transport = transport(request);
        JsonBody.requireJson(request.getMediaType());
        String token = required(JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes, "token"), "token");
        complete(async, service.verifyEmail(token, client(request)), pair -> tokens(pair, transport, uri, null));
    }

    /**
     * Asks for a new verification link. Always {@code 202}: the service looks the address up and
     * mails (or not) after the answer, so neither it nor its timing tells whether the address has
     * an account, or whether that account is verified already.
     */
    @POST
    @Path("verify-email/resend")
    public Response resendVerification(@Context ContainerRequestContext request, InputStream body) {
        requireSecureTransport(request);
        AuthService service = mailService();
        JsonBody.requireJson(request.getMediaType());
        String email = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes, "email").get("email");
        service.requestVerificationMail(email, client(request));
        return accepted();
    }

    /** Asks for a password-reset link; always {@code 202}, as {@link #resendVerification} is. */
    @POST
    @Path("password-reset")
    public Response requestPasswordReset(@Context ContainerRequestContext request, InputStream body) {
        requireSecureTransport(request);
        AuthService service = mailService();
        JsonBody.requireJson(request.getMediaType());
        String email = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes, "email").get("email");
        service.requestPasswordReset(email, client(request));
        return accepted();
    }

    /**
     * Sets a new password with the token of a reset link: every session of the user ends and their
     * access tokens are refused. Logs nobody in: the client logs in with the new password.
     */
    @POST
    @Path("password-reset/confirm")
    public void confirmPasswordReset(@Context ContainerRequestContext request, InputStream body, @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        AuthService service = mailService();
        JsonBody.requireJson(request.getMediaType());
        Map<String, String> fields = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes,
                "token", "new_password");
        String token = required(fields, "token");
        complete(async, service.resetPassword(token, fields.get("new_password"), client(request)),
                done -> Response.noContent().header("Cache-Control", "no-store").build());
    }

    /**
     * Changes the caller's password. The caller's session stays; every other session of the user
     * ends. By cookie, the CSRF check applies (the token filter refuses a cookie-authenticated
     * {@code POST} without it before this runs).
     */
    @POST
    @Path("password")
    @Authenticated
    public void changePassword(@Context ContainerRequestContext request, InputStream body, @Suspended AsyncResponse async) {
        requireSecureTransport(request);
        AccessTokenPrincipal principal = principal(request);
        if (principal == null) {
            throw unauthenticated(request);
        }
        AuthService service = config.service();
        JsonBody.requireJson(request.getMediaType());
        Map<String, String> fields = JsonBody.read(body, request.getHeaderString("Content-Length"), config.maxBodyBytes,
                "current_password", "new_password");
        CompletableFuture<Void> future;
        try {
            future = service.changePassword(principal, fields.get("current_password"), fields.get("new_password"), client(request));
        } catch (UnsupportedOperationException e) {
            // stores without an AccountStore: the endpoint does not exist here
            throw notFound();
        }
        complete(async, future, done -> Response.noContent().header("Cache-Control", "no-store").build());
    }

    @GET
    @Path("users/{id}")
    @Authenticated
    public Response user(@Context ContainerRequestContext request, @PathParam("id") String id) {
        AccessTokenPrincipal principal = principal(request);
        if (principal == null) {
            throw unauthenticated(request);
        }
        boolean allowed = principal.subject().equals(id) || request.getSecurityContext().isUserInRole("admin");
        User user = allowed ? config.service().findUser(id).orElse(null) : null;
        if (user == null) {
            // 404 for another user's id as for an unknown one, so ids cannot be probed.
            throw new ProblemException(new Problem(404, "not-found", "Not found", "No such user."));
        }
        return Response.ok(JsonBody.object("id", user.id(), "email", user.email(), "roles", user.roles(),
                        "created_at", DateTimeFormatter.ISO_INSTANT.format(user.createdAt())), Responses.JSON)
                .header("Cache-Control", "no-store")
                .build();
    }

    /**
     * Deletes an account: the user themself or a caller with the role {@code admin}; another
     * user's id is {@code 404} as for {@code GET}. The user's refresh tokens go with it and every
     * access token issued to them until now is refused. A user deleting their own account gets
     * the three cookies cleared, as at logout; an admin deleting someone else keeps theirs. A
     * cookie-authenticated caller must pass the CSRF check (the filter applies it to DELETE).
     */
    @DELETE
    @Path("users/{id}")
    @Authenticated
    public Response deleteUser(@Context ContainerRequestContext request, @Context UriInfo uri, @PathParam("id") String id) {
        AccessTokenPrincipal principal = principal(request);
        if (principal == null) {
            throw unauthenticated(request);
        }
        // before anything is looked up, so that the answer tells nothing of the id
        config.service().requireRecentAuthentication(principal);
        boolean self = principal.subject().equals(id);
        boolean allowed = self || request.getSecurityContext().isUserInRole("admin");
        if (!allowed || !config.service().deleteUser(id)) {
            throw new ProblemException(new Problem(404, "not-found", "Not found", "No such user."));
        }
        Response.ResponseBuilder b = Response.noContent();
        return self ? cleared(b, uri).build() : b.header("Cache-Control", "no-store").build();
    }

    // ---- helpers ----

    /** Refuses credentials over plain HTTP from other than loopback; called before the body is touched. */
    void requireSecureTransport(ContainerRequestContext request) {
        String refusal = config.transport.refusal(TokenAuthFilter.view(request, config.peerAddress));
        if (refusal != null) {
            LOG.debug("{} {} refused: {}", request.getMethod(), request.getUriInfo().getPath(), refusal);
            throw new ProblemException(Problem.httpsRequired());
        }
    }

    /** The service, when it sends mail; else {@code 404}, as if the mail endpoints did not exist. */
    private AuthService mailService() {
        AuthService service = config.service();
        if (!service.mailEnabled()) {
            throw notFound();
        }
        return service;
    }

    /** The service, when it has a second factor; else {@code 404}, as for the mail endpoints. */
    AuthService mfaService() {
        AuthService service = config.service();
        if (!service.mfaEnabled()) {
            throw notFound();
        }
        return service;
    }

    static ProblemException notFound() {
        return new ProblemException(new Problem(404, "not-found", "Not found", "There is nothing at this path."));
    }

    /** A field that must be present and non-empty; else {@code 400} naming it. */
    static String required(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null || value.isEmpty()) {
            throw new ValidationException(List.of(new Problem.FieldError(name, "is required")));
        }
        return value;
    }

    /** The answer of the requests that never tell whether an address has an account. */
    private static Response accepted() {
        return Response.status(Response.Status.ACCEPTED)
                .type(Responses.JSON)
                .header("Cache-Control", "no-store")
                .entity(JsonBody.object("status", "accepted"))
                .build();
    }

    private Transport transport(ContainerRequestContext request) {
        String header = request.getHeaderString(TRANSPORT_HEADER);
        Transport transport = header == null ? Transport.BEARER : Transport.fromWireName(header);
        if (transport == null) {
            throw new ProblemException(Problem.invalidRequest("Auth-Transport must be 'bearer' or 'cookie'."));
        }
        if (!settings.allows(transport)) {
            throw new ProblemException(Problem.invalidRequest("The " + transport.wireName() + " transport is disabled on this server."));
        }
        return transport;
    }

    private void requireCsrf(ContainerRequestContext request, List<String> cookies) {
        String refusal = config.csrf.check(request.getMethod(), cookies, request.getHeaderString(settings.csrfHeaderName()),
                request.getHeaderString("Sec-Fetch-Site"), request.getHeaderString("Origin"), TokenAuthFilter.ownOrigin(request));
        if (refusal != null) {
            throw new ProblemException(Problem.forbidden(refusal));
        }
    }

    static AccessTokenPrincipal principal(ContainerRequestContext request) {
        var security = request.getSecurityContext();
        return security != null && security.getUserPrincipal() instanceof AccessTokenPrincipal principal ? principal : null;
    }

    /** The caller, or the {@code 401} of a request without one. */
    AccessTokenPrincipal requirePrincipal(ContainerRequestContext request) {
        AccessTokenPrincipal principal = principal(request);
        if (principal == null) {
            throw unauthenticated(request);
        }
        return principal;
    }

    ProblemException unauthenticated(ContainerRequestContext request) {
        RequestAuthenticator.Outcome outcome = TokenAuthFilter.outcomeOf(request);
        if (outcome != null && outcome.isRejected()) {
            return new ProblemException(outcome.problem(), outcome.challenge());
        }
        return new ProblemException(Problem.unauthenticated(), Challenge.bare(settings.realm()));
    }

    /** The client's address (see {@link #client}) and {@code User-Agent}, for a login. */
    ClientInfo clientInfo(ContainerRequestContext request) {
        return new ClientInfo(client(request), request.getHeaderString("User-Agent"));
    }

    String client(ContainerRequestContext request) {
        String peer = config.peerAddress.apply(request);
        if (peer == null) {
            if (!warnedNoPeer) {
                warnedNoPeer = true;
                LOG.warn("No peer address for auth requests: per-client throttling is off. Set the request property '{}'"
                        + " in a container filter, or GatehouseFeature.Builder.peerAddress(...)", GatehouseFeature.PEER_ADDRESS_PROPERTY);
            }
            return null;
        }
        // The peer, or the client a trusted proxy names (X-Forwarded-For, else Forwarded: for=).
        return config.transport.clientAddress(TokenAuthFilter.view(request, r -> peer));
    }

    private volatile boolean warnedNoPeer;

    private Response tokens(TokenPair pair, Transport transport, UriInfo uri, String csrfValue) {
        long accessSeconds = pair.access().expiresInSeconds();
        long refreshSeconds = pair.refreshExpiresInSeconds();
        Response.ResponseBuilder b = Response.ok().type(Responses.JSON)
                .header("Cache-Control", "no-store")
                .header("Pragma", "no-cache");
        if (transport == Transport.COOKIE) {
            String csrf = csrfValue != null ? csrfValue : newCsrfValue();
            b.header("Set-Cookie", cookie(settings.accessCookieName(), pair.access().token(), accessSeconds, "/", true));
            b.header("Set-Cookie", cookie(settings.refreshCookieName(), pair.refreshToken(), refreshSeconds, refreshPath(uri), true));
            b.header("Set-Cookie", cookie(settings.csrfCookieName(), csrf, refreshSeconds, "/", false));
            b.entity(JsonBody.object("token_type", "Bearer", "expires_in", accessSeconds, "refresh_expires_in", refreshSeconds));
        } else {
            b.entity(JsonBody.object("access_token", pair.access().token(), "token_type", "Bearer", "expires_in", accessSeconds,
                    "refresh_token", pair.refreshToken(), "refresh_expires_in", refreshSeconds));
        }
        return b.build();
    }

    Response.ResponseBuilder cleared(Response.ResponseBuilder b, UriInfo uri) {
        return b.header("Cache-Control", "no-store")
                .header("Set-Cookie", cookie(settings.accessCookieName(), "", 0, "/", true))
                .header("Set-Cookie", cookie(settings.refreshCookieName(), "", 0, refreshPath(uri), true))
                .header("Set-Cookie", cookie(settings.csrfCookieName(), "", 0, "/", false));
    }

    /** The refresh cookie goes only to the auth endpoints: {@code <application base>/auth}. */
    private static String refreshPath(UriInfo uri) {
        String base = uri.getBaseUri().getRawPath();
        if (base == null || base.isEmpty()) {
            base = "/";
        }
        return (base.endsWith("/") ? base : base + "/") + "auth";
    }

    private static String cookie(String name, String value, long maxAge, String path, boolean httpOnly) {
        return name + "=" + value + "; Max-Age=" + maxAge + "; Path=" + path + "; Secure" + (httpOnly ? "; HttpOnly" : "")
                + "; SameSite=Strict";
    }

    private static String newCsrfValue() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // The whenComplete action is the end of the chain: it answers the request on every path, so
    // the stage whenComplete returns (Error Prone's FutureReturnValueIgnored) has nobody to tell.
    <T> void complete(AsyncResponse async, CompletableFuture<T> future, java.util.function.Function<T, Response> ok) {
        complete(async, future, future, ok);
    }

    /**
     * Answers with {@code ok} of the future's value, or the failure's problem; on time-out, with a
     * {@code 503}, cancelling {@code work} (the future the service returned: cancelling a stage
     * derived from it would not reach the task) as well as {@code future}.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    <T> void complete(AsyncResponse async, CompletableFuture<T> future, CompletableFuture<?> work,
                              java.util.function.Function<T, Response> ok) {
        async.setTimeout(config.asyncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        async.setTimeoutHandler(r -> {
            r.resume(Responses.unavailable("The server is busy; try again shortly.", GatehouseExceptionMapper.RETRY_AFTER_UNAVAILABLE));
            // The client was told to try again, so work still waiting for a hashing thread must not
            // run afterwards: a registration would exist after all (the retry would meet a 409) and
            // a login would issue tokens to nobody. Cancelling a supplyAsync future before its task
            // starts skips the task; work already hashing finishes unseen.
            // (this stage first: then its whenComplete sees the cancellation, not a failure)
            future.cancel(false);
            work.cancel(false);
        });
        future.whenComplete((value, error) -> {
            if (error == null) {
                async.resume(ok.apply(value));
                return;
            }
            if (error instanceof CancellationException) {
                return; // timed out: already answered
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof GatehouseException) {
                async.resume(cause);
            } else {
                LOG.error("Unexpected failure in an auth endpoint ({})", cause.getClass().getName());
                async.resume(Responses.unavailable("The service is temporarily unavailable; try again shortly.",
                        GatehouseExceptionMapper.RETRY_AFTER_UNAVAILABLE));
            }
        });
    }
}
