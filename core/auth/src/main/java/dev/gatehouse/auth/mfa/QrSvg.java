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

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Draws text, typically an {@link OtpAuthUri}, as a QR code in a small standalone SVG document that
 * a page can serve as {@code image/svg+xml} or inline as it is.
 *
 * <p>The code has error-correction level M and a quiet zone of four modules. The SVG has a
 * {@code viewBox} of one unit per module (quiet zone included), a default size of
 * {@value #PIXELS_PER_MODULE} pixels per module, a white background and a single black path in
 * which each horizontal run of dark modules is one rectangle. It contains no script, no link, no
 * external reference and no text from the input: the text is present only as the QR pattern.
 *
 * <p>Text that is all ASCII (every URI of {@link OtpAuthUri} is) is encoded in byte mode without
 * an ECI header, which every reader understands; other text is encoded as UTF-8 with an ECI header
 * that says so. Stateless and thread-safe.
 */
public final class QrSvg {
    /** The pixels per module of the {@code width} and {@code height} attributes. */
    public static final int PIXELS_PER_MODULE = 4;

    private static final int QUIET_ZONE_MODULES = 4;

    private QrSvg() {
    }

    /**
     * Renders text as an SVG QR code.
     *
     * @param text the text to encode, not empty
     * @return the SVG document (no XML declaration)
     * @throws IllegalArgumentException if the text is empty or too long for a QR code at level M
     */
    public static String render(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("A QR code needs some text");
        }
        Map<EncodeHintType, Object> hints = new EnumMap<>(EncodeHintType.class);
        hints.put(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M);
        hints.put(EncodeHintType.MARGIN, QUIET_ZONE_MODULES);
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
            hints.put(EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name());
        }
        BitMatrix matrix;
        try {
            // A requested size of 0 gives the smallest matrix: one cell per module
            matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, hints);
        } catch (WriterException e) {
            throw new IllegalArgumentException("The text cannot be encoded as a QR code (too long?)", e);
        }
        return svg(matrix);
    }

    private static String svg(BitMatrix matrix) {
        int size = matrix.getWidth();
        if (matrix.getHeight() != size) {
            throw new IllegalStateException("A QR code is square");
        }
        int pixels = size * PIXELS_PER_MODULE;
        StringBuilder out = new StringBuilder(size * size);
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(size).append(' ').append(size)
            .append("\" width=\"").append(pixels).append("\" height=\"").append(pixels)
            .append("\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">")
            .append("<rect width=\"").append(size).append("\" height=\"").append(size).append("\" fill=\"#fff\"/>")
            .append("<path fill=\"#000\" d=\"");
        for (int y = 0; y < size; y++) {
            int x = 0;
            while (x < size) {
                if (!matrix.get(x, y)) {
                    x++;
                    continue;
                }
                int start = x;
                while (x < size && matrix.get(x, y)) {
                    x++;
                }
                int run = x - start;
                out.append('M').append(start).append(' ').append(y)
                    .append('h').append(run).append("v1h-").append(run).append('z');
            }
        }
        return out.append("\"/></svg>").toString();
    }
}
