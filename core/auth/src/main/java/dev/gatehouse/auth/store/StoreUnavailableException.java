package dev.gatehouse.auth.store;

import dev.gatehouse.token.GatehouseException;

/**
 * The store could not be reached or failed; the operation was rolled back. HTTP adapters answer
 * {@code 503} with {@code Retry-After}. The message never contains SQL parameters.
 */
public final class StoreUnavailableException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
