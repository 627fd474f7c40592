/**
 * Storage contracts for users, refresh tokens, revocations and login throttling. The JDBC
 * implementations are in {@code dev.gatehouse.jdbc}; any other store can implement these.
 *
 * <p>Every method may throw {@link dev.gatehouse.auth.store.StoreUnavailableException} when the
 * store cannot be reached; no method leaves a half-written change behind.
 */
package dev.gatehouse.auth.store;
