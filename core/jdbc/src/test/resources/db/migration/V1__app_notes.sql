-- An application's own first migration, in Flyway's default location (db/migration) and recorded in
-- Flyway's default history table (flyway_schema_history): Gatehouse's migrations must leave both alone.
CREATE TABLE app_notes (
    id   INT          NOT NULL,
    note VARCHAR(100) NOT NULL,
    PRIMARY KEY (id)
);
