-- Login throttling per (identity, client address) replaces the per-identity hard lockout,
-- which let anyone lock an owner out with five wrong passwords. One row per email (known or
-- not, so a 429 reveals no account) and address; forgotten after a quiet window.
CREATE TABLE auth_login_attempt (
    entity_id TEXT NOT NULL,
    address TEXT NOT NULL,
    -- Failures in the current streak (a success deletes the row).
    failures INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    -- Refused (429) until this instant, epoch ms; 0 = not blocked.
    blocked_until INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, address)
);
CREATE INDEX auth_login_attempt_last ON auth_login_attempt (last_at);
-- The old lockout's columns.
ALTER TABLE auth_provider_identity DROP COLUMN failed_count;
ALTER TABLE auth_provider_identity DROP COLUMN failed_since;
ALTER TABLE auth_provider_identity DROP COLUMN locked_until;
