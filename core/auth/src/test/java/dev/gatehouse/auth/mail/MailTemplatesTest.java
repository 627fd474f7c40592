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

package dev.gatehouse.auth.mail;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link MailTemplates}: every mail in English and German from the shipped bundles (the phrases asserted are those
 * written in them), escaping, links and their tokens, language matching, and texts an application supplies.
 */
class MailTemplatesTest {
    private static final URI BASE = URI.create("https://app.example.com");
    private static final String TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";
    private static final String ID = "5b0f0e9c-8d2c-4a55-9a53-6f1f1b7f3f41";
    private static final String TO = "user@example.com";
    private static final String ROOT_FILE = "/dev/gatehouse/auth/mail/messages.properties";
    private static final String GERMAN_FILE = "/dev/gatehouse/auth/mail/messages_de.properties";

    private final MailTemplates templates = new MailTemplates(MailSettings.builder(BASE).build());

    private static String token(MailKind kind) {
        return kind.hasLink() ? TOKEN : null;
    }

    @Test
    void theTestTokenIsShapedLikeARealOne() {
        assertThat(TOKEN).hasSize(43).matches("[A-Za-z0-9_-]+");
    }

    @ParameterizedTest
    @EnumSource(MailKind.class)
    void everyKindRendersInEnglishAndGermanWithEveryPlaceholderReplaced(MailKind kind) {
        MailMessage en = templates.render(kind, ID, TO, Locale.ENGLISH, token(kind));
        MailMessage de = templates.render(kind, ID, TO, Locale.GERMAN, token(kind));
        for (MailMessage m : List.of(en, de)) {
            assertThat(m.messageId()).isEqualTo(ID);
            assertThat(m.to()).isEqualTo(TO);
            assertThat(m.subject()).isNotBlank().doesNotContain("{", "}", "\n", "\r").contains("Gatehouse");
            assertThat(m.text()).isNotBlank().doesNotContain("{", "}", "<", "&").contains("Gatehouse");
            assertThat(m.html()).isNotBlank().doesNotContain("{", "}").contains("Gatehouse")
                    .startsWith("<!DOCTYPE html>").endsWith("</html>\n")
                    .contains("<meta charset=\"utf-8\">", "<title>")
                    // self-contained: nothing fetched from elsewhere
                    .doesNotContain("<img", "<script", "<link", "<style", "src=", "url(", "@import");
        }
        assertThat(en.html()).contains("<html lang=\"en\">");
        assertThat(de.html()).contains("<html lang=\"de\">");
        assertThat(de.subject()).isNotEqualTo(en.subject());
        assertThat(de.text()).isNotEqualTo(en.text());
        assertThat(en.text()).startsWith("Hello,\n").contains("Your Gatehouse team");
        assertThat(de.text()).startsWith("Hallo,\n").contains("Ihr Team von Gatehouse");
        assertThat(en.text()).contains("This is an automated message from Gatehouse. Replies to it are not read.");
        assertThat(de.text()).contains("Dies ist eine automatische Nachricht von Gatehouse. Antworten darauf werden nicht gelesen.");
        if (kind.hasLink()) {
            assertThat(en.text()).contains("The link works only once and expires soon.", "If this wasn't you, you can safely ignore this message.");
            assertThat(de.text()).contains("Der Link funktioniert nur einmal", "Falls Sie das nicht waren");
        } else {
            assertThat(en.text() + en.html() + de.text() + de.html()).doesNotContain("token", "http", "The link works");
        }
    }

    @Test
    void theEnglishTextsAreThoseOfTheRootBundle() {
        assertThat(subject(MailKind.VERIFY_EMAIL, Locale.ENGLISH)).isEqualTo("Confirm your email address for Gatehouse");
        assertThat(subject(MailKind.ALREADY_REGISTERED, Locale.ENGLISH)).isEqualTo("Someone tried to register with your email address at Gatehouse");
        assertThat(subject(MailKind.PASSWORD_RESET, Locale.ENGLISH)).isEqualTo("Reset your Gatehouse password");
        assertThat(subject(MailKind.PASSWORD_CHANGED, Locale.ENGLISH)).isEqualTo("Your Gatehouse password was changed");
        assertThat(subject(MailKind.ACCOUNT_THROTTLED, Locale.ENGLISH)).isEqualTo("Many failed login attempts on your Gatehouse account");
        assertThat(subject(MailKind.ACCOUNT_DELETED, Locale.ENGLISH)).isEqualTo("Your Gatehouse account was deleted");

        assertThat(text(MailKind.VERIFY_EMAIL, Locale.ENGLISH)).contains("Please confirm that this email address belongs to you",
                "Confirm email address:\n");
        assertThat(text(MailKind.ALREADY_REGISTERED, Locale.ENGLISH)).contains("You already have an account with it, so nothing was changed.",
                "If this was you, simply log in, or reset your password");
        assertThat(text(MailKind.PASSWORD_RESET, Locale.ENGLISH)).doesNotContain("button").contains("Choose a new password:\n",
                "Your password stays unchanged until you choose a new one.");
        assertThat(text(MailKind.PASSWORD_CHANGED, Locale.ENGLISH)).contains("all other sessions have been signed out",
                "If you didn't change it, reset your password at once");
        assertThat(text(MailKind.ACCOUNT_THROTTLED, Locale.ENGLISH)).contains("many failed attempts to log in",
                "logins are slowed down for a while", "consider changing your password");
        assertThat(text(MailKind.ACCOUNT_DELETED, Locale.ENGLISH)).contains("Your Gatehouse account has been deleted.");
    }

