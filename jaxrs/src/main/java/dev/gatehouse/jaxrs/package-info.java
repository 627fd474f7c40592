/**
 * Gatehouse for JAX-RS 3.1: register {@link dev.gatehouse.jaxrs.GatehouseFeature} to get the
 * onboarding endpoints, the JWKS, token authentication and {@code @RolesAllowed}. Needs no servlet
 * API, so it runs on Jersey's Grizzly container as well as in a servlet container.
 */
package dev.gatehouse.jaxrs;
