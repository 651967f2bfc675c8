-- Orders (display_id is a sequence), their addresses, line items (copied from the cart),
-- shipping methods, and the tax lines of both.
CREATE TABLE "order" (
    id TEXT PRIMARY KEY,
    display_id INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending',
    region_id TEXT,
    customer_id TEXT,
    sales_channel_id TEXT,
    email TEXT,
    currency_code TEXT NOT NULL,
    shipping_address_id TEXT,
    billing_address_id TEXT,
    metadata TEXT,
    canceled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_customer ON "order" (customer_id, created_at);

CREATE TABLE order_address (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    company TEXT,
    first_name TEXT,
    last_name TEXT,
    address_1 TEXT,
    address_2 TEXT,
    city TEXT,
    country_code TEXT,
    province TEXT,
    postal_code TEXT,
    phone TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE order_line_item (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    title TEXT NOT NULL,
    subtitle TEXT,
    thumbnail TEXT,
    quantity INTEGER NOT NULL,
    variant_id TEXT,
    product_id TEXT,
    product_title TEXT,
    product_description TEXT,
    product_subtitle TEXT,
    product_type TEXT,
    product_type_id TEXT,
    product_collection TEXT,
    product_handle TEXT,
    variant_sku TEXT,
    variant_barcode TEXT,
    variant_title TEXT,
    requires_shipping INTEGER NOT NULL DEFAULT 1,
    is_discountable INTEGER NOT NULL DEFAULT 1,
    is_giftcard INTEGER NOT NULL DEFAULT 0,
    is_tax_inclusive INTEGER NOT NULL DEFAULT 0,
    is_custom_price INTEGER NOT NULL DEFAULT 0,
    compare_at_unit_price INTEGER,
    unit_price INTEGER NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_line_item_order ON order_line_item (order_id);

CREATE TABLE order_line_item_tax_line (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES order_line_item (id),
    description TEXT,
    tax_rate_id TEXT,
    code TEXT NOT NULL,
    rate_ppm INTEGER NOT NULL,
    provider_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_line_item_tax_line_item ON order_line_item_tax_line (item_id);

CREATE TABLE order_shipping_method (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES "order" (id),
    name TEXT NOT NULL,
    description TEXT,
    amount INTEGER NOT NULL,
    is_tax_inclusive INTEGER NOT NULL DEFAULT 0,
    shipping_option_id TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_shipping_method_order ON order_shipping_method (order_id);

CREATE TABLE order_shipping_method_tax_line (
    id TEXT PRIMARY KEY,
    shipping_method_id TEXT NOT NULL REFERENCES order_shipping_method (id),
    description TEXT,
    tax_rate_id TEXT,
    code TEXT NOT NULL,
    rate_ppm INTEGER NOT NULL,
    provider_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX order_shipping_method_tax_line_method ON order_shipping_method_tax_line (shipping_method_id);
