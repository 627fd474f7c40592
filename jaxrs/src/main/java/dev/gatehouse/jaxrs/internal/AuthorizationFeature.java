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

import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.web.AuthenticationRequirement;
import dev.gatehouse.web.Challenge;
import dev.gatehouse.web.Problem;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.jaxrs.Authenticated;
import dev.gatehouse.jaxrs.StepUp;
import jakarta.annotation.Priority;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.SecurityContext;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Enforces {@code @RolesAllowed}, {@code @DenyAll}, {@code @PermitAll} and {@link Authenticated}
 * on resource methods (a method's annotation wins over its class's), as Jakarta Annotations
 * define them. A resource without any of them is public.
 *
 * <p>{@link StepUp} (again a method's annotation wins over its class's) adds a second filter that
 * runs after the role check, so that a caller without the role gets {@code 403} and not a step-up
 * prompt; it needs an authenticated caller by itself. A malformed {@code @StepUp} throws here, while
 * the runtime builds its resource model: the application does not start.
 */
public final class AuthorizationFeature implements DynamicFeature {
    private final String realm;
    private final Clock clock;

    /**
     * @param realm the realm of the challenges
     * @param clock what a login's age is measured against: the verifier's {@code TokenSettings} clock
     */
    public AuthorizationFeature(String realm, Clock clock) {
        this.realm = Objects.requireNonNull(realm, "realm");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Method method = resourceInfo.getResourceMethod();
        Class<?> type = resourceInfo.getResourceClass();
        Rule rule = ruleOf(method);
        if (rule == null) {
            rule = ruleOf(type);
        }
        if (rule != null && !rule.permitAll()) {
            context.register(new AuthorizationFilter(rule, realm));
        }
        StepUp stepUp = method == null ? null : method.getAnnotation(StepUp.class);
        AnnotatedElement where = method;
        if (stepUp == null && type != null) {
            stepUp = type.getAnnotation(StepUp.class);
            where = type;
        }
        if (stepUp != null) {
            context.register(new StepUpFilter(requirementOf(stepUp, where), realm, clock));
        }
    }

    /**
     * The requirement an annotation states.
     *
     * @throws IllegalStateException naming {@code where} when it states none, or a maximum age below one second
     */
    static AuthenticationRequirement requirementOf(StepUp stepUp, AnnotatedElement where) {
        long maxAge = stepUp.maxAgeSeconds();
        if (maxAge != StepUp.NO_MAX_AGE && maxAge < 1) {
            throw new IllegalStateException("@StepUp on " + where + ": maxAgeSeconds is " + maxAge
                    + "; it must be at least 1, or -1 for no age limit");
        }
        AuthenticationRequirement requirement = maxAge == StepUp.NO_MAX_AGE ? null : AuthenticationRequirement.maxAgeSeconds(maxAge);
        if (stepUp.secondFactor()) {
            requirement = requirement == null ? AuthenticationRequirement.secondFactor()
                    : requirement.and(AuthenticationRequirement.secondFactor());
        }
        if (requirement == null) {
            throw new IllegalStateException("@StepUp on " + where + " requires nothing: set secondFactor = true,"
                    + " maxAgeSeconds, or both");
        }
        return requirement;
    }

    /** {@code 401} for a request without an authenticated caller: the token's own refusal, or a bare challenge. */
    static void refuseUnauthenticated(ContainerRequestContext request, String realm) {
        RequestAuthenticator.Outcome outcome = TokenAuthFilter.outcomeOf(request);
        if (outcome != null && outcome.isRejected()) {
            request.abortWith(Responses.problem(outcome.problem(), outcome.challenge()));
        } else {
            request.abortWith(Responses.problem(Problem.unauthenticated(), Challenge.bare(realm)));
        }
    }

    private static Rule ruleOf(AnnotatedElement element) {
        if (element == null) {
            return null;
        }
        if (element.isAnnotationPresent(DenyAll.class)) {
            return new Rule(true, false, List.of());
        }
        RolesAllowed roles = element.getAnnotation(RolesAllowed.class);
        if (roles != null) {
            return new Rule(false, false, List.of(roles.value()));
        }
        if (element.isAnnotationPresent(Authenticated.class)) {
            return new Rule(false, false, List.of());
        }
        if (element.isAnnotationPresent(PermitAll.class)) {
            return new Rule(false, true, List.of());
        }
        return null;
    }

    private record Rule(boolean denyAll, boolean permitAll, List<String> roles) {
    }

    @Priority(Priorities.AUTHORIZATION)
    private static final class AuthorizationFilter implements ContainerRequestFilter {
        private final Rule rule;
        private final String realm;

        AuthorizationFilter(Rule rule, String realm) {
            this.rule = rule;
            this.realm = realm;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            SecurityContext security = request.getSecurityContext();
            boolean authenticated = security != null && security.getUserPrincipal() != null;
            if (!authenticated) {
                refuseUnauthenticated(request, realm);
                return;
            }
            if (rule.denyAll()) {
                request.abortWith(Responses.problem(Problem.forbidden("Access to this resource is denied"), null));
                return;
            }
            if (rule.roles().isEmpty()) {
                return;
            }
            for (String role : rule.roles()) {
                if (security.isUserInRole(role)) {
                    return;
                }
            }
            request.abortWith(Responses.problem(Problem.forbidden("This resource requires another role"), null));
        }
    }

    /**
     * Runs after {@link AuthorizationFilter}: no caller → {@code 401} as there; a caller whose login
     * does not meet the requirement (or who was not authenticated by a Gatehouse token, whose
     * {@code amr} and {@code auth_time} it could judge) → {@code 401} with the RFC 9470 challenge.
     */
    @Priority(Priorities.AUTHORIZATION + 1)
    private static final class StepUpFilter implements ContainerRequestFilter {
        private final AuthenticationRequirement requirement;
        private final String realm;
        private final Clock clock;

        StepUpFilter(AuthenticationRequirement requirement, String realm, Clock clock) {
            this.requirement = requirement;
            this.realm = realm;
            this.clock = clock;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            SecurityContext security = request.getSecurityContext();
            if (security == null || security.getUserPrincipal() == null) {
                refuseUnauthenticated(request, realm);
                return;
            }
            if (!(security.getUserPrincipal() instanceof AccessTokenPrincipal principal)
                    || !requirement.isMetBy(principal, clock.instant())) {
                request.abortWith(Responses.problem(requirement.problem(), requirement.challenge(realm)));
            }
        }
    }
}
