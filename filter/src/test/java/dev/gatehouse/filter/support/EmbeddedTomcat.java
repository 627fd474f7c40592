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

package dev.gatehouse.filter.support;

import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An embedded Tomcat on a free loopback port, with class-path jar scanning off and no default
 * web.xml (VERSIONS.md). Start it once per test class.
 */
public final class EmbeddedTomcat implements AutoCloseable {
    private final Path baseDir;
    private final Tomcat tomcat;

    public EmbeddedTomcat() {
        try {
            baseDir = Files.createTempDirectory("gatehouse-tomcat-");
            Files.createDirectories(baseDir.resolve("webapps"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(0);
        Connector connector = tomcat.getConnector();
        // Room for the oversized-token cases: the filter, not the connector, must refuse them.
        connector.setProperty("maxHttpHeaderSize", "65536");
        tomcat.setAddDefaultWebXmlToWebapp(false);
        tomcat.getHost().setAutoDeploy(false);
    }

    public Path baseDir() {
        return baseDir;
    }

    public Tomcat tomcat() {
        return tomcat;
    }

    /** A programmatic context (no web.xml). */
    public Context addContext(String contextPath) {
        try {
            Path docBase = Files.createDirectories(baseDir.resolve("docbase" + contextPath.replace('/', '_')));
            return quiet(tomcat.addContext(contextPath, docBase.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A web application directory deployed with its WEB-INF/web.xml; classes come from the test class path. */
    public Context addWebapp(String contextPath, Path dir) {
        return quiet(tomcat.addWebapp(contextPath, dir.toAbsolutePath().toString()));
    }

    public void start() throws LifecycleException {
        tomcat.start();
    }

    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    /** The origin requests are sent to (the Host header clients send). */
    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    public URI uri(String path) {
        return URI.create(origin() + path);
    }

    @Override
    public void close() throws LifecycleException, IOException {
        try {
            tomcat.stop();
            tomcat.destroy();
        } finally {
            try (Stream<Path> paths = Files.walk(baseDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * No jar scanning; no memory-leak hunting on stop (it needs --add-opens and only warns about
     * the test JVM's own class path).
     */
    private static Context quiet(Context context) {
        context.setJarScanner(noScanning());
        if (context instanceof StandardContext standard) {
            standard.setClearReferencesObjectStreamClassCaches(false);
            standard.setClearReferencesRmiTargets(false);
            standard.setClearReferencesThreadLocals(false);
        }
        return context;
    }

    private static StandardJarScanner noScanning() {
        StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        scanner.setScanManifest(false);
        scanner.setScanAllDirectories(false);
        scanner.setScanAllFiles(false);
        return scanner;
    }
}
