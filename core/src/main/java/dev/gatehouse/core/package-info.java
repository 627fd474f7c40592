/**
 * Gatehouse core: settings, keys, issuing and verifying access tokens, and the pieces of HTTP
 * handling (token location, RFC 6750 challenges, RFC 9457 problems, CSRF) that the servlet and
 * JAX-RS adapters share. Depends on neither the servlet API nor JAX-RS.
 *
 * <p>Start with {@link dev.gatehouse.core.GatehouseSettings}, a {@link dev.gatehouse.core.KeySet},
 * then {@link dev.gatehouse.core.AccessTokenIssuer} and {@link dev.gatehouse.core.AccessTokenVerifier}.
 */
package dev.gatehouse.core;
