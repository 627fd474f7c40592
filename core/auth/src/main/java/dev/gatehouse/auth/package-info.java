/**
 * The onboarding flow independent of any HTTP framework: registration, login with throttling,
 * refresh-token rotation with reuse detection, logout and revocation. Adapters (JAX-RS) map its
 * results and exceptions to HTTP.
 */
package dev.gatehouse.auth;