    @Test
    void apostrophesSurviveAsWrittenAndAreEscapedInHtml() {
        // MessageFormat would have eaten these (it reads ' as a quote)
        assertThat(text(MailKind.PASSWORD_CHANGED, Locale.ENGLISH)).contains("If you didn't change it");
        assertThat(text(MailKind.ACCOUNT_DELETED, Locale.ENGLISH)).contains("You won't receive any further messages");
        assertThat(templates.render(MailKind.PASSWORD_CHANGED, ID, TO, Locale.ENGLISH, null).html())
                .contains("If you didn&#39;t change it").doesNotContain("didn't");
    }

    @Test
    void germanUmlautsAreDecodedFromUtf8() {
        // written as escapes so that this file's own encoding cannot hide a wrong one
        assertThat(subject(MailKind.ACCOUNT_DELETED, Locale.GERMAN)).isEqualTo("Ihr Konto bei Gatehouse wurde gel\u00f6scht");
        assertThat(subject(MailKind.VERIFY_EMAIL, Locale.GERMAN)).isEqualTo("Best\u00e4tigen Sie Ihre E-Mail-Adresse f\u00fcr Gatehouse");
        assertThat(subject(MailKind.PASSWORD_CHANGED, Locale.GERMAN)).isEqualTo("Ihr Passwort bei Gatehouse wurde ge\u00e4ndert");
        MailMessage reset = templates.render(MailKind.PASSWORD_RESET, ID, TO, Locale.GERMAN, TOKEN);
        assertThat(reset.text()).contains("Neues Passwort w\u00e4hlen:\n", "nur kurze Zeit g\u00fcltig", "Ihr Passwort bleibt unver\u00e4ndert");
        // the hint is for the button, which only the HTML body has
        assertThat(reset.html()).contains("Neues Passwort w\u00e4hlen</a>", "Falls die Schaltfl\u00e4che nicht funktioniert");
        assertThat(reset.text()).doesNotContain("Schaltfl\u00e4che");
        for (MailKind kind : MailKind.values()) {
            MailMessage m = templates.render(kind, ID, TO, Locale.GERMAN, token(kind));
            // neither replacement characters nor UTF-8 read as Latin-1 (ä as "Ã¤")
            assertThat(m.subject() + m.text() + m.html()).doesNotContain("\ufffd", "\u00c3");
        }
        assertThat(text(MailKind.ALREADY_REGISTERED, Locale.GERMAN)).contains("daher wurde nichts ge\u00e4ndert");
        assertThat(text(MailKind.ACCOUNT_THROTTLED, Locale.GERMAN)).contains("werden Anmeldungen eine Zeit lang verlangsamt");
        assertThat(text(MailKind.PASSWORD_CHANGED, Locale.GERMAN)).contains("alle anderen Sitzungen abgemeldet");
    }

