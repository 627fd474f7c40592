-- Gatehouse schema, version 4, for MariaDB 10.3 or newer (InnoDB): revocations numbered in the order
-- they are written. It needs sequences (CREATE SEQUENCE, MariaDB 10.3), which MySQL does not have.
-- Every statement keeps its IF NOT EXISTS where MariaDB has one, so that a run interrupted half-way
-- (DDL that the database does not roll back) can simply be run again.
-- Statements are separated by a semicolon at the end of a line; comment lines start with "--".

-- One number for every change to what verification refuses: a token revoked (gh_revoked_tokens.seq),
-- a generation cut-off set or raised (gh_user_revocations.seq), a session revoked
-- (gh_refresh_families.revoked_seq). A change made again gets a new number. Each node reads only the
-- numbers above the ones it has read, plus any it skipped (a number taken by a transaction that
-- committed after a later one), and reads everything again now and then. Rows from before this
-- version keep a NULL number: they are read by those full reads until they stop mattering.
-- The default is set by a statement of its own, after the column exists, so that adding the column
-- does not number every old row.
CREATE SEQUENCE IF NOT EXISTS gh_revocation_seq;
ALTER TABLE gh_revoked_tokens ADD COLUMN IF NOT EXISTS seq BIGINT NULL;
ALTER TABLE gh_revoked_tokens MODIFY COLUMN seq BIGINT NULL DEFAULT (NEXT VALUE FOR gh_revocation_seq);
CREATE INDEX IF NOT EXISTS gh_revoked_tokens_seq_idx ON gh_revoked_tokens (seq);
ALTER TABLE gh_user_revocations ADD COLUMN IF NOT EXISTS seq BIGINT NULL;
ALTER TABLE gh_user_revocations MODIFY COLUMN seq BIGINT NULL DEFAULT (NEXT VALUE FOR gh_revocation_seq);
CREATE INDEX IF NOT EXISTS gh_user_revocations_seq_idx ON gh_user_revocations (seq);
ALTER TABLE gh_refresh_families ADD COLUMN IF NOT EXISTS revoked_seq BIGINT NULL;
CREATE INDEX IF NOT EXISTS gh_refresh_families_revoked_seq_idx ON gh_refresh_families (revoked_seq);
