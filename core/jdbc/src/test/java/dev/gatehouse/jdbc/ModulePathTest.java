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

package dev.gatehouse.jdbc;

import dev.gatehouse.modulepath.ModulePathMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migrations are read by Flyway when gatehouse-jdbc is a module on the module path, not only
 * from the class path: a JVM of its own runs {@link ModulePathMain} with gatehouse-jdbc (packed
 * from this build's classes, as the jar plugin packs it), Flyway and their dependencies on the
 * module path, and nothing of Gatehouse's on the class path but that launcher.
 */
class ModulePathTest {
    /** Jars of gatehouse-jdbc's run-time dependencies (and H2 for the database), by file name. */
    private static final List<String> MODULES = List.of("flyway-", "slf4j-api-", "h2-", "java-jwt-", "jackson-", "caffeine-",
            "jspecify-", "error_prone_annotations-", "jbcrypt-");
    /** ZXing's jar is named {@code core-<version>.jar}: it is told by its repository directory instead. */
    private static final String ZXING_DIRECTORY = File.separator + "com" + File.separator + "google" + File.separator + "zxing" + File.separator;

    /** Whether a class-path entry is one of the other Gatehouse modules this one requires (a jar or, in the reactor, classes). */
    private static boolean gatehouseModule(Path entry, Path own) {
        String name = entry.getFileName().toString();
        if (entry.equals(own) || name.endsWith("-tests.jar")) {
            return false;
        }
        return name.startsWith("gatehouse-") && name.endsWith(".jar")
                || Files.isDirectory(entry) && Files.exists(entry.resolve("module-info.class"));
    }

    @Test
    void flywayFindsTheMigrationsWhenGatehouseIsANamedModuleOnTheModulePath(@TempDir Path dir) throws Exception {
        Path classes = Path.of(JdbcSchema.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(ModulePathMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(testClasses.resolve("db/gatehouse-migration")).as("no migrations on the launcher's class path").doesNotExist();
        List<String> modulePath = new ArrayList<>();
        modulePath.add(jar(classes, dir.resolve("gatehouse-jdbc.jar")).toString());
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean dependency = MODULES.stream().anyMatch(name::startsWith) || entry.contains(ZXING_DIRECTORY);
            if (name.endsWith(".jar") && dependency || gatehouseModule(Path.of(entry), classes)) {
                modulePath.add(entry);
            }
        }
        Path log = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", String.join(File.pathSeparator, modulePath), "--add-modules", "ALL-MODULE-PATH",
                "-cp", testClasses.toString(), ModulePathMain.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the JVM ends").isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("gatehouse: module dev.gatehouse.jdbc")
                .contains("flyway: module flyway.core")
                .contains("first: SchemaMigrationResult[previousVersion=null, version=" + SchemaProbe.LATEST_VERSION
                        + ", appliedVersions=" + SchemaProbe.VERSIONS + ", adopted=false]")
                .contains("second: SchemaMigrationResult[previousVersion=" + SchemaProbe.LATEST_VERSION + ", version="
                        + SchemaProbe.LATEST_VERSION + ", appliedVersions=[], adopted=false]");
    }

    /** Packs a class directory as a jar, with the module name of gatehouse-jdbc's manifest unless it declares a module. */
    private static Path jar(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (!Files.exists(classes.resolve("module-info.class"))) {
            manifest.getMainAttributes().putValue("Automatic-Module-Name", "dev.gatehouse.jdbc");
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> paths = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
                if (path.equals(classes)) {
                    continue;
                }
                String name = classes.relativize(path).toString().replace(File.separatorChar, '/');
                if (Files.isDirectory(path)) {
                    out.putNextEntry(new JarEntry(name + "/"));
                } else {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(path, out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }
}
