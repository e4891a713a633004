-- Accounts: the people behind the roles. Their changes are events (streams account-*); their credentials are
-- kept here, apart from the log and hashed where they are credentials (never a password, token or cookie in
-- clear: see app/auth.py).

-- The account (login) behind an event's role, when a signed-in person caused it. Hashed with the actor only
-- when present (docs/auditing.md): every event stored before keeps its hash.
ALTER TABLE events ADD COLUMN actor_account text
    CONSTRAINT events_actor_account_login CHECK (actor_account ~ '^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$');
CREATE INDEX events_actor_account_idx ON events (actor_account, global_position) WHERE actor_account IS NOT NULL;

-- The read model of accounts (for lists): each account's folded state. Sign-in and every request read the
-- account's own stream instead, so a disabled account or a revoked scope stops at once.
CREATE TABLE accounts (
    account_id text        PRIMARY KEY,
    name       text        NOT NULL,
    status     text        NOT NULL,
    scopes     text[]      NOT NULL,
    state      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL
);

-- A password as argon2id (its parameters and salt inside), set through one enrolment: a later reset of the
-- account voids it (the account's stream says which enrolment is current). The TOTP key is the second factor's;
-- totp_last_step refuses a code used twice.
CREATE TABLE account_credentials (
    account_id     text        PRIMARY KEY,
    enrolment_id   uuid        NOT NULL,
    password_hash  text        NOT NULL,
    totp_secret    text,
    totp_last_step bigint,
    set_at         timestamptz NOT NULL
);

-- One-time enrolment links: only the SHA-256 of the link's secret is kept. The TOTP key offered with it is
-- shown (as a QR code or a text) while the link is open.
CREATE TABLE enrolment_links (
    token_hash   bytea       PRIMARY KEY,
    enrolment_id uuid        NOT NULL UNIQUE,
    account_id   text        NOT NULL,
    totp_secret  text        NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);

-- Sessions of the API and the web app: the cookie's SHA-256, never the cookie.
CREATE TABLE sessions (
    token_hash   bytea       PRIMARY KEY,
    session_id   uuid        NOT NULL UNIQUE,
    account_id   text        NOT NULL,
    scope        text,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    ended_why    text,
    client       text
);
CREATE INDEX sessions_open_idx ON sessions (account_id) WHERE ended_at IS NULL;

-- Personal API tokens: the token's SHA-256 and which token it is (its name, scopes, expiry and revocation are
-- events of the account).
CREATE TABLE api_tokens (
    token_hash bytea PRIMARY KEY,
    token_id   uuid  NOT NULL UNIQUE,
    account_id text  NOT NULL
);

-- Failed sign-ins in a row, per account and per client address: they slow sign-in down, then lock the account
-- (an event) or refuse the address for a while.
CREATE TABLE sign_in_failures (
    key             text        PRIMARY KEY,  -- account:LOGIN | client:ADDRESS
    failures        integer     NOT NULL,
    last_failure_at timestamptz NOT NULL
);

-- The access record auditors read: sign-ins, failures, locks, sign-outs. Append-only for the application.
CREATE TABLE access_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    kind       text        NOT NULL,
    account_id text,
    client     text,
    detail     text        NOT NULL DEFAULT ''
);
CREATE INDEX access_log_account_idx ON access_log (account_id, id);

-- Idempotency-Key of the API's commands: the same key with the same request answers with the first response.
CREATE TABLE idempotency_keys (
    account_id     text        NOT NULL,
    key            text        NOT NULL,
    request_sha256 bytea       NOT NULL,
    status         smallint,   -- null while the first request is running
    response       jsonb,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (account_id, key)
);

GRANT SELECT ON accounts, account_credentials, enrolment_links, sessions, api_tokens, sign_in_failures, access_log,
    idempotency_keys TO phancong_writer;
GRANT INSERT, UPDATE, DELETE ON accounts, account_credentials, enrolment_links, sessions, api_tokens, sign_in_failures,
    idempotency_keys TO phancong_writer;
GRANT INSERT ON access_log TO phancong_writer;
