-- Stock locations (warehouses, shops) and their addresses.
CREATE TABLE stock_location (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address_id TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE stock_location_address (
    id TEXT PRIMARY KEY,
    address_1 TEXT NOT NULL,
    address_2 TEXT,
    company TEXT,
    city TEXT,
    country_code TEXT NOT NULL,
    phone TEXT,
    province TEXT,
    postal_code TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
