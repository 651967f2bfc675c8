-- Inventory items, their stock per location, and reservations held by line items.
CREATE TABLE inventory_item (
    id TEXT PRIMARY KEY,
    sku TEXT,
    title TEXT,
    requires_shipping INTEGER NOT NULL DEFAULT 1,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    -- The descriptive fields admins edit.
    description TEXT,
    thumbnail TEXT,
    hs_code TEXT,
    origin_country TEXT,
    mid_code TEXT,
    material TEXT,
    weight INTEGER,
    length INTEGER,
    height INTEGER,
    width INTEGER
);

CREATE TABLE inventory_level (
    id TEXT PRIMARY KEY,
    inventory_item_id TEXT NOT NULL REFERENCES inventory_item (id),
    location_id TEXT NOT NULL,
    stocked_quantity INTEGER NOT NULL DEFAULT 0,
    reserved_quantity INTEGER NOT NULL DEFAULT 0,
    incoming_quantity INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    CHECK (reserved_quantity >= 0)
);
CREATE UNIQUE INDEX inventory_level_item_location
    ON inventory_level (inventory_item_id, location_id) WHERE deleted_at IS NULL;

CREATE TABLE inventory_reservation_item (
    id TEXT PRIMARY KEY,
    line_item_id TEXT,
    inventory_item_id TEXT NOT NULL REFERENCES inventory_item (id),
    location_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    allow_backorder INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    description TEXT,
    external_id TEXT,
    created_by TEXT,
    metadata TEXT
);
CREATE INDEX inventory_reservation_line ON inventory_reservation_item (line_item_id);
