package dev.gatehouse.auth;

import dev.gatehouse.token.GatehouseException;

/**
 * Login failed: unknown email or wrong password, deliberately indistinguishable ({@code 401}).
 * Also used for an unknown, expired, spent or revoked refresh token.
 */
public final class InvalidCredentialsException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public InvalidCredentialsException(String message) {
        super(message);
    }
}
