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

package dev.gatehouse.demo.grizzly;

import dev.gatehouse.token.ConfigurationException;
import dev.gatehouse.demo.DemoSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The standalone demo's TLS: the server key and certificate from a PKCS#12 key store
 * ({@code GATEHOUSE_TLS_KEYSTORE}, {@code GATEHOUSE_TLS_KEYSTORE_PASSWORD}), or, with
 * {@code GATEHOUSE_TLS=self-signed}, a self-signed certificate generated on first start into a key
 * store that later starts reuse (so that a browser exception or a pinned certificate keeps
 * working), with the certificate beside it as PEM for {@code curl --cacert}. A key store that
 * cannot be opened stops the start with a message naming the setting.
 */
final class DemoTls {
    private static final Logger LOG = LoggerFactory.getLogger(DemoTls.class);
    static final String ALIAS = "gatehouse-demo";
    /** A generated certificate's lifetime (within what browsers accept for any server certificate). */
    static final Duration SELF_SIGNED_LIFETIME = Duration.ofDays(397);

    private DemoTls() {
    }

    /** The server's TLS context for the settings' {@link DemoSettings#tls} mode (not {@code OFF}). */
    static SSLContext context(DemoSettings settings) {
        KeyStore store;
        char[] password;
        if (settings.tls == DemoSettings.Tls.SELF_SIGNED) {
            password = selfSignedPassword(settings);
            store = selfSigned(settings, password);
        } else {
            password = settings.tlsKeystorePassword().toCharArray();
            store = load(settings.tlsKeystore, password);
        }
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (UnrecoverableKeyException e) {
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE_PASSWORD", "does not unlock the private key in "
                    + settings.tlsKeystore.toAbsolutePath() + " (the key's password must be the store's)");
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", "cannot serve TLS with " + settings.tlsKeystore.toAbsolutePath()
                    + ": " + e.getMessage());
        }
    }

    /** Loads a PKCS#12 key store holding exactly the server's key entry (and its certificate chain). */
    static KeyStore load(Path file, char[] password) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", "'" + file.toAbsolutePath() + "' is not a readable file");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE_PASSWORD", "does not open the key store "
                        + file.toAbsolutePath() + " (wrong password)");
            }
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", "'" + file.toAbsolutePath()
                    + "' is not a readable PKCS#12 key store (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", "'" + file.toAbsolutePath()
                    + "' is not a usable PKCS#12 key store (" + e.getMessage() + ")");
        }
        try {
            int keyEntries = 0;
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyEntries++;
                }
            }
            if (keyEntries != 1) {
                throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", file.toAbsolutePath() + " holds " + keyEntries
                        + " private keys; it must hold exactly one (the server's, with its certificate chain)");
            }
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE", "cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        return store;
    }

    /** Where a self-signed key store's generated password is kept when none is set. */
    static Path passwordFile(Path keystore) {
        return keystore.resolveSibling(keystore.getFileName() + ".password");
    }

    /** Where the self-signed certificate is written as PEM. */
    static Path certificateFile(Path keystore) {
        return keystore.resolveSibling("certificate.pem");
    }

    private static char[] selfSignedPassword(DemoSettings settings) {
        if (!settings.tlsKeystorePassword().isEmpty()) {
            return settings.tlsKeystorePassword().toCharArray();
        }
        Path file = passwordFile(settings.tlsKeystore);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
            }
            if (Files.exists(settings.tlsKeystore)) {
                throw new ConfigurationException("GATEHOUSE_TLS_KEYSTORE_PASSWORD", "is required to open the existing key store "
                        + settings.tlsKeystore.toAbsolutePath() + " (" + file.toAbsolutePath() + " is missing)");
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            writeOwnerOnly(file, (password + "\n").getBytes(StandardCharsets.US_ASCII));
            return password.toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create or read " + file.toAbsolutePath(), e);
        }
    }

    private static KeyStore selfSigned(DemoSettings settings, char[] password) {
        Path file = settings.tlsKeystore;
        if (Files.exists(file)) {
            KeyStore existing = load(file, password);
            X509Certificate certificate = certificate(existing);
            if (certificate != null && certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)))) {
                LOG.info("HTTPS with the self-signed certificate in {} (valid until {}; certificate as PEM: {})",
                        file.toAbsolutePath(), certificate.getNotAfter().toInstant(), certificateFile(file).toAbsolutePath());
                return existing;
            }
            LOG.warn("The self-signed certificate in {} expires within a day: generating a new one", file.toAbsolutePath());
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            List<String> dnsNames = new ArrayList<>();
            Set<InetAddress> ips = new LinkedHashSet<>();
            names(settings.host, dnsNames, ips);
            Instant now = Instant.now();
            X509Certificate certificate = SelfSignedCertificate.create(pair, dnsNames, new ArrayList<>(ips),
                    now.minus(Duration.ofHours(1)), now.plus(SELF_SIGNED_LIFETIME));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, pair.getPrivate(), password, new X509Certificate[] {certificate});
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            store.store(bytes, password);
            Files.deleteIfExists(file);
            writeOwnerOnly(file, bytes.toByteArray());
            Path pem = certificateFile(file);
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
            LOG.warn("GATEHOUSE_TLS=self-signed: generated a self-signed certificate for {} {} into {} (as PEM: {}). Browsers"
                    + " will warn until you trust it; for anything but a demo, use a certificate from a CA (GATEHOUSE_TLS_KEYSTORE)",
                    dnsNames, ips, file.toAbsolutePath(), pem.toAbsolutePath());
            return store;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not generate the self-signed certificate", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the self-signed key store " + file.toAbsolutePath(), e);
        }
    }

    private static X509Certificate certificate(KeyStore store) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return certificate;
                }
            }
            return null;
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /**
     * The names a generated certificate is valid for: {@code localhost} and the loopback addresses,
     * the configured host, and when it is a wildcard address every address of this machine's
     * interfaces (a demo reached by IP from another device on the network).
     */
    private static void names(String host, List<String> dnsNames, Set<InetAddress> ips) {
        dnsNames.add("localhost");
        ips.add(InetAddress.getLoopbackAddress());
        try {
            byte[] ipv6Loopback = new byte[16];
            ipv6Loopback[15] = 1;
            ips.add(InetAddress.getByAddress(ipv6Loopback)); // ::1
            if (dev.gatehouse.web.TransportSecurity.isAddressLiteral(host)) {
                InetAddress address = InetAddress.getByName(host.replace("[", "").replace("]", ""));
                if (address.isAnyLocalAddress()) {
                    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                        if (nic.isUp()) {
                            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                                if (!(a instanceof Inet6Address && a.isLinkLocalAddress())) {
                                    ips.add(InetAddress.getByAddress(a.getAddress())); // without the scope
                                }
                            }
                        }
                    }
                } else {
                    ips.add(address);
                }
            } else if (!host.equalsIgnoreCase("localhost")) {
                dnsNames.add(0, host);
            }
        } catch (IOException e) {
            LOG.warn("Could not list this machine's addresses for the certificate ({})", e.toString());
        }
    }

    private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(content);
        }
    }
}