    @Test
    void theBundleFilesAreValidUtf8() throws IOException {
        for (String file : List.of(ROOT_FILE, GERMAN_FILE)) {
            byte[] bytes = bytes(file);
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new AssertionError(file + " is not UTF-8", e);
            }
        }
    }

    @Test
    void theGermanBundleHasEveryKeyOfTheRootAndNoOther() throws IOException {
        Set<String> root = properties(ROOT_FILE).stringPropertyNames();
        Set<String> german = properties(GERMAN_FILE).stringPropertyNames();
        assertThat(root).contains("common.greeting", "common.footer", "common.ignore", "common.validity", "common.link-hint",
                "common.signature");
        for (MailKind kind : MailKind.values()) {
            assertThat(root).contains(kind.key() + ".subject", kind.key() + ".intro", kind.key() + ".outro");
            if (kind.hasLink()) {
                assertThat(root).contains(kind.key() + ".action");
            }
        }
        assertThat(german).isEqualTo(root);
        for (String key : root) {
            assertThat(properties(GERMAN_FILE).getProperty(key)).as(key).isNotBlank();
        }
    }

    @Test
    void theProductNameIsEscapedInHtmlAndWrittenAsItIsInText() {
        String name = "<b>\"A&B\"</b>";
        MailTemplates t = new MailTemplates(MailSettings.builder(BASE).productName(name).build());
        for (MailKind kind : MailKind.values()) {
            MailMessage m = t.render(kind, ID, TO, Locale.ENGLISH, token(kind));
            assertThat(m.html()).contains("&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;").doesNotContain(name, "<b>", "\"A&");
            assertThat(m.text()).contains(name);
            assertThat(m.subject()).contains(name);
        }
        assertThat(t.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.ENGLISH, null).html())
                .contains("<title>Your &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; account was deleted</title>");
    }

    @Test
    void aProductNameLookingLikeAPlaceholderIsNotExpandedAgain() {
        MailTemplates t = new MailTemplates(MailSettings.builder(BASE).productName("{product}").build());
        assertThat(t.render(MailKind.PASSWORD_RESET, ID, TO, Locale.ENGLISH, TOKEN).subject()).isEqualTo("Reset your {product} password");
    }

    @ParameterizedTest
    @CsvSource({"VERIFY_EMAIL, /verify-email", "PASSWORD_RESET, /reset-password"})
    void theLinkIsInBothBodiesWithItsTokenOnALineOfItsOwnInText(MailKind kind, String path) {
        String link = "https://app.example.com" + path + "?token=" + TOKEN;
        for (Locale language : List.of(Locale.ENGLISH, Locale.GERMAN)) {
            MailMessage m = templates.render(kind, ID, TO, language, TOKEN);
            assertThat(m.text()).contains(":\n" + link + "\n");
            assertThat(m.text().lines()).contains(link);
            assertThat(m.html()).contains("<a href=\"" + link + "\"", ">" + link + "</a>");
            assertThat(m.subject()).doesNotContain(TOKEN);
        }
    }

    @Test
    void theLinkFollowsTheSettings() {
        MailTemplates t = new MailTemplates(MailSettings.builder(URI.create("https://example.org/app/"))
                .passwordResetPath("/account/new-password").build());
        assertThat(t.render(MailKind.PASSWORD_RESET, ID, TO, Locale.ENGLISH, TOKEN).text())
                .contains("\nhttps://example.org/app/account/new-password?token=" + TOKEN + "\n");
    }

    @ParameterizedTest
    @EnumSource(value = MailKind.class, names = {"VERIFY_EMAIL", "PASSWORD_RESET"})
    void aKindWithALinkNeedsAToken(MailKind kind) {
        List<String> bad = new ArrayList<>();
        bad.add(null);
        bad.addAll(List.of("", TOKEN.substring(1), TOKEN + "A", TOKEN.substring(1) + "+", TOKEN.substring(1) + "=",
                TOKEN.substring(1) + "/", TOKEN.substring(1) + " ", TOKEN.substring(1) + "&", TOKEN.substring(1) + "\u00e4"));
        for (String token : bad) {
            assertThatThrownBy(() -> templates.render(kind, ID, TO, Locale.ENGLISH, token))
                    .as(String.valueOf(token)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(value = MailKind.class, names = {"VERIFY_EMAIL", "PASSWORD_RESET"}, mode = EnumSource.Mode.EXCLUDE)
    void aKindWithoutALinkTakesNoToken(MailKind kind) {
        assertThatThrownBy(() -> templates.render(kind, ID, TO, Locale.ENGLISH, TOKEN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(templates.render(kind, ID, TO, Locale.ENGLISH, null).text()).doesNotContain(TOKEN);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "de                        | de",
        "DE                        | de",
        "de-DE                     | de",
        "de_AT                     | de",
        "de-CH;q=0.9, en;q=0.8     | de",
        "en;q=0.8, de-CH;q=0.9     | de",
        "en                        | en",
        "en-US,en;q=0.9            | en",
        "fr                        | en",
        "fr-FR, fr;q=0.9, de;q=0.5 | de",
        "de;q=0, fr                | en",
        "*                         | en",
        "garbage!!                 | en",
        "de, !!                    | de",
        "'   '                     | en",
        "''                        | en",
        ";q=0.9                    | en",
        "x-klingon                 | en",
    })
    void languageMatchesByTagThenLanguageAndFallsBackToTheFirst(String tag, String expected) {
        assertThat(templates.language(tag)).isEqualTo(Locale.forLanguageTag(expected));
    }

    @Test
    void languageOfNothingOrOfTooMuchIsTheFirst() {
        assertThat(templates.language(null)).isEqualTo(Locale.ENGLISH);
        assertThat(templates.language("de," + "x".repeat(2000))).isEqualTo(Locale.ENGLISH);
        MailTemplates germanFirst = new MailTemplates(MailSettings.builder(BASE).languages(List.of(Locale.GERMAN, Locale.ENGLISH)).build());
        assertThat(germanFirst.language(null)).isEqualTo(Locale.GERMAN);
        assertThat(germanFirst.language("fr")).isEqualTo(Locale.GERMAN);
        assertThat(germanFirst.language("en-GB")).isEqualTo(Locale.ENGLISH);
    }

    @Test
    void languagePrefersAWholeTagOverItsLanguage() {
        Locale swiss = Locale.forLanguageTag("de-CH");
        MailTemplates t = new MailTemplates(MailSettings.builder(BASE).languages(List.of(Locale.ENGLISH, Locale.GERMAN, swiss)).build());
        assertThat(t.language("de-CH")).isEqualTo(swiss);
        assertThat(t.language("de-AT")).isEqualTo(Locale.GERMAN);
        assertThat(t.language("de")).isEqualTo(Locale.GERMAN);
        // a Swiss mail comes from the German bundle (there is no Swiss one), and says it is Swiss German
        MailMessage m = t.render(MailKind.ACCOUNT_DELETED, ID, TO, swiss, null);
        assertThat(m.subject()).isEqualTo("Ihr Konto bei Gatehouse wurde gel\u00f6scht");
        assertThat(m.html()).contains("<html lang=\"de-CH\">");
    }

    @Test
    void aLanguageOutsideTheSettingsIsMatchedToOneOfThem() {
        MailMessage m = templates.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.GERMANY, null);
        assertThat(m.subject()).isEqualTo("Ihr Konto bei Gatehouse wurde gel\u00f6scht");
        assertThat(m.html()).contains("<html lang=\"de\">");
        assertThat(templates.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.JAPANESE, null).subject())
                .isEqualTo("Your Gatehouse account was deleted");
    }

    @Test
    void theJvmDefaultLocaleIsNeverTheFallback() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMAN);
            MailTemplates withFrench = new MailTemplates(MailSettings.builder(BASE).languages(List.of(Locale.ENGLISH, Locale.FRENCH)).build());
            // no French bundle: English (the root), not the German of the default locale
            assertThat(withFrench.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.FRENCH, null).subject())
                    .isEqualTo("Your Gatehouse account was deleted");
            // English has no bundle of its own but the root: ResourceBundle.getBundle would have answered German
            assertThat(templates.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.ENGLISH, null).subject())
                    .isEqualTo("Your Gatehouse account was deleted");
            assertThat(templates.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.GERMAN, null).subject())
                    .isEqualTo("Ihr Konto bei Gatehouse wurde gel\u00f6scht");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void anApplicationsOwnTextsAreUsed() throws IOException {
        Properties texts = properties(ROOT_FILE);
        texts.setProperty("verify-email.subject", "Welcome to {product}, it's {yours} {} { product }");
        texts.setProperty("common.greeting", "Hi there,\nfriend");
        List<Locale> asked = new ArrayList<>();
        Function<Locale, ResourceBundle> bundles = locale -> {
            asked.add(locale);
            return bundle(texts);
        };
        MailTemplates t = new MailTemplates(MailSettings.builder(BASE).build(), bundles);
        assertThatThrownBy(() -> t.render(MailKind.VERIFY_EMAIL, ID, TO, Locale.GERMAN, TOKEN))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("verify-email.subject").hasMessageContaining("{yours}");

        texts.setProperty("verify-email.subject", "Welcome to {product}, it's {} { product } {1");
        MailMessage m = t.render(MailKind.VERIFY_EMAIL, ID, TO, Locale.GERMAN, TOKEN);
        assertThat(asked).containsOnly(Locale.GERMAN).hasSize(2);
        assertThat(m.subject()).isEqualTo("Welcome to Gatehouse, it's {} { product } {1");
        assertThat(m.text()).startsWith("Hi there,\nfriend\n\nPlease confirm");
        assertThat(m.html()).contains("Hi there,<br>\nfriend").contains("<html lang=\"de\">");
    }

    @Test
    void aSubjectTextOfSeveralLinesBecomesOneLine() throws IOException {
        Properties texts = properties(ROOT_FILE);
        texts.setProperty("account-deleted.subject", "  Goodbye\r\nfrom {product}\n");
        MailTemplates t = new MailTemplates(MailSettings.builder(BASE).build(), locale -> bundle(texts));
        assertThat(t.render(MailKind.ACCOUNT_DELETED, ID, TO, Locale.ENGLISH, null).subject()).isEqualTo("Goodbye from Gatehouse");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "<script>", "'&\"", "a\u00e4\u20ac"})
    void theEscaperLeavesNoMarkup(String s) {
        assertThat(MailTemplates.escape(s)).doesNotContain("<", ">", "\"", "'").contains(s.replaceAll("[<>&\"']", ""));
    }

    /**
     * On the module path, where getBundle may not be given a Control, the bundles are found inside the named module
     * dev.gatehouse.auth (no {@code opens} needed), and still without falling back to the JVM's default locale: a JVM of
     * its own (default locale German) runs a source-file launcher against the module, with nothing of Gatehouse's on
     * the class path.
     */
    @Test
    void onTheModulePathTheBundlesAreFoundInsideTheModule(@TempDir Path dir) throws Exception {
        Path classes = Path.of(MailTemplates.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("module-info.class")).exists();
        Set<String> modulePath = new LinkedHashSet<>();
        modulePath.add(classes.toString());
        List<String> prefixes = List.of("slf4j-api-", "java-jwt-", "jackson-", "caffeine-", "jspecify-", "error_prone_annotations-", "jbcrypt-");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            // ZXing's jar is named core-<version>.jar: it is told by its repository directory instead
            boolean zxing = entry.contains(File.separator + "com" + File.separator + "google" + File.separator + "zxing" + File.separator);
            boolean library = name.endsWith(".jar") && (prefixes.stream().anyMatch(name::startsWith) || zxing);
            boolean gatehouse = name.startsWith("gatehouse-") && name.endsWith(".jar") && !name.endsWith("-tests.jar")
                    || Files.isDirectory(path) && Files.exists(path.resolve("module-info.class"));
            if (library || gatehouse) {
                modulePath.add(entry);
            }
        }
        Path launcher = dir.resolve("Launcher.java");
        Files.writeString(launcher, String.join("\n",
                "import dev.gatehouse.auth.mail.*;",
                "import java.net.URI;",
                "import java.util.*;",
                "public class Launcher {",
                "    public static void main(String[] args) {",
                "        MailSettings settings = MailSettings.builder(URI.create(\"https://app.example.com\"))",
                "                .languages(List.of(Locale.ENGLISH, Locale.GERMAN, Locale.FRENCH)).build();",
                "        MailTemplates t = new MailTemplates(settings);",
                "        System.out.println(\"module: \" + MailTemplates.class.getModule().getName());",
                "        for (Locale l : settings.languages()) {",
                "            String s = t.render(MailKind.ACCOUNT_DELETED, \"id\", \"to@example.com\", l, null).subject();",
                "            StringBuilder b = new StringBuilder();",
                "            s.chars().forEach(c -> b.append(c < 128 ? String.valueOf((char) c) : String.format(\"\\\\u%04x\", c)));",
                "            System.out.println(l + \": \" + b);",
                "        }",
                "    }",
                "}",
                ""), StandardCharsets.UTF_8);
        Path log = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.language=de", "-Duser.country=DE",
                "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "dev.gatehouse.auth",
                launcher.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the JVM ends").isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("module: dev.gatehouse.auth\n",
                "en: Your Gatehouse account was deleted\n",
                "de: Ihr Konto bei Gatehouse wurde gel\\u00f6scht\n",
                "fr: Your Gatehouse account was deleted\n");
    }

    private String subject(MailKind kind, Locale language) {
        return templates.render(kind, ID, TO, language, token(kind)).subject();
    }

    private String text(MailKind kind, Locale language) {
        return templates.render(kind, ID, TO, language, token(kind)).text();
    }

    private static byte[] bytes(String file) throws IOException {
        try (InputStream in = MailTemplatesTest.class.getResourceAsStream(file)) {
            assertThat(in).as(file).isNotNull();
            return in.readAllBytes();
        }
    }

    private static Properties properties(String file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes(file), StandardCharsets.UTF_8)));
        return p;
    }

    private static ResourceBundle bundle(Properties texts) {
        return new ResourceBundle() {
            @Override
            protected Object handleGetObject(String key) {
                return texts.getProperty(key);
            }

            @Override
            public Enumeration<String> getKeys() {
                return Collections.enumeration(texts.stringPropertyNames());
            }
        };
    }
}
