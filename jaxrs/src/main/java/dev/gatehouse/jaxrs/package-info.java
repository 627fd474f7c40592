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
 * Gatehouse for JAX-RS 3.1: register {@link dev.gatehouse.jaxrs.GatehouseFeature} to get the
 * onboarding endpoints, the JWKS, token authentication and {@code @RolesAllowed}. Needs no servlet
 * API, so it runs on Jersey's Grizzly container as well as in a servlet container.
 */
package dev.gatehouse.jaxrs;
