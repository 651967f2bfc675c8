-- Exchanges and claims (Medusa's `order_exchange` / `order_exchange_item`, `order_claim` /
-- `order_claim_item`; issue 15). Each is begun with an order change of its own type
-- (`exchange` / `claim`) whose actions name it (`exchange_id` / `claim_id`): RETURN_ITEM and
-- a return's SHIPPING_ADD become the items and shipping of its inbound return (a return row
-- that names the exchange or claim), ITEM_ADD becomes a new order line (the outbound item,
-- recorded as an exchange item or a claim's additional item) reserved at confirmation, an
-- outbound SHIPPING_ADD an order shipping method that names it, WRITE_OFF_ITEM a claim item.
-- Amounts are integer minor units.
ALTER TABLE order_return ADD COLUMN exchange_id TEXT;
ALTER TABLE order_return ADD COLUMN claim_id TEXT;
ALTER TABLE order_shipping_method ADD COLUMN exchange_id TEXT;
ALTER TABLE order_shipping_method ADD COLUMN claim_id TEXT;

CREATE TABLE order_exchange (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    return_id TEXT,
    -- A sequence of its own, like the order's.
    display_id INTEGER NOT NULL UNIQUE,
    order_version INTEGER NOT NULL,
    no_notification INTEGER,
    allow_backorder INTEGER NOT NULL DEFAULT 0,
    -- What the customer pays (positive) or is owed (negative), fixed at confirmation.
    difference_due INTEGER,
    created_by TEXT,
    metadata TEXT,
    canceled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_exchange_order ON order_exchange (order_id);
CREATE INDEX order_exchange_created ON order_exchange (created_at, id);

CREATE TABLE order_exchange_item (
    id TEXT PRIMARY KEY,
    exchange_id TEXT NOT NULL REFERENCES order_exchange (id),
    item_id TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    note TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_exchange_item_exchange ON order_exchange_item (exchange_id);

CREATE TABLE order_claim (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    return_id TEXT,
    display_id INTEGER NOT NULL UNIQUE,
    order_version INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('refund', 'replace')),
    no_notification INTEGER,
    -- What the claimed items are worth, owed back (set at confirmation).
    refund_amount INTEGER,
    created_by TEXT,
    metadata TEXT,
    canceled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_claim_order ON order_claim (order_id);
CREATE INDEX order_claim_created ON order_claim (created_at, id);

CREATE TABLE order_claim_item (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES order_claim (id),
    item_id TEXT NOT NULL,
    -- 1: a replacement sent out; 0: a claimed (damaged, missing …) item.
    is_additional_item INTEGER NOT NULL DEFAULT 0,
    reason TEXT CHECK (reason IS NULL
        OR reason IN ('missing_item', 'wrong_item', 'production_failure', 'other')),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    note TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_claim_item_claim ON order_claim_item (claim_id);
