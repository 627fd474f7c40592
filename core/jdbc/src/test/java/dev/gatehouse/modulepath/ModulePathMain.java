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

package dev.gatehouse.modulepath;

import dev.gatehouse.jdbc.JdbcSchema;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Run by {@code dev.gatehouse.jdbc.ModulePathTest} in a JVM of its own, from the class path (in a
 * package of its own: a package of a named module cannot also be on the class path), with
 * gatehouse-jdbc and Flyway as modules on the module path: migrates an in-memory H2 database twice
 * and prints what happened.
 */
public final class ModulePathMain {
    private ModulePathMain() {
    }

    public static void main(String[] args) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:module_path;DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        System.out.println("gatehouse: " + JdbcSchema.class.getModule());
        System.out.println("flyway: " + org.flywaydb.core.Flyway.class.getModule());
        System.out.println("first: " + JdbcSchema.migrate(ds));
        System.out.println("second: " + JdbcSchema.migrate(ds));
    }
}
