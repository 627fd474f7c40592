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

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mail server for the load scripts that delivers nowhere: plain-text SMTP on 127.0.0.1, enough
 * of it for Jakarta Mail (EHLO without STARTTLS or AUTH, HELO, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT), one thread per connection. After the final {@code .} of a message it waits
 * {@code delayMillis} before its {@code 250}, as a slow server would, and then appends one line to
 * the log: the epoch milliseconds at which that {@code .} arrived and the message's
 * {@code Message-ID} ({@code -} when it has none). A message whose connection breaks before the
 * {@code 250} was sent is not logged: the client will send it again.
 *
 * <p>Usage: {@code java SmtpSink.java <port> <delayMillis> <logFile>} (port 0: any free one). Prints
 * {@code SMTP sink ready at 127.0.0.1:<port>} once it accepts connections; runs until killed.
 */
public class SmtpSink {
    /** The most bytes kept of one line (the rest is read and dropped): a bound on memory, not on the message. */
    private static final int MAX_LINE = 8192;
    /** The most characters kept of one header: only the Message-ID is wanted. */
    private static final int MAX_HEADER = 8192;
    /** A connection that sends nothing for this long is closed (421). */
    private static final int IDLE_TIMEOUT_MILLIS = 60_000;

    private static final AtomicLong CONNECTIONS = new AtomicLong();
    private static final AtomicLong ACCEPTED = new AtomicLong();
    private static Writer log;
    private static long delayMillis;

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("Usage: java SmtpSink.java <port> <delayMillis> <logFile>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        delayMillis = Long.parseLong(args[1]);
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delayMillis must not be negative");
        }
        log = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        try (ServerSocket server = new ServerSocket(port, 64, InetAddress.getLoopbackAddress())) {
            System.out.println("SMTP sink ready at 127.0.0.1:" + server.getLocalPort());
            System.out.flush();
            while (true) {
                Socket socket = server.accept();
                Thread thread = new Thread(() -> serve(socket), "smtp-" + CONNECTIONS.incrementAndGet());
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static synchronized void record(long arrivedMillis, String messageId) throws IOException {
        log.write(arrivedMillis + " " + messageId + "\n");
        log.flush();
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            try {
                converse(in, out);
            } catch (SocketTimeoutException e) {
                reply(out, "421 4.4.2 idle for too long, closing");
            }
        } catch (IOException | InterruptedException e) {
            // the client went away (or the sink is stopping): nothing to log, the message was not accepted
        }
    }

    private static void converse(InputStream in, OutputStream out) throws IOException, InterruptedException {
        reply(out, "220 127.0.0.1 ESMTP SmtpSink ready");
        boolean sender = false;
        int recipients = 0;
        String line;
        while ((line = readLine(in)) != null) {
            int space = line.indexOf(' ');
            String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String upper = line.toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO" -> {
                    sender = false;
                    recipients = 0;
                    reply(out, "250-127.0.0.1 SmtpSink\r\n250-8BITMIME\r\n250 HELP");
                }
                case "HELO" -> {
                    sender = false;
                    recipients = 0;
                    reply(out, "250 127.0.0.1 SmtpSink");
                }
                case "MAIL" -> {
                    if (!upper.startsWith("MAIL FROM:")) {
                        reply(out, "501 5.5.4 syntax: MAIL FROM:<address>");
                    } else if (sender) {
                        reply(out, "503 5.5.1 sender already given");
                    } else {
                        sender = true;
                        recipients = 0;
                        reply(out, "250 2.1.0 OK");
                    }
                }
                case "RCPT" -> {
                    if (!upper.startsWith("RCPT TO:")) {
                        reply(out, "501 5.5.4 syntax: RCPT TO:<address>");
                    } else if (!sender) {
                        reply(out, "503 5.5.1 MAIL first");
                    } else {
                        recipients++;
                        reply(out, "250 2.1.5 OK");
                    }
                }
                case "DATA" -> {
                    if (recipients == 0) {
                        reply(out, "503 5.5.1 RCPT first");
                        continue;
                    }
                    reply(out, "354 end data with <CR><LF>.<CR><LF>");
                    String messageId = readMessage(in);
                    if (messageId == null) {
                        return; // the connection ended inside the message: not accepted
                    }
                    long arrived = System.currentTimeMillis();
                    if (delayMillis > 0) {
                        Thread.sleep(delayMillis);
                    }
                    reply(out, "250 2.0.0 OK queued as " + ACCEPTED.incrementAndGet());
                    record(arrived, messageId);
                    sender = false;
                    recipients = 0;
                }
                case "RSET" -> {
                    sender = false;
                    recipients = 0;
                    reply(out, "250 2.0.0 OK");
                }
                case "NOOP" -> reply(out, "250 2.0.0 OK");
                case "VRFY" -> reply(out, "252 2.1.5 cannot verify, will take the message");
                case "HELP" -> reply(out, "214 2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT");
                case "QUIT" -> {
                    reply(out, "221 2.0.0 bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 command not implemented");
            }
        }
    }

    /**
     * Reads a message up to its final {@code .} line and returns its Message-ID ({@code -} when it
     * has none), or {@code null} when the connection ends first. Headers are unfolded; only the
     * first Message-ID counts.
     */
    private static String readMessage(InputStream in) throws IOException {
        String messageId = null;
        boolean inHeaders = true;
        StringBuilder header = new StringBuilder();
        String line;
        while ((line = readLine(in)) != null) {
            if (line.equals(".")) {
                if (inHeaders && messageId == null) {
                    messageId = messageId(header);
                }
                return messageId == null ? "-" : messageId;
            }
            if (line.startsWith(".")) {
                line = line.substring(1); // dot-unstuffing
            }
            if (!inHeaders) {
                continue;
            }
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                if (header.length() + line.length() <= MAX_HEADER) {
                    header.append(line); // a folded header goes on
                }
                continue;
            }
            if (messageId == null) {
                messageId = messageId(header);
            }
            header.setLength(0);
            if (line.isEmpty()) {
                inHeaders = false; // the body: read, not kept
            } else {
                header.append(line, 0, Math.min(line.length(), MAX_HEADER));
            }
        }
        return null;
    }

    /** The value of {@code header} when it is a Message-ID header, else {@code null}. */
    private static String messageId(CharSequence header) {
        String h = header.toString();
        int colon = h.indexOf(':');
        if (colon < 0 || !h.substring(0, colon).trim().equalsIgnoreCase("Message-ID")) {
            return null;
        }
        String value = h.substring(colon + 1).trim().replaceAll("\\s+", "");
        return value.isEmpty() ? null : value;
    }

    /** One line without its CR LF (a bare LF ends a line too), at most {@link #MAX_LINE} bytes of it; {@code null} at the end. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                break;
            }
            if (line.size() < MAX_LINE) {
                line.write(b);
            }
        }
        if (!any) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
