-- The steps of the write job that finished an execution, as one JSON array, instead of one
-- `workflow_step` row each. Such steps committed together with the execution's `done`
-- status, so recovery never needs them; operators read them through `journal::load`, which
-- merges them with the step rows of earlier jobs (issue 19: ~19 fewer row inserts per order).
ALTER TABLE workflow_execution ADD COLUMN steps TEXT;
