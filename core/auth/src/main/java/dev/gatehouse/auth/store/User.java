package dev.gatehouse.auth.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored user. Immutable. {@link #toString()} leaves the password hash out.
 */
public final class User {
    private final String id;
    private final String email;
    private final String passwordHash;
    private final List<String> roles;
    private final Instant createdAt;
    private final int tokenGeneration;

    /** A user whose tokens are of generation 0 (nothing has ever revoked them all). */
    public User(String id, String email, String passwordHash, List<String> roles, Instant createdAt) {
        this(id, email, passwordHash, roles, createdAt, 0);
    }

    public User(String id, String email, String passwordHash, List<String> roles, Instant createdAt, int tokenGeneration) {
        if (tokenGeneration < 0) {
            throw new IllegalArgumentException("tokenGeneration must not be negative");
        }
        this.tokenGeneration = tokenGeneration;
        this.id = Objects.requireNonNull(id, "id");
        this.email = Objects.requireNonNull(email, "email");
        this.passwordHash = Objects.requireNonNull(passwordHash, "passwordHash");
        this.roles = List.copyOf(roles);
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    }

    /** A random UUID, never sequential. */
    public String id() {
        return id;
    }

    /** The normalised email (trimmed, NFKC, case-folded). */
    public String email() {
        return email;
    }

    /** The password hash as stored (bcrypt of the pre-hashed password). */
    public String passwordHash() {
        return passwordHash;
    }

    public List<String> roles() {
        return roles;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /**
     * The generation of the user's access tokens: every token is issued in the current one, and
     * logging out everywhere or a change of roles starts the next, which refuses the tokens of
     * every earlier generation on every node (see {@link RevocationStore#userGenerations}).
     */
    public int tokenGeneration() {
        return tokenGeneration;
    }

    @Override
    public String toString() {
        return "User{id=" + id + ", roles=" + roles + ", tokenGeneration=" + tokenGeneration + "}";
    }
}
