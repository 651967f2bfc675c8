-- The workflow journal. One row per execution, one per step of it. Local steps are journaled
-- in the same transaction as their effects; external steps before and after the call.
CREATE TABLE workflow_execution (
    id TEXT PRIMARY KEY,
    workflow TEXT NOT NULL,
    idempotency_key TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'compensating', 'done', 'reverted', 'failed_compensation')),
    input TEXT NOT NULL,
    result TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- A key names one logical operation: at most one live (not reverted) execution per key.
CREATE UNIQUE INDEX workflow_execution_key ON workflow_execution (workflow, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND status <> 'reverted';
CREATE INDEX workflow_execution_status ON workflow_execution (status);

CREATE TABLE workflow_step (
    execution_id TEXT NOT NULL REFERENCES workflow_execution(id),
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('local', 'external')),
    status TEXT NOT NULL CHECK (status IN ('invoking', 'done', 'failed', 'compensating', 'compensated', 'compensation_failed')),
    output TEXT,
    compensation TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (execution_id, idx)
);
