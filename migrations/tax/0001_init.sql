-- Tax regions (a country, or a province under its country's region) and their rates.
-- Rates are exact: millionths of a percent (8.25 % = 8250000).
CREATE TABLE tax_region (
    id TEXT PRIMARY KEY,
    country_code TEXT NOT NULL,
    province_code TEXT,
    parent_id TEXT REFERENCES tax_region (id),
    provider_id TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX tax_region_place ON tax_region (country_code, ifnull(province_code, ''))
    WHERE deleted_at IS NULL;

CREATE TABLE tax_rate (
    id TEXT PRIMARY KEY,
    tax_region_id TEXT NOT NULL REFERENCES tax_region (id),
    rate_ppm INTEGER,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    is_combinable INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX tax_rate_region ON tax_rate (tax_region_id);

CREATE TABLE tax_rate_rule (
    id TEXT PRIMARY KEY,
    tax_rate_id TEXT NOT NULL REFERENCES tax_rate (id) ON DELETE CASCADE,
    reference TEXT NOT NULL,
    reference_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX tax_rate_rule_rate ON tax_rate_rule (tax_rate_id);
