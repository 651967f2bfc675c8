-- Price sets, prices (exact integer minor units), rules, price lists and preferences.
CREATE TABLE pricing_price_set (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE pricing_price_list (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('active', 'draft')),
    type TEXT NOT NULL DEFAULT 'sale' CHECK (type IN ('sale', 'override')),
    starts_at TEXT,
    ends_at TEXT,
    rules_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

-- `value` is a JSON array of accepted values (e.g. customer group ids).
CREATE TABLE pricing_price_list_rule (
    id TEXT PRIMARY KEY,
    price_list_id TEXT NOT NULL REFERENCES pricing_price_list (id) ON DELETE CASCADE,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX pricing_price_list_rule_list ON pricing_price_list_rule (price_list_id);

CREATE TABLE pricing_price (
    id TEXT PRIMARY KEY,
    title TEXT,
    price_set_id TEXT NOT NULL REFERENCES pricing_price_set (id) ON DELETE CASCADE,
    currency_code TEXT NOT NULL,
    amount INTEGER NOT NULL,
    min_quantity INTEGER,
    max_quantity INTEGER,
    rules_count INTEGER NOT NULL DEFAULT 0,
    price_list_id TEXT REFERENCES pricing_price_list (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX pricing_price_set_currency ON pricing_price (price_set_id, currency_code) WHERE deleted_at IS NULL;
CREATE INDEX pricing_price_list_id ON pricing_price (price_list_id) WHERE price_list_id IS NOT NULL;

CREATE TABLE pricing_price_rule (
    id TEXT PRIMARY KEY,
    price_id TEXT NOT NULL REFERENCES pricing_price (id) ON DELETE CASCADE,
    attribute TEXT NOT NULL,
    operator TEXT NOT NULL DEFAULT 'eq' CHECK (operator IN ('eq', 'gt', 'gte', 'lt', 'lte')),
    value TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX pricing_price_rule_price ON pricing_price_rule (price_id);

CREATE TABLE pricing_price_preference (
    id TEXT PRIMARY KEY,
    attribute TEXT NOT NULL CHECK (attribute IN ('region_id', 'currency_code')),
    value TEXT NOT NULL,
    is_tax_inclusive INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX pricing_price_preference_key ON pricing_price_preference (attribute, value) WHERE deleted_at IS NULL;
