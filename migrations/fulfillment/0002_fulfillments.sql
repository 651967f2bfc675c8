-- Fulfillments (packed, shipped, delivered, canceled), their items and shipping labels.
CREATE TABLE fulfillment (
    id TEXT PRIMARY KEY,
    location_id TEXT NOT NULL,
    provider_id TEXT NOT NULL DEFAULT 'manual_manual',
    shipping_option_id TEXT,
    packed_at TEXT,
    shipped_at TEXT,
    delivered_at TEXT,
    canceled_at TEXT,
    requires_shipping INTEGER NOT NULL DEFAULT 1,
    data TEXT,
    metadata TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE fulfillment_item (
    id TEXT PRIMARY KEY,
    fulfillment_id TEXT NOT NULL REFERENCES fulfillment (id),
    title TEXT NOT NULL,
    sku TEXT,
    barcode TEXT,
    quantity INTEGER NOT NULL,
    line_item_id TEXT,
    inventory_item_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX fulfillment_item_fulfillment ON fulfillment_item (fulfillment_id);

CREATE TABLE fulfillment_label (
    id TEXT PRIMARY KEY,
    fulfillment_id TEXT NOT NULL REFERENCES fulfillment (id),
    tracking_number TEXT NOT NULL,
    tracking_url TEXT NOT NULL,
    label_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX fulfillment_label_fulfillment ON fulfillment_label (fulfillment_id);
