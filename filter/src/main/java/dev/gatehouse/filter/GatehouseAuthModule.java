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

package dev.gatehouse.filter;

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.filter.internal.AuthenticatedRequest;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.filter.internal.ServletRequests;
import jakarta.security.auth.message.AuthException;
import jakarta.security.auth.message.AuthStatus;
import jakarta.security.auth.message.MessageInfo;
import jakarta.security.auth.message.MessagePolicy;
import jakarta.security.auth.message.callback.CallerPrincipalCallback;
import jakarta.security.auth.message.callback.GroupPrincipalCallback;
import jakarta.security.auth.message.module.ServerAuthModule;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.UnsupportedCallbackException;

/**
 * A Jakarta Authentication (JASPIC) server module that applies Gatehouse's rules inside the
 * container's own security machinery, so that {@code <security-constraint>}s in {@code web.xml}
 * — which the container enforces before any filter runs — see the token's caller and roles.
 * {@link GatehouseFilter} registers it when {@code container-security} is {@code true}.
 *
 * <p>On a constrained resource a request without a valid token is refused here, with the same
 * statuses and challenges as the filter; elsewhere the module authenticates what it can and leaves
 * the rest to the filter.
 */
public final class GatehouseAuthModule implements ServerAuthModule {
    private static final String MANDATORY = "jakarta.security.auth.message.MessagePolicy.isMandatory";
    /**
     * The {@code MessageInfo} map key through which a module tells the container what
     * {@code getAuthType()} returns (Jakarta Authentication 3.0, Servlet Container Profile);
     * without it Tomcat answers {@code "JASPIC"}, not what the filter answers.
     */
    private static final String AUTH_TYPE = "jakarta.servlet.http.authType";

    private final RequestAuthenticator authenticator;
    private CallbackHandler handler;

    GatehouseAuthModule(RequestAuthenticator authenticator) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    }

    @Override
    public void initialize(MessagePolicy requestPolicy, MessagePolicy responsePolicy, CallbackHandler handler,
                           @SuppressWarnings("rawtypes") Map options) {
        this.handler = handler;
    }

    @Override
    public Class<?>[] getSupportedMessageTypes() {
        return new Class<?>[] {HttpServletRequest.class, HttpServletResponse.class};
    }

    @Override
    public AuthStatus validateRequest(MessageInfo messageInfo, Subject client, Subject service) throws AuthException {
        HttpServletRequest request = (HttpServletRequest) messageInfo.getRequestMessage();
        HttpServletResponse response = (HttpServletResponse) messageInfo.getResponseMessage();
        boolean mandatory = Boolean.parseBoolean(String.valueOf(messageInfo.getMap().get(MANDATORY)));

        RequestAuthenticator.Outcome outcome = authenticator.authenticate(ServletRequests.view(request));
        AccessTokenPrincipal principal = outcome.principal();
        if (principal != null) {
            try {
                handler.handle(new Callback[] {
                    new CallerPrincipalCallback(client, principal),
                    new GroupPrincipalCallback(client, principal.roles().toArray(new String[0]))
                });
            } catch (IOException | UnsupportedCallbackException e) {
                throw (AuthException) new AuthException("The container refused the caller principal").initCause(e);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = messageInfo.getMap();
            map.put(AUTH_TYPE, AuthenticatedRequest.AUTH_TYPE);
            return AuthStatus.SUCCESS;
        }
        if (!mandatory) {
            // Unconstrained resource: the filter decides (public paths, anonymous access).
            return AuthStatus.SUCCESS;
        }
        try {
            ServletRequests.reject(response, outcome);
        } catch (IOException e) {
            throw (AuthException) new AuthException("Could not write the rejection").initCause(e);
        }
        return AuthStatus.SEND_FAILURE;
    }

    @Override
    public AuthStatus secureResponse(MessageInfo messageInfo, Subject service) {
        return AuthStatus.SEND_SUCCESS;
    }

    @Override
    public void cleanSubject(MessageInfo messageInfo, Subject subject) {
        if (subject != null) {
            subject.getPrincipals().clear();
        }
    }
}
