-- Gatehouse schema for MariaDB 10.3 or newer and MySQL 8 (InnoDB).
-- Every instant is stored in UTC in a DATETIME(6) column (never TIMESTAMP: no session time zone
-- conversion, no 2038 limit), microsecond precision.
-- Every text column compares exactly (utf8mb4_bin): emails are normalised by Gatehouse before they
-- are stored, and the unique constraint must not add a collation's idea of equality (case,
-- accents) on top of that.
-- Indexes are declared inside CREATE TABLE because MySQL has no CREATE INDEX IF NOT EXISTS.
-- Statements are separated by a semicolon at the end of a line; comment lines start with "--".

CREATE TABLE IF NOT EXISTS gh_users (
    id            VARCHAR(36)   NOT NULL,
    email         VARCHAR(254)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    password_hash VARCHAR(100)  NOT NULL,
    roles         VARCHAR(1000) NOT NULL,
    created_at    DATETIME(6)   NOT NULL,
    token_generation INT         NOT NULL DEFAULT 0,
    CONSTRAINT gh_users_pk PRIMARY KEY (id),
    CONSTRAINT gh_users_email_uq UNIQUE KEY (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS gh_refresh_families (
    family_id  VARCHAR(36) NOT NULL,
    user_id    VARCHAR(36) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    revoked_at DATETIME(6) NULL,
    CONSTRAINT gh_refresh_families_pk PRIMARY KEY (family_id),
    INDEX gh_refresh_families_user_idx (user_id),
    INDEX gh_refresh_families_expires_idx (expires_at),
    INDEX gh_refresh_families_revoked_idx (revoked_at),
    CONSTRAINT gh_refresh_families_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS gh_refresh_tokens (
    token_hash        CHAR(64)    NOT NULL,
    family_id         VARCHAR(36) NOT NULL,
    parent_hash       CHAR(64)    NULL,
    user_id           VARCHAR(36) NOT NULL,
    issued_at         DATETIME(6) NOT NULL,
    expires_at        DATETIME(6) NOT NULL,
    family_expires_at DATETIME(6) NOT NULL,
    used_at           DATETIME(6) NULL,
    revoked_at        DATETIME(6) NULL,
    CONSTRAINT gh_refresh_tokens_pk PRIMARY KEY (token_hash),
    INDEX gh_refresh_tokens_family_idx (family_id),
    CONSTRAINT gh_refresh_tokens_family_fk FOREIGN KEY (family_id) REFERENCES gh_refresh_families (family_id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The successor of a spent refresh token, sealed under a key derived from the spent token itself, for
-- the reuse grace period only (AuthService: a replay within the grace gets the same successor).
CREATE TABLE IF NOT EXISTS gh_refresh_seals (
    token_hash CHAR(64)     NOT NULL,
    seal       VARCHAR(128) NOT NULL,
    sealed_at  DATETIME(6)  NOT NULL,
    CONSTRAINT gh_refresh_seals_pk PRIMARY KEY (token_hash),
    INDEX gh_refresh_seals_sealed_idx (sealed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS gh_revoked_tokens (
    jti        VARCHAR(64) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    CONSTRAINT gh_revoked_tokens_pk PRIMARY KEY (jti),
    INDEX gh_revoked_tokens_expires_idx (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The lowest token generation still accepted for a user (logout everywhere, a change of roles, account
-- deletion), and when it was recorded: kept while a token of an older generation could still be live.
CREATE TABLE IF NOT EXISTS gh_user_revocations (
    user_id        VARCHAR(36) NOT NULL,
    min_generation INT         NOT NULL,
    revoked_at     DATETIME(6) NOT NULL,
    CONSTRAINT gh_user_revocations_pk PRIMARY KEY (user_id),
    INDEX gh_user_revocations_revoked_idx (revoked_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Login throttling (dev.gatehouse.core.jdbc.JdbcThrottleStore): one GCRA bucket per row, keyed by a keyed
-- hash (never an email or an address). tat is the bucket's theoretical arrival time (full again when it is
-- past); last_success_at is the last successful login of an account-and-client bucket. Rows that are full
-- and have no recent success are purged. It replaces gh_login_throttle of earlier versions, which nothing
-- reads any more and which may be dropped.
CREATE TABLE IF NOT EXISTS gh_login_buckets (
    bucket_key      CHAR(64)    NOT NULL,
    tat             DATETIME(6) NOT NULL,
    last_success_at DATETIME(6) NULL,
    CONSTRAINT gh_login_buckets_pk PRIMARY KEY (bucket_key),
    INDEX gh_login_buckets_tat_idx (tat)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Signing keys managed by dev.gatehouse.core.keys.ManagedKeySource. The unique generation is what
-- settles a race between nodes rotating at once: exactly one insert of the next generation wins.
-- private_key is "v1:<iv>:<ciphertext>" (AES-256-GCM under the key-encryption key), "plain:<JWK>"
-- when unencrypted storage was allowed explicitly, or NULL once the key can never be used again.
-- row_mac is "v1:<base64url>", an HMAC-SHA256 of the row under a key derived from the key-encryption
-- key (see KeyRowMac): with a key-encryption key set, a row without a valid one is refused.
CREATE TABLE IF NOT EXISTS gh_signing_keys (
    kid          VARCHAR(128) NOT NULL,
    generation   INT          NOT NULL,
    alg          VARCHAR(16)  NOT NULL,
    public_jwk   TEXT         NOT NULL,
    private_key  TEXT         NULL,
    created_at   DATETIME(6)  NOT NULL,
    activates_at DATETIME(6)  NOT NULL,
    retired_at   DATETIME(6)  NULL,
    revoked_at   DATETIME(6)  NULL,
    row_mac      VARCHAR(64)  NULL,
    CONSTRAINT gh_signing_keys_pk PRIMARY KEY (kid),
    CONSTRAINT gh_signing_keys_generation_uq UNIQUE KEY (generation)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
