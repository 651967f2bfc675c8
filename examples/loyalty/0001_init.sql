-- The loyalty module's tables: one account per customer, and every change to its points.
CREATE TABLE loyalty_account (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    points INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    tier TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX loyalty_account_customer ON loyalty_account (customer_id) WHERE deleted_at IS NULL;

CREATE TABLE loyalty_transaction (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES loyalty_account(id),
    amount INTEGER NOT NULL,
    reason TEXT NOT NULL,
    source_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX loyalty_transaction_account ON loyalty_transaction (account_id);
-- One award per source (an order), however often order.placed is delivered.
CREATE UNIQUE INDEX loyalty_transaction_source ON loyalty_transaction (source_id) WHERE source_id IS NOT NULL AND deleted_at IS NULL;
