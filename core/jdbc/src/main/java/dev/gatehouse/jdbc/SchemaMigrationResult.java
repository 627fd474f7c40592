package dev.gatehouse.jdbc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link JdbcSchema#migrate(javax.sql.DataSource)} found and did: the schema version before
 * and after, the versions it applied, and whether it adopted tables that an earlier Gatehouse had
 * created before the schema had versions. Immutable.
 */
public final class SchemaMigrationResult {
    private final String previousVersion;
    private final String version;
    private final List<String> appliedVersions;
    private final boolean adopted;

    SchemaMigrationResult(String previousVersion, String version, List<String> appliedVersions, boolean adopted) {
        this.previousVersion = previousVersion;
        this.version = Objects.requireNonNull(version, "version");
        this.appliedVersions = List.copyOf(appliedVersions);
        this.adopted = adopted;
    }

    /**
     * The version recorded in {@value JdbcSchema#HISTORY_TABLE} before this migration; empty when
     * there was none (a database without Gatehouse's tables, or with tables of the time before
     * versions, which this migration {@linkplain #adopted() adopted}).
     */
    public Optional<String> previousVersion() {
        return Optional.ofNullable(previousVersion);
    }

    /** The version of the schema now, for example {@code "1"}. */
    public String version() {
        return version;
    }

    /** The versions this migration applied, oldest first; empty when the schema was up to date. */
    public List<String> appliedVersions() {
        return appliedVersions;
    }

    /**
     * Whether the database held Gatehouse's tables without a history, as created before the schema
     * had versions, and they were recorded as version 1 (a baseline) instead of being created.
     */
    public boolean adopted() {
        return adopted;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SchemaMigrationResult)) {
            return false;
        }
        SchemaMigrationResult other = (SchemaMigrationResult) o;
        return adopted == other.adopted && Objects.equals(previousVersion, other.previousVersion)
                && version.equals(other.version) && appliedVersions.equals(other.appliedVersions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(previousVersion, version, appliedVersions, adopted);
    }

    @Override
    public String toString() {
        return "SchemaMigrationResult[previousVersion=" + previousVersion + ", version=" + version
                + ", appliedVersions=" + appliedVersions + ", adopted=" + adopted + "]";
    }
}
