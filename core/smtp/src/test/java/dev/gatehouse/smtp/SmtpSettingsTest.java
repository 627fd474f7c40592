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

import dev.gatehouse.smtp.SmtpSettings.Security;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SmtpSettings}: defaults, validation (each message names its setting), and the loopback rule of {@code NONE}. */
class SmtpSettingsTest {
    private static final String FROM = "Gatehouse <no-reply@example.com>";

    @Test
    void defaults() {
        SmtpSettings s = SmtpSettings.builder("smtp.example.com", FROM).build();
        assertThat(s.host()).isEqualTo("smtp.example.com");
        assertThat(s.security()).isEqualTo(Security.STARTTLS);
        assertThat(s.port()).isEqualTo(587);
        assertThat(s.from().getAddress()).isEqualTo("no-reply@example.com");
        assertThat(s.from().getPersonal()).isEqualTo("Gatehouse");
        assertThat(s.fromDomain()).isEqualTo("example.com");
        assertThat(s.hasCredentials()).isFalse();
        assertThat(s.username()).isEmpty();
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.writeTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.sslSocketFactory()).isEmpty();
        assertThat(s.heloName()).isEmpty();
    }

    @Test
    void thePortDefaultsToTheSecuritysPortUnlessSet() {
        assertThat(SmtpSettings.builder("smtp.example.com", FROM).security(Security.SMTPS).build().port()).isEqualTo(465);
        assertThat(SmtpSettings.builder("localhost", FROM).security(Security.NONE).build().port()).isEqualTo(25);
        assertThat(SmtpSettings.builder("smtp.example.com", FROM).port(2525).security(Security.SMTPS).build().port()).isEqualTo(2525);
    }

    @Test
    void theSessionRequiresStarttlsAndChecksTheServerIdentity() {
        Properties starttls = SmtpMailSender.sessionProperties(SmtpSettings.builder("smtp.example.com", FROM).build());
        assertThat(starttls).containsEntry("mail.smtp.starttls.enable", "true").containsEntry("mail.smtp.starttls.required", "true")
                .containsEntry("mail.smtp.ssl.checkserveridentity", "true").containsEntry("mail.smtp.auth", "false")
                .containsEntry("mail.smtp.connectiontimeout", "10000").containsEntry("mail.smtp.timeout", "20000")
                .containsEntry("mail.smtp.writetimeout", "20000");
        Properties smtps = SmtpMailSender.sessionProperties(SmtpSettings.builder("smtp.example.com", FROM).security(Security.SMTPS)
                .credentials("user", "password-1234").heloName("mailer.example.com").build());
        assertThat(smtps).containsEntry("mail.smtp.ssl.enable", "true").containsEntry("mail.smtp.ssl.checkserveridentity", "true")
                .containsEntry("mail.smtp.auth", "true").containsEntry("mail.smtp.localhost", "mailer.example.com")
                .doesNotContainValue("password-1234");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]"})
    void noneIsAllowedForLoopbackHosts(String host) {
        assertThatCode(() -> SmtpSettings.builder(host, FROM).security(Security.NONE).build()).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp.example.com", "192.0.2.10", "10.0.0.1", "2001:db8::1", "0.0.0.0", "host.invalid"})
    void noneIsRefusedForAnyOtherHost(String host) {
        assertThatThrownBy(() -> SmtpSettings.builder(host, FROM).security(Security.NONE).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("security NONE").hasMessageContaining("loopback");
    }

    @Test
    void noneWithTlsTrustIsRefused() throws Exception {
        KeyStore trust = TestCertificates.trustStore();
        assertThatThrownBy(() -> SmtpSettings.builder("localhost", FROM).security(Security.NONE).trustStore(trust).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("security NONE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "smtp example.com", "smtp..example.com", "-smtp.example.com", "smtp_1.example.com",
        "smtp.example.com\r\nRCPT", "300.1.1.1", "::g", "http://smtp.example.com"})
    void anInvalidHostIsRefused(String host) {
        assertThatThrownBy(() -> SmtpSettings.builder(host, FROM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-reply", "no-reply@", "@example.com", "a@example.com, b@example.com", "a@example.com\r\nBcc: x@y.z",
        "Name <no-reply@exa mple.com>", "no-reply@example..com", "group: a@example.com;"})
    void anInvalidFromAddressIsRefused(String from) {
        assertThatThrownBy(() -> SmtpSettings.builder("smtp.example.com", from)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("fromAddress ");
    }

    @Test
    void theFromAddressMayHaveADisplayName() {
        SmtpSettings s = SmtpSettings.builder("smtp.example.com", "\"Gatehouse Mailer\" <No-Reply@Example.COM>").build();
        assertThat(s.from().getPersonal()).isEqualTo("Gatehouse Mailer");
        assertThat(s.fromDomain()).isEqualTo("example.com");
        assertThat(SmtpSettings.builder("smtp.example.com", "no-reply@example.com").build().from().getPersonal()).isNull();
    }

    @Test
    void eachValueIsCheckedAndTheMessageNamesTheSetting() {
        SmtpSettings.Builder b = SmtpSettings.builder("smtp.example.com", FROM);
        assertThatThrownBy(() -> b.port(0)).hasMessageStartingWith("port ");
        assertThatThrownBy(() -> b.port(65536)).hasMessageStartingWith("port ");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageStartingWith("connectTimeout ");
        assertThatThrownBy(() -> b.readTimeout(Duration.ofSeconds(-1))).hasMessageStartingWith("readTimeout ");
        assertThatThrownBy(() -> b.writeTimeout(Duration.ofDays(30))).hasMessageStartingWith("writeTimeout ");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofNanos(10))).hasMessageStartingWith("connectTimeout ");
        assertThatThrownBy(() -> b.credentials(" ", "password-1234")).hasMessageStartingWith("username ");
        assertThatThrownBy(() -> b.credentials("user", "")).hasMessageStartingWith("password ");
        assertThatThrownBy(() -> b.credentials("user", "pass\r\nword")).hasMessageStartingWith("password ");
        assertThatThrownBy(() -> b.credentials(null, "password-1234")).isInstanceOf(NullPointerException.class).hasMessage("username");
        assertThatThrownBy(() -> b.credentials("user", (char[]) null)).isInstanceOf(NullPointerException.class).hasMessage("password");
        assertThatThrownBy(() -> b.security(null)).isInstanceOf(NullPointerException.class).hasMessage("security");
        assertThatThrownBy(() -> b.heloName("not a name")).hasMessageStartingWith("heloName ");
        assertThatThrownBy(() -> b.heloName("192.0.2.1")).hasMessageStartingWith("heloName ");
        assertThatCode(() -> b.heloName("[192.0.2.1]")).doesNotThrowAnyException();
        assertThatCode(() -> b.heloName("[IPv6:2001:db8::1]")).doesNotThrowAnyException();
        assertThatCode(() -> b.heloName("mailer.example.com")).doesNotThrowAnyException();
    }

    @Test
    void anEmptyTrustStoreIsRefusedAndTrustIsSetOneWayOnly() throws Exception {
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        assertThatThrownBy(() -> SmtpSettings.builder("smtp.example.com", FROM).trustStore(empty))
                .hasMessageStartingWith("trustStore ");
        KeyStore unloaded = KeyStore.getInstance("PKCS12");
        assertThatThrownBy(() -> SmtpSettings.builder("smtp.example.com", FROM).trustStore(unloaded))
                .hasMessageStartingWith("trustStore ");
        KeyStore trust = TestCertificates.trustStore();
        assertThatThrownBy(() -> SmtpSettings.builder("smtp.example.com", FROM).trustStore(trust)
                .sslSocketFactory(TestCertificates.trustAllFactory())).hasMessageContaining("exclusive");
        assertThatThrownBy(() -> SmtpSettings.builder("smtp.example.com", FROM).sslSocketFactory(TestCertificates.trustAllFactory())
                .trustStore(trust)).hasMessageContaining("exclusive");
        assertThat(SmtpSettings.builder("smtp.example.com", FROM).trustStore(trust).build().sslSocketFactory()).isPresent();
    }

    @Test
    void thePasswordIsCopiedAndNeverShown() {
        char[] password = "secret-Passw0rd-xyz".toCharArray();
        SmtpSettings s = SmtpSettings.builder("smtp.example.com", FROM).credentials("mailer", password).build();
        Arrays.fill(password, 'x');
        assertThat(s.password()).containsExactly("secret-Passw0rd-xyz".toCharArray());
        assertThat(s.username()).contains("mailer");
        assertThat(s.toString()).contains("password=(set)").contains("mailer").doesNotContain("secret-Passw0rd-xyz");
        assertThat(SmtpSettings.builder("smtp.example.com", FROM).build().toString()).contains("password=(none)");
    }
}
