-- Promotion adjustments (issue 14): amounts a promotion takes off an item or a shipping
-- method before tax, named by the promotion's code. The promotion module owns promotions;
-- these rows only keep its id and code (a cross-module reference, never a foreign key).
CREATE TABLE order_line_item_adjustment (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES order_line_item (id),
    code TEXT,
    amount INTEGER NOT NULL,
    is_tax_inclusive INTEGER NOT NULL DEFAULT 0,
    promotion_id TEXT,
    provider_id TEXT,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_line_item_adjustment_item ON order_line_item_adjustment (item_id) WHERE deleted_at IS NULL;

CREATE TABLE order_shipping_method_adjustment (
    id TEXT PRIMARY KEY,
    shipping_method_id TEXT NOT NULL REFERENCES order_shipping_method (id),
    code TEXT,
    amount INTEGER NOT NULL,
    is_tax_inclusive INTEGER NOT NULL DEFAULT 0,
    promotion_id TEXT,
    provider_id TEXT,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_shipping_method_adjustment_method ON order_shipping_method_adjustment (shipping_method_id) WHERE deleted_at IS NULL;
