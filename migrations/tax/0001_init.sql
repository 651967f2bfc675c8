-- Tax regions (a country, or a province of it) and their rates.
CREATE TABLE tax_region (
    id TEXT PRIMARY KEY,
    country_code TEXT NOT NULL,
    province_code TEXT,
    parent_id TEXT,
    provider_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX tax_region_place ON tax_region (country_code, COALESCE(province_code, '')) WHERE deleted_at IS NULL;

CREATE TABLE tax_rate (
    id TEXT PRIMARY KEY,
    tax_region_id TEXT NOT NULL REFERENCES tax_region (id),
    rate_ppm INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX tax_rate_region ON tax_rate (tax_region_id);
