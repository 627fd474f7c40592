package dev.gatehouse.core.auth;

import dev.gatehouse.core.GatehouseException;

/**
 * The bounded password-hashing pool is full: {@code 503} with {@code Retry-After}, rather than
 * letting a flood of logins take every request thread.
 */
public final class OverloadedException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public OverloadedException() {
        super("Password hashing is saturated");
    }
}
