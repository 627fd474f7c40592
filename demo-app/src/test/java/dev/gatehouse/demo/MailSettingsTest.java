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

package dev.gatehouse.demo;

import dev.gatehouse.token.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo's account-lifecycle and mail settings: defaults, and errors that name the variable. */
class MailSettingsTest {
    private static DemoSettings settings(Map<String, String> env) {
        return DemoSettings.from(env, name -> null, name -> null);
    }

    @Test
    void defaultsRequireAVerifiedEmailAndUseTheLocalMailboxWithTheIssuerAsPublicUrl() {
        DemoSettings defaults = settings(Map.of());

        assertThat(defaults.requireVerifiedEmail).isTrue();
        assertThat(defaults.localMailbox()).isTrue();
        assertThat(defaults.publicUrl).isEmpty();
        assertThat(defaults.publicUrlFor("http://127.0.0.1:8080")).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(defaults.publicUrlFor("https://demo.example.com/gatehouse-demo"))
                .as("the WAR: its required issuer, with the context path").isEqualTo(URI.create("https://demo.example.com/gatehouse-demo"));
        assertThat(defaults.mailFrom).isEqualTo("Gatehouse demo <no-reply@localhost>");
        assertThat(defaults.smtpSecurity).isEqualTo(DemoSettings.SmtpSecurity.STARTTLS);
        assertThat(defaults.smtpPort).isEqualTo(587);
        assertThat(defaults.toString()).contains("requireVerifiedEmail=true", "mail=local mailbox");
    }

    @Test
    void publicUrlWinsOverTheIssuerAndMustBeAnHttpUrlWithoutQuery() {
        DemoSettings set = settings(Map.of("GATEHOUSE_PUBLIC_URL", "https://demo.example.com/app", "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "FALSE"));
        assertThat(set.publicUrlFor("http://127.0.0.1:8080")).isEqualTo(URI.create("https://demo.example.com/app"));
        assertThat(set.requireVerifiedEmail).isFalse();

        for (String bad : new String[] {"demo.example.com", "ftp://demo.example.com", "https://demo.example.com/?a=b",
                "https://demo.example.com/#x", "https://user@demo.example.com", "https://exa mple.com"}) {
            assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_PUBLIC_URL", bad))).as(bad)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_PUBLIC_URL");
        }
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_PUBLIC_URL", "http://demo.example.com"))).as("plain http off this machine")
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_PUBLIC_URL").hasMessageContaining("https");
        assertThat(settings(Map.of("GATEHOUSE_PUBLIC_URL", "http://localhost:9090")).publicUrlFor("x"))
                .isEqualTo(URI.create("http://localhost:9090"));
        assertThat(settings(Map.of()).publicUrlFor("http://0.0.0.0:8080")).as("a wildcard bind address")
                .isEqualTo(URI.create("http://localhost:8080"));
        assertThat(settings(Map.of()).publicUrlFor("https://0.0.0.0:8443")).isEqualTo(URI.create("https://localhost:8443"));
        assertThatThrownBy(() -> settings(Map.of()).publicUrlFor("http://192.0.2.10:8080")).as("an http issuer off this machine")
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_PUBLIC_URL").hasMessageContaining("GATEHOUSE_TLS");
        assertThatThrownBy(() -> settings(Map.of()).publicUrlFor("urn:demo")).as("an issuer that is no URL")
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_PUBLIC_URL");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "yes")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_REQUIRE_VERIFIED_EMAIL");
    }

    @Test
    void smtpSettingsDefaultThePortBySecurityAndNeverShowThePassword() {
        DemoSettings smtps = settings(Map.of("GATEHOUSE_SMTP_HOST", "smtp.example.com", "GATEHOUSE_SMTP_SECURITY", "SMTPS",
                "GATEHOUSE_SMTP_USER", "demo", "GATEHOUSE_SMTP_PASSWORD", "s3cret-smtp-password", "GATEHOUSE_MAIL_FROM", "no-reply@example.com"));
        assertThat(smtps.localMailbox()).isFalse();
        assertThat(smtps.smtpPort).isEqualTo(465);
        assertThat(smtps.smtpPassword()).isEqualTo("s3cret-smtp-password");
        assertThat(smtps.mailFrom).isEqualTo("no-reply@example.com");
        assertThat(smtps.toString()).contains("smtp smtps smtp.example.com:465 as demo").doesNotContain("s3cret-smtp-password");
        assertThat(settings(Map.of("GATEHOUSE_SMTP_HOST", "smtp.example.com", "GATEHOUSE_SMTP_PORT", "2525")).smtpPort).isEqualTo(2525);
        assertThat(settings(Map.of("GATEHOUSE_SMTP_HOST", "localhost", "GATEHOUSE_SMTP_SECURITY", "none")).smtpPort).isEqualTo(25);
    }

    @Test
    void noTlsOnlyToALoopbackHost() {
        for (String loopback : new String[] {"localhost", "127.0.0.1", "127.0.0.53", "::1", "[::1]"}) {
            assertThat(settings(Map.of("GATEHOUSE_SMTP_HOST", loopback, "GATEHOUSE_SMTP_SECURITY", "none")).smtpSecurity)
                    .as(loopback).isEqualTo(DemoSettings.SmtpSecurity.NONE);
        }
        for (String remote : new String[] {"smtp.example.com", "10.0.0.5", "localhost.example.com"}) {
            assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_SMTP_HOST", remote, "GATEHOUSE_SMTP_SECURITY", "none"))).as(remote)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("GATEHOUSE_SMTP_SECURITY").hasMessageContaining("loopback");
        }
    }

    @Test
    void mistakesNameTheirVariable() {
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_SMTP_HOST", "smtp.example.com", "GATEHOUSE_SMTP_SECURITY", "tls")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_SMTP_SECURITY").hasMessageContaining("starttls");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_SMTP_HOST", "smtp.example.com", "GATEHOUSE_SMTP_PORT", "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_SMTP_PORT");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_SMTP_PORT", "587")))
                .as("an SMTP setting without the host").isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("GATEHOUSE_SMTP_PORT").hasMessageContaining("GATEHOUSE_SMTP_HOST");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_SMTP_HOST", "smtp.example.com", "GATEHOUSE_SMTP_USER", "demo")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_SMTP_PASSWORD");
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_SMTP_HOST", "smtp.example.com", "GATEHOUSE_SMTP_PASSWORD", "pw-only-here")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_SMTP_USER")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw-only-here"));
        assertThatThrownBy(() -> settings(Map.of("GATEHOUSE_MAIL_FROM", "nobody")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("GATEHOUSE_MAIL_FROM");
    }
}
