package dev.gatehouse.token;

import java.util.List;
import java.util.Optional;

/**
 * Where the issuer gets its signing key and the verifier its verification keys. Implementations
 * are thread-safe. A fixed {@link KeySet} is the simplest; rotating and remote sources implement
 * the same interface.
 */
public interface KeySource {
    /**
     * The key new access tokens are signed with.
     *
     * @throws GatehouseException when this source can only verify
     */
    SigningKey signingKey();

    /**
     * The key with this {@code kid}, if it may verify tokens now.
     *
     * @throws InvalidTokenException with {@link InvalidTokenException.Reason#KEYS_UNAVAILABLE} when
     *                               the keys cannot be obtained at all
     */
    Optional<SigningKey> verificationKey(String kid);

    /** The keys to publish in the JWK Set (public halves only; secrets are never published). */
    List<SigningKey> publishedKeys();
}
