-- Returns (Medusa's order module owns them: `return`, `return_item`; issue 15). A return is
-- begun `open` with an order change of type `return_request` whose RETURN_ITEM / SHIPPING_ADD
-- actions become its items and shipping method when the change is confirmed (status
-- `requested`); a `return_receive` change's RECEIVE_RETURN_ITEM / RECEIVE_DAMAGED_RETURN_ITEM
-- actions set the received and damaged quantities (status `received` or
-- `partially_received`). `refund_amount` (minor units) is what the order owes back for it,
-- fixed when the request is confirmed; the order summary subtracts it from the order total.
CREATE TABLE order_return (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    -- A sequence of its own, like the order's.
    display_id INTEGER NOT NULL UNIQUE,
    order_version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'requested', 'received', 'partially_received', 'canceled')),
    location_id TEXT,
    no_notification INTEGER,
    refund_amount INTEGER,
    created_by TEXT,
    metadata TEXT,
    requested_at TEXT,
    received_at TEXT,
    canceled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_return_order ON order_return (order_id);
CREATE INDEX order_return_created ON order_return (created_at, id);

CREATE TABLE order_return_item (
    id TEXT PRIMARY KEY,
    return_id TEXT NOT NULL REFERENCES order_return (id),
    -- The order line item returned.
    item_id TEXT NOT NULL REFERENCES order_line_item (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    -- Every unit that came back, damaged ones included (Medusa's meaning).
    received_quantity INTEGER NOT NULL DEFAULT 0,
    damaged_quantity INTEGER NOT NULL DEFAULT 0,
    reason_id TEXT REFERENCES order_return_reason (id),
    note TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    CHECK (received_quantity >= 0 AND damaged_quantity >= 0),
    CHECK (received_quantity <= quantity AND damaged_quantity <= received_quantity)
);
CREATE INDEX order_return_item_return ON order_return_item (return_id);
CREATE INDEX order_return_item_item ON order_return_item (item_id);

-- The return's shipping (Medusa: a shipping method of the order tied to the return); its
-- amount comes off what the return refunds.
CREATE TABLE order_return_shipping_method (
    id TEXT PRIMARY KEY,
    return_id TEXT NOT NULL REFERENCES order_return (id),
    name TEXT NOT NULL,
    shipping_option_id TEXT,
    amount INTEGER NOT NULL CHECK (amount >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_return_shipping_method_return ON order_return_shipping_method (return_id);
