-- Draft orders (issue 15): an order row with status 'draft' until it is converted (same id,
-- status 'pending'). Drafts are not orders yet for the listings: the trigger-kept live count
-- that `/admin/orders` answers without counting leaves them out, and counts a draft when it
-- is converted.
DROP TRIGGER order_live_count_insert;
DROP TRIGGER order_live_count_delete;
DROP TRIGGER order_live_count_soft_delete;

CREATE TRIGGER order_live_count_insert AFTER INSERT ON "order"
    WHEN NEW.deleted_at IS NULL AND NEW.status <> 'draft' BEGIN
    UPDATE order_live_count SET live = live + 1 WHERE id = 1;
END;
CREATE TRIGGER order_live_count_delete AFTER DELETE ON "order"
    WHEN OLD.deleted_at IS NULL AND OLD.status <> 'draft' BEGIN
    UPDATE order_live_count SET live = live - 1 WHERE id = 1;
END;
CREATE TRIGGER order_live_count_soft_delete AFTER UPDATE OF deleted_at ON "order"
    WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) AND NEW.status <> 'draft' BEGIN
    UPDATE order_live_count SET live = live + (CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END)
    WHERE id = 1;
END;
CREATE TRIGGER order_live_count_draft AFTER UPDATE OF status ON "order"
    WHEN NEW.deleted_at IS NULL AND (OLD.status = 'draft') <> (NEW.status = 'draft') BEGIN
    UPDATE order_live_count SET live = live + (CASE WHEN NEW.status = 'draft' THEN -1 ELSE 1 END)
    WHERE id = 1;
END;

UPDATE order_live_count SET live =
    (SELECT COUNT(*) FROM "order" WHERE deleted_at IS NULL AND status <> 'draft') WHERE id = 1;
