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

/**
 * Gatehouse's JDBC stores (H2, PostgreSQL, MariaDB), their schema, signing keys managed in the
 * database, and the admin command line.
 */
module dev.gatehouse.jdbc {
    requires transitive dev.gatehouse.auth;
    requires transitive java.sql;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    // Flyway applies the schema (JdbcSchema.flywayConfiguration hands out its configuration); its jar
    // names no module, so this is the name the module system derives from the file name.
    requires transitive flyway.core;

    exports dev.gatehouse.jdbc;
    exports dev.gatehouse.jdbc.keys;
}
