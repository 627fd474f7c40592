-- Gatehouse schema, version 1, for H2 2.x.
-- The tables of the token flow, exactly as Gatehouse created them before the schema had versions.
-- Flyway applies it (JdbcSchema.migrate) and records it in gh_schema_history; a database that already
-- holds these tables is recorded as version 1 without running it. Never edit a version once released:
-- a change is a new file (V2__..., V3__...).
-- Every statement keeps its IF NOT EXISTS, so that a run interrupted half-way (DDL that the database
-- does not roll back) can simply be run again.
-- Every instant is stored in UTC in a TIMESTAMP(6) column (no time zone), microsecond precision.
-- Statements are separated by a semicolon at the end of a line; comment lines start with "--".

CREATE TABLE IF NOT EXISTS gh_users (
    id            VARCHAR(36)   NOT NULL,
    email         VARCHAR(254)  NOT NULL,
    password_hash VARCHAR(100)  NOT NULL,
    roles         VARCHAR(1000) NOT NULL,
    created_at    TIMESTAMP(6)  NOT NULL,
    token_generation INT         NOT NULL DEFAULT 0,
    CONSTRAINT gh_users_pk PRIMARY KEY (id),
    CONSTRAINT gh_users_email_uq UNIQUE (email)
);

CREATE TABLE IF NOT EXISTS gh_refresh_families (
    family_id  VARCHAR(36)  NOT NULL,
    user_id    VARCHAR(36)  NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    expires_at TIMESTAMP(6) NOT NULL,
    revoked_at TIMESTAMP(6),
    CONSTRAINT gh_refresh_families_pk PRIMARY KEY (family_id),
    CONSTRAINT gh_refresh_families_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS gh_refresh_families_user_idx ON gh_refresh_families (user_id);
CREATE INDEX IF NOT EXISTS gh_refresh_families_expires_idx ON gh_refresh_families (expires_at);
CREATE INDEX IF NOT EXISTS gh_refresh_families_revoked_idx ON gh_refresh_families (revoked_at);

CREATE TABLE IF NOT EXISTS gh_refresh_tokens (
    token_hash        CHAR(64)     NOT NULL,
    family_id         VARCHAR(36)  NOT NULL,
    parent_hash       CHAR(64),
    user_id           VARCHAR(36)  NOT NULL,
    issued_at         TIMESTAMP(6) NOT NULL,
    expires_at        TIMESTAMP(6) NOT NULL,
    family_expires_at TIMESTAMP(6) NOT NULL,
    used_at           TIMESTAMP(6),
    revoked_at        TIMESTAMP(6),
    CONSTRAINT gh_refresh_tokens_pk PRIMARY KEY (token_hash),
    CONSTRAINT gh_refresh_tokens_family_fk FOREIGN KEY (family_id) REFERENCES gh_refresh_families (family_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS gh_refresh_tokens_family_idx ON gh_refresh_tokens (family_id);

-- The successor of a spent refresh token, sealed under a key derived from the spent token itself, for
-- the reuse grace period only (AuthService: a replay within the grace gets the same successor).
CREATE TABLE IF NOT EXISTS gh_refresh_seals (
    token_hash CHAR(64)     NOT NULL,
    seal       VARCHAR(128) NOT NULL,
    sealed_at  TIMESTAMP(6) NOT NULL,
    CONSTRAINT gh_refresh_seals_pk PRIMARY KEY (token_hash)
);
CREATE INDEX IF NOT EXISTS gh_refresh_seals_sealed_idx ON gh_refresh_seals (sealed_at);

CREATE TABLE IF NOT EXISTS gh_revoked_tokens (
    jti        VARCHAR(64)  NOT NULL,
    expires_at TIMESTAMP(6) NOT NULL,
    CONSTRAINT gh_revoked_tokens_pk PRIMARY KEY (jti)
);
CREATE INDEX IF NOT EXISTS gh_revoked_tokens_expires_idx ON gh_revoked_tokens (expires_at);

-- The lowest token generation still accepted for a user (logout everywhere, a change of roles, account
-- deletion), and when it was recorded: kept while a token of an older generation could still be live.
CREATE TABLE IF NOT EXISTS gh_user_revocations (
    user_id        VARCHAR(36)  NOT NULL,
    min_generation INT          NOT NULL,
    revoked_at     TIMESTAMP(6) NOT NULL,
    CONSTRAINT gh_user_revocations_pk PRIMARY KEY (user_id)
);
CREATE INDEX IF NOT EXISTS gh_user_revocations_revoked_idx ON gh_user_revocations (revoked_at);

-- Login throttling (dev.gatehouse.jdbc.JdbcThrottleStore): one GCRA bucket per row, keyed by a keyed
-- hash (never an email or an address). tat is the bucket's theoretical arrival time (full again when it is
-- past); last_success_at is the last successful login of an account-and-client bucket. Rows that are full
-- and have no recent success are purged. It replaces gh_login_throttle of earlier versions, which nothing
-- reads any more and which may be dropped.
CREATE TABLE IF NOT EXISTS gh_login_buckets (
    bucket_key      CHAR(64)     NOT NULL,
    tat             TIMESTAMP(6) NOT NULL,
    last_success_at TIMESTAMP(6),
    CONSTRAINT gh_login_buckets_pk PRIMARY KEY (bucket_key)
);
CREATE INDEX IF NOT EXISTS gh_login_buckets_tat_idx ON gh_login_buckets (tat);

-- Signing keys managed by dev.gatehouse.jdbc.keys.ManagedKeySource. The unique generation is what
-- settles a race between nodes rotating at once: exactly one insert of the next generation wins.
-- private_key is "v1:<iv>:<ciphertext>" (AES-256-GCM under the key-encryption key), "plain:<JWK>"
-- when unencrypted storage was allowed explicitly, or NULL once the key can never be used again.
-- row_mac is "v1:<base64url>", an HMAC-SHA256 of the row under a key derived from the key-encryption
-- key (see KeyRowMac): with a key-encryption key set, a row without a valid one is refused.
CREATE TABLE IF NOT EXISTS gh_signing_keys (
    kid          VARCHAR(128)   NOT NULL,
    generation   INT            NOT NULL,
    alg          VARCHAR(16)    NOT NULL,
    public_jwk   VARCHAR(16384) NOT NULL,
    private_key  VARCHAR(16384),
    created_at   TIMESTAMP(6)   NOT NULL,
    activates_at TIMESTAMP(6)   NOT NULL,
    retired_at   TIMESTAMP(6),
    revoked_at   TIMESTAMP(6),
    row_mac      VARCHAR(64),
    CONSTRAINT gh_signing_keys_pk PRIMARY KEY (kid),
    CONSTRAINT gh_signing_keys_generation_uq UNIQUE (generation)
);
