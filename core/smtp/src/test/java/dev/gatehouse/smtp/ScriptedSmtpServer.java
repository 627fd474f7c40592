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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server on a real loopback socket for the replies GreenMail cannot give: it answers
 * {@code RCPT TO} and the end of {@code DATA} with fixed replies (for example {@code 550} or
 * {@code 450}), and can offer
 * {@code STARTTLS} (GreenMail's SMTP server does not). It speaks the protocol for real (greeting,
 * {@code EHLO}, {@code STARTTLS} with a TLS handshake, {@code MAIL}, {@code RCPT}, {@code DATA},
 * {@code RSET}, {@code QUIT}) and records the commands it received; it serves one connection at a
 * time, and stops when closed.
 */
final class ScriptedSmtpServer implements AutoCloseable {
    private final ServerSocket serverSocket;
    private final String rcptReply;
    private final String dataReply;
    private final SSLContext tls;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Thread thread;

    /**
     * A server answering every {@code RCPT TO} with {@code rcptReply}.
     *
     * @param tls the server-side TLS context to offer {@code STARTTLS} with; {@code null} for none
     */
    ScriptedSmtpServer(String rcptReply, SSLContext tls) throws IOException {
        this(rcptReply, "250 2.0.0 queued", tls);
    }

    /** A server answering every {@code RCPT TO} with {@code rcptReply} and the end of every message's data with {@code dataReply}. */
    ScriptedSmtpServer(String rcptReply, String dataReply, SSLContext tls) throws IOException {
        this.rcptReply = rcptReply;
        this.dataReply = dataReply;
        this.tls = tls;
        this.serverSocket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "scripted-smtp-" + serverSocket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    /** The commands received, in order (their verb and argument as sent, {@code AUTH} data left out). */
    List<String> commands() {
        return List.copyOf(commands);
    }

    /** The messages received with {@code DATA} (each without its terminating dot). */
    List<String> messages() {
        return List.copyOf(messages);
    }

    private void serve() {
        while (!serverSocket.isClosed()) {
            try (Socket socket = serverSocket.accept()) {
                socket.setSoTimeout(10_000);
                converse(socket);
            } catch (IOException e) {
                if (!serverSocket.isClosed()) {
                    commands.add("(connection failed: " + e.getClass().getSimpleName() + ")");
                }
            }
        }
    }

    private void converse(Socket plain) throws IOException {
        Socket socket = plain;
        BufferedReader in = reader(socket);
        OutputStream out = socket.getOutputStream();
        reply(out, "220 localhost ESMTP scripted");
        boolean secured = false;
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO" -> {
                    if (tls != null && !secured) {
                        reply(out, "250-localhost\r\n250-8BITMIME\r\n250 STARTTLS");
                    } else {
                        reply(out, "250-localhost\r\n250 8BITMIME");
                    }
                }
                case "HELO" -> reply(out, "250 localhost");
                case "STARTTLS" -> {
                    if (tls == null || secured) {
                        reply(out, "502 5.5.1 not offered");
                        break;
                    }
                    reply(out, "220 2.0.0 ready to start TLS");
                    SSLSocket tlsSocket = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
                    tlsSocket.setUseClientMode(false);
                    tlsSocket.startHandshake();
                    socket = tlsSocket;
                    in = reader(socket);
                    out = socket.getOutputStream();
                    secured = true;
                    commands.add("(TLS established)");
                }
                case "MAIL", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                case "RCPT" -> reply(out, rcptReply);
                case "DATA" -> {
                    reply(out, "354 go ahead");
                    StringBuilder message = new StringBuilder();
                    String data;
                    while ((data = in.readLine()) != null && !".".equals(data)) {
                        message.append(data).append("\r\n");
                    }
                    messages.add(message.toString());
                    reply(out, dataReply);
                }
                case "QUIT" -> {
                    reply(out, "221 2.0.0 bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 not implemented");
            }
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
            thread.join(5_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
