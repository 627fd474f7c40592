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

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Renders the mails of {@link MailKind} in the user's language, as plain text and HTML, from the
 * texts of the resource bundle {@value #BUNDLE}. Thread-safe.
 *
 * <p>Each mail is made of these texts, looked up in the bundle of its language:
 * <table>
 *   <caption>Keys of the bundle</caption>
 *   <tr><th>key</th><th>use</th></tr>
 *   <tr><td>{@code <kind>.subject}</td><td>the subject line</td></tr>
 *   <tr><td>{@code <kind>.intro}</td><td>the first paragraph: what happened, or what to do</td></tr>
 *   <tr><td>{@code <kind>.action}</td><td>the label of the link's button (kinds with a link only)</td></tr>
 *   <tr><td>{@code <kind>.outro}</td><td>the last paragraph</td></tr>
 *   <tr><td>{@code common.greeting}</td><td>the first line</td></tr>
 *   <tr><td>{@code common.link-hint}</td><td>in HTML, what to do when the button does not work (before the link's URL as text)</td></tr>
 *   <tr><td>{@code common.validity}</td><td>the link works once and expires soon (kinds with a link)</td></tr>
 *   <tr><td>{@code common.ignore}</td><td>ignore the mail if you did not ask for it (kinds with a link)</td></tr>
 *   <tr><td>{@code common.signature}</td><td>the closing line</td></tr>
 *   <tr><td>{@code common.footer}</td><td>the small print below it</td></tr>
 * </table>
 * where {@code <kind>} is {@link MailKind#key()}. A text may name the placeholder {@code {product}}
 * (the {@linkplain MailSettings#productName() product name}); no other text in braces is allowed, and
 * apostrophes and other braces are written as they are (there is no {@code MessageFormat} quoting).
 * Every inserted value and text is HTML-escaped in the HTML body.
 */
public final class MailTemplates {
    /** The base name of the bundle that holds the mails' texts. */
    public static final String BUNDLE = "dev.gatehouse.auth.mail.messages";

    /** A single-use token as Gatehouse makes them: 32 random bytes, base64url without padding. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    /** A placeholder's name. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    /** Longer input to {@link #language(String)} is not parsed: no header or stored tag is that long. */
    private static final int MAX_TAG_LENGTH = 1000;

    private static final String FONT = "font-family:Arial,Helvetica,sans-serif;";
    private static final String PARAGRAPH = "margin:0 0 16px 0;";
    private static final String ACCENT = "#1d4ed8";

    private final MailSettings settings;
    private final Function<Locale, ResourceBundle> bundles;

    /** Templates with the texts of {@value #BUNDLE} shipped with Gatehouse (English, the root, and German). */
    public MailTemplates(MailSettings settings) {
        this(settings, MailTemplates::shippedBundle);
    }

    /**
     * Templates with an application's own texts.
     *
     * @param bundles the bundle of a language of {@link MailSettings#languages()}, holding every key listed above
     *                (with its parents); called for each mail, so it should cache
     *                (as {@link ResourceBundle#getBundle(String, Locale)} does)
     */
    public MailTemplates(MailSettings settings, Function<Locale, ResourceBundle> bundles) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.bundles = Objects.requireNonNull(bundles, "bundles");
    }

    /**
     * The language of {@link MailSettings#languages()} that best matches a stored language tag or an
     * {@code Accept-Language} header ({@code de}, {@code de-DE}, {@code de-CH;q=0.9, en;q=0.8}): the user's choices are
     * tried in order of preference, each first by its whole tag, then by its language alone. The first of the languages
     * when none matches, and for {@code null} or input that is no tag or header; never throws.
     */
    public Locale language(String languageTag) {
        List<Locale> languages = settings.languages();
        Locale fallback = languages.get(0);
        if (languageTag == null || languageTag.isBlank() || languageTag.length() > MAX_TAG_LENGTH) {
            return fallback;
        }
        String input = languageTag.strip().replace('_', '-');
        List<Locale.LanguageRange> ranges;
        try {
            ranges = Locale.LanguageRange.parse(input);
        } catch (IllegalArgumentException e) {
            // one bad entry spoils a header for the parser: the first choice may still be a tag
            int end = indexOfAny(input, ",;");
            try {
                ranges = Locale.LanguageRange.parse(input.substring(0, end).strip());
            } catch (IllegalArgumentException again) {
                return fallback;
            }
        }
        for (Locale.LanguageRange range : ranges) {
            if (range.getWeight() <= 0) {
                continue;
            }
            String tag = range.getRange();
            int dash = tag.indexOf('-');
            String language = dash < 0 ? tag : tag.substring(0, dash);
            for (Locale candidate : languages) {
                if (candidate.toLanguageTag().equalsIgnoreCase(tag)) {
                    return candidate;
                }
            }
            for (Locale candidate : languages) {
                if (candidate.getLanguage().equalsIgnoreCase(language)) {
                    return candidate;
                }
            }
        }
        return fallback;
    }

    /**
     * Renders one mail.
     *
     * @param messageId the message's id (see {@link MailMessage#messageId()})
     * @param to        the recipient
     * @param language  one of {@link MailSettings#languages()} (see {@link #language(String)}); another is matched to one of them
     * @param token     the single-use token of the link, for a kind that {@linkplain MailKind#hasLink() has one}; else {@code null}
     * @throws IllegalArgumentException when a kind with a link has no token, or one that is not 43 base64url characters,
     *                                  or a kind without a link has one
     * @throws IllegalStateException    when a text names a placeholder other than {@code {product}}
     * @throws MissingResourceException when the bundle lacks a text
     */
    public MailMessage render(MailKind kind, String messageId, String to, Locale language, String token) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(language, "language");
        if (kind.hasLink()) {
            if (token == null || !TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException(kind + " needs a token of 43 base64url characters");
            }
        } else if (token != null) {
            throw new IllegalArgumentException(kind + " carries no link, so no token");
        }
        Locale locale = settings.languages().contains(language) ? language : language(language.toLanguageTag());
        ResourceBundle bundle = Objects.requireNonNull(bundles.apply(locale), "the bundle of " + locale);
        Texts texts = new Texts(bundle, Map.of("product", settings.productName()));
        String link = kind.hasLink() ? settings.link(kind, token).toASCIIString() : null;

        String subject = texts.get(kind.key() + ".subject").strip().replaceAll("\\s+", " ");
        String greeting = texts.get("common.greeting");
        String intro = texts.get(kind.key() + ".intro");
        String action = link == null ? null : texts.get(kind.key() + ".action");
        String hint = link == null ? null : texts.get("common.link-hint");
        String validity = link == null ? null : texts.get("common.validity");
        String ignore = link == null ? null : texts.get("common.ignore");
        String outro = texts.get(kind.key() + ".outro");
        String signature = texts.get("common.signature");
        String footer = texts.get("common.footer");

        StringBuilder text = new StringBuilder();
        text.append(greeting).append("\n\n").append(intro).append("\n\n");
        if (link != null) {
            text.append(action).append(":\n").append(link).append("\n\n");
            text.append(validity).append("\n\n").append(ignore).append("\n\n");
        }
        text.append(outro).append("\n\n").append(signature).append("\n\n-- \n").append(footer).append('\n');

        StringBuilder html = new StringBuilder(2048);
        html.append("<!DOCTYPE html>\n<html lang=\"").append(escape(locale.toLanguageTag())).append("\">\n<head>\n")
                .append("<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(subject)).append("</title>\n</head>\n")
                .append("<body style=\"margin:0;padding:0;background-color:#f4f4f5;\">\n")
                .append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"")
                .append(" style=\"background-color:#f4f4f5;\">\n<tr><td align=\"center\" style=\"padding:24px 12px;\">\n")
                .append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"")
                .append(" style=\"max-width:560px;background-color:#ffffff;border-radius:6px;\">\n")
                .append("<tr><td style=\"padding:32px;").append(FONT).append("font-size:16px;line-height:1.5;color:#1f2937;\">\n");
        paragraph(html, greeting, "");
        paragraph(html, intro, "");
        if (link != null) {
            html.append("<p style=\"margin:24px 0;text-align:center;\"><a href=\"").append(escape(link))
                    .append("\" style=\"display:inline-block;padding:12px 24px;background-color:").append(ACCENT)
                    .append(";color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold;\">")
                    .append(escape(action)).append("</a></p>\n");
            html.append("<p style=\"").append(PARAGRAPH).append("font-size:14px;color:#4b5563;\">").append(escape(hint))
                    .append("<br>\n<a href=\"").append(escape(link)).append("\" style=\"color:").append(ACCENT)
                    .append(";word-break:break-all;\">").append(escape(link)).append("</a></p>\n");
            paragraph(html, validity, "font-size:14px;color:#4b5563;");
            paragraph(html, ignore, "font-size:14px;color:#4b5563;");
        }
        paragraph(html, outro, "");
        paragraph(html, signature, "");
        html.append("</td></tr>\n</table>\n")
                .append("<p style=\"margin:16px 0 0 0;max-width:560px;").append(FONT)
                .append("font-size:12px;line-height:1.5;color:#6b7280;\">").append(escape(footer)).append("</p>\n")
                .append("</td></tr>\n</table>\n</body>\n</html>\n");

        return new MailMessage(messageId, to, subject, text.toString(), html.toString());
    }

    /** A paragraph of escaped text, its line breaks kept. */
    private static void paragraph(StringBuilder html, String text, String style) {
        html.append("<p style=\"").append(PARAGRAPH).append(style).append("\">")
                .append(escape(text).replace("\n", "<br>\n")).append("</p>\n");
    }

    /** Escapes text for HTML content and quoted attribute values. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    /**
     * The bundle shipped in this module, for {@code locale} or, when there is none for its language, the root
     * (English): never the bundle of the JVM's default locale, which {@link ResourceBundle#getBundle(String, Locale)}
     * falls back to. (A {@link ResourceBundle.Control} without that fallback would say so, but a named module may not
     * pass one.) Loaded through this class's module: from within it on the module path, by its class loader on the
     * class path.
     */
    private static ResourceBundle shippedBundle(Locale locale) {
        Module module = MailTemplates.class.getModule();
        ResourceBundle bundle = ResourceBundle.getBundle(BUNDLE, locale, module);
        List<Locale> candidates = ResourceBundle.Control.getControl(ResourceBundle.Control.FORMAT_PROPERTIES)
                .getCandidateLocales(BUNDLE, locale);
        if (candidates.contains(bundle.getLocale())) {
            return bundle;
        }
        return ResourceBundle.getBundle(BUNDLE, Locale.ROOT, module);
    }

    /** The texts of one bundle with their placeholders replaced. */
    private static final class Texts {
        private final ResourceBundle bundle;
        private final Map<String, String> values;

        Texts(ResourceBundle bundle, Map<String, String> values) {
            this.bundle = bundle;
            this.values = values;
        }

        /**
         * The text of {@code key}, each {@code {name}} replaced by its value in one pass (a value is never searched
         * for placeholders itself); braces around anything that is no name are kept as they are.
         */
        String get(String key) {
            String template = bundle.getString(key);
            StringBuilder out = new StringBuilder(template.length() + 32);
            int from = 0;
            while (true) {
                int open = template.indexOf('{', from);
                int close = open < 0 ? -1 : template.indexOf('}', open + 1);
                if (close < 0) {
                    out.append(template, from, template.length());
                    return out.toString();
                }
                String name = template.substring(open + 1, close);
                if (!NAME.matcher(name).matches()) {
                    out.append(template, from, open + 1);
                    from = open + 1;
                    continue;
                }
                String value = values.get(name);
                if (value == null) {
                    throw new IllegalStateException("the mail text " + key + " names the unknown placeholder {" + name + "}");
                }
                out.append(template, from, open).append(value);
                from = close + 1;
            }
        }
    }
}
