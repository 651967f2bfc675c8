CREATE TABLE store (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    default_sales_channel_id TEXT,
    default_region_id TEXT,
    default_location_id TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE store_currency (
    id TEXT PRIMARY KEY,
    store_id TEXT NOT NULL REFERENCES store(id) ON DELETE CASCADE,
    currency_code TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    UNIQUE (store_id, currency_code)
);
