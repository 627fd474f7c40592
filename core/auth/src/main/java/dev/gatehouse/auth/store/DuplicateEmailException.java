package dev.gatehouse.auth.store;

import dev.gatehouse.token.GatehouseException;

/** A user with this (normalised) email already exists; the store's unique constraint said so. */
public final class DuplicateEmailException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public DuplicateEmailException() {
        super("A user with this email already exists");
    }
}
