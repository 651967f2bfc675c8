-- Publishable keys are stored in plain (they are public by design); secret keys are stored
-- hashed, with only a redacted form kept for display.
CREATE TABLE api_key (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    salt TEXT NOT NULL DEFAULT '',
    redacted TEXT NOT NULL,
    title TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('publishable', 'secret')),
    last_used_at TEXT,
    created_by TEXT NOT NULL DEFAULT '',
    revoked_by TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX api_key_token ON api_key (token) WHERE deleted_at IS NULL;
