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

import dev.gatehouse.auth.AuthService;
import dev.gatehouse.auth.TotpEnrolment;
import dev.gatehouse.jaxrs.Authenticated;
import dev.gatehouse.token.AccessTokenPrincipal;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.List;

/**
 * The caller's second factor under {@code /auth/mfa}: a TOTP authenticator and recovery codes.
 * {@code 404} when the service has no second factor, as the mail endpoints without mail. Enrolling,
 * removing the authenticator and new recovery codes need a recent login ({@code 401} with the
 * RFC 9470 {@code max_age} challenge otherwise); a state that does not allow the operation is
 * {@code 409}. Every answer carries {@code Cache-Control: no-store}.
 */
@Path("auth/mfa")
public final class MfaResource {
    private final AuthResource auth;

    public MfaResource(AuthResource auth) {
        this.auth = auth;
    }

    /** {@code {"totp_enabled": bool, "recovery_codes_left": n}}. */
    @GET
    @Authenticated
    public void status(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        AuthService service = auth.mfaService();
        auth.complete(async, service.mfaStatusAsync(principal), status -> ok(JsonBody.object(
                "totp_enabled", status.totpEnabled(), "recovery_codes_left", status.recoveryCodesLeft())));
    }

    /** Begins enrolling: {@code {"otpauth_uri", "qr_svg"}}, shown this once; {@code 409} when enabled already. */
    @POST
    @Path("totp")
    @Authenticated
    public void begin(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        JsonBody.refuseOtherMediaTypes(request.getMediaType());
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        AuthService service = auth.mfaService();
        auth.complete(async, service.beginTotpAsync(principal), (TotpEnrolment enrolment) -> ok(JsonBody.object(
                "otpauth_uri", enrolment.otpauthUri(), "qr_svg", enrolment.qrSvg())));
    }

    /** Confirms the enrolment with a first code: {@code {"recovery_codes": [...]}}; a wrong code is {@code 400} naming {@code code}. */
    @POST
    @Path("totp/confirm")
    @Authenticated
    public void confirm(@Context ContainerRequestContext request, InputStream body, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        AuthService service = auth.mfaService();
        JsonBody.requireJson(request.getMediaType());
        String code = JsonBody.read(body, request.getHeaderString("Content-Length"), auth.config().maxBodyBytes, "code").get("code");
        auth.complete(async, service.confirmTotpAsync(principal, code, auth.client(request)), MfaResource::codes);
    }

    /** Removes the authenticator and the recovery codes: {@code 204}; {@code 409} when none is enrolled. */
    @DELETE
    @Path("totp")
    @Authenticated
    public void disable(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        AuthService service = auth.mfaService();
        auth.complete(async, service.disableTotpAsync(principal),
                done -> Response.noContent().header("Cache-Control", "no-store").build());
    }

    /** New recovery codes in place of all earlier ones: {@code {"recovery_codes": [...]}}. */
    @POST
    @Path("recovery-codes")
    @Authenticated
    public void regenerate(@Context ContainerRequestContext request, @Suspended AsyncResponse async) {
        auth.requireSecureTransport(request);
        JsonBody.refuseOtherMediaTypes(request.getMediaType());
        AccessTokenPrincipal principal = auth.requirePrincipal(request);
        AuthService service = auth.mfaService();
        auth.complete(async, service.regenerateRecoveryCodesAsync(principal), MfaResource::codes);
    }

    private static Response codes(List<String> codes) {
        return ok(JsonBody.object("recovery_codes", codes));
    }

    private static Response ok(String json) {
        return Response.ok(json, Responses.JSON).header("Cache-Control", "no-store").header("Pragma", "no-cache").build();
    }
}
