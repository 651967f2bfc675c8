-- Payment collections (one per cart/order), sessions with providers, authorized payments,
-- captures and refunds; and the scripted outcomes of the test provider.
CREATE TABLE payment_collection (
    id TEXT PRIMARY KEY,
    currency_code TEXT NOT NULL,
    amount INTEGER NOT NULL,
    region_id TEXT,
    status TEXT NOT NULL DEFAULT 'not_paid',
    authorized_amount INTEGER NOT NULL DEFAULT 0,
    captured_amount INTEGER NOT NULL DEFAULT 0,
    refunded_amount INTEGER NOT NULL DEFAULT 0,
    completed_at TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE payment_session (
    id TEXT PRIMARY KEY,
    payment_collection_id TEXT NOT NULL REFERENCES payment_collection (id),
    provider_id TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    amount INTEGER NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    context TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    authorized_at TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX payment_session_collection ON payment_session (payment_collection_id);

CREATE TABLE payment (
    id TEXT PRIMARY KEY,
    payment_collection_id TEXT NOT NULL REFERENCES payment_collection (id),
    payment_session_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    amount INTEGER NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    captured_at TEXT,
    canceled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX payment_collection_payments ON payment (payment_collection_id);

CREATE TABLE payment_capture (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payment (id),
    amount INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE payment_refund (
    id TEXT PRIMARY KEY,
    payment_id TEXT NOT NULL REFERENCES payment (id),
    amount INTEGER NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE payment_test_script (
    seq INTEGER PRIMARY KEY,
    outcome TEXT NOT NULL,
    created_at TEXT NOT NULL
);
