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

import dev.gatehouse.web.RequestAuthenticator;
import jakarta.security.auth.message.config.AuthConfigFactory;
import jakarta.servlet.ServletContext;

/**
 * Every use of the Jakarta Authentication API by {@link GatehouseFilter}, in a class of its own:
 * the JVM loads it only when {@code container-security} is on, so the filter itself links and runs
 * in a container (or on a module path) that has no Jakarta Authentication.
 */
final class AuthModuleRegistration {
    private AuthModuleRegistration() {
    }

    /** Whether the API is there at all. */
    static boolean available() {
        try {
            Class.forName("jakarta.security.auth.message.config.AuthConfigFactory", false,
                    AuthModuleRegistration.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Registers Gatehouse's module for {@code context}; false when the container has no factory. */
    static boolean register(RequestAuthenticator authenticator, ServletContext context) {
        AuthConfigFactory factory = AuthConfigFactory.getFactory();
        if (factory == null) {
            return false;
        }
        factory.registerServerAuthModule(new GatehouseAuthModule(authenticator), context);
        return true;
    }

    static void unregister(ServletContext context) {
        AuthConfigFactory.getFactory().removeServerAuthModule(context);
    }
}
