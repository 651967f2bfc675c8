-- Medusa's order summary per order version (`order_summary`): the figure a version cannot
-- recompute from its own rows is `original_order_total`, the order's current total just
-- before the change that made the version. Everything else in the summary (current total,
-- paid, refunded, pending difference) is derived on read from the lines, returns, claims and
-- payments, which move only with changes and payments.
--
-- The total is read when a change is opened (`order_change.original_order_total`: lines and
-- returns move only when a change is confirmed, and an order has one open change at a time)
-- and copied into the version's row in the write job that confirms the change.
--
-- Existing orders have no row for their version: the summary then answers the current total,
-- as it did before this table (Medusa's own answer for a version-1 order).
ALTER TABLE order_change ADD COLUMN original_order_total INTEGER;

CREATE TABLE order_summary (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    version INTEGER NOT NULL,
    original_order_total INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (order_id, version)
);
