package dev.gatehouse.auth;

import dev.gatehouse.token.GatehouseException;

/**
 * A bounded pool (password hashing, or the store pool of refresh and logout) is full:
 * {@code 503} with {@code Retry-After}, rather than letting a flood of requests take every
 * request thread.
 */
public final class OverloadedException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public OverloadedException() {
        super("Password hashing is saturated");
    }

    /** Saturation of something else than password hashing, named in {@code message}. */
    public OverloadedException(String message) {
        super(message);
    }
}
