-- Costs that must not grow with the order history (issue 7, BENCHMARKS.md "Order history
-- growth"): at 1M orders the admin list sorted and counted the whole table (~1 s per page)
-- and a customer's list read every one of their order rows to count them.

-- Newest first straight from an index (no sort of all orders), live orders only.
CREATE INDEX order_live_created ON "order" (created_at, id) WHERE deleted_at IS NULL;

-- A customer's orders, newest first, counted from the index alone (deleted_at is a column,
-- not a partial-index condition, so the count needs no table row); replaces order_customer
-- (every query by customer also asks for live orders).
CREATE INDEX order_customer_live ON "order" (customer_id, deleted_at, created_at, id);
DROP INDEX order_customer;

-- The number of live orders, kept by triggers: the unfiltered admin list's count without
-- counting a million rows per request.
CREATE TABLE order_live_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    live INTEGER NOT NULL
);
INSERT INTO order_live_count (id, live) SELECT 1, COUNT(*) FROM "order" WHERE deleted_at IS NULL;

CREATE TRIGGER order_live_count_insert AFTER INSERT ON "order" WHEN NEW.deleted_at IS NULL BEGIN
    UPDATE order_live_count SET live = live + 1 WHERE id = 1;
END;
CREATE TRIGGER order_live_count_delete AFTER DELETE ON "order" WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE order_live_count SET live = live - 1 WHERE id = 1;
END;
CREATE TRIGGER order_live_count_soft_delete AFTER UPDATE OF deleted_at ON "order"
    WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) BEGIN
    UPDATE order_live_count SET live = live + (CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END)
    WHERE id = 1;
END;
