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
 * JDBC implementations of the {@link dev.gatehouse.auth.store store contracts}, for H2,
 * PostgreSQL and MariaDB, with plain JDBC, and the versioned schema they need (Flyway).
 *
 * <p>Start with {@link dev.gatehouse.jdbc.JdbcSchema#migrate(javax.sql.DataSource)} and
 * {@link dev.gatehouse.jdbc.JdbcStores}. The schema has versions, which Flyway applies from the
 * class-path folders {@code db/gatehouse-migration/h2}, {@code .../postgresql} and
 * {@code .../mariadb} and records in {@code gh_schema_history}.
 */
package dev.gatehouse.jdbc;
