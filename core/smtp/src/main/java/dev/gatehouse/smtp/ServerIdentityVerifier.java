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

package dev.gatehouse.smtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The server identity check of every TLS connection, whoever made its socket: the server's
 * certificate must name the configured host in its subject alternative names, a {@code dNSName}
 * (a wildcard only as the whole left-most label, covering one label) for a host name, an
 * {@code iPAddress} for an address. Jakarta Mail runs it after the handshake
 * ({@code mail.smtp.ssl.hostnameverifier}), in addition to the JDK's own check, which a custom
 * {@link javax.net.ssl.SSLSocketFactory}'s trust manager may skip.
 */
final class ServerIdentityVerifier implements HostnameVerifier {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");

    @Override
    public boolean verify(String host, SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
            return false;
        }
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) {
            return false;
        }
        boolean address = host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
        for (List<?> name : names) {
            if (name.size() < 2 || !(name.get(0) instanceof Integer type) || !(name.get(1) instanceof String value)) {
                continue;
            }
            if (address ? type == IP_ADDRESS && sameAddress(host, value) : type == DNS_NAME && matchesName(host, value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the address literals {@code host} and {@code value} are the same address (never a DNS look-up). */
    private static boolean sameAddress(String host, String value) {
        if (!isLiteral(host) || !isLiteral(value)) {
            return false;
        }
        try {
            return InetAddress.getByName(host).equals(InetAddress.getByName(value));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isLiteral(String s) {
        return s.indexOf(':') >= 0 || IPV4.matcher(s).matches();
    }

    /** Whether the host name {@code host} matches the certificate's {@code dNSName} {@code pattern}. */
    static boolean matchesName(String host, String pattern) {
        String h = normalise(host);
        String p = normalise(pattern);
        if (h.isEmpty() || p.isEmpty()) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return h.equals(p);
        }
        String rest = p.substring(2);
        // "*.com" covers too much; "*.example.com" covers exactly one more label
        if (rest.indexOf('.') < 0 || rest.indexOf('*') >= 0) {
            return false;
        }
        int dot = h.indexOf('.');
        return dot > 0 && h.substring(dot + 1).equals(rest);
    }

    private static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
