-- Signed webhooks (Stockroom's own `/admin/webhooks`): endpoints an admin registers, and one
-- delivery row per endpoint × event, created by the dispatcher's fan-out in the same write job
-- that moves the outbox cursor (so no committed event is skipped or fanned out twice).
CREATE TABLE event_webhook (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    -- JSON array of event names, or ["*"].
    events TEXT NOT NULL,
    -- The signing secret (needed in clear to sign; shown to the admin once).
    secret TEXT NOT NULL,
    description TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

-- `body` is the exact JSON posted (kept here, so a replay never depends on the outbox's
-- retention); `attempts` counts attempts since creation or the last replay.
CREATE TABLE event_webhook_delivery (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES event_webhook(id),
    event_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    replays INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (webhook_id, event_id)
);
-- The sender's queue — fewest attempts first, then oldest (rowid), so deliveries that keep
-- failing (an endpoint that is down) never hold up fresh ones — and the dead-letter count,
-- without scanning the log.
CREATE INDEX event_webhook_delivery_pending ON event_webhook_delivery (attempts) WHERE status = 'pending';
CREATE INDEX event_webhook_delivery_dead ON event_webhook_delivery (status) WHERE status = 'dead';
-- A webhook's delivery log, newest first.
CREATE INDEX event_webhook_delivery_log ON event_webhook_delivery (webhook_id, created_at);
