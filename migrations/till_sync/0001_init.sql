-- Offline sync between tills and a central store (issue 17). See ARCHITECTURE.md,
-- "Tills and central".

-- Central: the change log a till pulls. One row per captured row write of a replicated
-- table (capture triggers are installed by `flows::till_sync::capture` after every
-- migration, since link tables migrate after modules). `image` is the row as JSON at the
-- moment of the write (NULL for a delete); `row_key` its primary key as JSON.
-- `seq` only grows: a till's cursor is the last `seq` it applied.
CREATE TABLE till_sync_change (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    row_key TEXT NOT NULL,
    image TEXT
);

-- Central: every till sale ingested, keyed by the till's own order id (the idempotency
-- key). `result` is the answer the first push got, replayed to every repeat.
CREATE TABLE till_sync_sale (
    till_order_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    register TEXT NOT NULL,
    stock_short INTEGER NOT NULL DEFAULT 0 CHECK (stock_short IN (0, 1)),
    result TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Till: what this store is a till of (one row; absent on a central or a plain store),
-- and the pull cursor, written in the same write job as the page it follows.
CREATE TABLE till_sync_config (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    central_url TEXT NOT NULL,
    api_key TEXT NOT NULL,
    register TEXT NOT NULL,
    sales_channel_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    pull_cursor INTEGER NOT NULL DEFAULT 0,
    pulled_at TEXT,
    -- The last `event_outbox` seq whose `order.placed` events were queued.
    event_cursor INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- Till: the outbound queue, one row per order placed in the till's sales channel
-- (queued from the `order.placed` events in the job that moves `event_cursor`).
-- A row becomes `synced` only with central's answer.
CREATE TABLE till_sync_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'synced')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    central_order_id TEXT,
    central_display_id INTEGER,
    synced_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX till_sync_outbox_pending ON till_sync_outbox (status, seq);
