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

import dev.gatehouse.token.internal.Jwk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads keys from files: a JWK Set (JSON, public or private members) or PEM text holding
 * {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) and/or {@code PRIVATE KEY} (PKCS#8) blocks.
 *
 * <p>The format is recognised from the content. PEM keys get their RFC 7638 thumbprint as key id.
 * An RSA private key alone is enough (the public key is derived from it); an EC private key needs
 * its {@code PUBLIC KEY} block beside it. Errors name the setting and never echo key material.
 */
public final class KeyFiles {
    /** The setting a key file's errors name, unless a caller renames it. */
    public static final String SETTING = "keyFile";
    private static final int MAX_FILE_BYTES = 1 << 20;
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private KeyFiles() {
    }

    /**
     * Loads a key set from a file, signing with the first key that has a private part (if any).
     *
     * @throws ConfigurationException naming the setting {@value #SETTING} (or, for a JWK Set's own
     *                                errors, {@value JwkSets#SETTING}) for any problem;
     *                                {@link ConfigurationException#forSetting} renames it
     */
    public static KeySet load(Path file) {
        return load(file, null);
    }

    /**
     * Loads a key set from a file.
     *
     * @param activeKid the id of the key to sign with, or {@code null} for the first private key
     */
    public static KeySet load(Path file, String activeKid) {
        String text = read(SETTING, file);
        List<SigningKey> keys = parse(SETTING, text);
        if (keys.isEmpty()) {
            throw new ConfigurationException(SETTING, "'" + file + "' has no keys (its \"keys\" array is empty)");
        }
        return KeySet.of(keys, activeKid);
    }

    /** Parses JWK Set or PEM text into keys; errors name the setting {@value #SETTING}. */
    public static List<SigningKey> parse(String text) {
        return parse(SETTING, text);
    }

    /** {@link #parse(String)} with errors naming {@code setting}. */
    static List<SigningKey> parse(String setting, String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("{")) {
            return JwkSets.parse(setting, trimmed);
        }
        if (trimmed.startsWith("-----BEGIN")) {
            return parsePem(setting, trimmed);
        }
        throw new ConfigurationException(setting, "is neither a JWK Set (JSON) nor PEM text");
    }

    private static String read(String setting, Path file) {
        if (file == null) {
            throw new ConfigurationException(setting, "no file was given");
        }
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigurationException(setting, "'" + file + "' is not a readable file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigurationException(setting, "'" + file + "' is larger than 1 MiB");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(setting, "'" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static List<SigningKey> parsePem(String setting, String text) {
        List<PublicKey> publics = new ArrayList<>();
        List<PrivateKey> privates = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(setting, "a " + type + " block is not valid base64");
            }
            switch (type) {
                case "PUBLIC KEY" -> publics.add(decodePublic(setting, der));
                case "PRIVATE KEY" -> privates.add(decodePrivate(setting, der));
                default -> throw new ConfigurationException(setting, "PEM block '" + type
                        + "' is not supported; use 'PUBLIC KEY' (X.509) or 'PRIVATE KEY' (PKCS#8)");
            }
        }
        if (publics.isEmpty() && privates.isEmpty()) {
            throw new ConfigurationException(setting, "contains no PEM key block");
        }
        List<SigningKey> keys = new ArrayList<>();
        for (PrivateKey priv : privates) {
            if (priv instanceof RSAPrivateCrtKey crt) {
                RSAPublicKey pub = rsaPublicOf(crt);
                publics.removeIf(p -> p.equals(pub));
                keys.add(SigningKey.rsa(Jwk.thumbprint(pub), pub, crt));
            } else if (priv instanceof ECPrivateKey ec) {
                ECPublicKey pub = findEcPublic(setting, publics, ec);
                publics.remove(pub);
                keys.add(SigningKey.ec(Jwk.thumbprint(pub), pub, ec));
            } else {
                throw new ConfigurationException(setting, "private key type " + priv.getAlgorithm() + " is not supported");
            }
        }
        for (PublicKey pub : publics) {
            if (pub instanceof RSAPublicKey rsa) {
                keys.add(SigningKey.rsa(Jwk.thumbprint(rsa), rsa, null));
            } else if (pub instanceof ECPublicKey ec) {
                keys.add(SigningKey.ec(Jwk.thumbprint(ec), ec, null));
            } else {
                throw new ConfigurationException(setting, "public key type " + pub.getAlgorithm() + " is not supported");
            }
        }
        return keys;
    }

    private static RSAPublicKey rsaPublicOf(RSAPrivateCrtKey crt) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new GatehouseException("Could not derive the RSA public key", e);
        }
    }

    private static ECPublicKey findEcPublic(String setting, List<PublicKey> publics, ECPrivateKey priv) {
        // Sign and verify a probe to pair the private key with its public key.
        for (PublicKey candidate : publics) {
            if (candidate instanceof ECPublicKey ec) {
                try {
                    java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA");
                    s.initSign(priv);
                    byte[] probe = "gatehouse-key-pairing".getBytes(StandardCharsets.US_ASCII);
                    s.update(probe);
                    byte[] sig = s.sign();
                    s.initVerify(candidate);
                    s.update(probe);
                    if (s.verify(sig)) {
                        return ec;
                    }
                } catch (GeneralSecurityException e) {
                    // not this one
                }
            }
        }
        throw new ConfigurationException(setting, "an EC PRIVATE KEY needs its PUBLIC KEY block in the same file");
    }

    private static PublicKey decodePublic(String setting, byte[] der) {
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next type
            }
        }
        throw new ConfigurationException(setting, "a PUBLIC KEY block is neither an RSA nor an EC key");
    }

    private static PrivateKey decodePrivate(String setting, byte[] der) {
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                PrivateKey key = KeyFactory.getInstance(type).generatePrivate(new PKCS8EncodedKeySpec(der));
                if (key instanceof RSAPrivateKey && !(key instanceof RSAPrivateCrtKey)) {
                    throw new ConfigurationException(setting, "an RSA PRIVATE KEY without CRT parameters is not supported");
                }
                return key;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // try the next type
            }
        }
        throw new ConfigurationException(setting, "a PRIVATE KEY block is neither an RSA nor an EC PKCS#8 key");
    }

    /** PEM text of a public key ({@code PUBLIC KEY}, X.509 SubjectPublicKeyInfo). */
    public static String publicKeyPem(SigningKey key) {
        if (key.publicKey() == null) {
            throw new IllegalArgumentException("an HS256 secret has no public key");
        }
        return pem("PUBLIC KEY", key.publicKey().getEncoded());
    }

    /** PEM text of a private key ({@code PRIVATE KEY}, PKCS#8): key material, handle as a secret. */
    public static String privateKeyPem(SigningKey key) {
        if (key.privateKey() == null) {
            throw new IllegalArgumentException("key '" + key.kid() + "' has no private part");
        }
        return pem("PRIVATE KEY", key.privateKey().getEncoded());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
