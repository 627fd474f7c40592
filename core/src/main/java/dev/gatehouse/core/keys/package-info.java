/**
 * Key sources beyond a fixed {@link dev.gatehouse.core.KeySet}: keys managed in the database and
 * rotated automatically ({@link dev.gatehouse.core.keys.ManagedKeySource}), keys from a file that
 * is reloaded when it changes ({@link dev.gatehouse.core.keys.FileKeySource}), and keys fetched
 * from a remote JWKS for services that only verify ({@link dev.gatehouse.core.keys.RemoteJwksKeySource});
 * plus the operator's command-line tool {@link dev.gatehouse.core.keys.KeyAdmin}. See
 * {@code docs/operations.md}.
 */
package dev.gatehouse.core.keys;
