/**
 * Gatehouse core: settings, keys, issuing and verifying access tokens, and the pieces of HTTP
 * handling (token location, RFC 6750 challenges, RFC 9457 problems, CSRF) that the servlet and
 * JAX-RS adapters share. Depends on neither the servlet API nor JAX-RS.
 *
 * <p>Start with {@link dev.gatehouse.token.TokenSettings}, a {@link dev.gatehouse.token.KeySet},
 * then {@link dev.gatehouse.token.AccessTokenIssuer} and {@link dev.gatehouse.token.AccessTokenVerifier}.
 */
package dev.gatehouse.token;
