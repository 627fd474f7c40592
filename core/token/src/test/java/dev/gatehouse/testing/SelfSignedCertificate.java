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

package dev.gatehouse.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A minimal self-signed X.509 v1 certificate for an RSA key pair, DER-encoded by hand so that tests
 * can put a genuine certificate of an attacker's key in an {@code x5c} header without any
 * certificate library (the JDK has no public API to create certificates).
 */
public final class SelfSignedCertificate {
    private static final byte[] SHA256_WITH_RSA = {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x0B};
    private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private SelfSignedCertificate() {
    }

    /** A certificate for {@code pair}'s public key, signed by its private key (SHA256withRSA). */
    public static X509Certificate create(KeyPair pair, String commonName, Instant notBefore, Instant notAfter) {
        byte[] algorithm = tlv(0x30, concat(tlv(0x06, SHA256_WITH_RSA), new byte[] {0x05, 0x00}));
        byte[] name = tlv(0x30, tlv(0x31, tlv(0x30, concat(tlv(0x06, COMMON_NAME),
                tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8))))));
        byte[] validity = tlv(0x30, concat(utcTime(notBefore), utcTime(notAfter)));
        byte[] tbs = tlv(0x30, concat(tlv(0x02, BigInteger.valueOf(System.nanoTime() & 0x7FFFFFFFL).toByteArray()),
                algorithm, name, validity, name, pair.getPublic().getEncoded()));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(pair.getPrivate());
            s.update(tbs);
            byte[] signature = concat(new byte[] {0x00}, s.sign());
            byte[] der = tlv(0x30, concat(tbs, algorithm, tlv(0x03, signature)));
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utcTime(Instant t) {
        return tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
    }

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
