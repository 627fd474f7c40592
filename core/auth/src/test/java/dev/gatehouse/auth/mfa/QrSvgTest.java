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

package dev.gatehouse.auth.mfa;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SVG is read back into modules and decoded by ZXing's reader. */
class QrSvgTest {
    private static final String SVG_NS = "http://www.w3.org/2000/svg";
    private static final Pattern RUN = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
    private static final Pattern VIEW_BOX = Pattern.compile("0 0 (\\d+) (\\d+)");
    private static final int PIXELS_PER_MODULE = 4;

    @Test
    void anOtpauthUriRoundTripsThroughTheSvg() throws Exception {
        byte[] secret = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        String uri = OtpAuthUri.totp("Example Co", "alice@example.com", secret);

        String svg = QrSvg.render(uri);

        assertThat(decode(svg)).isEqualTo(uri);
        assertThat(svg).doesNotContainIgnoringCase("<script").doesNotContain(Base32.encode(secret)).doesNotContain("alice")
            .doesNotContainIgnoringCase("href").doesNotContain("<text").doesNotContain("<?xml");
        assertThat(svg.split("http", -1)).as("'http' only in the SVG namespace").hasSize(2);
        assertThat(svg).contains("xmlns=\"" + SVG_NS + "\"");
    }

    @Test
    void nonAsciiTextRoundTripsAsUtf8() throws Exception {
        String text = "otpauth://totp/Z%C3%BCrich:j%C3%B6rg — Zürich ✓ 東京";

        assertThat(decode(QrSvg.render(text))).isEqualTo(text);
    }

    @Test
    void theDocumentIsACompactSvgWithAQuietZone() throws Exception {
        String svg = QrSvg.render("hello");
        Element root = parse(svg).getDocumentElement();

        assertThat(root.getNamespaceURI()).isEqualTo(SVG_NS);
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getAttribute("role")).isEqualTo("img");
        assertThat(root.getAttribute("aria-label")).isEqualTo("QR code");
        assertThat(root.getAttribute("shape-rendering")).isEqualTo("crispEdges");
        int size = size(root);
        // Version 1 is 21 modules, and four of quiet zone either side
        assertThat(size).isEqualTo(21 + 8);
        assertThat(root.getAttribute("width")).isEqualTo(root.getAttribute("height")).isEqualTo(String.valueOf(size * QrSvg.PIXELS_PER_MODULE));
        assertThat(root.getElementsByTagNameNS(SVG_NS, "rect").getLength()).isEqualTo(1);
        assertThat(root.getElementsByTagNameNS(SVG_NS, "path").getLength()).isEqualTo(1);
        assertThat(root.getElementsByTagNameNS("*", "*").getLength()).as("rect and path only, below svg").isEqualTo(2);
        Element rect = (Element) root.getElementsByTagNameNS(SVG_NS, "rect").item(0);
        assertThat(rect.getAttribute("fill")).isEqualTo("#fff");

        boolean[][] modules = modules(root);
        for (int i = 0; i < size; i++) {
            for (int q = 0; q < 4; q++) {
                assertThat(modules[q][i] || modules[size - 1 - q][i] || modules[i][q] || modules[i][size - 1 - q]).as("quiet zone").isFalse();
            }
        }
        // The top-left finder pattern starts right after the quiet zone, and runs are merged
        assertThat(modules[4][4]).isTrue();
        assertThat(path(root).getAttribute("d")).startsWith("M4 4h7v1h-7z");
    }

    @Test
    void emptyOrTooLongTextIsRefused() {
        assertThatThrownBy(() -> QrSvg.render("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QrSvg.render("x".repeat(4000))).isInstanceOf(IllegalArgumentException.class);
        assertThat(QrSvg.render("x".repeat(2000))).startsWith("<svg ");
    }

    private static String decode(String svg) throws Exception {
        Element root = parse(svg).getDocumentElement();
        boolean[][] modules = modules(root);
        int size = modules.length;
        int pixels = size * PIXELS_PER_MODULE;
        int[] argb = new int[pixels * pixels];
        for (int y = 0; y < pixels; y++) {
            for (int x = 0; x < pixels; x++) {
                argb[y * pixels + x] = modules[y / PIXELS_PER_MODULE][x / PIXELS_PER_MODULE] ? 0xFF000000 : 0xFFFFFFFF;
            }
        }
        LuminanceSource source = new RGBLuminanceSource(pixels, pixels, argb);
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(source));
        return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
    }

    /** The dark modules, [y][x], from the path's M x y h n v1 h-n z commands (nothing else allowed). */
    private static boolean[][] modules(Element root) {
        int size = size(root);
        boolean[][] modules = new boolean[size][size];
        Element path = path(root);
        assertThat(path.getAttribute("fill")).isEqualTo("#000");
        String d = path.getAttribute("d");
        Matcher run = RUN.matcher(d);
        int consumed = 0;
        while (run.find()) {
            assertThat(run.start()).as("only runs in the path").isEqualTo(consumed);
            consumed = run.end();
            int x = Integer.parseInt(run.group(1));
            int y = Integer.parseInt(run.group(2));
            int length = Integer.parseInt(run.group(3));
            assertThat(run.group(4)).isEqualTo(run.group(3));
            assertThat(length).isPositive();
            for (int i = x; i < x + length; i++) {
                assertThat(modules[y][i]).as("runs do not overlap").isFalse();
                modules[y][i] = true;
            }
            if (x + length < size) {
                assertThat(d).as("horizontal runs are merged").doesNotContain("M" + (x + length) + " " + y + "h");
            }
        }
        assertThat(consumed).isEqualTo(d.length());
        return modules;
    }

    private static int size(Element root) {
        Matcher viewBox = VIEW_BOX.matcher(root.getAttribute("viewBox"));
        assertThat(viewBox.matches()).isTrue();
        assertThat(viewBox.group(1)).isEqualTo(viewBox.group(2));
        return Integer.parseInt(viewBox.group(1));
    }

    private static Element path(Element root) {
        return (Element) root.getElementsByTagNameNS(SVG_NS, "path").item(0);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
    }
}
