package dev.gatehouse.token;

/**
 * Root of Gatehouse's (shallow) tree of unchecked exceptions.
 *
 * <p>Messages never contain a token, a password or key material: they are safe to log.
 */
public class GatehouseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GatehouseException(String message) {
        super(message);
    }

    public GatehouseException(String message, Throwable cause) {
        super(message, cause);
    }
}
