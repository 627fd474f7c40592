/**
 * Key sources beyond a fixed {@link dev.gatehouse.token.KeySet}: keys managed in the database and
 * rotated automatically ({@link dev.gatehouse.jdbc.keys.ManagedKeySource}), keys from a file that
 * is reloaded when it changes ({@link dev.gatehouse.token.keys.FileKeySource}), and keys fetched
 * from a remote JWKS for services that only verify ({@link dev.gatehouse.token.keys.RemoteJwksKeySource});
 * plus the operator's command-line tool {@link dev.gatehouse.jdbc.keys.KeyAdmin}. See
 * {@code docs/operations.md}.
 */
package dev.gatehouse.jdbc.keys;
