-- Gatehouse schema, version 2, for H2 2.x: the account lifecycle by email.
-- Proven emails, single-use account tokens (email verification, password reset) and the mail outbox.
-- Accounts that exist when this runs could log in before it: they are taken as verified (as of their
-- creation), so that requiring verified emails does not lock them out. To ask them for proof too:
--   UPDATE gh_users SET email_verified_at = NULL;
-- Statements are separated by a semicolon at the end of a line; comment lines start with "--".

ALTER TABLE gh_users ADD COLUMN IF NOT EXISTS email_verified_at TIMESTAMP(6);
ALTER TABLE gh_users ADD COLUMN IF NOT EXISTS language VARCHAR(35);
UPDATE gh_users SET email_verified_at = created_at WHERE email_verified_at IS NULL;

-- A single-use token: the SHA-256 of the token (never the token), what it is for, and the address it
-- was sent to (a verification proves that address only). At most one live per user and purpose.
CREATE TABLE IF NOT EXISTS gh_account_tokens (
    token_hash CHAR(64)       NOT NULL,
    user_id    VARCHAR(36)    NOT NULL,
    purpose    VARCHAR(16)    NOT NULL,
    email      VARCHAR(254)   NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    expires_at TIMESTAMP(6) NOT NULL,
    CONSTRAINT gh_account_tokens_pk PRIMARY KEY (token_hash),
    CONSTRAINT gh_account_tokens_user_fk FOREIGN KEY (user_id) REFERENCES gh_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS gh_account_tokens_user_idx ON gh_account_tokens (user_id, purpose);
CREATE INDEX IF NOT EXISTS gh_account_tokens_expires_idx ON gh_account_tokens (expires_at);

-- The mail outbox: written in the transaction of the change that causes the mail, sent by any node
-- (MailDispatcher) that wins the claim. The bodies are dropped once the mail is sent or given up;
-- the row stays for a day (dedupe_key: one notice of a kind per user and window).
CREATE TABLE IF NOT EXISTS gh_mail_outbox (
    message_id      VARCHAR(36)    NOT NULL,
    kind            VARCHAR(32)    NOT NULL,
    recipient       VARCHAR(254)   NOT NULL,
    subject         VARCHAR(400)   NOT NULL,
    text_body       CLOB,
    html_body       CLOB,
    dedupe_key      CHAR(64),
    created_at      TIMESTAMP(6) NOT NULL,
    next_attempt_at TIMESTAMP(6) NOT NULL,
    attempts        INT            NOT NULL DEFAULT 0,
    claim           VARCHAR(36),
    claimed_until   TIMESTAMP(6),
    sent_at         TIMESTAMP(6),
    given_up_at     TIMESTAMP(6),
    last_error      VARCHAR(200),
    CONSTRAINT gh_mail_outbox_pk PRIMARY KEY (message_id),
    CONSTRAINT gh_mail_outbox_dedupe_uq UNIQUE (dedupe_key)
);
CREATE INDEX IF NOT EXISTS gh_mail_outbox_due_idx ON gh_mail_outbox (sent_at, given_up_at, next_attempt_at);
