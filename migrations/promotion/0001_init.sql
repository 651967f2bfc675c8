-- Promotions (issue 14): campaigns with an optional budget, promotions with one application
-- method, and rules (promotion rules, target rules, buy rules) with their values.
-- Money (`budget_limit` / `used` of a spend budget) is in minor units of the budget's
-- currency; an application method's `value` is kept as the decimal text it was given
-- (a percentage, or major units of its currency) and converted exactly where it is used.
CREATE TABLE promotion_campaign (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    campaign_identifier TEXT NOT NULL,
    starts_at TEXT,
    ends_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX promotion_campaign_identifier ON promotion_campaign (campaign_identifier)
    WHERE deleted_at IS NULL;

CREATE TABLE promotion_campaign_budget (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES promotion_campaign (id),
    type TEXT NOT NULL CHECK (type IN ('usage', 'spend')),
    currency_code TEXT,
    budget_limit INTEGER,
    used INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX promotion_campaign_budget_campaign ON promotion_campaign_budget (campaign_id)
    WHERE deleted_at IS NULL;

CREATE TABLE promotion (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('standard', 'buyget')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'inactive')),
    is_automatic INTEGER NOT NULL DEFAULT 0,
    is_tax_inclusive INTEGER NOT NULL DEFAULT 0,
    usage_limit INTEGER,
    used INTEGER NOT NULL DEFAULT 0,
    campaign_id TEXT REFERENCES promotion_campaign (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX promotion_code ON promotion (code) WHERE deleted_at IS NULL;
-- Every cart refresh asks for the live automatic promotions.
CREATE INDEX promotion_automatic ON promotion (is_automatic, id) WHERE deleted_at IS NULL;
CREATE INDEX promotion_campaign_of ON promotion (campaign_id) WHERE deleted_at IS NULL;

CREATE TABLE promotion_application_method (
    id TEXT PRIMARY KEY,
    promotion_id TEXT NOT NULL REFERENCES promotion (id),
    type TEXT NOT NULL,
    target_type TEXT NOT NULL,
    allocation TEXT,
    value TEXT NOT NULL,
    currency_code TEXT,
    max_quantity INTEGER,
    apply_to_quantity INTEGER,
    buy_rules_min_quantity INTEGER,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX promotion_application_method_promotion
    ON promotion_application_method (promotion_id) WHERE deleted_at IS NULL;

-- `kind` says which list of the promotion a rule belongs to (Medusa keeps three M:N tables).
CREATE TABLE promotion_rule (
    id TEXT PRIMARY KEY,
    promotion_id TEXT NOT NULL REFERENCES promotion (id),
    kind TEXT NOT NULL CHECK (kind IN ('rules', 'target_rules', 'buy_rules')),
    attribute TEXT NOT NULL,
    operator TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX promotion_rule_promotion ON promotion_rule (promotion_id, kind) WHERE deleted_at IS NULL;

CREATE TABLE promotion_rule_value (
    id TEXT PRIMARY KEY,
    promotion_rule_id TEXT NOT NULL REFERENCES promotion_rule (id),
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX promotion_rule_value_rule ON promotion_rule_value (promotion_rule_id) WHERE deleted_at IS NULL;
