-- Customers (guests and registered), their addresses, and customer groups.
CREATE TABLE customer (
    id TEXT PRIMARY KEY,
    email TEXT,
    company_name TEXT,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    has_account INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
-- One registered customer per email; guests with the same email may coexist.
CREATE UNIQUE INDEX customer_email_account
    ON customer (email, has_account) WHERE deleted_at IS NULL;
CREATE TABLE customer_address (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customer (id),
    address_name TEXT,
    is_default_shipping INTEGER NOT NULL DEFAULT 0,
    is_default_billing INTEGER NOT NULL DEFAULT 0,
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
CREATE INDEX customer_address_customer ON customer_address (customer_id);
CREATE TABLE customer_group (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    metadata TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX customer_group_name ON customer_group (name) WHERE deleted_at IS NULL;
CREATE TABLE customer_group_customer (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customer (id),
    customer_group_id TEXT NOT NULL REFERENCES customer_group (id),
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX customer_group_customer_pair
    ON customer_group_customer (customer_group_id, customer_id);
CREATE INDEX customer_group_customer_customer ON customer_group_customer (customer_id);
