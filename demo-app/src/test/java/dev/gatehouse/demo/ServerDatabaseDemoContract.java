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

import dev.gatehouse.jdbc.testing.TestDatabases;
import dev.gatehouse.demo.grizzly.DemoMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The demo contract with GATEHOUSE_JDBC_URL pointing at a real database server: the schema is
 * created on start in an empty schema/database, and everything else works unchanged.
 */
abstract class ServerDatabaseDemoContract extends DemoContract {
    private TestDatabases.Database db;
    private DemoMain.Running running;

    /** A fresh, empty schema or database on the server under test. */
    abstract TestDatabases.Database openDatabase();

    @BeforeAll
    void start() throws Exception {
        db = openDatabase();
        Map<String, String> env = new HashMap<>();
        env.put("GATEHOUSE_PORT", "0");
        env.put("GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey());
        env.put("GATEHOUSE_JDBC_URL", db.jdbcUrl());
        env.put("GATEHOUSE_JDBC_USER", db.user());
        env.put("GATEHOUSE_JDBC_PASSWORD", db.password() == null ? "" : db.password());
        env.put("GATEHOUSE_BCRYPT_COST", String.valueOf(BCRYPT_COST));
        env.put("GATEHOUSE_TEST_MODE", "true");
        env.put("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "false");
        env.put("GATEHOUSE_PEPPER", DemoContract.newPepper());
        env.put("GATEHOUSE_ADMIN_EMAILS", ADMIN_EMAIL);
        running = DemoMain.start(DemoSettings.from(env, name -> null, name -> null));
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
        if (db != null) {
            db.close();
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }
}
