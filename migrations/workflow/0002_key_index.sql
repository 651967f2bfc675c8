-- `jobs::last_slot` asks for a workflow's largest idempotency key: the unique key index is
-- partial (live executions with a key only), so it cannot serve that query; this one can.
CREATE INDEX workflow_execution_workflow_key ON workflow_execution (workflow, idempotency_key);
