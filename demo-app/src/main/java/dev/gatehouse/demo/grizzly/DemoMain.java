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

package dev.gatehouse.demo.grizzly;

import dev.gatehouse.demo.DemoContext;
import dev.gatehouse.demo.DemoMailboxResource;
import dev.gatehouse.demo.DemoResources;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.jaxrs.GatehouseFeature;
import dev.gatehouse.jaxrs.grizzly.IgnoreUpgradeAddOn;
import dev.gatehouse.jaxrs.grizzly.PeerAddressHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo on Jersey + Grizzly: binds, builds everything, prints one line with its URL, and on
 * SIGTERM / Ctrl-C stops accepting, lets requests in flight finish, then closes the pool. With
 * {@code GATEHOUSE_TLS} it serves HTTPS only (TLS 1.3 and 1.2), with
 * {@code Strict-Transport-Security} on every response.
 */
public final class DemoMain {
    private DemoMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        DemoSettings settings;
        try {
            settings = DemoSettings.fromEnvironment();
        } catch (RuntimeException e) {
            System.err.println("gatehouse-demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        Running running;
        try {
            running = start(settings);
        } catch (java.net.BindException e) {
            System.err.println("gatehouse-demo: cannot listen on " + settings.host + ":" + settings.port + " (" + e.getMessage()
                    + "); set GATEHOUSE_PORT to a free port, or 0 for any");
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            System.err.println("gatehouse-demo: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("Gatehouse demo ready at " + running.url);
        if (Boolean.getBoolean("gatehouse.demo.exit-after-start")) {
            // A training run (run-demo.sh records a class-data archive this way): start, then stop.
            running.stop();
            System.exit(0);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.stop();
            stopped.countDown();
        }, "gatehouse-shutdown"));
        stopped.await();
    }

    /** A started demo. */
    public static final class Running {
        public final String url;
        public final DemoContext context;
        private final HttpServer server;

        Running(String url, DemoContext context, HttpServer server) {
            this.url = url;
            this.context = context;
            this.server = server;
        }

        /** The most worker threads the HTTP listener serves requests on. */
        public int workerThreads() {
            return server.getListeners().iterator().next().getTransport().getWorkerThreadPoolConfig().getMaxPoolSize();
        }

        /** Graceful stop: no new connections, in-flight requests finish (up to 10 s), then the pool closes. */
        public void stop() {
            try {
                server.shutdown(10, TimeUnit.SECONDS).get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                server.shutdownNow();
            }
            context.close();
        }
    }

    /** Binds to the configured address (port 0: any free port), then serves the app. */
    public static Running start(DemoSettings settings) throws IOException {
        boolean tls = settings.tls != DemoSettings.Tls.OFF;
        // Before binding: a key store that does not open stops the start with the setting named.
        SSLEngineConfigurator ssl = tls ? serverSsl(DemoTls.context(settings)) : null;
        HttpServer server = new HttpServer();
        NetworkListener listener = new NetworkListener("gatehouse", settings.host, settings.port);
        listener.registerAddOn(new IgnoreUpgradeAddOn());
        if (tls) {
            listener.setSecure(true);
            listener.setSSLEngineConfig(ssl);
        }
        server.addListener(listener);
        server.start();
        int port = listener.getPort();
        String scheme = tls ? "https" : "http";
        String url = scheme + "://" + (settings.host.contains(":") ? "[" + settings.host + "]" : settings.host) + ":" + port + "/";
        DemoContext context;
        try {
            context = DemoContext.create(settings, settings.issuerFor(scheme, settings.host, port), null);
        } catch (RuntimeException e) {
            server.shutdownNow();
            throw e;
        }
        ResourceConfig app = application(context);
        if (tls) {
            app.register(new HstsResponseFilter(settings.hstsHeader()));
        }
        GrizzlyHttpContainer container = ContainerFactory.createContainer(GrizzlyHttpContainer.class, app);
        server.getServerConfiguration().addHttpHandler(new PeerAddressHandler(container), "/");
        return new Running(url, context, server);
    }

    static ResourceConfig application(DemoContext context) {
        ResourceConfig app = DemoResources.register(new ResourceConfig(), context.profiles);
        if (context.mailbox != null) {
            DemoMailboxResource.register(app, context.mailbox);
        }
        return app.register(GatehouseFeature.builder(context.service)
                        .asyncTimeout(context.settings.authTimeout)
                        .web(context.web)
                        .build())
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
    }

    /** Server-side TLS: no client certificates, TLS 1.3 and 1.2 only. */
    private static SSLEngineConfigurator serverSsl(javax.net.ssl.SSLContext context) {
        SSLEngineConfigurator ssl = new SSLEngineConfigurator(context, false, false, false);
        ssl.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return ssl;
    }
}
