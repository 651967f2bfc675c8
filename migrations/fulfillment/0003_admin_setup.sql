-- Admin setup (issue 13): shipping option types become rows of their own, as in Medusa 2.10+
-- (an option points at a type; types are managed at /admin/shipping-option-types). The
-- types the options carried inline move into the new table under the same ids.
CREATE TABLE fulfillment_shipping_option_type (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

INSERT INTO fulfillment_shipping_option_type (id, label, code, description, created_at, updated_at)
    SELECT type_id, type_label, type_code, type_description, created_at, updated_at
    FROM fulfillment_shipping_option;

ALTER TABLE fulfillment_shipping_option DROP COLUMN type_label;
ALTER TABLE fulfillment_shipping_option DROP COLUMN type_code;
ALTER TABLE fulfillment_shipping_option DROP COLUMN type_description;
CREATE INDEX fulfillment_shipping_option_type_ref ON fulfillment_shipping_option (type_id);
CREATE INDEX fulfillment_shipping_option_profile ON fulfillment_shipping_option (shipping_profile_id);

-- Medusa keeps profile names unique among live profiles.
ALTER TABLE fulfillment_shipping_profile ADD COLUMN metadata TEXT;
CREATE UNIQUE INDEX fulfillment_shipping_profile_name
    ON fulfillment_shipping_profile (name) WHERE deleted_at IS NULL;

CREATE INDEX fulfillment_service_zone_set ON fulfillment_service_zone (fulfillment_set_id);
