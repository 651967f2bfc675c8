-- Order changes (Medusa's `order_change` + `order_change_action`): a change is proposed
-- against the next version of an order, collects actions, and is then confirmed (its actions
-- are applied and the order moves to that version), declined or canceled. Transfers use it
-- today (change_type 'transfer', action TRANSFER_CUSTOMER); returns, claims, exchanges and
-- edits will reuse it.

-- Medusa's orders carry a version (1 at placement) that each confirmed change moves on.
ALTER TABLE "order" ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE order_change (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    return_id TEXT,
    claim_id TEXT,
    exchange_id TEXT,
    version INTEGER NOT NULL,
    change_type TEXT,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'requested', 'confirmed', 'declined', 'canceled')),
    internal_note TEXT,
    created_by TEXT,
    requested_by TEXT,
    requested_at TEXT,
    confirmed_by TEXT,
    confirmed_at TEXT,
    declined_by TEXT,
    declined_reason TEXT,
    declined_at TEXT,
    canceled_by TEXT,
    canceled_at TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_change_order ON order_change (order_id, version);
-- At most one open (pending or requested) change per order: Medusa checks this in its
-- service; here the schema holds it too.
CREATE UNIQUE INDEX order_change_one_open ON order_change (order_id)
    WHERE status IN ('pending', 'requested') AND deleted_at IS NULL;

CREATE TABLE order_change_action (
    id TEXT PRIMARY KEY,
    order_change_id TEXT REFERENCES order_change (id),
    order_id TEXT NOT NULL REFERENCES "order" (id),
    return_id TEXT,
    claim_id TEXT,
    exchange_id TEXT,
    -- Medusa's autoincrement: the order actions are applied in.
    ordering INTEGER NOT NULL,
    version INTEGER,
    reference TEXT,
    reference_id TEXT,
    action TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    -- Minor units, like every amount in this store.
    amount INTEGER,
    internal_note TEXT,
    applied INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_change_action_change ON order_change_action (order_change_id);
CREATE INDEX order_change_action_order ON order_change_action (order_id);
CREATE UNIQUE INDEX order_change_action_ordering ON order_change_action (ordering);
