-- Admin users and invitations to become one.
CREATE TABLE user (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    first_name TEXT,
    last_name TEXT,
    avatar_url TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX user_email ON user (email) WHERE deleted_at IS NULL;
CREATE TABLE user_invite (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    accepted INTEGER NOT NULL DEFAULT 0,
    -- sha256 of the invite token (the token itself is shown once, at creation).
    token_hash TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX user_invite_email ON user_invite (email) WHERE deleted_at IS NULL;
