package dev.gatehouse.core.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code gh_signing_keys}, as stored. {@link #toString()} leaves out the stored private
 * key (even encrypted, it has no business in a log).
 *
 * @param privateKey {@code v1:...} (encrypted), {@code plain:...}, or {@code null} once destroyed
 * @param retiredAt  when the key stopped signing, once some node has written it down
 */
record KeyRow(String kid, int generation, String alg, String publicJwk, String privateKey,
              Instant createdAt, Instant activatesAt, Instant retiredAt, Instant revokedAt) {

    KeyRow {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(publicJwk, "publicJwk");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(activatesAt, "activatesAt");
    }

    boolean revoked() {
        return revokedAt != null;
    }

    /** This row as revoked at {@code at}, with its private key gone (what {@code revoke} writes). */
    KeyRow asRevoked(Instant at) {
        return new KeyRow(kid, generation, alg, publicJwk, null, createdAt, activatesAt, retiredAt, at);
    }

    /**
     * When this key took over signing, or {@code null} if it never did: a key revoked before its
     * activation never signed, so it did not end its predecessor's time.
     */
    Instant tookOverAt() {
        return revokedAt == null || !revokedAt.isBefore(activatesAt) ? activatesAt : null;
    }

    @Override
    public String toString() {
        return "KeyRow{kid=" + kid + ", generation=" + generation + ", alg=" + alg + ", activatesAt=" + activatesAt
                + ", retiredAt=" + retiredAt + ", revokedAt=" + revokedAt + "}";
    }
}
