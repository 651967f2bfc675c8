-- Medusa's settings module (issue 13): custom display labels for entity properties, the
-- admin dashboard's widget layouts per zone (a user's own, or the system default), and the
-- per-user preferences that remember which of the two a user last chose.
CREATE TABLE settings_property_label (
    id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    property TEXT NOT NULL,
    label TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX settings_property_label_key ON settings_property_label (entity, property);

CREATE TABLE settings_layout_configuration (
    id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    user_id TEXT,
    is_system_default INTEGER NOT NULL DEFAULT 0 CHECK (is_system_default IN (0, 1)),
    configuration TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- A personal layout has its user; the system default has none.
    CHECK ((is_system_default = 1) = (user_id IS NULL))
);
CREATE UNIQUE INDEX settings_layout_configuration_owner
    ON settings_layout_configuration (zone, ifnull(user_id, ''));

CREATE TABLE settings_user_preference (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX settings_user_preference_key ON settings_user_preference (user_id, key);
