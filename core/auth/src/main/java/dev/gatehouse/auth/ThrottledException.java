package dev.gatehouse.auth;

import dev.gatehouse.token.GatehouseException;

import java.time.Duration;

/** Too many attempts for the account or the client: {@code 429} with {@code Retry-After}. */
public final class ThrottledException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public ThrottledException(Duration retryAfter) {
        super("Too many attempts; retry after " + retryAfter.toSeconds() + " s");
        this.retryAfter = retryAfter;
    }

    /** Whole seconds, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0));
    }
}
