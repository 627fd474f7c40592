-- A version that a newer release of Gatehouse would add, far above this release's latest so that it
-- stays newer while real versions are added (SchemaMigrationTest: a node of this release must keep
-- starting on a database that a newer node has already migrated).
CREATE TABLE gh_from_a_newer_release (
    id INT NOT NULL,
    PRIMARY KEY (id)
);
