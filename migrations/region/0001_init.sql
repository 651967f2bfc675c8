-- Regions and their countries (a country belongs to at most one live region).
CREATE TABLE region (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    automatic_taxes INTEGER NOT NULL DEFAULT 1,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE region_country (
    iso_2 TEXT PRIMARY KEY,
    iso_3 TEXT NOT NULL,
    num_code TEXT NOT NULL,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    region_id TEXT REFERENCES region (id),
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX region_country_region ON region_country (region_id);
