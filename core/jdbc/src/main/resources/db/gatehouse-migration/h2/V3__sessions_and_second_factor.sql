-- Gatehouse schema, version 3, for H2 2.x: sessions users can see and end, and a second factor (TOTP).
-- Every statement keeps its IF NOT EXISTS, so that a run interrupted half-way (DDL that the database
-- does not roll back) can simply be run again.
-- Every instant is stored in UTC in a TIMESTAMP(6) column (no time zone), microsecond precision.
-- Statements are separated by a semicolon at the end of a line; comment lines start with "--".

-- A refresh-token family is a session (one login). What a user is shown of it: when a refresh token of
-- it was last spent (last_used_at: never per request; NULL reads as created_at, which is what a family
-- begun by an earlier release, or by a node of one during a rolling upgrade, gets), the login's
-- User-Agent (trimmed, at most 256 characters), where it came from coarsely (client: an IPv4 /24 or
-- IPv6 /48, never a full address), and how the user authenticated (amr: RFC 8176 method names joined
-- by single spaces; auth_time: when). All NULL for families from before this version.
-- A user's families are found by gh_refresh_families_user_idx: a user has a handful, no other index.
ALTER TABLE gh_refresh_families ADD COLUMN IF NOT EXISTS last_used_at TIMESTAMP(6);
ALTER TABLE gh_refresh_families ADD COLUMN IF NOT EXISTS user_agent VARCHAR(256);
ALTER TABLE gh_refresh_families ADD COLUMN IF NOT EXISTS client VARCHAR(64);
ALTER TABLE gh_refresh_families ADD COLUMN IF NOT EXISTS amr VARCHAR(300);
ALTER TABLE gh_refresh_families ADD COLUMN IF NOT EXISTS auth_time TIMESTAMP(6);
UPDATE gh_refresh_families SET last_used_at = created_at WHERE last_used_at IS NULL;

-- A user's TOTP enrolment: pending (confirmed_at NULL) until a first valid code confirms it. secret is
-- the shared secret sealed (encrypted and authenticated) by the service, opaque here. last_step is the
-- latest TOTP time step accepted (-1: none): a code of that step or an earlier one is never accepted again.
CREATE TABLE IF NOT EXISTS gh_mfa_totp (
    user_id      VARCHAR(36)  NOT NULL,
    secret       VARCHAR(200) NOT NULL,
    created_at   TIMESTAMP(6) NOT NULL,
    confirmed_at TIMESTAMP(6),
    last_step    BIGINT       NOT NULL DEFAULT -1,
    CONSTRAINT gh_mfa_totp_pk PRIMARY KEY (user_id),
    CONSTRAINT gh_mfa_totp_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
);

-- A user's recovery codes: the SHA-256 of each code (never the code), spent once (used_at).
CREATE TABLE IF NOT EXISTS gh_mfa_recovery_codes (
    user_id    VARCHAR(36)  NOT NULL,
    code_hash  CHAR(64)     NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    used_at    TIMESTAMP(6),
    CONSTRAINT gh_mfa_recovery_codes_pk PRIMARY KEY (user_id, code_hash),
    CONSTRAINT gh_mfa_recovery_codes_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
);

-- The first step of a login that needs a second factor: the SHA-256 of its token (never the token),
-- the wrong codes presented with it so far (failures), and when it completed a login (used_at).
-- Expired rows are purged.
CREATE TABLE IF NOT EXISTS gh_mfa_challenges (
    token_hash CHAR(64)     NOT NULL,
    user_id    VARCHAR(36)  NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    expires_at TIMESTAMP(6) NOT NULL,
    failures   INT          NOT NULL DEFAULT 0,
    used_at    TIMESTAMP(6),
    CONSTRAINT gh_mfa_challenges_pk PRIMARY KEY (token_hash),
    CONSTRAINT gh_mfa_challenges_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS gh_mfa_challenges_user_idx ON gh_mfa_challenges (user_id);
CREATE INDEX IF NOT EXISTS gh_mfa_challenges_expires_idx ON gh_mfa_challenges (expires_at);
