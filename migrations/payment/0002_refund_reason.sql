-- Refund reasons (Medusa's RefundReason): a label and code staff pick when refunding.
CREATE TABLE payment_refund_reason (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
