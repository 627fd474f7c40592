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

import dev.gatehouse.web.Problem;
import dev.gatehouse.web.RequestAuthenticator;
import dev.gatehouse.jaxrs.Authenticated;
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
import java.util.List;

/**
 * Enforces {@code @RolesAllowed}, {@code @DenyAll}, {@code @PermitAll} and {@link Authenticated}
 * on resource methods (a method's annotation wins over its class's), as Jakarta Annotations
 * define them. A resource without any of them is public.
 */
public final class AuthorizationFeature implements DynamicFeature {
    private final String realm;

    public AuthorizationFeature(String realm) {
        this.realm = realm;
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
                RequestAuthenticator.Outcome outcome = TokenAuthFilter.outcomeOf(request);
                if (outcome != null && outcome.isRejected()) {
                    request.abortWith(Responses.problem(outcome.problem(), outcome.challenge()));
                } else {
                    request.abortWith(Responses.problem(Problem.unauthenticated(), dev.gatehouse.web.Challenge.bare(realm)));
                }
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
}
