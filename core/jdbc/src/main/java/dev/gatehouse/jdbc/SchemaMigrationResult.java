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

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link JdbcSchema#migrate(javax.sql.DataSource)} found and did: the schema version before
 * and after, the versions it applied, and whether it adopted tables that an earlier Gatehouse had
 * created before the schema had versions. Immutable.
 *
 * @param previousVersion the version recorded in {@value JdbcSchema#HISTORY_TABLE} before this
 *                        migration; empty when there was none (a database without Gatehouse's
 *                        tables, or with tables of the time before versions, which this migration
 *                        {@linkplain #adopted() adopted})
 * @param version         the version of the schema now, for example {@code "1"}
 * @param appliedVersions the versions this migration applied, oldest first; empty when the schema
 *                        was up to date
 * @param adopted         whether the database held Gatehouse's tables without a history, as created
 *                        before the schema had versions, and they were recorded as version 1 (a
 *                        baseline) instead of being created
 */
public record SchemaMigrationResult(Optional<String> previousVersion, String version, List<String> appliedVersions,
                                    boolean adopted) {

    public SchemaMigrationResult {
        Objects.requireNonNull(previousVersion, "previousVersion");
        Objects.requireNonNull(version, "version");
        appliedVersions = List.copyOf(appliedVersions);
    }

    /** Prints an absent previous version as {@code null}, as before this was a record. */
    @Override
    public String toString() {
        return "SchemaMigrationResult[previousVersion=" + previousVersion.orElse(null) + ", version=" + version
                + ", appliedVersions=" + appliedVersions + ", adopted=" + adopted + "]";
    }
}
