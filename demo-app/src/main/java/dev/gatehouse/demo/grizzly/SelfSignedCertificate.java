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

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A self-signed X.509 v3 server certificate for an EC P-256 key pair (ecdsa-with-SHA256), with the
 * names it is valid for in a subjectAltName extension (RFC 5280 §4.2.1.6), which browsers and the
 * JDK's host name check require. DER-encoded by hand: the JDK has no public API to create
 * certificates, and the demo takes no certificate library for one self-signed certificate.
 */
final class SelfSignedCertificate {
    private static final byte[] ECDSA_WITH_SHA256 = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};
    private static final byte[] SUBJECT_ALT_NAME = {0x55, 0x1D, 0x11};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SelfSignedCertificate() {
    }

    /**
     * A certificate for {@code pair}'s public key, signed by its private key.
     *
     * @param dnsNames    host names it is valid for (the first is also the common name)
     * @param ipAddresses IP addresses it is valid for
     */
    static X509Certificate create(KeyPair pair, List<String> dnsNames, List<InetAddress> ipAddresses,
                                  Instant notBefore, Instant notAfter) {
        byte[] algorithm = tlv(0x30, tlv(0x06, ECDSA_WITH_SHA256));
        byte[] name = tlv(0x30, tlv(0x31, tlv(0x30, concat(tlv(0x06, COMMON_NAME),
                tlv(0x0C, dnsNames.get(0).getBytes(StandardCharsets.UTF_8))))));
        byte[] validity = tlv(0x30, concat(utcTime(notBefore), utcTime(notAfter)));
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        for (String dns : dnsNames) {
            names.writeBytes(tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII))); // [2] dNSName
        }
        for (InetAddress ip : ipAddresses) {
            names.writeBytes(tlv(0x87, ip.getAddress())); // [7] iPAddress
        }
        byte[] san = tlv(0x30, concat(tlv(0x06, SUBJECT_ALT_NAME), tlv(0x04, tlv(0x30, names.toByteArray()))));
        byte[] extensions = tlv(0xA3, tlv(0x30, san));
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // and without a leading zero byte
        byte[] version = tlv(0xA0, tlv(0x02, new byte[] {0x02})); // v3
        byte[] tbs = tlv(0x30, concat(version, tlv(0x02, new BigInteger(serial).toByteArray()), algorithm, name, validity, name,
                pair.getPublic().getEncoded(), extensions));
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(pair.getPrivate());
            s.update(tbs);
            byte[] signature = concat(new byte[] {0x00}, s.sign()); // BIT STRING: no unused bits
            byte[] der = tlv(0x30, concat(tbs, algorithm, tlv(0x03, signature)));
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not create the self-signed certificate", e);
        }
    }

    private static byte[] utcTime(Instant t) {
        return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

    /** DER tag-length-value, with the definite length form (X.690 §8.1.3). */
    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n & 0xFF);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
