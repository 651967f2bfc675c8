-- Fulfillment: sets (shipping / pickup) of service zones covering geo zones, shipping
-- profiles, and shipping options with flat prices per currency (optionally per region).
CREATE TABLE fulfillment_set (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE fulfillment_service_zone (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    fulfillment_set_id TEXT NOT NULL REFERENCES fulfillment_set (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE fulfillment_geo_zone (
    id TEXT PRIMARY KEY,
    service_zone_id TEXT NOT NULL REFERENCES fulfillment_service_zone (id),
    type TEXT NOT NULL,
    country_code TEXT NOT NULL,
    province_code TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX fulfillment_geo_zone_zone ON fulfillment_geo_zone (service_zone_id);

CREATE TABLE fulfillment_shipping_profile (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE fulfillment_shipping_option (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    price_type TEXT NOT NULL DEFAULT 'flat',
    service_zone_id TEXT NOT NULL REFERENCES fulfillment_service_zone (id),
    shipping_profile_id TEXT REFERENCES fulfillment_shipping_profile (id),
    provider_id TEXT NOT NULL,
    data TEXT,
    type_id TEXT NOT NULL,
    type_label TEXT NOT NULL,
    type_code TEXT NOT NULL,
    type_description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX fulfillment_shipping_option_zone ON fulfillment_shipping_option (service_zone_id);

CREATE TABLE fulfillment_shipping_option_rule (
    id TEXT PRIMARY KEY,
    shipping_option_id TEXT NOT NULL REFERENCES fulfillment_shipping_option (id),
    attribute TEXT NOT NULL,
    operator TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX fulfillment_shipping_option_rule_option ON fulfillment_shipping_option_rule (shipping_option_id);

CREATE TABLE fulfillment_shipping_option_price (
    id TEXT PRIMARY KEY,
    shipping_option_id TEXT NOT NULL REFERENCES fulfillment_shipping_option (id),
    currency_code TEXT NOT NULL,
    region_id TEXT,
    amount INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX fulfillment_shipping_option_price_option ON fulfillment_shipping_option_price (shipping_option_id);
