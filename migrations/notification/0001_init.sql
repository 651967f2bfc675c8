-- Medusa's notification module: one row per message sent (or attempted) through a provider.
-- `idempotency_key` makes a subscriber's send once-only: a redelivered event finds its row.
CREATE TABLE notification (
    id TEXT PRIMARY KEY,
    "to" TEXT NOT NULL,
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    data TEXT,
    trigger_type TEXT,
    resource_id TEXT,
    resource_type TEXT,
    receiver_id TEXT,
    original_notification_id TEXT,
    idempotency_key TEXT UNIQUE,
    external_id TEXT,
    provider_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'success', 'failure')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX notification_created ON notification (created_at);
CREATE INDEX notification_resource ON notification (resource_id);
