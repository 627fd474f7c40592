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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gatehouse.jaxrs.GatehouseFeature;
import dev.gatehouse.web.TransportSecurity;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ResourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;

/**
 * {@code GET /demo/mailbox}: the latest messages of the demo's local mailbox ({@link DemoMailbox}),
 * newest first, as JSON. <b>Demo only, not part of Gatehouse.</b>
 *
 * <p>The mailbox holds single-use links that verify addresses and set passwords, so reading it is
 * as good as owning every address. It is therefore served only
 * <ul>
 *   <li>when no SMTP server is set (the resource is not even registered otherwise), and</li>
 *   <li>to a client on this machine: the connection's peer is a loopback address, and the
 *       request carries no forwarding header ({@code Forwarded}, {@code X-Forwarded-For},
 *       {@code X-Real-IP}), since a reverse proxy on the same host makes every client look local.</li>
 * </ul>
 * Anyone else gets the same {@code 404} as a path that does not exist. Answers carry
 * {@code Cache-Control: no-store}.
 */
@Path("demo/mailbox")
@Singleton
public final class DemoMailboxResource {
    /** How many messages an answer holds at most. */
    static final int LIMIT = 50;
    private static final JsonFactory JSON = new JsonFactory();
    private static final Logger LOG = LoggerFactory.getLogger(DemoMailboxResource.class);

    private final DemoMailbox mailbox;

    @Inject
    public DemoMailboxResource(DemoMailbox mailbox) {
        this.mailbox = mailbox;
    }

    /** Registers the resource (one instance, given the mailbox) with an application. */
    public static ResourceConfig register(ResourceConfig app, DemoMailbox mailbox) {
        return app.register(DemoMailboxResource.class)
                .register(new AbstractBinder() {
                    @Override
                    protected void configure() {
                        bind(mailbox).to(DemoMailbox.class);
                    }
                });
    }

    @GET
    @PermitAll
    public Response messages(@Context ContainerRequest request) {
        if (!fromThisMachine(request)) {
            throw new NotFoundException();
        }
        List<DemoMailbox.Stored> messages;
        try {
            messages = mailbox.latest(LIMIT);
        } catch (SQLException e) {
            LOG.warn("Could not read the demo mailbox ({}, SQLState {})", e.getClass().getSimpleName(), e.getSQLState());
            throw new ServiceUnavailableException();
        }
        return Response.ok(json(messages), "application/json")
                .header("Cache-Control", "no-store")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    /** A loopback peer that forwards for no one. */
    static boolean fromThisMachine(ContainerRequest request) {
        Object peer = request.getProperty(GatehouseFeature.PEER_ADDRESS_PROPERTY);
        if (!(peer instanceof String address) || !TransportSecurity.isLoopback(address)) {
            return false;
        }
        for (String header : new String[] {TransportSecurity.FORWARDED, TransportSecurity.FORWARDED_FOR, "X-Real-IP"}) {
            if (request.getHeaderString(header) != null) {
                return false;
            }
        }
        return true;
    }

    static String json(List<DemoMailbox.Stored> messages) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("notice", "Demo only, not part of Gatehouse: real deployments send mail."
                    + " Served to this machine only, and only without GATEHOUSE_SMTP_HOST.");
            json.writeArrayFieldStart("messages");
            for (DemoMailbox.Stored m : messages) {
                json.writeStartObject();
                json.writeNumberField("id", m.id());
                json.writeStringField("message_id", m.messageId());
                json.writeStringField("to", m.to());
                json.writeStringField("subject", m.subject());
                json.writeStringField("text", m.text());
                json.writeStringField("html", m.html());
                json.writeStringField("received_at", m.receivedAt().toString());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
