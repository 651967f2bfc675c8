-- Auth identities (one per person, shared by actor types through app_metadata), their
-- provider identities (emailpass: entity_id = email, password hash in provider_metadata),
-- and server-side sessions behind the session cookie.
CREATE TABLE auth_identity (
    id TEXT PRIMARY KEY,
    app_metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE auth_provider_identity (
    id TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    auth_identity_id TEXT NOT NULL REFERENCES auth_identity (id),
    -- argon2 PHC string; never leaves the auth module.
    password_hash TEXT NOT NULL DEFAULT '',
    user_metadata TEXT,
    -- Login throttling: failures counted in a window; refused until locked_until.
    failed_count INTEGER NOT NULL DEFAULT 0,
    failed_since INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX auth_provider_identity_entity
    ON auth_provider_identity (entity_id, provider) WHERE deleted_at IS NULL;
CREATE INDEX auth_provider_identity_identity ON auth_provider_identity (auth_identity_id);
CREATE TABLE auth_session (
    id TEXT PRIMARY KEY,
    auth_context TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
