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

/**
 * The Gatehouse JAX-RS feature: the onboarding endpoints, the JWK Set and discovery documents,
 * token authentication and {@code @RolesAllowed}; and, for applications on Grizzly, the glue in
 * {@code dev.gatehouse.jaxrs.grizzly}.
 */
module dev.gatehouse.jaxrs {
    requires transitive dev.gatehouse.auth;
    requires transitive jakarta.ws.rs;
    requires dev.gatehouse.jdbc;
    requires jakarta.annotation;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static org.glassfish.grizzly;
    requires static org.glassfish.grizzly.http;
    requires static org.glassfish.grizzly.http.server;

    exports dev.gatehouse.jaxrs;
    exports dev.gatehouse.jaxrs.grizzly;
    // Jersey creates the endpoints, filters and mappers reflectively; they are not API
    opens dev.gatehouse.jaxrs.internal;
}
