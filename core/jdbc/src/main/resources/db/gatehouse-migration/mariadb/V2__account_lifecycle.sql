-- Gatehouse schema, version 2, for MariaDB 10.3 or newer and MySQL 8 (InnoDB): the account lifecycle by email.
-- Proven emails, single-use account tokens (email verification, password reset) and the mail outbox.
-- Accounts that exist when this runs could log in before it: they are taken as verified (as of their
-- creation), so that requiring verified emails does not lock them out. To ask them for proof too:
--   UPDATE gh_users SET email_verified_at = NULL;
-- The two new columns are added by one statement (MySQL has no ADD COLUMN IF NOT EXISTS): it either
-- happens whole or not at all.
-- Statements are separated by a semicolon at the end of a line; comment lines start with "--".

ALTER TABLE gh_users ADD COLUMN email_verified_at DATETIME(6) NULL, ADD COLUMN language VARCHAR(35) NULL;
UPDATE gh_users SET email_verified_at = created_at WHERE email_verified_at IS NULL;

-- A single-use token: the SHA-256 of the token (never the token), what it is for, and the address it
-- was sent to (a verification proves that address only). At most one live per user and purpose.
CREATE TABLE IF NOT EXISTS gh_account_tokens (
    token_hash CHAR(64)     NOT NULL,
    user_id    VARCHAR(36)  NOT NULL,
    purpose    VARCHAR(16)  NOT NULL,
    email      VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    created_at DATETIME(6)  NOT NULL,
    expires_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (token_hash),
    INDEX gh_account_tokens_user_idx (user_id, purpose),
    INDEX gh_account_tokens_expires_idx (expires_at),
    CONSTRAINT gh_account_tokens_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The mail outbox: written in the transaction of the change that causes the mail, sent by any node
-- (MailDispatcher) that wins the claim. The bodies are dropped once the mail is sent or given up;
-- the row stays for a day (dedupe_key: one notice of a kind per user and window).
CREATE TABLE IF NOT EXISTS gh_mail_outbox (
    message_id      VARCHAR(36)  NOT NULL,
    kind            VARCHAR(32)  NOT NULL,
    recipient       VARCHAR(254) NOT NULL,
    subject         VARCHAR(400) NOT NULL,
    text_body       MEDIUMTEXT   NULL,
    html_body       MEDIUMTEXT   NULL,
    dedupe_key      CHAR(64)     NULL,
    created_at      DATETIME(6)  NOT NULL,
    next_attempt_at DATETIME(6)  NOT NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    claim           VARCHAR(36)  NULL,
    claimed_until   DATETIME(6)  NULL,
    sent_at         DATETIME(6)  NULL,
    given_up_at     DATETIME(6)  NULL,
    last_error      VARCHAR(200) NULL,
    PRIMARY KEY (message_id),
    CONSTRAINT gh_mail_outbox_dedupe_uq UNIQUE KEY (dedupe_key),
    INDEX gh_mail_outbox_due_idx (sent_at, given_up_at, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
