/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.gatehouse.token;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fixed set of keys: one (optional) signs, all verify. Immutable and thread-safe.
 */
public final class KeySet implements KeySource {
    private final Map<String, SigningKey> byKid;
    private final SigningKey signer;

    private KeySet(Collection<SigningKey> keys, SigningKey signer) {
        Map<String, SigningKey> map = new LinkedHashMap<>();
        for (SigningKey key : keys) {
            Objects.requireNonNull(key, "key");
            if (map.putIfAbsent(key.kid(), key) != null) {
                throw new ConfigurationException("keys", "two keys share the id '" + key.kid() + "'");
            }
        }
        if (map.isEmpty()) {
            throw new ConfigurationException("keys", "no key was given");
        }
        this.byKid = Collections.unmodifiableMap(map);
        this.signer = signer;
    }

    /**
     * A key set that signs with {@code active} and also verifies with {@code others} (for example
     * the previous key after a rotation).
     */
    public static KeySet of(SigningKey active, SigningKey... others) {
        Objects.requireNonNull(active, "active");
        if (!active.canSign()) {
            throw new ConfigurationException("keys", "the active key '" + active.kid() + "' has no private part");
        }
        List<SigningKey> all = new ArrayList<>();
        all.add(active);
        Collections.addAll(all, others);
        return new KeySet(all, active);
    }

    /**
     * A key set from a list, signing with the key whose id is {@code activeKid}; when that is
     * {@code null}, with the first key that can sign, or with none (verify-only).
     */
    public static KeySet of(List<SigningKey> keys, String activeKid) {
        SigningKey signer = null;
        for (SigningKey key : keys) {
            if (activeKid != null ? key.kid().equals(activeKid) : key.canSign()) {
                signer = key;
                break;
            }
        }
        if (activeKid != null && (signer == null || !signer.canSign())) {
            throw new ConfigurationException("activeKeyId", "no key with a private part has the id '" + activeKid + "'");
        }
        return new KeySet(keys, signer);
    }

    /** A verify-only key set; private parts are dropped. */
    public static KeySet verifyOnly(Collection<SigningKey> keys) {
        List<SigningKey> publicOnly = new ArrayList<>();
        for (SigningKey key : keys) {
            publicOnly.add(key.verifyOnly());
        }
        return new KeySet(publicOnly, null);
    }

    @Override
    public SigningKey signingKey() {
        if (signer == null) {
            throw new ConfigurationException("keys", "this key set can only verify: none of its keys "
                    + verifyingKids() + " has a private part, so it cannot sign tokens; give it a private key");
        }
        return signer;
    }

    private List<String> verifyingKids() {
        return List.copyOf(byKid.keySet());
    }

    /** Whether a key of this set can sign. */
    public boolean canSign() {
        return signer != null;
    }

    @Override
    public Optional<SigningKey> verificationKey(String kid) {
        return kid == null ? Optional.empty() : Optional.ofNullable(byKid.get(kid));
    }

    @Override
    public List<SigningKey> publishedKeys() {
        List<SigningKey> out = new ArrayList<>();
        for (SigningKey key : byKid.values()) {
            if (key.isPublishable()) {
                out.add(key.verifyOnly());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Every key, in the order given. */
    public List<SigningKey> keys() {
        return List.copyOf(byKid.values());
    }

    @Override
    public String toString() {
        return "KeySet{keys=" + byKid.values() + ", signer=" + (signer == null ? "none" : signer.kid()) + "}";
    }
}
