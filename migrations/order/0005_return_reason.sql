-- Return reasons (Medusa's ReturnReason): what a customer or staff gives as the reason for
-- returning an item; `value` is the stable key, unique among live reasons. A reason may sit
-- under a parent reason.
CREATE TABLE order_return_reason (
    id TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    description TEXT,
    parent_return_reason_id TEXT REFERENCES order_return_reason (id),
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX order_return_reason_value ON order_return_reason (value) WHERE deleted_at IS NULL;
CREATE INDEX order_return_reason_parent ON order_return_reason (parent_return_reason_id);
