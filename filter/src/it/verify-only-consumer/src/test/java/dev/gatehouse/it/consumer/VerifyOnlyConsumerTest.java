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

package dev.gatehouse.it.consumer;

import dev.gatehouse.filter.GatehouseFilter;
import dev.gatehouse.token.AccessTokenIssuer;
import dev.gatehouse.token.AccessTokenPrincipal;
import dev.gatehouse.token.AccessTokenVerifier;
import dev.gatehouse.token.KeySet;
import dev.gatehouse.token.SigningAlgorithm;
import dev.gatehouse.token.SigningKey;
import dev.gatehouse.token.TokenSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A build that depends on gatehouse-filter alone, through the BOM, on the module path: it verifies
 * tokens, it does not carry the onboarding service, bcrypt, JDBC, Flyway, the command line, a
 * logging library or a cache library, and it cannot reach a package that Gatehouse does not
 * export, neither when compiling nor at run time.
 */
class VerifyOnlyConsumerTest {
    private static final String ISSUER = "https://auth.example.com";
    private static final String AUDIENCE = "orders";

    @Test
    void verifiesATokenOfTheIssuerThroughTheExportedApi() {
        SigningKey signing = SigningKey.generate(SigningAlgorithm.ES256);
        String token = new AccessTokenIssuer(TokenSettings.builder(ISSUER, AUDIENCE).build(), KeySet.of(signing))
                .issue("user-1", List.of("user", "admin")).token();
        SigningKey publicOnly = SigningKey.ec(signing.kid(), (ECPublicKey) signing.publicKey(), null);

        AccessTokenVerifier verifier = VerifyOnlyApp.verifier(ISSUER, AUDIENCE, KeySet.verifyOnly(List.of(publicOnly)));
        AccessTokenPrincipal principal = verifier.verify(token);
        GatehouseFilter filter = VerifyOnlyApp.filter(verifier);

        assertEquals("user-1", principal.getName());
        assertEquals(List.of("user", "admin"), principal.roles());
        assertEquals(GatehouseFilter.class, filter.getClass());
    }

    @Test
    void runsAsANamedModuleWithTheVerifyingModulesOnly() {
        Module own = getClass().getModule();
        assertTrue(own.isNamed(), "the consumer runs on the module path");
        ModuleLayer layer = own.getLayer();
        for (String present : List.of("dev.gatehouse.filter", "dev.gatehouse.web", "dev.gatehouse.token")) {
            assertTrue(layer.findModule(present).isPresent(), present + " is resolved");
        }
        for (String absent : List.of("dev.gatehouse.auth", "dev.gatehouse.jdbc", "dev.gatehouse.jaxrs")) {
            assertFalse(layer.findModule(absent).isPresent(), absent + " is not there");
        }
        for (String type : List.of("dev.gatehouse.auth.AuthService", "dev.gatehouse.jdbc.keys.KeyAdmin",
                "org.mindrot.jbcrypt.BCrypt", "org.flywaydb.core.Flyway", "com.zaxxer.hikari.HikariDataSource")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(type), type + " is not on any path");
        }
    }

    @Test
    void bringsNoLoggingOrCacheLibrary() {
        // the token layer logs through System.Logger (the container's logging) and caches on its own
        ModuleLayer layer = getClass().getModule().getLayer();
        for (String absent : List.of("org.slf4j", "com.github.benmanes.caffeine")) {
            assertFalse(layer.findModule(absent).isPresent(), absent + " is not there");
        }
        for (String type : List.of("org.slf4j.LoggerFactory", "com.github.benmanes.caffeine.cache.Caffeine")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(type), type + " is not on any path");
        }
    }

    @Test
    void aPackageThatIsNotExportedIsClosedAtRunTime() throws Exception {
        Class<?> internal = Class.forName("dev.gatehouse.token.internal.Jwk");
        Module token = internal.getModule();
        assertEquals("dev.gatehouse.token", token.getName());
        assertTrue(token.isExported("dev.gatehouse.token", getClass().getModule()), "the API package is exported");
        assertFalse(token.isExported("dev.gatehouse.token.internal", getClass().getModule()), "the internal package is not");
        Method method = internal.getDeclaredMethods()[0];
        assertThrows(InaccessibleObjectException.class, () -> method.setAccessible(true));
    }

    @Test
    void codeThatUsesAPackageThatIsNotExportedDoesNotCompile(@TempDir Path dir) throws Exception {
        Compilation exported = compile(dir.resolve("exported"), "dev.gatehouse.token.AccessTokenVerifier");
        assertEquals(0, exported.exitCode(), "the control compiles: " + exported.output());

        Compilation internal = compile(dir.resolve("internal"), "dev.gatehouse.token.internal.Jwk");
        assertEquals(1, internal.exitCode(), internal.output());
        assertTrue(internal.output().contains("package dev.gatehouse.token.internal is not visible")
                || internal.output().contains("does not export dev.gatehouse.token.internal"), internal.output());
    }

    private record Compilation(int exitCode, String output) {
    }

    /** Compiles a module that requires gatehouse-filter and names {@code type}, with the JDK's javac and this run's module path. */
    private static Compilation compile(Path dir, String type) throws IOException, InterruptedException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("probe"));
        Files.writeString(src.resolve("module-info.java"), "module probe { requires dev.gatehouse.filter; }\n");
        Files.writeString(src.resolve("probe/Reach.java"),
                "package probe;\npublic final class Reach {\n    public static final Class<?> TYPE = " + type + ".class;\n}\n");
        String modulePath = System.getProperty("jdk.module.path");
        assertTrue(modulePath != null && modulePath.contains("gatehouse-filter"), "gatehouse-filter is on the module path: " + modulePath);
        Path log = dir.resolve("javac.txt");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--module-path", modulePath, "-d", dir.resolve("out").toString(),
                src.resolve("module-info.java").toString(), src.resolve("probe/Reach.java").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac ends");
        return new Compilation(javac.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
